package dev.edgeruntime.runtime;

import dev.edgeruntime.TaskHandle;

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
	 * Starts the task now. Does nothing if it was started, dropped or cancelled before.
	 */
	void start();

	/**
	 * Drops the task without running it: it ends {@link dev.edgeruntime.TaskState#DROPPED}.
	 * @param why a short explanation for the log and the task's error
	 */
	void drop(String why);

}
