package dev.edgeruntime.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.DurableTaskDispatcher.Cancellation;
import dev.edgeruntime.DurableTaskDispatcher.Retry;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;
import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskInfo.TaskError;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskUsage;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.cron.CronJobInfo;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueStatistics;
import dev.edgeruntime.queue.QueueVacuum;
import dev.edgeruntime.runtime.Durations;
import dev.edgeruntime.runtime.TaskLogContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.util.unit.DataSize;

/**
 * {@link Endpoint @Endpoint} exposing the background tasks of an {@link EdgeRuntime}: those in flight
 * and those recently finished, one task by id, and cancelling a task by id. With the durable tier, the
 * report also shows each queue's figures and what this instance's consumers are doing.
 *
 * @author edge-runtime developers
 */
@Endpoint(id = "backgroundtasks")
public class BackgroundTasksEndpoint {

	private static final Log logger = LogFactory.getLog(BackgroundTasksEndpoint.class);

	private final EdgeRuntime runtime;

	private final Limits limits;

	// Null without the durable tier's classes, so that QueueMetrics is never loaded then.
	private final @Nullable Supplier<@Nullable QueueMetrics> queueMetrics;

	private final @Nullable Supplier<@Nullable CronJobs> cronJobs;

	private final Supplier<@Nullable DurableTaskDispatcher> durableTasks;

	/**
	 * Creates a new instance without the durable tier.
	 * @param runtime the runtime
	 * @param limits the configured limits, reported as they are
	 */
	public BackgroundTasksEndpoint(EdgeRuntime runtime, Limits limits) {
		this.runtime = runtime;
		this.limits = limits;
		this.queueMetrics = null;
		this.cronJobs = null;
		this.durableTasks = () -> null;
	}

	/**
	 * Creates a new instance that also reports the durable tier.
	 * @param runtime the runtime
	 * @param limits the configured limits, reported as they are
	 * @param queueMetrics supplies the durable tier's figures, or {@code null} when the application has none
	 */
	public BackgroundTasksEndpoint(EdgeRuntime runtime, Limits limits, Supplier<@Nullable QueueMetrics> queueMetrics) {
		this(runtime, limits, queueMetrics, () -> null);
	}

	/**
	 * Creates a new instance that also reports the durable tier and its recurring jobs.
	 * @param runtime the runtime
	 * @param limits the configured limits, reported as they are
	 * @param queueMetrics supplies the durable tier's figures, or {@code null} when the application has none
	 * @param cronJobs supplies the recurring jobs, or {@code null} when the application has none
	 */
	public BackgroundTasksEndpoint(EdgeRuntime runtime, Limits limits, Supplier<@Nullable QueueMetrics> queueMetrics,
			Supplier<@Nullable CronJobs> cronJobs) {
		this(runtime, limits, queueMetrics, cronJobs, () -> null);
	}

	/**
	 * Creates a new instance that also reports the durable tier and its recurring jobs, and reads and
	 * cancels durable tasks by id.
	 * @param runtime the runtime
	 * @param limits the configured limits, reported as they are
	 * @param queueMetrics supplies the durable tier's figures, or {@code null} when the application has none
	 * @param cronJobs supplies the recurring jobs, or {@code null} when the application has none
	 * @param durableTasks supplies the dispatcher of durable tasks, or {@code null} when the application has
	 * none
	 */
	public BackgroundTasksEndpoint(EdgeRuntime runtime, Limits limits, Supplier<@Nullable QueueMetrics> queueMetrics,
			Supplier<@Nullable CronJobs> cronJobs, Supplier<@Nullable DurableTaskDispatcher> durableTasks) {
		this.runtime = runtime;
		this.limits = limits;
		this.queueMetrics = queueMetrics;
		this.cronJobs = cronJobs;
		this.durableTasks = durableTasks;
	}

	/**
	 * The tasks in flight and recently finished, newest first, with totals since start, the configured
	 * limits and, with the durable tier, its queues and consumers.
	 * @param state only tasks in this state, or {@code null} for all
	 * @param name only tasks with this name, or {@code null} or empty for all
	 * @return the report
	 */
	@ReadOperation
	public BackgroundTasksDescriptor tasks(@Nullable TaskState state, @Nullable String name) {
		return tasksWhere((state != null) ? (candidate) -> candidate == state : (candidate) -> true, name);
	}

