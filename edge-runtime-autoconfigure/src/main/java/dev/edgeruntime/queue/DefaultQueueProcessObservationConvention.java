package dev.edgeruntime.queue;

import dev.edgeruntime.queue.QueueObservation.HighCardinalityKeys;
import dev.edgeruntime.queue.QueueObservation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * The default {@link QueueProcessObservationConvention}: named {@value #NAME}, contextual name
 * {@code "<queue> process"}, the {@code queue}, the {@code listener} and the durable task's name
 * ({@code task.name}, {@code none} for a {@code @QueueListener}'s message) as low-cardinality key values, the
 * message's id and read count as high-cardinality ones.
 *
 * @author edge-runtime developers
 */
public class DefaultQueueProcessObservationConvention implements QueueProcessObservationConvention {

	/** The observation's name. */
	public static final String NAME = "edge.runtime.queue.process";

	/** The {@code task.name} of a message that carries no durable task. */
	static final String NONE = "none";

	/** A shared instance. */
	public static final DefaultQueueProcessObservationConvention INSTANCE =
			new DefaultQueueProcessObservationConvention();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(QueueProcessContext context) {
		return context.getQueue() + " process";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(QueueProcessContext context) {
		String taskName = context.getTaskName();
		return KeyValues.of(LowCardinalityKeys.QUEUE.withValue(context.getQueue()),
				LowCardinalityKeys.LISTENER.withValue(context.getListener()),
				LowCardinalityKeys.TASK_NAME.withValue((taskName != null) ? taskName : NONE));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(QueueProcessContext context) {
		return KeyValues.of(HighCardinalityKeys.MESSAGE_ID.withValue(Long.toString(context.getMessageId())),
				HighCardinalityKeys.READ_COUNT.withValue(Integer.toString(context.getReadCount())));
	}

}
