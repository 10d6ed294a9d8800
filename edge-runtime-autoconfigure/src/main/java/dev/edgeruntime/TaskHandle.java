package dev.edgeruntime;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A background task accepted by {@link EdgeRuntime#waitUntil}.
 *
 * @param <T> the type of the task's result
 * @author edge-runtime developers
 */
public interface TaskHandle<T> {

	/**
	 * The task's unguessable id.
	 * @return the id
	 */
	UUID id();

	/**
	 * The task's name.
	 * @return the name
	 */
	String name();

	/**
	 * The task's state now.
	 * @return the state
	 */
	TaskState state();

	/**
	 * A future of the task's result. It completes exceptionally with the task's error, with a
	 * {@link TaskBudgetExceededException}, or with a {@link java.util.concurrent.CancellationException}.
	 * <p>
	 * Asking for the result marks a failure as observed, so no {@link UnhandledRejectionEvent} is published
	 * for it. Completing or cancelling the returned future does not affect the task: use {@link #cancel()}.
	 * @return a new dependent future of the result
	 */
	CompletableFuture<T> result();

	/**
	 * Cancels the task if it has not ended: it is interrupted and ends {@link TaskState#CANCELLED}.
	 * @return {@code true} if this call cancelled it
	 */
	boolean cancel();

	/**
	 * A snapshot of the task.
	 * @return the snapshot
	 */
	TaskInfo info();

}