	/**
	 * The report of {@link #tasks(TaskState, String)}, with the tasks whose state passes a filter.
	 * @param state whether tasks in a state are listed
	 * @param name only tasks with this name, or {@code null} or empty for all
	 * @return the report
	 */
	BackgroundTasksDescriptor tasksWhere(Predicate<TaskState> state, @Nullable String name) {
		RuntimeStatus status = this.runtime.status();
		List<TaskDescriptor> tasks = new ArrayList<>();
		boolean anyName = name == null || name.isEmpty();
		for (TaskInfo info : this.runtime.tasks()) {
			if (state.test(info.state()) && (anyName || info.name().equals(name))) {
				tasks.add(TaskDescriptor.of(info));
			}
		}
		return new BackgroundTasksDescriptor(RuntimeDescriptor.of(status), TotalsDescriptor.of(status),
				this.limits, tasks,
				(this.queueMetrics != null) ? DurableTierDescriptor.of(this.queueMetrics, this.cronJobs) : null);
	}

	/**
	 * One task, in flight or recently finished, or with the durable tier a durable task.
	 * @param id the task id
	 * @return the task, or {@code null} when unknown (or no longer retained)
	 */
	@ReadOperation
	public @Nullable TaskDescriptor task(@Selector UUID id) {
		TaskHandle<?> task = this.runtime.find(id).orElse(null);
		if (task != null) {
			return TaskDescriptor.of(task.info());
		}
		DurableTaskDispatcher durableTasks = this.durableTasks.get();
		return (durableTasks != null) ? durableTasks.find(id).map(TaskDescriptor::of).orElse(null) : null;
	}

	/**
	 * Cancels a task: it is interrupted and ends {@link TaskState#CANCELLED}, and a
	 * {@link dev.edgeruntime.TaskCancelledEvent} is published. A durable task is cancelled only while no
	 * consumer holds it ({@link DurableTaskDispatcher#cancel(UUID)}).
	 * @param id the task id
	 * @return the outcome, or {@code null} when the task is unknown
	 */
	@DeleteOperation
	public @Nullable CancelDescriptor cancel(@Selector UUID id) {
		return cancelFrom(id, "through the backgroundtasks endpoint");
	}

	/**
	 * Cancels a task as {@link #cancel(UUID)} does, for another way in, such as the dashboard.
	 * @param id the task id
	 * @param how how it was cancelled, for the log line ({@code "from the dashboard by alice"})
	 * @return the outcome, or {@code null} when the task is unknown
	 */
	public @Nullable CancelDescriptor cancelFrom(UUID id, String how) {
		TaskHandle<?> task = this.runtime.find(id).orElse(null);
		if (task == null) {
			return cancelDurable(id, how);
		}
		boolean cancelled = task.cancel();
		if (cancelled) {
			log(task.info(), "Background " + describe(task.info()) + " was cancelled " + how);
		}
		return new CancelDescriptor(cancelled, TaskDescriptor.of(task.info()));
	}

	/**
	 * Runs a failed durable task again ({@link DurableTaskDispatcher#retry(UUID)}): its dead-lettered message
	 * goes back to its queue with all its attempts. In-process tasks and durable tasks that have not failed
	 * are left as they are.
	 * @param id the task id
	 * @return the outcome, or {@code null} when the task is unknown
	 */
	@WriteOperation
	public @Nullable RetryDescriptor retry(@Selector UUID id) {
		TaskHandle<?> task = this.runtime.find(id).orElse(null);
		if (task != null) {
			// work in process memory has nothing to run again from
			return new RetryDescriptor(false, TaskDescriptor.of(task.info()));
		}
		DurableTaskDispatcher durableTasks = this.durableTasks.get();
		Retry outcome = (durableTasks != null) ? durableTasks.retry(id).orElse(null) : null;
		if (outcome == null) {
			return null;
		}
		if (outcome.retried()) {
			// who ran it again, as a cancel says who cancelled
			log(outcome.task(), "Durable " + describe(outcome.task()) + " was run again through the backgroundtasks endpoint");
		}
		return new RetryDescriptor(outcome.retried(), TaskDescriptor.of(outcome.task()));
	}

	private @Nullable CancelDescriptor cancelDurable(UUID id, String how) {
		DurableTaskDispatcher durableTasks = this.durableTasks.get();
		Cancellation outcome = (durableTasks != null) ? durableTasks.cancel(id).orElse(null) : null;
		if (outcome == null) {
			return null;
		}
		if (outcome.cancelled()) {
			log(outcome.task(), "Durable " + describe(outcome.task()) + " was cancelled " + how);
		}
		return new CancelDescriptor(outcome.cancelled(), TaskDescriptor.of(outcome.task()));
	}

	/** An INFO line about a task, with its id and name in the MDC: the request's thread is not the task's. */
	private static void log(TaskInfo task, String line) {
		TaskLogContext.log(task.id().toString(), task.name(), () -> logger.info(line));
	}

