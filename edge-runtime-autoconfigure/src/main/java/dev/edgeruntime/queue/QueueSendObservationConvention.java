package dev.edgeruntime.queue;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * An {@link ObservationConvention} of the {@link QueueObservation#SEND send} observation; a bean of this
 * type replaces {@link DefaultQueueSendObservationConvention}.
 *
 * @author edge-runtime developers
 */
public interface QueueSendObservationConvention extends ObservationConvention<QueueSendContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof QueueSendContext;
	}

}
