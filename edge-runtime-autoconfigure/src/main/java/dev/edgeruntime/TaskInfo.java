package dev.edgeruntime;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one task, as the registry knows it now.
 *
 * @param id the unguessable task id
 * @param name the task name
 * @param state the state
 * @param origin where the task was started
 * @param submittedAt when {@code waitUntil} accepted it
 * @param startedAt when it started running, or {@code null}
 * @param finishedAt when it ended, or {@code null}
 * @param budget the budgets it runs under
 * @param usage how much of them it has used
 * @param progress the last progress it reported, or {@code null}
 * @param unloadReason the reason it was last told about in a {@link BeforeUnloadEvent} (memory pressure only
 * while it lasts, the wall clock until an extension), or that ended it, or {@code null}
 * @param error the type and message of the error that ended it, or {@code null}
 * @param attempt the attempt number, 1 for in-process tasks
 * @author edge-runtime developers
 */
public record TaskInfo(UUID id, String name, TaskState state, TaskOrigin origin, Instant submittedAt,
		@Nullable Instant startedAt, @Nullable Instant finishedAt, TaskBudget budget, TaskUsage usage,
		@Nullable TaskProgress progress, @Nullable UnloadReason unloadReason, @Nullable TaskError error,
		int attempt) {

	/**
	 * Time left of the wall-clock budget, never negative.
	 * @return the time left
	 */
	public Duration remaining() {
		Duration left = this.budget.wallClock().minus(this.usage.wallClock());
		return left.isNegative() ? Duration.ZERO : left;
	}

	/**
	 * The error that ended a task: its type and message, never a stack trace.
	 *
	 * @param type the exception class name
	 * @param message the exception message, or {@code null}
	 */
	public record TaskError(String type, @Nullable String message) {

		/**
		 * The error describing the given exception.
		 * @param ex the exception
		 * @return the error
		 */
		public static TaskError of(Throwable ex) {
			return new TaskError(ex.getClass().getName(), ex.getMessage());
		}

	}

}
