package dev.edgeruntime.runtime;

import java.util.concurrent.CompletableFuture;

import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskStorage;

/**
 * A task that is accepted and holds its place, but starts only when told: after the HTTP response is
 * committed, or after a transaction commits. Until then it is {@link dev.edgeruntime.TaskState#SCHEDULED}
 * and its wall clock has not started.
 *
 * @param <T> the result type
 * @author edge-runtime developers
 */
public interface DeferredTask<T> {

	/**
	 * The task's handle.
	 * @return the handle
	 */
	TaskHandle<T> handle();

	/**
	 * The task's ephemeral storage, usable before the task starts, so that inputs which die with the
	 * request (uploaded files, request bodies) can be copied in on the request thread. It is deleted when
	 * the task ends, is dropped or is cancelled.
	 * @return the storage
	 * @throws UnsupportedOperationException if the handle does not carry storage
	 */
	default TaskStorage storage() {
		if (handle() instanceof TaskContext context) {
			return context.storage();
		}
		throw new UnsupportedOperationException("Task " + handle().id() + " has no storage before it starts");
	}

	/**
	 * The task's result for a caller that may ignore it (the caller of a {@code @BackgroundTask} method that
	 * returns a future). Unlike {@link TaskHandle#result()}, taking it does not mark a failure as observed: a
	 * failure counts as observed only if the returned future has dependents (a callback, or a thread waiting
	 * in {@code get} or {@code join}) when it happens; otherwise it is an unhandled rejection.
	 * @return the result
	 */
	default CompletableFuture<T> watchedResult() {
		return handle().result();
	}

	/**
	 * Whether something already waits on or is chained to the {@link #watchedResult()}, or to a result taken
	 * from the {@link #handle()} before the start (a callback, a derived future, a thread in {@code get} or
	 * {@code join}).
	 * @return {@code false} by default
	 */
	default boolean awaited() {
		return false;
	}

	/**
	 * Records that the task will not start before a thread gets somewhere (its transaction commits, its
	 * response is sent), so that an untimed wait on that thread for the {@link #watchedResult()}, or for a
	 * result taken from the {@link #handle()} before the start, which could never end, fails at once with an
	 * {@link IllegalStateException} instead. Does nothing by default.
	 * @param thread the thread the start waits for
	 * @param what what it has to do first, as in "starts only after {@code what}"
	 */
	default void startsAfter(Thread thread, String what) {
	}

	/**
	 * Starts the task now. Does nothing if it was started, dropped or cancelled before.
	 */
	void start();

	/**
	 * Drops the task without running it: it ends {@link dev.edgeruntime.TaskState#DROPPED}.
	 * @param why a short explanation for the log and the task's error
	 */
	void drop(String why);

}
