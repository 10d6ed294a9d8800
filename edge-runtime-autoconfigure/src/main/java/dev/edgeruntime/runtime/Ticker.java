package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Runs one piece of work at a fixed delay on a daemon thread of its own, for the runtime's periodic
 * chores (the budget watchdog, the dashboard's pushes, the queue VACUUM). A tick that throws is logged
 * and the next one runs as planned; {@link #stop()} waits for a tick in progress. One-off work can share
 * the thread ({@link #runOnce}), so that it never runs at the same time as a tick.
 * <p>
 * Internal to the starter: not part of its API.
 *
 * @author edge-runtime developers
 */
public final class Ticker {

	private static final Duration STOP_WAIT = Duration.ofSeconds(10);

	private final String threadName;

	private final Duration interval;

	private final Runnable tick;

	private final Log logger;

	private final String failure;

	private volatile @Nullable ScheduledExecutorService scheduler;

	private volatile @Nullable Thread thread;

	/**
	 * Creates a ticker, not yet started.
	 * @param threadName the name of its thread
	 * @param interval the delay between the end of one tick and the start of the next, and before the
	 * first
	 * @param tick the work
	 * @param logger the log of the owner, where a failed tick is reported
	 * @param failure the message logged with a failed tick's exception
	 */
	public Ticker(String threadName, Duration interval, Runnable tick, Log logger, String failure) {
		Assert.isTrue(interval.toNanos() > 0, "Interval must be positive");
		this.threadName = threadName;
		this.interval = interval;
		this.tick = tick;
		this.logger = logger;
		this.failure = failure;
	}

	/**
	 * A scheduler of one daemon thread with the given name; a cancelled task leaves its queue at once.
	 * @param threadName the name of the thread
	 * @return the scheduler
	 */
	public static ScheduledThreadPoolExecutor daemonScheduler(String threadName) {
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
		scheduler.setRemoveOnCancelPolicy(true);
		return scheduler;
	}

	/**
	 * Starts ticking; does nothing when already started.
	 */
	public synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		ScheduledThreadPoolExecutor scheduler = daemonScheduler(this.threadName);
		long nanos = this.interval.toNanos();
		scheduler.scheduleWithFixedDelay(this::safeTick, nanos, nanos, TimeUnit.NANOSECONDS);
		this.scheduler = scheduler;
	}

	/**
	 * Runs a piece of work once on the ticker's thread, after a delay, between ticks. Quick: it may be
	 * called on any thread.
	 * @param work the work; if it throws, that is logged as a failed tick is
	 * @param delay how long to wait first
	 * @return whether it was scheduled, {@code false} when the ticker is not running
	 */
	public boolean runOnce(Runnable work, Duration delay) {
		ScheduledExecutorService scheduler = this.scheduler;
		if (scheduler == null) {
			return false;
		}
		try {
			scheduler.schedule(() -> safely(work), delay.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (RejectedExecutionException ex) {
			// stopped meanwhile
			return false;
		}
	}

	private void safeTick() {
		safely(this.tick);
	}

	private void safely(Runnable work) {
		this.thread = Thread.currentThread();
		try {
			work.run();
		}
		catch (RuntimeException | Error ex) {
			// a periodic task that throws is never run again: report it and go on
			try {
				this.logger.error(this.failure, ex);
			}
			catch (RuntimeException | Error logging) {
				// out of memory even for the report (the usual Error here): the next tick still comes
			}
		}
	}

	/**
	 * Stops ticking, interrupting a tick in progress and waiting up to 10 seconds for it to end (unless
	 * called from the tick itself); does nothing when not started.
	 */
	public void stop() {
		stop(STOP_WAIT);
	}

	/**
	 * Stops ticking, interrupting a tick in progress and waiting for it to end up to the given time (not
	 * at all when called from the tick itself); does nothing when not started.
	 * @param wait how long to wait for a tick in progress, or zero not to wait
	 */
	public void stop(Duration wait) {
		ScheduledExecutorService scheduler;
		synchronized (this) {
			scheduler = this.scheduler;
			this.scheduler = null;
		}
		if (scheduler == null) {
			return;
		}
		scheduler.shutdownNow();
		if (wait.isZero() || wait.isNegative() || Thread.currentThread() == this.thread) {
			return;
		}
		try {
			scheduler.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Whether started and not stopped since.
	 * @return whether ticking
	 */
	public boolean isRunning() {
		return this.scheduler != null;
	}

}
