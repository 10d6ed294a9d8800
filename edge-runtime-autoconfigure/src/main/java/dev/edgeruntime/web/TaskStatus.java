package dev.edgeruntime.web;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskInfo.TaskError;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskUsage;
import org.jspecify.annotations.Nullable;

/**
 * The body of the task status resource, {@code GET {edge-runtime.tasks.base-path}/{id}}.
 *
 * @param id the task id
 * @param name the task name
 * @param state the state
 * @param submittedAt when the task was accepted
 * @param startedAt when it started, or {@code null}
 * @param finishedAt when it ended, or {@code null}
 * @param progress the progress it last reported, or {@code null}
 * @param budget its budgets, or {@code null} for a durable task, which runs under none
 * @param usage how much of them it used, or {@code null} for a durable task
 * @param unloadReason the {@code beforeunload} reason it was last told about or that ended it, or
 * {@code null}
 * @param result its result once {@link TaskState#SUCCEEDED}, or {@code null}
 * @param error the type and message of the error that ended it (never a stack trace), or {@code null}; for a
 * durable task waiting for a retry, the error of the attempt that failed
 * @param attempt the delivery: always 1 for an in-process task; for a durable task, the attempt running,
 * or the one that failed while it waits for a retry
 * @author edge-runtime developers
 */
public record TaskStatus(UUID id, String name, TaskState state, Instant submittedAt, @Nullable Instant startedAt,
		@Nullable Instant finishedAt, @Nullable TaskProgress progress, @Nullable Budget budget, @Nullable TaskUsage usage,
		@Nullable String unloadReason, @Nullable Object result, @Nullable TaskError error, int attempt) {

	/**
	 * The status of a task.
	 * @param info the task's snapshot
	 * @param result its result, or {@code null}
	 * @return the status
	 */
	public static TaskStatus of(TaskInfo info, @Nullable Object result) {
		// an in-process task's wall clock is always positive; a durable task's snapshot has none (zero)
		boolean budgeted = !info.budget().wallClock().isZero();
		Budget budget = budgeted ? new Budget(info.budget().wallClock(), info.budget().cpuTime(),
				(info.budget().memory() != null) ? info.budget().memory().toBytes() : null) : null;
		return new TaskStatus(info.id(), info.name(), info.state(), info.submittedAt(), info.startedAt(),
				info.finishedAt(), info.progress(), budget, budgeted ? info.usage() : null,
				(info.unloadReason() != null) ? info.unloadReason().value() : null, result, info.error(), info.attempt());
	}

	/**
	 * A task's budgets.
	 *
	 * @param wallClock the wall-clock budget
	 * @param cpuTime the CPU-time budget, or {@code null} when unlimited
	 * @param memoryBytes the allocation budget in bytes, or {@code null} when unlimited
	 */
	public record Budget(Duration wallClock, @Nullable Duration cpuTime, @Nullable Long memoryBytes) {

	}

}
