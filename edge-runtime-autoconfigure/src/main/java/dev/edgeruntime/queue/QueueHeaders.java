package dev.edgeruntime.queue;

/**
 * Header names edge-runtime writes into a message's {@code headers}.
 *
 * @author edge-runtime developers
 */
public final class QueueHeaders {

	/** {@code true} on a message a consumer archived because it will not succeed. */
	public static final String DEAD_LETTERED = "x-dead-lettered";

	/** Why the message was dead-lettered: the last error's class and message. */
	public static final String ERROR = "x-error";

	/** How often the message was delivered before it was dead-lettered. */
	public static final String ATTEMPTS = "x-attempts";

	/**
	 * The last error of a message waiting for its retry: the error's class and message, written by the
	 * consumer before it sets the retry's delay.
	 */
	public static final String LAST_ERROR = "x-last-error";

	/** The delivery ({@code read_ct}) that failed with {@link #LAST_ERROR}. */
	public static final String FAILED_ATTEMPT = "x-failed-attempt";

	/** When the message was dead-lettered (ISO-8601). */
	public static final String DEAD_LETTERED_AT = "x-dead-lettered-at";

	/**
	 * Deliveries of this message before it is dead-lettered, overriding the listener's {@code maxAttempts}
	 * (a whole number from 1 to {@link Integer#MAX_VALUE}), as a durable task's own setting travels with it.
	 * Any other value is not taken: the listener's applies, and the consumer says so at WARN.
	 */
	public static final String MAX_ATTEMPTS = "x-max-attempts";

	/** The id of the durable {@code @BackgroundTask} call the message carries, as its status resource knows it. */
	public static final String TASK_ID = "x-task-id";

	/** The name of the durable task the message carries. */
	public static final String TASK_NAME = "x-task-name";

	/**
	 * Where the durable task was started: an object with {@code method}, {@code path}, {@code traceId} and
	 * {@code principal}, each when known.
	 */
	public static final String TASK_ORIGIN = "x-task-origin";

	/**
	 * When a consumer's handler started the durable task's latest attempt (ISO-8601, the database's clock),
	 * its status resource's {@code startedAt}.
	 */
	public static final String STARTED_AT = "x-started-at";

	/** {@code true} on an archived durable task that was cancelled before a consumer ran it. */
	public static final String CANCELLED = "x-cancelled";

	/** When the durable task was cancelled (ISO-8601). */
	public static final String CANCELLED_AT = "x-cancelled-at";

	/** When a dead-lettered message was sent back to its queue ({@code PgmqTemplate.requeueDeadLetters}). */
	public static final String REQUEUED_AT = "x-requeued-at";

	/** The idempotency key the message was sent with. */
	public static final String IDEMPOTENCY_KEY = "x-idempotency-key";

	private QueueHeaders() {
	}

}
