package dev.edgeruntime.queue;

/**
 * Told of each message's outcome, for metrics.
 *
 * @author edge-runtime developers
 */
public interface QueueConsumerObserver {

	/** An observer that does nothing. */
	QueueConsumerObserver NONE = new QueueConsumerObserver() {
	};

	/**
	 * A consumer of the queue started.
	 * @param queue the queue name
	 */
	default void consuming(String queue) {
	}

	/**
	 * A message was handled.
	 * @param queue the queue name
	 */
	default void succeeded(String queue) {
	}

	/**
	 * A message failed and will be retried.
	 * @param queue the queue name
	 */
	default void retried(String queue) {
	}

	/**
	 * A message was dead-lettered.
	 * @param queue the queue name
	 */
	default void deadLettered(String queue) {
	}

}