	private static String describe(TaskInfo task) {
		return "task " + task.id() + " (" + task.name() + ")";
	}

	/**
	 * The endpoint's report.
	 *
	 * @param runtime the runtime's state now
	 * @param totals counts since start
	 * @param limits the configured limits
	 * @param tasks the tasks, newest first
	 * @param queue the durable tier's queues and this instance's consumers, or {@code null} without it
	 */
	public record BackgroundTasksDescriptor(RuntimeDescriptor runtime, TotalsDescriptor totals, Limits limits,
			List<TaskDescriptor> tasks, @Nullable DurableTierDescriptor queue) implements OperationResponseBody {

	}

	/**
	 * The durable tier: every queue in the database and this instance's consumers.
	 *
	 * @param queues each queue's figures, by name
	 * @param unavailable the queues listed whose figures could not be read (tables dropped other than by
	 * {@code pgmq.drop_queue}, a grant missing), with why, or {@code null} when there are none
	 * @param consumers what each consumer of this instance is doing
	 * @param cronJobs the recurring jobs (pg_cron or the in-app scheduler) with their last runs, or
	 * {@code null} when the application declares none
	 * @param error why the figures could not be read (such as the database being down), or {@code null}
	 */
	public record DurableTierDescriptor(List<QueueDescriptor> queues, @Nullable Map<String, String> unavailable,
			List<QueueConsumerStatus> consumers, @Nullable List<CronJobInfo> cronJobs, @Nullable String error) {

		/**
		 * Creates a new instance where every queue's figures were read ({@code unavailable} is {@code null}),
		 * as before there was {@code unavailable}.
		 * @param queues each queue's figures, by name
		 * @param consumers what each consumer of this instance is doing
		 * @param cronJobs the recurring jobs with their last runs, or {@code null} when the application declares
		 * none
		 * @param error why the figures could not be read, or {@code null}
		 */
		public DurableTierDescriptor(List<QueueDescriptor> queues, List<QueueConsumerStatus> consumers,
				@Nullable List<CronJobInfo> cronJobs, @Nullable String error) {
			this(queues, null, consumers, cronJobs, error);
		}

		static @Nullable DurableTierDescriptor of(Supplier<@Nullable QueueMetrics> supplier,
				@Nullable Supplier<@Nullable CronJobs> cronSupplier) {
			QueueMetrics metrics = supplier.get();
			if (metrics == null) {
				return null;
			}
			List<QueueConsumerStatus> consumers = metrics.consumers();
			CronJobs cron = (cronSupplier != null) ? cronSupplier.get() : null;
			try {
				Map<String, QueueVacuum.Outcome> vacuums = metrics.lastVacuums();
				List<QueueDescriptor> queues = metrics.queues()
					.stream()
					.map((statistics) -> QueueDescriptor.of(statistics, vacuums.get(statistics.queue())))
					.toList();
				Map<String, String> unavailable = metrics.unavailable();
				return new DurableTierDescriptor(queues, unavailable.isEmpty() ? null : unavailable, consumers,
						(cron != null) ? cron.list() : null, null);
			}
			catch (RuntimeException ex) {
				return new DurableTierDescriptor(List.of(), null, consumers, null, ex.getClass().getSimpleName() + ": "
						+ ex.getMessage());
			}
		}

	}

	/**
	 * One queue's figures, as the {@code edge.runtime.queue.*} meters show them.
	 *
	 * @param name the queue name
	 * @param depth messages in the queue, visible or leased
	 * @param visible messages that can be read now
	 * @param oldestAgeSeconds age of the oldest message in seconds, or {@code null} when the queue is empty
	 * @param oldestVisibleAgeSeconds age of the oldest message that can be read now, in seconds, or
	 * {@code null} when none can: how far the consumers lag behind
	 * @param deadLettered dead-lettered messages in the archive
	 * @param totalMessages messages ever sent to the queue
	 * @param lastVacuum the outcome of this instance's latest VACUUM of the queue's table ({@code vacuumed},
	 * {@code busy}, {@code recent}, {@code not_owner} or {@code failed}), or {@code null} when it has not
	 * vacuumed it (see {@code edge-runtime.queue.vacuum-interval})
	 */
	public record QueueDescriptor(String name, long depth, long visible, @Nullable Integer oldestAgeSeconds,
			@Nullable Integer oldestVisibleAgeSeconds, long deadLettered, long totalMessages,
			@Nullable String lastVacuum) {

		static QueueDescriptor of(QueueStatistics statistics, QueueVacuum.@Nullable Outcome lastVacuum) {
			return new QueueDescriptor(statistics.queue(), statistics.length(), statistics.visibleLength(),
					statistics.oldestAgeSeconds(), statistics.oldestVisibleAgeSeconds(), statistics.deadLettered(),
					statistics.totalMessages(), (lastVacuum != null) ? lastVacuum.value() : null);
		}

	}

