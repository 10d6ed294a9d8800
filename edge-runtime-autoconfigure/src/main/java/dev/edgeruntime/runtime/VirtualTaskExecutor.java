package dev.edgeruntime.runtime;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

import org.jspecify.annotations.Nullable;

/**
 * Runs each task on a virtual thread of its own (Java 21 and later), named {@code <prefix><n>}, that
 * ends when the task returns.
 * <p>
 * The threads do not inherit the submitting thread's {@code InheritableThreadLocal} values, as the
 * runtime's pooled platform threads do not ({@link PooledTaskThreadFactory}): what a task sees of its
 * submitter is carried per task by the runtime's task decorators, whichever kind of thread runs it. As a
 * task is known to be the first and last thing its thread runs, the runtime and its decorators skip
 * saving and restoring the thread's own context around it.
 *
 * @author edge-runtime developers
 */
public final class VirtualTaskExecutor implements Executor {

	private final ThreadFactory threads;

	private VirtualTaskExecutor(ThreadFactory threads) {
		this.threads = threads;
	}

	/**
	 * An executor of virtual threads named after a prefix, where the JDK has them.
	 * @param prefix the thread name prefix, such as {@code edge-task-}
	 * @return the executor, or {@code null} before Java 21
	 */
	public static @Nullable VirtualTaskExecutor create(String prefix) {
		if (Runtime.version().feature() < 21) {
			return null;
		}
		// the Java 21 API through reflection, as this module is compiled for Java 17
		try {
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 0L);
			builder = builderType.getMethod("inheritInheritableThreadLocals", boolean.class).invoke(builder, false);
			Method factory = builderType.getMethod("factory");
			return new VirtualTaskExecutor((ThreadFactory) factory.invoke(builder));
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Could not create virtual threads on Java " + Runtime.version(), ex);
		}
	}

	@Override
	public void execute(Runnable task) {
		this.threads.newThread(task).start();
	}

}
