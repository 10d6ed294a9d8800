package dev.edgeruntime;

import org.jspecify.annotations.Nullable;

/**
 * Binds the running task to its thread.
 *
 * @author edge-runtime developers
 */
public final class TaskContextHolder {

	private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

	private TaskContextHolder() {
	}

	/**
	 * The task bound to this thread.
	 * @return the task, or {@code null}
	 */
	public static @Nullable TaskContext get() {
		return CURRENT.get();
	}

	/**
	 * Binds a task to this thread, or unbinds with {@code null}. For runtimes and test support; an
	 * application never needs to call it.
	 * <p>
	 * Unbinding keeps the thread's entry (with no task in it) rather than removing it, so that a pooled
	 * thread binds its next task without allocating a new one.
	 * @param context the task, or {@code null}
	 */
	public static void set(@Nullable TaskContext context) {
		CURRENT.set(context);
	}

}