	/**
	 * The runtime's state now.
	 *
	 * @param accepting whether new tasks are accepted
	 * @param draining whether the runtime is draining tasks at shutdown
	 * @param memoryPressure whether the instance is under memory pressure
	 * @param active tasks accepted and not yet finished (scheduled or running)
	 * @param retained tasks known to the registry, in flight or finished and retained
	 */
	public record RuntimeDescriptor(boolean accepting, boolean draining, boolean memoryPressure, int active,
			int retained) {

		static RuntimeDescriptor of(RuntimeStatus status) {
			return new RuntimeDescriptor(status.accepting(), status.draining(), status.memoryPressure(),
					status.inFlight(), status.retained());
		}

	}

	/**
	 * Counts since the application started.
	 *
	 * @param byOutcome tasks that ended, by final state
	 * @param byReason budget, memory, termination and refusal events, by unload reason (Supabase's strings)
	 * @param rejected tasks refused
	 */
	public record TotalsDescriptor(Map<TaskState, Long> byOutcome, Map<String, Long> byReason, long rejected) {

		static TotalsDescriptor of(RuntimeStatus status) {
			Map<String, Long> byReason = new LinkedHashMap<>();
			status.totalsByReason().forEach((reason, count) -> byReason.put(reason.value(), count));
			return new TotalsDescriptor(status.totalsByState(), byReason, status.rejected());
		}

	}

	/**
	 * The configured limits.
	 *
	 * @param maxInFlight the most tasks accepted at once
	 * @param wallClock the default wall-clock budget of a task
	 * @param cpuTime the default CPU-time budget, or {@code null} when unlimited
	 * @param memoryBytes the default allocation budget in bytes, or {@code null} when unlimited
	 * @param beforeUnloadRatio the fraction of a budget at which {@code beforeunload} is published
	 * @param shutdownGracePeriod how long tasks may take to finish at shutdown
	 */
	public record Limits(int maxInFlight, Duration wallClock, @Nullable Duration cpuTime, @Nullable Long memoryBytes,
			double beforeUnloadRatio, Duration shutdownGracePeriod) {

	}

	/**
	 * One task.
	 *
	 * @param id the task id
	 * @param name the task name
	 * @param state the state
	 * @param origin where it was started
	 * @param submittedAt when it was accepted
	 * @param startedAt when it started, or {@code null}
	 * @param finishedAt when it ended, or {@code null}
	 * @param elapsed time since it started, until it ended or until now; {@code null} for a durable task, which
	 * has no budget to measure it against ({@code startedAt} and {@code finishedAt} give its times)
	 * @param budgets each budget and how much of it is used; {@code null} for a durable task, which runs under
	 * none
	 * @param progress the last progress it reported, or {@code null}
	 * @param unloadReason the reason it was warned about or ended by, or {@code null}
	 * @param attempt the attempt number
	 * @param error the error that ended it, or {@code null}
	 */
	public record TaskDescriptor(UUID id, String name, TaskState state, OriginDescriptor origin, Instant submittedAt,
			@Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable Duration elapsed,
			@Nullable BudgetsDescriptor budgets,
			@Nullable ProgressDescriptor progress, @Nullable String unloadReason, int attempt,
			@Nullable TaskError error) implements OperationResponseBody {

		static TaskDescriptor of(TaskInfo info) {
			UnloadReason reason = info.unloadReason();
			TaskProgress progress = info.progress();
			// an in-process task's wall clock is always positive; a durable task's snapshot has none (zero)
			boolean budgeted = !info.budget().wallClock().isZero();
			return new TaskDescriptor(info.id(), info.name(), info.state(), OriginDescriptor.of(info.origin()),
					info.submittedAt(), info.startedAt(), info.finishedAt(), budgeted ? info.usage().wallClock() : null,
					budgeted ? BudgetsDescriptor.of(info.budget(), info.usage()) : null,
					(progress != null) ? ProgressDescriptor.of(progress) : null,
					(reason != null) ? reason.value() : null, info.attempt(), info.error());
		}

	}

