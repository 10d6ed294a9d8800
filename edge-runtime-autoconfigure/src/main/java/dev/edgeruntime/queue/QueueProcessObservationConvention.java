package dev.edgeruntime.queue;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * An {@link ObservationConvention} of the {@link QueueObservation#PROCESS process} observation; a bean of
 * this type replaces {@link DefaultQueueProcessObservationConvention}.
 *
 * @author edge-runtime developers
 */
public interface QueueProcessObservationConvention extends ObservationConvention<QueueProcessContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof QueueProcessContext;
	}

}
