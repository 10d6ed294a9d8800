package dev.edgeruntime;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a task is cancelled: by {@link TaskHandle#cancel()} (for example through the
 * {@code backgroundtasks} actuator endpoint) or by the shutdown drain. The task has already reached
 * {@link TaskState#CANCELLED} and its thread has been interrupted. A durable task is cancelled only before
 * a consumer runs it ({@link DurableTaskDispatcher#cancel(java.util.UUID)}); the event is published on the
 * instance that cancelled it, by the dispatcher.
 *
 * <pre class="code">
 * &#064;EventListener
 * void onCancelled(TaskCancelledEvent event) {
 *     audit.record("cancelled", event.task().id());
 * }
 * </pre>
 *
 * @author edge-runtime developers
 */
public class TaskCancelledEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient TaskInfo task;

	private final @Nullable UnloadReason reason;

	/**
	 * Creates a new instance.
	 * @param source the runtime (or, for a durable task, the dispatcher) publishing the event
	 * @param task the cancelled task
	 * @param reason the unload reason that caused the cancel, or {@code null} when a caller cancelled it
	 */
	public TaskCancelledEvent(Object source, TaskInfo task, @Nullable UnloadReason reason) {
		super(source);
		this.task = task;
		this.reason = reason;
	}

	/**
	 * The cancelled task.
	 * @return the task, in state {@link TaskState#CANCELLED}
	 */
	public TaskInfo task() {
		return this.task;
	}

	/**
	 * Why the runtime cancelled the task.
	 * @return the reason (such as {@link UnloadReason#TERMINATION} for the shutdown drain), or empty when
	 * a caller cancelled it
	 */
	public Optional<UnloadReason> reason() {
		return Optional.ofNullable(this.reason);
	}

	@Override
	public String toString() {
		return "TaskCancelledEvent[task=" + this.task.id() + " (" + this.task.name() + "), reason="
				+ ((this.reason != null) ? this.reason.value() : "cancelled by a caller") + "]";
	}

}
