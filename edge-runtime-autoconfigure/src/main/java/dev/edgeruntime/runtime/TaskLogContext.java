package dev.edgeruntime.runtime;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.util.ClassUtils;

/**
 * A task's id and name in SLF4J's MDC ({@value MdcTaskLifecycleListener#TASK_ID} and
 * {@value MdcTaskLifecycleListener#TASK_NAME}, as {@link MdcTaskLifecycleListener} puts them on the task's own
 * thread) on a thread that is not the task's: while a durable task's body runs on a queue consumer's thread, and
 * while a line about a task is logged elsewhere (the watchdog's budget line, the shutdown drain's, the
 * {@code backgroundtasks} endpoint's, a consumer's dead letter of a durable task), so that a search of
 * structured logs by {@code taskId} finds those lines with the task's own. Closing it gives the thread's entries
 * back as they were. Without SLF4J it does nothing.
 *
 * @author edge-runtime developers
 */
public final class TaskLogContext implements AutoCloseable {

	private static final boolean MDC_PRESENT = ClassUtils.isPresent("org.slf4j.MDC",
			TaskLogContext.class.getClassLoader());

	private static final TaskLogContext NONE = new TaskLogContext(false, null, null);

	private final boolean set;

	private final @Nullable String previousId;

	private final @Nullable String previousName;

	private TaskLogContext(boolean set, @Nullable String previousId, @Nullable String previousName) {
		this.set = set;
		this.previousId = previousId;
		this.previousName = previousName;
	}

	/**
	 * Puts a task's id and name in the MDC until the returned context is closed.
	 * @param id the task id, or {@code null} to leave none
	 * @param name the task name, or {@code null} to leave none
	 * @return the context to close
	 */
	public static TaskLogContext open(@Nullable String id, @Nullable String name) {
		return MDC_PRESENT ? Mdc.open(id, name) : NONE;
	}

	/**
	 * Logs a line about a task with its id and name in the MDC.
	 * @param id the task id
	 * @param name the task name, or {@code null} when it is not known
	 * @param line what logs the line
	 */
	public static void log(String id, @Nullable String name, Runnable line) {
		try (TaskLogContext context = open(id, name)) {
			line.run();
		}
	}

	@Override
	public void close() {
		if (this.set) {
			Mdc.set(MdcTaskLifecycleListener.TASK_ID, this.previousId);
			Mdc.set(MdcTaskLifecycleListener.TASK_NAME, this.previousName);
		}
	}

	/** Refers to SLF4J's MDC, so that nothing loads it where it is absent. */
	private static final class Mdc {

		static TaskLogContext open(@Nullable String id, @Nullable String name) {
			TaskLogContext context = new TaskLogContext(true, MDC.get(MdcTaskLifecycleListener.TASK_ID),
					MDC.get(MdcTaskLifecycleListener.TASK_NAME));
			set(MdcTaskLifecycleListener.TASK_ID, id);
			set(MdcTaskLifecycleListener.TASK_NAME, name);
			return context;
		}

		static void set(String key, @Nullable String value) {
			if (value != null) {
				MDC.put(key, value);
			}
			else {
				MDC.remove(key);
			}
		}

	}

}
