package dev.edgeruntime.actuate;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.runtime.TaskLifecycleListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Wraps each task in an {@link Observation} named {@value #NAME}. The observation starts when the task
 * starts, as a child of the observation current where it was submitted (the runtime restores the
 * submitter's context on the task's thread), so with a tracer the task's span continues the request's
 * trace. It is in scope on the task's thread while the work runs, and stops when the task reaches its final
 * state, with the {@code outcome} key value. A task that failed or used up a budget stops it with its
 * exception as the observation's error (the meter handler's {@code error} tag, the span's error); a
 * cancelled or dropped task does not.
 * <p>
 * Key values: {@code name} and {@code outcome} (low cardinality), {@code task.id} (high cardinality).
 *
 * @author edge-runtime developers
 */
public final class TaskObservationListener implements TaskLifecycleListener {

	/** The observation's name. */
	public static final String NAME = "edge.runtime.task";

	private final ObservationRegistry registry;

	private final Map<UUID, Observation> observations = new ConcurrentHashMap<>();

	private final Map<UUID, Observation.Scope> scopes = new ConcurrentHashMap<>();

	/**
	 * Creates a new instance.
	 * @param registry the registry
	 */
	public TaskObservationListener(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void taskStarted(TaskHandle<?> task) {
		Observation observation = Observation.createNotStarted(NAME, this.registry)
			.contextualName(task.name())
			.lowCardinalityKeyValue("name", task.name())
			.highCardinalityKeyValue("task.id", task.id().toString())
			.start();
		if (observation.isNoop()) {
			return;
		}
		this.observations.put(task.id(), observation);
		// A task tracking a CompletionStage starts on the submitter's thread, where no scope may stay open.
		if (TaskContextHolder.get() == task) {
			this.scopes.put(task.id(), observation.openScope());
		}
		// ended (cancelled, say) while its observation started: taskFinished found nothing to stop
		TaskState state = task.state();
		if (state.isTerminal() && this.observations.remove(task.id(), observation)) {
			observation.lowCardinalityKeyValue("outcome", TaskMetricsListener.outcome(state));
			observation.stop();
		}
	}

	@Override
	public void taskEnding(TaskHandle<?> task) {
		Observation.Scope scope = this.scopes.remove(task.id());
		if (scope != null) {
			scope.close();
		}
	}

	@Override
	public void taskFinished(TaskHandle<?> task, TaskState state, Duration elapsed, @Nullable Throwable failure) {
		Observation observation = this.observations.remove(task.id());
		if (observation != null) {
			observation.lowCardinalityKeyValue("outcome", TaskMetricsListener.outcome(state));
			// a cancel or a drop is an outcome, not an error of the task's work
			if (failure != null && (state == TaskState.FAILED || state == TaskState.BUDGET_EXCEEDED)) {
				observation.error(failure);
			}
			observation.stop();
		}
	}

}
