package dev.edgeruntime.queue;

import dev.edgeruntime.queue.QueueObservation.HighCardinalityKeys;
import dev.edgeruntime.queue.QueueObservation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * The default {@link QueueSendObservationConvention}: named {@value #NAME}, contextual name
 * {@code "<queue> send"}, the {@code queue} as a low-cardinality key value and the sent message's id as a
 * high-cardinality one.
 *
 * @author edge-runtime developers
 */
public class DefaultQueueSendObservationConvention implements QueueSendObservationConvention {

	/** The observation's name. */
	public static final String NAME = "edge.runtime.queue.send";

	/** A shared instance. */
	public static final DefaultQueueSendObservationConvention INSTANCE = new DefaultQueueSendObservationConvention();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(QueueSendContext context) {
		return context.getQueue() + " send";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(QueueSendContext context) {
		return KeyValues.of(LowCardinalityKeys.QUEUE.withValue(context.getQueue()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(QueueSendContext context) {
		Long messageId = context.getMessageId();
		return (messageId != null) ? KeyValues.of(HighCardinalityKeys.MESSAGE_ID.withValue(messageId.toString()))
				: KeyValues.empty();
	}

}
