package dev.edgeruntime.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the threads of the runtime's platform-thread pool: named {@code <prefix><n>}, not daemon, normal
 * priority, in the thread group of the thread that made the factory (not that of the submitting thread,
 * which on Java 21+ may be a virtual thread's {@code VirtualThreads} group), and without a copy of the
 * creating thread's inheritable thread-locals.
 * <p>
 * A pooled thread is started by whichever thread submitted a task while no idle thread was left, often a
 * request thread, and then serves many other tasks. Inheriting that thread's values (request attributes,
 * a security context held in an inheritable thread-local, ...) would hand them to unrelated tasks later,
 * and would keep a copy of the map alive on every thread of the pool. What a task needs from its submitter
 * is carried per task instead, by the runtime's task decorators. The runtime's virtual threads do not
 * inherit either ({@link VirtualTaskExecutor}).
 *
 * @author edge-runtime developers
 */
public final class PooledTaskThreadFactory implements ThreadFactory {

	private final String prefix;

	private final AtomicInteger count = new AtomicInteger();

	private final ThreadGroup group = Thread.currentThread().getThreadGroup();

	/**
	 * Creates a factory of threads named after a prefix.
	 * @param prefix the thread name prefix, such as {@code edge-task-}
	 */
	public PooledTaskThreadFactory(String prefix) {
		this.prefix = prefix;
	}

	@Override
	public Thread newThread(Runnable runnable) {
		Thread thread = new Thread(this.group, runnable, this.prefix + this.count.incrementAndGet(), 0, false);
		thread.setDaemon(false);
		thread.setPriority(Thread.NORM_PRIORITY);
		return thread;
	}

}
