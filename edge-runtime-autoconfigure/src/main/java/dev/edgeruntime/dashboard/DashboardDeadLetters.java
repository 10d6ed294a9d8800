package dev.edgeruntime.dashboard;

import java.util.OptionalLong;

/**
 * Sends every dead letter of a durable queue back to it, for the dashboard's "Run again" button: as
 * {@code PgmqTemplate.requeueDeadLetters(String)} does, each visible at once with all its attempts again.
 * Kept apart from the queue classes so that the dashboard is served without the durable tier's.
 *
 * @author edge-runtime developers
 */
@FunctionalInterface
public interface DashboardDeadLetters {

	/**
	 * The dead letters of an application without the durable tier: it knows of no queue.
	 */
	DashboardDeadLetters NONE = (queue) -> OptionalLong.empty();

	/**
	 * Sends a queue's dead letters back to it.
	 * @param queue the queue name, already checked to be valid
	 * @return how many went back, or empty when the application knows of no such queue
	 * @throws DatabaseUnavailableException when the database cannot be reached
	 */
	OptionalLong requeue(String queue);

	/**
	 * The database could not be reached: the requeue did not happen.
	 */
	class DatabaseUnavailableException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		/**
		 * Creates a new instance.
		 * @param message why, for a person
		 * @param cause the failure
		 */
		public DatabaseUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
