package dev.edgeruntime;

import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * The {@code beforeunload} event: a task's budget is nearly used up (at
 * {@code edge-runtime.budget.before-unload-ratio} of it), the instance is under memory pressure, or the
 * application is shutting down. Listen with {@code @EventListener}:
 *
 * <pre class="code">
 * &#064;EventListener
 * void onBeforeUnload(BeforeUnloadEvent event) {
 *     log.info("Function will be shutdown due to {}", event.reason().value());
 * }
 * </pre>
 *
 * Events about one task carry it in {@link #task()}; events about the whole runtime (shutdown, memory
 * pressure) carry none. Listeners run on the runtime's watchdog thread (or the thread closing or stopping
 * the application, or for memory pressure the JVM's thread that reports it) and should return quickly.
 *
 * @author edge-runtime developers
 */
public class BeforeUnloadEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final UnloadReason reason;

	private final transient @Nullable TaskInfo task;

	private final Duration timeLeft;

	private final transient @Nullable UnaryOperator<Duration> extender;

	/**
	 * Creates a new instance.
	 * @param source the runtime publishing the event
	 * @param reason why unloading is near
	 * @param task the task concerned, or {@code null} for the whole runtime
	 * @param timeLeft time left before the task or runtime is stopped
	 * @param extender grants extensions of the task's wall clock, or {@code null} when none can be granted
	 */
	public BeforeUnloadEvent(Object source, UnloadReason reason, @Nullable TaskInfo task, Duration timeLeft,
			@Nullable UnaryOperator<Duration> extender) {
		super(source);
		this.reason = reason;
		this.task = task;
		this.timeLeft = timeLeft;
		this.extender = extender;
	}

	/**
	 * Why unloading is near, as in Supabase's {@code ev.detail.reason}.
	 * @return the reason
	 */
	public UnloadReason reason() {
		return this.reason;
	}

	/**
	 * The task concerned.
	 * @return the task, or empty when the event is about the whole runtime
	 */
	public Optional<TaskInfo> task() {
		return Optional.ofNullable(this.task);
	}

	/**
	 * Time left before the task (or, at shutdown, the drain) is stopped.
	 * @return the time left
	 */
	public Duration timeLeft() {
		return this.timeLeft;
	}

	/**
	 * Asks for more wall-clock time for the task. Only {@link UnloadReason#WALL_CLOCK} events of a task
	 * can be extended, and all extensions of one task together are capped by
	 * {@code edge-runtime.budget.max-extension}. An extension takes the announcement back: the task sees
	 * {@link TaskContext#isUnloading()} false again (unless the shutdown or another budget was announced to
	 * it too), so that a task that stops when unloading uses the time granted. The event is published, and
	 * the task is unloading, again at the same ratio of the new budget.
	 * @param extension the time wanted
	 * @return the time granted, possibly less than asked for, {@link Duration#ZERO} when none
	 */
	public Duration extend(Duration extension) {
		if (this.extender == null || extension.isNegative() || extension.isZero()) {
			return Duration.ZERO;
		}
		return this.extender.apply(extension);
	}

	@Override
	public String toString() {
		return "BeforeUnloadEvent[reason=" + this.reason.value() + ", task="
				+ ((this.task != null) ? this.task.id() + " (" + this.task.name() + ")" : "none") + ", timeLeft="
				+ this.timeLeft + "]";
	}

}
