package dev.edgeruntime;

import java.time.Duration;
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

	/**
	 * Creates a new instance.
	 * @param message the detail message
	 * @param reason why the task was refused
	 * @param retryAfter when a client may try again
	 */
	public TaskRejectedException(String message, UnloadReason reason, Duration retryAfter) {
		super(message);
		this.reason = reason;
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
	 * How long a client should wait before trying again.
	 * @return the delay
	 */
	public Duration getRetryAfter() {
		return this.retryAfter;
	}

}
