package dev.edgeruntime;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown by {@link EdgeRuntime#waitUntil} when a task is refused: the application is shutting down
 * ({@link UnloadReason#TERMINATION}), {@code edge-runtime.max-in-flight} tasks are already running, or the
 * instance is under memory pressure (both {@link UnloadReason#EARLY_DROP}). In a web request it becomes
 * {@code 503 Service Unavailable} with a {@code Retry-After} header.
 *
 * @author edge-runtime developers
 */
public class TaskRejectedException extends RejectedExecutionException {

	private static final long serialVersionUID = 1L;

	private final UnloadReason reason;

	private final Duration retryAfter;

	private final RejectionCause rejectionCause;

	/**
	 * Creates a new instance whose cause is the one its reason usually stands for: {@link RejectionCause#SHUTDOWN}
	 * for {@link UnloadReason#TERMINATION}, {@link RejectionCause#MAX_IN_FLIGHT} otherwise.
	 * @param message the detail message
	 * @param reason why the task was refused
	 * @param retryAfter when a client may try again
	 */
	public TaskRejectedException(String message, UnloadReason reason, Duration retryAfter) {
		this(message, reason, (reason == UnloadReason.TERMINATION) ? RejectionCause.SHUTDOWN
				: RejectionCause.MAX_IN_FLIGHT, retryAfter);
	}

	/**
	 * Creates a new instance.
	 * @param message the detail message
	 * @param reason why the task was refused
	 * @param rejectionCause what refused it
	 * @param retryAfter when a client may try again
	 */
	public TaskRejectedException(String message, UnloadReason reason, RejectionCause rejectionCause,
			Duration retryAfter) {
		super(message);
		this.reason = reason;
		this.rejectionCause = rejectionCause;
		this.retryAfter = retryAfter;
	}

	/**
	 * Why the task was refused.
	 * @return {@link UnloadReason#TERMINATION} or {@link UnloadReason#EARLY_DROP}
	 */
	public UnloadReason getReason() {
		return this.reason;
	}

	/**
	 * What refused the task, finer than {@link #getReason()}: {@link UnloadReason#EARLY_DROP} is either
	 * {@link RejectionCause#MAX_IN_FLIGHT} or {@link RejectionCause#MEMORY_PRESSURE}.
	 * @return the cause of the refusal
	 */
	public RejectionCause getRejectionCause() {
		return this.rejectionCause;
	}

	/**
	 * How long a client should wait before trying again.
	 * @return the delay
	 */
	public Duration getRetryAfter() {
		return this.retryAfter;
	}

	/**
	 * What refused a task. An operator acts differently on each: a capacity limit is raised or more instances
	 * added, memory pressure calls for a larger heap or less work per task, a shutdown passes.
	 */
	public enum RejectionCause {

		/** The application is shutting down (reason {@link UnloadReason#TERMINATION}). */
		SHUTDOWN,

		/** {@code edge-runtime.max-in-flight} tasks are in flight (reason {@link UnloadReason#EARLY_DROP}). */
		MAX_IN_FLIGHT,

		/** The instance is under memory pressure (reason {@link UnloadReason#EARLY_DROP}). */
		MEMORY_PRESSURE;

		/**
		 * The name in lower case, as in the {@code cause} tag of the {@code edge.runtime.tasks.rejected}
		 * counter.
		 * @return for example {@code memory_pressure}
		 */
		public String value() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
