package dev.edgeruntime;

import org.springframework.context.ApplicationEvent;

/**
 * The {@code unhandledrejection} event: a task failed and nobody observed its result. Unless a listener
 * calls {@link #preventDefault()}, the runtime then logs the error with its stack trace.
 *
 * <pre class="code">
 * &#064;EventListener
 * void onUnhandled(UnhandledRejectionEvent event) {
 *     errorReporter.report(event.task().id(), event.error());
 *     event.preventDefault();
 * }
 * </pre>
 *
 * @author edge-runtime developers
 */
public class UnhandledRejectionEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient TaskInfo task;

	private final Throwable error;

	private volatile boolean defaultPrevented;

	/**
	 * Creates a new instance.
	 * @param source the runtime publishing the event
	 * @param task the failed task
	 * @param error its error
	 */
	public UnhandledRejectionEvent(Object source, TaskInfo task, Throwable error) {
		super(source);
		this.task = task;
		this.error = error;
	}

	/**
	 * The failed task.
	 * @return the task
	 */
	public TaskInfo task() {
		return this.task;
	}

	/**
	 * The error the task failed with.
	 * @return the error
	 */
	public Throwable error() {
		return this.error;
	}

	/**
	 * Suppresses the runtime's default error log for this failure.
	 */
	public void preventDefault() {
		this.defaultPrevented = true;
	}

	/**
	 * Whether a listener called {@link #preventDefault()}.
	 * @return {@code true} if the default log is suppressed
	 */
	public boolean isDefaultPrevented() {
		return this.defaultPrevented;
	}

}
