package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Runs the runtime's shutdown in the order the application needs: as the close begins, one
 * {@code beforeunload} with reason {@code termination} (requests still in flight may still start tasks);
 * then, after the web server's graceful shutdown and before executors and the {@code DataSource} go, new
 * tasks are refused and those in flight are drained within the grace period. A context that is only stopped
 * (a checkpoint of the JVM) announces and drains the same way, and accepts tasks again once started.
 *
 * @author edge-runtime developers
 */
public final class EdgeRuntimeLifecycle
		implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, DisposableBean {

	/**
	 * The phase: after the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and before the
	 * web server stops ({@code DEFAULT_PHASE - 2048}).
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

	private final DefaultEdgeRuntime runtime;

	private final ApplicationContext context;

	private final Duration gracePeriod;

	private final @Nullable String gracePeriodSetBy;

	private volatile boolean running;

	/** Whether the context is closing, rather than only stopping (and perhaps starting again). */
	private volatile boolean closing;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile @Nullable Thread drain;

	/**
	 * Creates a new instance.
	 * @param runtime the runtime
	 * @param context the application context whose close starts the shutdown
	 * @param gracePeriod how long tasks may take to finish at shutdown
	 */
	public EdgeRuntimeLifecycle(DefaultEdgeRuntime runtime, ApplicationContext context, Duration gracePeriod) {
		this(runtime, context, gracePeriod, null);
	}

	/**
	 * Creates a new instance whose drain's lines say what sets the grace period.
	 * @param runtime the runtime
	 * @param context the application context whose close starts the shutdown
	 * @param gracePeriod how long tasks may take to finish at shutdown
	 * @param gracePeriodSetBy what sets the grace period (a property, say), or {@code null} to name nothing
	 */
	public EdgeRuntimeLifecycle(DefaultEdgeRuntime runtime, ApplicationContext context, Duration gracePeriod,
			@Nullable String gracePeriodSetBy) {
		this.runtime = runtime;
		this.context = context;
		this.gracePeriod = gracePeriod;
		this.gracePeriodSetBy = gracePeriodSetBy;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		if (event.getApplicationContext() == this.context) {
			this.closing = true;
			this.runtime.announceTermination(this.gracePeriod);
		}
	}

	@Override
	public void start() {
		this.runtime.start();
		this.running = true;
	}

	/**
	 * Drains the tasks in flight. When the context closes, the runtime is closed too; when it only stops (a
	 * checkpoint of the JVM stops the lifecycle beans and starts them again on restore), the tasks are told
	 * first, as the close tells them, it is suspended, with nothing of its storage left open, and
	 * {@link #start()} makes it accept tasks again.
	 */
	@Override
	public void stop() {
		try {
			// A close announced it already (once only): a stop alone has no ContextClosedEvent, and its drain
			// would otherwise interrupt tasks that were never told, with no chance to save their progress.
			this.runtime.announceTermination(this.gracePeriod);
			this.runtime.drain(this.gracePeriod, this.gracePeriodSetBy);
		}
		finally {
			if (this.closing) {
				close();
			}
			else {
				this.runtime.suspend();
			}
			this.running = false;
		}
	}

	private void close() {
		if (this.closed.compareAndSet(false, true)) {
			this.runtime.close();
		}
	}

	@Override
	public void stop(Runnable callback) {
		this.runtime.stopAccepting();
		Thread drain = new Thread(() -> {
			try {
				stop();
			}
			finally {
				callback.run();
			}
		}, "edge-runtime-drain");
		this.drain = drain;
		drain.start();
	}

	/**
	 * Ends a drain that Spring stopped waiting for (the auto-configuration shortens a grace period that does not
	 * fit in {@code spring.lifecycle.timeout-per-shutdown-phase}, so this is a safety net): the tasks still in
	 * flight are cancelled and logged by id now, as the context goes on closing, rather than lost without a word
	 * when the JVM exits. Closes a runtime that was stopped before the context closed.
	 * @throws InterruptedException if interrupted while waiting for the drain to end
	 */
	@Override
	public void destroy() throws InterruptedException {
		Thread drain = this.drain;
		if (drain != null && drain.isAlive()) {
			this.runtime.endGracePeriod();
			drain.join(DefaultEdgeRuntime.UNWIND_TIME.plusSeconds(1).toMillis());
		}
		if (!this.running) {
			// stopped before the close (and not started again), so the close did not stop it: its executors go now
			close();
		}
	}

	/**
	 * How long tasks get to finish at shutdown: the configured grace period, or less when it had to be cut to
	 * fit in Spring's shutdown phase.
	 * @return the grace period the drain uses
	 */
	public Duration getGracePeriod() {
		return this.gracePeriod;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
