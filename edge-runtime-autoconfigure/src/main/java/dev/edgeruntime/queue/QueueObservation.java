package dev.edgeruntime.queue;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the durable tier: a message's send and its processing by a
 * {@link QueueListener @QueueListener} (or a durable {@code @BackgroundTask}) consumer. The send writes the
 * current trace context into the message's headers; the processing reads it back, so that with a tracer
 * the handler's span continues the sender's trace, on whichever instance it runs.
 *
 * @author edge-runtime developers
 */
public enum QueueObservation implements ObservationDocumentation {

	/**
	 * A message sent with {@link PgmqTemplate} (one observation per batch of {@code sendBatch}).
	 */
	SEND {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultQueueSendObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { LowCardinalityKeys.QUEUE };
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return new KeyName[] { HighCardinalityKeys.MESSAGE_ID };
		}

	},

	/**
	 * A message handled by a queue consumer: the listener method's call, from the message's delivery to its
	 * outcome.
	 */
	PROCESS {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultQueueProcessObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeys.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeys.values();
		}

	};

	/** Low-cardinality keys. */
	public enum LowCardinalityKeys implements KeyName {

		/** The queue's name. */
		QUEUE {

			@Override
			public String asString() {
				return "queue";
			}

		},

		/** The listener that handled the message, as its consumer's status names it. */
		LISTENER {

			@Override
			public String asString() {
				return "listener";
			}

		},

		/**
		 * The name of the durable {@code @BackgroundTask} the message carries ({@code none} for a message of a
		 * {@code @QueueListener}, {@code unknown} for a name none of the application's durable methods has).
		 */
		TASK_NAME {

			@Override
			public String asString() {
				return "task.name";
			}

		}

	}

	/** High-cardinality keys. */
	public enum HighCardinalityKeys implements KeyName {

		/** The message's id (on a send, once sent; none on a batch). */
		MESSAGE_ID {

			@Override
			public String asString() {
				return "message.id";
			}

		},

		/** The delivery of the message being processed ({@code read_ct}). */
		READ_COUNT {

			@Override
			public String asString() {
				return "message.read.count";
			}

		}

	}

}
