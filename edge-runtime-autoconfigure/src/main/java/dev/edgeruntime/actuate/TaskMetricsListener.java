package dev.edgeruntime.actuate;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskRejectedException.RejectionCause;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.runtime.TaskLifecycleListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Records what happens to tasks as Micrometer meters:
 * <ul>
 * <li>{@value #TASKS} (timer; tags {@code name}, {@code outcome}): tasks that ended, by final state, and
 * how long each ran;</li>
 * <li>{@value #BUDGET_EXCEEDED} (counter; tag {@code reason}: {@code wall_clock}, {@code cpu},
 * {@code memory}): tasks stopped because they used up a budget;</li>
 * <li>{@value #REJECTED} (counter; tags {@code reason}: {@code termination}, {@code early_drop}, and
 * {@code cause}: {@code shutdown}, {@code max_in_flight}, {@code memory_pressure}): tasks refused, and what
 * refused them, which {@code early_drop} alone does not say;</li>
 * <li>{@value #UNHANDLED} (counter; tag {@code name}): tasks that failed with nobody observing their
 * result and no listener handling their {@link dev.edgeruntime.UnhandledRejectionEvent}.</li>
 * </ul>
 * The gauge of active tasks is bound by {@link EdgeRuntimeMeterBinder}.
 *
 * @author edge-runtime developers
 */
public final class TaskMetricsListener implements TaskLifecycleListener {

	/** Timer of finished tasks. */
	public static final String TASKS = "edge.runtime.tasks";

	/** Counter of tasks stopped at a budget. */
	public static final String BUDGET_EXCEEDED = "edge.runtime.tasks.budget.exceeded";

	/** Counter of refused tasks. */
	public static final String REJECTED = "edge.runtime.tasks.rejected";

	/** Counter of failed tasks whose result nobody observed. */
	public static final String UNHANDLED = "edge.runtime.tasks.unhandled";

	private final MeterRegistry registry;

	private final Map<UnloadReason, Counter> budgetExceeded = new EnumMap<>(UnloadReason.class);

	private final Map<RejectionCause, Counter> rejected = new EnumMap<>(RejectionCause.class);

	/**
	 * Creates a new instance and registers the counters whose tags are known in advance, so that they
	 * show (at zero) before the first event.
	 * @param registry the registry
	 */
	public TaskMetricsListener(MeterRegistry registry) {
		this.registry = registry;
		for (UnloadReason reason : new UnloadReason[] { UnloadReason.WALL_CLOCK, UnloadReason.CPU,
				UnloadReason.MEMORY }) {
			this.budgetExceeded.put(reason, Counter.builder(BUDGET_EXCEEDED)
				.description("Background tasks stopped because they used up a budget")
				.tag("reason", reason.value())
				.register(registry));
		}
		for (RejectionCause cause : RejectionCause.values()) {
			this.rejected.put(cause, Counter.builder(REJECTED)
				.description("Background tasks refused")
				.tag("reason", reasonOf(cause).value())
				.tag("cause", cause.value())
				.register(registry));
		}
	}

	private static UnloadReason reasonOf(RejectionCause cause) {
		return (cause == RejectionCause.SHUTDOWN) ? UnloadReason.TERMINATION : UnloadReason.EARLY_DROP;
	}

	@Override
	public void taskFinished(TaskHandle<?> task, TaskState state, Duration elapsed) {
		Timer.builder(TASKS)
			.description("Background tasks that ended, from start to end")
			.tag("name", task.name())
			.tag("outcome", outcome(state))
			.register(this.registry)
			.record(elapsed);
	}

	@Override
	public void budgetExceeded(TaskHandle<?> task, UnloadReason reason) {
		counter(this.budgetExceeded, BUDGET_EXCEEDED, reason).increment();
	}

	@Override
	public void taskRejected(TaskRejectedException rejection) {
		this.rejected.get(rejection.getRejectionCause()).increment();
	}

	@Override
	public void unhandledFailure(TaskHandle<?> task, Throwable error) {
		Counter.builder(UNHANDLED)
			.description("Background tasks that failed with nobody observing or handling their failure")
			.tag("name", task.name())
			.register(this.registry)
			.increment();
	}

	private Counter counter(Map<UnloadReason, Counter> counters, String name, UnloadReason reason) {
		Counter counter = counters.get(reason);
		return (counter != null) ? counter
				: Counter.builder(name)
					.description("Background tasks stopped because they used up a budget")
					.tag("reason", reason.value())
					.register(this.registry);
	}

	/**
	 * The {@code outcome} tag of a final state.
	 * @param state the state
	 * @return for example {@code succeeded} or {@code budget_exceeded}
	 */
	static String outcome(TaskState state) {
		return state.name().toLowerCase(Locale.ROOT);
	}

}