	/**
	 * Where a task was started.
	 *
	 * @param method the HTTP method, or {@code null}
	 * @param path the request path, or {@code null}
	 * @param traceId the trace id, or {@code null}
	 * @param principal the authenticated user, or {@code null}
	 * @param remoteAddress the client's address (WebSocket sessions), or {@code null}
	 */
	public record OriginDescriptor(@Nullable String method, @Nullable String path, @Nullable String traceId,
			@Nullable String principal, @Nullable String remoteAddress) {

		/**
		 * An origin without a remote address.
		 * @param method the HTTP method, or {@code null}
		 * @param path the request path, or {@code null}
		 * @param traceId the trace id, or {@code null}
		 * @param principal the authenticated user, or {@code null}
		 */
		public OriginDescriptor(@Nullable String method, @Nullable String path, @Nullable String traceId,
				@Nullable String principal) {
			this(method, path, traceId, principal, null);
		}

		static OriginDescriptor of(TaskOrigin origin) {
			return new OriginDescriptor(origin.method(), origin.path(), origin.traceId(), origin.principal(),
					origin.remoteAddress());
		}

	}

	/**
	 * A task's budgets and their use.
	 *
	 * @param wallClock the wall-clock budget
	 * @param cpuTime the CPU-time budget, or {@code null} when unlimited
	 * @param memory the allocation budget, or {@code null} when unlimited
	 */
	public record BudgetsDescriptor(TimeBudgetDescriptor wallClock, @Nullable TimeBudgetDescriptor cpuTime,
			@Nullable MemoryBudgetDescriptor memory) {

		static BudgetsDescriptor of(TaskBudget budget, TaskUsage usage) {
			Duration cpuTime = budget.cpuTime();
			DataSize memory = budget.memory();
			return new BudgetsDescriptor(TimeBudgetDescriptor.of(budget.wallClock(), usage.wallClock()),
					(cpuTime != null) ? TimeBudgetDescriptor.of(cpuTime, usage.cpuTime()) : null,
					(memory != null) ? MemoryBudgetDescriptor.of(memory, usage.allocatedBytes()) : null);
		}

	}

	/**
	 * A time budget.
	 *
	 * @param limit the budget, including any extension granted
	 * @param used how much is used, or {@code null} when not measured yet
	 * @param fractionUsed {@code used / limit}, or {@code null} when not measured yet or when the task has no
	 * such budget (a durable task's limit is zero)
	 */
	public record TimeBudgetDescriptor(Duration limit, @Nullable Duration used, @Nullable Double fractionUsed) {

		static TimeBudgetDescriptor of(Duration limit, @Nullable Duration used) {
			return new TimeBudgetDescriptor(limit, used,
					(used != null && !limit.isZero()) ? ratio(Durations.saturatedNanos(used), Durations.saturatedNanos(limit))
							: null);
		}

	}

	/**
	 * An allocation budget.
	 *
	 * @param limitBytes the budget in bytes
	 * @param usedBytes bytes allocated so far, or {@code null} when not measured yet
	 * @param fractionUsed {@code usedBytes / limitBytes}, or {@code null} when not measured yet
	 */
	public record MemoryBudgetDescriptor(long limitBytes, @Nullable Long usedBytes, @Nullable Double fractionUsed) {

		static MemoryBudgetDescriptor of(DataSize limit, @Nullable Long used) {
			return new MemoryBudgetDescriptor(limit.toBytes(), used,
					(used != null && limit.toBytes() > 0) ? ratio(used, limit.toBytes()) : null);
		}

	}

	/**
	 * Progress a task reported.
	 *
	 * @param done units done
	 * @param total units in all, or {@code 0} when unknown
	 * @param fraction the fraction done, or {@code -1} when the total is unknown
	 * @param message what the task is doing, or {@code null}
	 */
	public record ProgressDescriptor(long done, long total, double fraction, @Nullable String message) {

		static ProgressDescriptor of(TaskProgress progress) {
			boolean unknownTotal = progress.fraction() < 0;
			return new ProgressDescriptor(progress.done(), progress.total(),
					unknownTotal ? -1 : Math.min(1.0, ratio(progress.done(), progress.total())), progress.message());
		}

	}

	/**
	 * The outcome of a cancel.
	 *
	 * @param cancelled whether this request cancelled the task ({@code false} when it had already ended)
	 * @param task the task after the request
	 */
	public record CancelDescriptor(boolean cancelled, TaskDescriptor task) implements OperationResponseBody {

	}

	/**
	 * The outcome of a retry.
	 *
	 * @param retried whether this request sent the task back to its queue ({@code false} when it is not a
	 * failed durable task)
	 * @param task the task after the request
	 */
	public record RetryDescriptor(boolean retried, TaskDescriptor task) implements OperationResponseBody {

	}

	private static double ratio(long used, long limit) {
		// rounded to 4 decimals: the value is for humans and dashboards, not for arithmetic
		return Math.round((double) used / limit * 10_000) / 10_000.0;
	}

}
