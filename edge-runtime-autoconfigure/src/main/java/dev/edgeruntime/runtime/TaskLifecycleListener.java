package dev.edgeruntime.runtime;

import java.time.Duration;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import org.jspecify.annotations.Nullable;

/**
 * Hears what happens to tasks, for metrics and tracing. Methods are called on the thread where the event
 * happens ({@link #taskStarted} and {@link #taskEnding} on the task's own thread) and must be quick and
 * must not throw.
 *
 * @author edge-runtime developers
 */
public interface TaskLifecycleListener {

	/**
	 * A task starts running, on its own thread.
	 * @param task the task
	 */
	default void taskStarted(TaskHandle<?> task) {
	}

	/**
	 * A thread-bound task's work returned or threw, still on its own thread.
	 * @param task the task
	 */
	default void taskEnding(TaskHandle<?> task) {
	}

	/**
	 * A thread-bound task's outcome has been dealt with, still on its own thread: its final state recorded
	 * ({@link #taskFinished} called), its result completed and, for a failure nobody observed, the
	 * {@link dev.edgeruntime.UnhandledRejectionEvent} published and logged. The last call for the task
	 * on its thread.
	 * @param task the task
	 */
	default void taskLeft(TaskHandle<?> task) {
	}

	/**
	 * A task reached a final state.
	 * @param task the task
	 * @param state the final state
	 * @param elapsed time from start (or submission, if it never started) to the end
	 */
	default void taskFinished(TaskHandle<?> task, TaskState state, Duration elapsed) {
	}

	/**
	 * A task reached a final state, with the exception its result completes with. The runtime calls this
	 * method; by default it calls {@link #taskFinished(TaskHandle, TaskState, Duration)}.
	 * @param task the task
	 * @param state the final state
	 * @param elapsed time from start (or submission, if it never started) to the end
	 * @param failure what the work threw ({@link TaskState#FAILED}), a
	 * {@link dev.edgeruntime.TaskBudgetExceededException} ({@link TaskState#BUDGET_EXCEEDED}), a
	 * {@link java.util.concurrent.CancellationException} ({@link TaskState#CANCELLED},
	 * {@link TaskState#DROPPED}); {@code null} for {@link TaskState#SUCCEEDED}
	 */
	default void taskFinished(TaskHandle<?> task, TaskState state, Duration elapsed, @Nullable Throwable failure) {
		taskFinished(task, state, elapsed);
	}

	/**
	 * A task was refused.
	 * @param reason {@link UnloadReason#TERMINATION} or {@link UnloadReason#EARLY_DROP}
	 */
	default void taskRejected(UnloadReason reason) {
	}

	/**
	 * A task was refused, with what refused it. The runtime calls this method; by default it calls
	 * {@link #taskRejected(UnloadReason)}.
	 * @param rejection the exception the caller gets, with its reason and
	 * {@link TaskRejectedException#getRejectionCause() cause}
	 */
	default void taskRejected(TaskRejectedException rejection) {
		taskRejected(rejection.getReason());
	}

	/**
	 * A task used up a budget and was stopped.
	 * @param task the task
	 * @param reason the budget
	 */
	default void budgetExceeded(TaskHandle<?> task, UnloadReason reason) {
	}

	/**
	 * A task failed, nobody observed its result, and no listener of the
	 * {@link dev.edgeruntime.UnhandledRejectionEvent} called {@code preventDefault()}: the failure the runtime
	 * logs as an error.
	 * @param task the task
	 * @param error the error
	 */
	default void unhandledFailure(TaskHandle<?> task, Throwable error) {
	}

}
