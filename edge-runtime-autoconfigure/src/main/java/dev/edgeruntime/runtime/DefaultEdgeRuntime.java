package dev.edgeruntime.runtime;

import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;
import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskBudgetExceededException;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskCancelledEvent;
import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskRejectedException.RejectionCause;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnhandledRejectionEvent;
import dev.edgeruntime.UnloadReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.support.ScopeNotActiveException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * The in-process {@link EdgeRuntime}. The submit path is a registry insert and an executor hand-off;
 * budgets are enforced by one watchdog thread; shutdown is driven by {@link EdgeRuntimeLifecycle}.
 * Create it with {@link #builder(ApplicationEventPublisher)}.
 *
 * @author edge-runtime developers
 */
public final class DefaultEdgeRuntime implements EdgeRuntime {

	private static final Log logger = LogFactory.getLog(EdgeRuntime.class);

	private static final Duration RETRY_AFTER_TERMINATION = Duration.ofSeconds(5);

	private static final Duration RETRY_AFTER_CAPACITY = Duration.ofSeconds(1);

	/** How often refusals for {@code max-in-flight} are logged at most. */
	private static final Duration CAPACITY_LOG_INTERVAL = Duration.ofMinutes(1);

	/** The name of an unnamed task, from the class of its work: worked out once per class. */
	private static final ClassValue<String> NAMES = new ClassValue<>() {

		@Override
		protected String computeValue(Class<?> type) {
			String name = type.getSimpleName();
			int lambda = name.indexOf("$$Lambda");
			if (lambda > 0) {
				name = name.substring(0, lambda);
			}
			return name.isEmpty() ? "task" : name;
		}

	};

	/**
	 * How long the drain waits, after interrupting the tasks left at the end of the grace period, for
	 * their threads to return.
	 */
	public static final Duration UNWIND_TIME = Duration.ofSeconds(1);

	/**
	 * The property that bounds each phase of Spring's shutdown, the drain's among them (30s where it is not
	 * set).
	 */
	public static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	private final ApplicationEventPublisher events;

	private final Executor platformExecutor;

	private final @Nullable Executor virtualExecutor;

	private final TaskDecorator decorator;

	private final TaskOriginResolver originResolver;

	private final TaskStorageArea storage;

	private final TaskLifecycleListener[] listeners; // an array: iterating it allocates nothing

	private final TaskClock clock;

	private final Duration defaultWallClock;

	private final @Nullable Duration defaultCpuTime;

	private final @Nullable DataSize defaultMemory;

	/** The budget of a task that sets none of its own; shared, as budgets are immutable. */
	private final TaskBudget defaultBudget;

	/** The same for a {@code CompletionStage}, which has no thread to measure CPU time or memory on. */
	private final TaskBudget defaultStageBudget;

	private final Duration maxExtension;

	private final int maxInFlight;

	/** Refusals for {@code max-in-flight} not yet logged. */
	private final LongAdder capacityRefusals = new LongAdder();

	/** When ({@link #nowNanos()}) the next refusal for {@code max-in-flight} may be logged. */
	private final AtomicLong capacityLogDue;

	private final TaskRegistry registry;

	private final ThreadMeters meters = new ThreadMeters();

	private final TaskIds ids = new TaskIds();

	private final @Nullable MemoryPressureMonitor memoryMonitor;

	/** Held while the tasks in flight are told of the memory pressure's start or end. */
	private final Object memoryPressureLock = new Object();

	private final BudgetWatchdog watchdog;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicBoolean terminationAnnounced = new AtomicBoolean();

	private final boolean closeExecutors;

	private volatile boolean accepting = true;

	private volatile boolean draining;

	/** The thread waiting in {@link #drain} for the tasks in flight, if any. */
	private volatile @Nullable Thread drainer;

	/** Whether {@link #endGracePeriod()} ended the drain's grace period early. */
	private volatile boolean gracePeriodEnded;

	private DefaultEdgeRuntime(Builder builder) {
		this.events = builder.events;
		this.platformExecutor = builder.platformExecutor;
		this.virtualExecutor = builder.virtualExecutor;
		this.decorator = builder.decorator;
		this.originResolver = builder.originResolver;
		this.storage = builder.storage;
		this.listeners = builder.listeners.toArray(new TaskLifecycleListener[0]);
		this.clock = new TaskClock(builder.clock);
		this.defaultWallClock = builder.wallClock;
		this.defaultCpuTime = builder.cpuTime;
		this.defaultMemory = builder.memory;
		this.defaultBudget = new TaskBudget(this.defaultWallClock, this.defaultCpuTime, this.defaultMemory);
		this.defaultStageBudget = new TaskBudget(this.defaultWallClock, null, null);
		this.maxExtension = builder.maxExtension;
		this.maxInFlight = builder.maxInFlight;
		this.capacityLogDue = new AtomicLong(nowNanos());
		this.closeExecutors = builder.closeExecutors;
		this.registry = new TaskRegistry(builder.maxRetained, builder.retentionAge);
		this.memoryMonitor = (builder.memoryPressureThreshold > 0)
				? new MemoryPressureMonitor(builder.memoryPressureThreshold, builder.memoryPool,
						this::onMemoryPressure, this::onMemoryPressureOver) : null;
		this.watchdog = new BudgetWatchdog(this, this.registry, this.meters, builder.beforeUnloadRatio,
				builder.checkInterval, this.memoryMonitor);
	}

	/**
	 * A builder for a runtime that publishes its events to the given publisher.
	 * @param events the publisher of {@link BeforeUnloadEvent} and {@link UnhandledRejectionEvent}
	 * @return the builder
	 */
	public static Builder builder(ApplicationEventPublisher events) {
		return new Builder(events);
	}

	// Submission

	@Override
	public <T> TaskHandle<T> waitUntil(TaskOptions options, Callable<T> work) {
		Assert.notNull(work, "Work must not be null");
		return submit(options, nameOf(options, work), work);
	}

	@Override
	public TaskHandle<Void> waitUntil(TaskOptions options, Runnable work) {
		Assert.notNull(work, "Work must not be null");
		// named after the Runnable, not the adapter that makes it a Callable
		return submit(options, nameOf(options, work), () -> {
			work.run();
			return null;
		});
	}

	@Override
	public <T> TaskHandle<T> waitUntil(TaskOptions options, CompletionStage<T> work) {
		Assert.notNull(work, "Work must not be null");
		TrackedTask<T> task = admit(options, nameOf(options, work), false);
		task.start(nowNanos(), null);
		task.attach(work);
		notifyStarted(task);
		boolean observedElsewhere = work instanceof CompletableFuture<?> cf && cf.getNumberOfDependents() > 0;
		work.whenComplete((result, failure) -> {
			if (failure == null) {
				succeed(task, result);
			}
			else {
				Throwable cause = unwrap(failure);
				if (cause instanceof CancellationException) {
					cancel(task, null);
				}
				else {
					if (observedElsewhere) {
						task.observed = true;
					}
					fail(task, cause);
				}
			}
			release(task);
		});
		return task;
	}

	/**
	 * Accepts a task now and starts it later. For integrations that must hold a task's place inside a
	 * request or transaction and start it once that ends; applications call {@code waitUntil} instead.
	 * @param <T> the result type
	 * @param options the task's name and budgets
	 * @param work the work
	 * @return the task, {@link TaskState#SCHEDULED} until started
	 * @throws TaskRejectedException if the task is refused
	 */
	public <T> DeferredTask<T> prepare(TaskOptions options, Callable<T> work) {
		return prepare(options, nameOf(options, work), work);
	}

	private <T> DeferredTask<T> prepare(TaskOptions options, String name, Callable<T> work) {
		TrackedTask<T> task = admit(options, name, true);
		Executor executor = executorFor(task);
		Runnable runnable = decorate(task, work, executor);
		return new DeferredTask<>() {

			@Override
			public TaskHandle<T> handle() {
				return task;
			}

			@Override
			public CompletableFuture<T> watchedResult() {
				return task.watchedResult();
			}

			@Override
			public void startsAfter(Thread thread, String what) {
				task.startsAfter(thread, what);
			}

			@Override
			public boolean awaited() {
				return task.resultAwaited();
			}

			@Override
			public void start() {
				DefaultEdgeRuntime.this.start(task, executor, runnable);
			}

			@Override
			public void drop(String why) {
				DefaultEdgeRuntime.this.drop(task, why);
			}

		};
	}

	/** Admits and starts a task at once: {@link #prepare} without the deferred handle. */
	private <T> TaskHandle<T> submit(TaskOptions options, String name, Callable<T> work) {
		TrackedTask<T> task = admit(options, name, true);
		Executor executor = executorFor(task);
		start(task, executor, decorate(task, work, executor));
		return task;
	}

	private <T> Runnable decorate(TrackedTask<T> task, Callable<T> work, Executor executor) {
		try {
			if (executor instanceof VirtualTaskExecutor) {
				// the task is the only thing its thread runs: nothing of the thread's own to save or restore
				Runnable runnable = () -> run(task, work, true);
				return new HandOff((this.decorator instanceof OwnThreadTaskDecorator ownThread)
						? ownThread.decorateForOwnThread(runnable) : this.decorator.decorate(runnable));
			}
			return new HandOff(this.decorator.decorate(() -> run(task, work, false)));
		}
		catch (RuntimeException ex) {
			drop(task, "a task decorator failed: " + ex);
			throw ex;
		}
	}

	private Executor executorFor(TrackedTask<?> task) {
		boolean needsPlatformThread = task.cpuBudget() != null || task.memoryBudget() != null;
		return (needsPlatformThread || this.virtualExecutor == null) ? this.platformExecutor : this.virtualExecutor;
	}

	private void start(TrackedTask<?> task, Executor executor, Runnable runnable) {
		if (task.state() != TaskState.SCHEDULED) {
			release(task);
			return;
		}
		task.submitted = true;
		try {
			executor.execute(runnable);
		}
		catch (RejectedExecutionException ex) {
			drop(task, "its executor refused it: " + ex.getMessage());
			release(task);
			// a refusal like the others (counted, and heard by the listeners), of a task already registered
			throw reject(UnloadReason.TERMINATION, RejectionCause.SHUTDOWN, "Background task " + task.name()
					+ " was refused: the runtime's executor is shut down", RETRY_AFTER_TERMINATION);
		}
	}

	private <T> TrackedTask<T> admit(TaskOptions options, String name, boolean threadBound) {
		if (!this.accepting) {
			throw reject(UnloadReason.TERMINATION, RejectionCause.SHUTDOWN, "Background task '" + name
					+ "' refused: the application is shutting down", RETRY_AFTER_TERMINATION);
		}
		if (this.memoryMonitor != null && this.memoryMonitor.isUnderPressure()) {
			throw reject(UnloadReason.EARLY_DROP, RejectionCause.MEMORY_PRESSURE, "Background task '" + name
					+ "' refused: the instance is under memory pressure", RETRY_AFTER_CAPACITY);
		}
		int current;
		do {
			current = this.inFlight.get();
			if (current >= this.maxInFlight) {
				TaskRejectedException rejection = reject(UnloadReason.EARLY_DROP, RejectionCause.MAX_IN_FLIGHT,
						"Background task '" + name + "' refused: " + this.maxInFlight
								+ " tasks are already in flight (edge-runtime.max-in-flight)",
						RETRY_AFTER_CAPACITY);
				logCapacityRefusal(name);
				throw rejection;
			}
		}
		while (!this.inFlight.compareAndSet(current, current + 1));
		TaskBudget budget = (options.wallClock() == null && options.cpuTime() == null && options.memory() == null)
				? (threadBound ? this.defaultBudget : this.defaultStageBudget)
				: new TaskBudget((options.wallClock() != null) ? options.wallClock() : this.defaultWallClock,
						threadBound ? ((options.cpuTime() != null) ? options.cpuTime() : this.defaultCpuTime) : null,
						threadBound ? ((options.memory() != null) ? options.memory() : this.defaultMemory) : null);
		TaskOrigin origin = options.origin();
		try {
			if (origin == null) {
				origin = this.originResolver.resolve();
			}
		}
		catch (RuntimeException ex) {
			this.inFlight.decrementAndGet();
			throw ex;
		}
		int ownBudgets = ((options.wallClock() != null) ? 1 << UnloadReason.WALL_CLOCK.ordinal() : 0)
				| ((threadBound && options.cpuTime() != null) ? 1 << UnloadReason.CPU.ordinal() : 0)
				| ((threadBound && options.memory() != null) ? 1 << UnloadReason.MEMORY.ordinal() : 0);
		TrackedTask<T> task = new TrackedTask<>(this.ids.next(), name, origin, nowNanos(), budget, ownBudgets,
				this);
		this.registry.add(task);
		// accepted while the application shuts down (a request the web server's graceful shutdown still serves):
		// told, as the tasks running at the announcement were. Read after the add, as the announcement sets the
		// flag before it looks at the registry: one of the two finds the task.
		if (this.terminationAnnounced.get()) {
			task.announce(UnloadReason.TERMINATION);
		}
		return task;
	}

	/**
	 * Logs refusals for {@code max-in-flight} at most once a minute, with their count since the last line:
	 * the other refusals are logged where they start (the memory pressure, the drain), these are not.
	 */
	private void logCapacityRefusal(String name) {
		this.capacityRefusals.increment();
		long now = nowNanos();
		long due = this.capacityLogDue.get();
		if (now - due >= 0 && this.capacityLogDue.compareAndSet(due, now + CAPACITY_LOG_INTERVAL.toNanos())) {
			long refused = this.capacityRefusals.sumThenReset();
			logger.warn("Background tasks refused: " + this.maxInFlight + " are in flight, the most "
					+ "edge-runtime.max-in-flight allows (" + refused + " refused since this was last logged, the "
					+ "latest '" + name + "'). Each is a TaskRejectedException, in a request a 503 with Retry-After; "
					+ "edge.runtime.tasks.rejected{cause=max_in_flight} counts them. Logged at most once a minute.");
		}
	}

	private TaskRejectedException reject(UnloadReason reason, RejectionCause cause, String message,
			Duration retryAfter) {
		this.registry.countRejected();
		TaskRejectedException rejection = new TaskRejectedException(message, reason, cause, retryAfter);
		for (TaskLifecycleListener listener : this.listeners) {
			try {
				listener.taskRejected(rejection);
			}
			catch (RuntimeException ex) {
				listenerFailed(listener, "taskRejected", null, ex);
			}
		}
		return rejection;
	}

	private static String nameOf(TaskOptions options, Object work) {
		return (options.name() != null) ? options.name() : NAMES.get(work.getClass());
	}

	// Execution

	/**
	 * What the executor runs for a task: the decorated task, let go of as it starts. An executor may keep
	 * the runnable reachable after it ran (a pool's hand-off node that a waiting thread's node still points
	 * at), and the task, its work and what the decorators carried for it (the submitter's MDC, context
	 * snapshot, security context) should not live on with it.
	 */
	private static final class HandOff implements Runnable {

		private @Nullable Runnable decorated;

		HandOff(Runnable decorated) {
			this.decorated = decorated;
		}

		@Override
		public void run() {
			Runnable decorated = this.decorated;
			if (decorated == null) {
				return; // already run: a second run, which no executor should make, does nothing
			}
			this.decorated = null;
			decorated.run();
		}

	}

	/**
	 * Runs a task on the current thread.
	 * @param ownThread whether the thread was started for this task alone (it has no task bound yet)
	 */
	private <T> void run(TrackedTask<T> task, Callable<T> work, boolean ownThread) {
		Thread thread = Thread.currentThread();
		if (!task.start(nowNanos(), thread)) {
			deleteStorage(task);
			release(task);
			return;
		}
		TrackedTask.Metered metered = task.metered();
		if (metered != null) {
			if (metered.cpuBudget != null) {
				metered.cpuBase = this.meters.cpuTimeNanos(thread);
			}
			if (metered.memoryBudget != null) {
				metered.allocationBase = this.meters.allocatedBytes(thread);
			}
		}
		// set when a task runs inline inside another task; a thread of the task's own has none to read
		TaskContext outer = ownThread ? null : TaskContextHolder.get();
		TaskContextHolder.set(task);
		notifyStarted(task);
		T result = null;
		Throwable failure = null;
		try {
			result = work.call();
		}
		catch (ScopeNotActiveException ex) {
			// Spring's own message advises a scoped proxy, which the bean already is: the scope is over
			failure = new IllegalStateException("Background task '" + task.name() + "' used bean '" + ex.getBeanName()
					+ "', whose scope is not active on the task's thread: a request or session scope belongs to the "
					+ "request that called the task, which has ended or is not this thread's; read it on the caller's "
					+ "side and pass what the task needs from it as an argument", ex);
		}
		catch (Throwable ex) {
			failure = ex;
		}
		finally {
			for (TaskLifecycleListener listener : this.listeners) {
				try {
					listener.taskEnding(task);
				}
				catch (RuntimeException ex) {
					listenerFailed(listener, "taskEnding", task, ex);
				}
			}
			TaskContextHolder.set(outer);
			task.detach();
			if (outer == null && thread.isInterrupted()) {
				Thread.interrupted(); // a pooled thread must not carry the task's interrupt to the next task
			}
			deleteStorage(task);
		}
		try {
			if (failure == null) {
				succeed(task, result);
			}
			else {
				fail(task, failure);
			}
		}
		finally {
			try {
				for (TaskLifecycleListener listener : this.listeners) {
					try {
						listener.taskLeft(task);
					}
					catch (RuntimeException ex) {
						listenerFailed(listener, "taskLeft", task, ex);
					}
				}
			}
			finally {
				release(task);
			}
		}
	}

	private void notifyStarted(TrackedTask<?> task) {
		for (TaskLifecycleListener listener : this.listeners) {
			try {
				listener.taskStarted(task);
			}
			catch (RuntimeException ex) {
				listenerFailed(listener, "taskStarted", task, ex);
			}
		}
	}

	private <T> void succeed(TrackedTask<T> task, @Nullable T result) {
		if (task.finish(TaskState.SUCCEEDED, nowNanos(), null)) {
			finished(task, TaskState.SUCCEEDED, null); // recorded before anyone waiting on the result wakes up
			task.future.complete(result);
		}
	}

	private void fail(TrackedTask<?> task, Throwable failure) {
		if (!task.finish(TaskState.FAILED, nowNanos(), failure)) {
			return;
		}
		boolean observed = task.observedNow();
		finished(task, TaskState.FAILED, failure);
		task.future.completeExceptionally(failure);
		if (observed) {
			if (logger.isDebugEnabled()) {
				logger.debug("Background " + task + " failed; its result is observed", failure);
			}
			return;
		}
		UnhandledRejectionEvent event = new UnhandledRejectionEvent(this, task.info(), failure);
		publish(event);
		if (event.isDefaultPrevented()) {
			return; // the application handled it: neither logged nor counted as unhandled
		}
		for (TaskLifecycleListener listener : this.listeners) {
			try {
				listener.unhandledFailure(task, failure);
			}
			catch (RuntimeException ex) {
				listenerFailed(listener, "unhandledFailure", task, ex);
			}
		}
		// on the task's thread its entries are there already; a task that tracks a stage fails on the stage's
		TaskLogContext.log(task.id().toString(), task.name(),
				() -> logger.error("Background " + task + " failed and nobody observed its result", failure));
	}

	void exceed(TrackedTask<?> task, UnloadReason reason, long now) {
		String budget = switch (reason) {
			case CPU -> "CPU-time budget of " + Durations.text(Objects.requireNonNull(task.cpuBudget()));
			case MEMORY -> "memory budget of "
					+ DataSizes.text(Objects.requireNonNull(task.memoryBudget()).toBytes());
			default -> "wall-clock budget of " + Durations.text(task.wallClockBudget());
		};
		TaskBudgetExceededException error = new TaskBudgetExceededException(
				"Background " + task + " used up its " + budget, reason);
		if (!task.finish(TaskState.BUDGET_EXCEEDED, now, error)) {
			return;
		}
		task.markEnded(reason);
		// not counted here: the watchdog announced this budget (and counted its beforeunload) first
		finished(task, TaskState.BUDGET_EXCEEDED, error);
		task.future.completeExceptionally(error);
		stop(task);
		// a task that tracks a CompletionStage has no thread to interrupt: its stage was cancelled
		TaskLogContext.log(task.id().toString(), task.name(), () -> logger.warn("Background " + task + " used up its "
				+ budget + " and was " + ((task.stage() != null) ? "cancelled" : "interrupted") + " (reason "
				+ reason.value() + "); " + budgetSetBy(task, reason)));
		for (TaskLifecycleListener listener : this.listeners) {
			try {
				listener.budgetExceeded(task, reason);
			}
			catch (RuntimeException ex) {
				listenerFailed(listener, "budgetExceeded", task, ex);
			}
		}
	}

	/**
	 * What sets the budget a task used up, for the line that says so: the property of the default, or the
	 * task's own settings, and the time {@code beforeunload} listeners added to a wall-clock budget.
	 */
	static String budgetSetBy(TrackedTask<?> task, UnloadReason reason) {
		String property = switch (reason) {
			case CPU -> "edge-runtime.budget.cpu-time";
			case MEMORY -> "edge-runtime.budget.memory";
			default -> "edge-runtime.budget.wall-clock";
		};
		String attribute = switch (reason) {
			case CPU -> "cpuTime";
			case MEMORY -> "memory";
			default -> "wallClock";
		};
		String perTask = "@BackgroundTask(" + attribute + ") or TaskOptions." + attribute;
		// a tracked WebSocket session's wall clock is its own budget too, set by its property
		String ownSetters = (reason == UnloadReason.WALL_CLOCK)
				? "@BackgroundTask(wallClock), TaskOptions.wallClock or edge-runtime.websocket.wall-clock" : perTask;
		String setBy = task.ownBudget(reason) ? "set for this task by " + ownSetters + ", not " + property
				: "set by " + property + " (for one task, by " + perTask + ")";
		Duration extension = task.extensionGranted();
		if (reason == UnloadReason.WALL_CLOCK && !extension.isZero()) {
			setBy += ", with " + Durations.text(extension)
					+ " granted by beforeunload listeners (edge-runtime.budget.max-extension caps them)";
		}
		return setBy;
	}

	void failStorage(TrackedTask<?> task, Exception error) {
		if (task.finish(TaskState.FAILED, nowNanos(), error)) {
			finished(task, TaskState.FAILED, error);
			task.future.completeExceptionally(error);
			stop(task);
			TaskLogContext.log(task.id().toString(), task.name(),
					() -> logger.warn("Background " + task + " stopped: " + error.getMessage()));
		}
	}

	/**
	 * Cancels a task.
	 * @param task the task
	 * @param reason the unload reason that caused it, or {@code null} for a cancel by a caller
	 * @return whether this call cancelled it
	 */
	boolean cancel(TrackedTask<?> task, @Nullable UnloadReason reason) {
		CancellationException error = new CancellationException("Background " + task + " was cancelled"
				+ ((reason != null) ? " (" + reason.value() + ")" : ""));
		if (!task.finish(TaskState.CANCELLED, nowNanos(), error)) {
			return false;
		}
		if (reason != null) {
			task.markEnded(reason);
		}
		finished(task, TaskState.CANCELLED, error);
		task.future.completeExceptionally(error);
		stop(task);
		if (task.startedAt() == TrackedTask.NOT_YET && !task.submitted) {
			// never handed to an executor, so no runnable will find it cancelled and release its place
			deleteStorage(task);
			release(task);
		}
		publish(new TaskCancelledEvent(this, task.info(), reason));
		return true;
	}

	private void drop(TrackedTask<?> task, String why) {
		CancellationException error = new CancellationException("Background " + task + " was dropped: " + why);
		if (task.finish(TaskState.DROPPED, nowNanos(), error)) {
			finished(task, TaskState.DROPPED, error);
			task.future.completeExceptionally(error);
			logger.info("Background " + task + " dropped before it started: " + why);
			deleteStorage(task); // inputs copied in before the start would otherwise stay until shutdown
			release(task);
		}
	}

	private void stop(TrackedTask<?> task) {
		CompletionStage<?> stage = task.stage();
		if (stage != null) {
			try {
				stage.toCompletableFuture().cancel(true);
			}
			catch (UnsupportedOperationException ex) {
				// a stage that cannot be cancelled keeps running; the task has ended all the same
			}
			release(task);
		}
		else {
			task.interrupt();
		}
	}

	private void finished(TrackedTask<?> task, TaskState state, @Nullable Throwable failure) {
		this.registry.finished(task, state);
		if (this.listeners.length == 0) {
			return;
		}
		long started = task.startedAt();
		long finishedAt = task.finishedAt();
		Duration elapsed = Duration.ofNanos(Math.max(0, ((finishedAt != TrackedTask.NOT_YET) ? finishedAt : nowNanos())
				- ((started != TrackedTask.NOT_YET) ? started : task.submittedAt())));
		for (TaskLifecycleListener listener : this.listeners) {
			try {
				listener.taskFinished(task, state, elapsed, failure);
			}
			catch (RuntimeException ex) {
				listenerFailed(listener, "taskFinished", task, ex);
			}
		}
	}

	/**
	 * A listener threw: logged, and the runtime goes on, so that the task still ends, gives back its place and
	 * completes its result (listeners may run application code: an observation handler, say).
	 */
	private static void listenerFailed(TaskLifecycleListener listener, String method, @Nullable TrackedTask<?> task,
			RuntimeException ex) {
		logger.warn("Task lifecycle listener " + listener.getClass().getName() + " failed in " + method
				+ ((task != null) ? " for background " + task : "") + ": " + ex, ex);
	}

	private void release(TrackedTask<?> task) {
		if (task.release() && this.inFlight.decrementAndGet() == 0) {
			Thread drainer = this.drainer;
			if (drainer != null) {
				LockSupport.unpark(drainer);
			}
		}
	}

	private void deleteStorage(TrackedTask<?> task) {
		DefaultTaskStorage storage = task.createdStorage();
		if (storage != null) {
			try {
				storage.delete();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not delete the storage of background " + task + ": " + ex.getMessage());
			}
		}
	}

	DefaultTaskStorage storageFor(UUID id) {
		return this.storage.forTask(id);
	}

	/** Now, in nanoseconds since the epoch (the form tasks keep their timestamps in). */
	long nowNanos() {
		return this.clock.epochNanos();
	}

	/** A task's timestamp as the wall clock now reads it (see {@link TaskClock}). */
	Instant instant(long epochNanos) {
		return this.clock.instant(epochNanos);
	}

	// beforeunload

	void announce(TrackedTask<?> task, UnloadReason reason, long left) {
		task.announce(reason);
		this.registry.countReason(reason);
		Duration timeLeft = switch (reason) {
			case WALL_CLOCK, CPU -> Duration.ofNanos(Math.max(0, left));
			default -> task.remaining();
		};
		publish(new BeforeUnloadEvent(this, reason, task.info(), timeLeft,
				(reason == UnloadReason.WALL_CLOCK) ? (wanted) -> task.grantExtension(wanted, this.maxExtension)
						: null));
	}

	private void onMemoryPressure() {
		this.registry.countReason(UnloadReason.MEMORY);
		markMemoryPressure();
		publish(new BeforeUnloadEvent(this, UnloadReason.MEMORY, null, Duration.ZERO, null));
	}

	/**
	 * The pressure is over and new tasks are accepted again: the tasks that went on through it are no longer
	 * unloading for it (a task that stopped is ended already). Those told of a budget or the shutdown still are.
	 */
	private void onMemoryPressureOver() {
		markMemoryPressure();
	}

	/**
	 * Tells the tasks in flight whether the instance is under memory pressure as the monitor has it now. The
	 * pressure's start and end are reported on different threads (the JVM's notification, the watchdog), and one
	 * may overtake the other: under the lock, whichever comes last marks the tasks as things are.
	 */
	private void markMemoryPressure() {
		synchronized (this.memoryPressureLock) {
			boolean pressure = isUnderMemoryPressure();
			for (TrackedTask<?> task : this.registry.active()) {
				if (pressure) {
					task.announceMemoryPressure();
				}
				else {
					task.memoryPressureOver();
				}
			}
		}
	}

	/**
	 * Announces the application's shutdown once: running tasks see {@code isUnloading()} and one
	 * runtime-wide {@link BeforeUnloadEvent} with {@link UnloadReason#TERMINATION} is published. New tasks
	 * are still accepted until {@link #stopAccepting()}, and see {@code isUnloading()} from their start.
	 * @param gracePeriod the time tasks will have to finish
	 */
	public void announceTermination(Duration gracePeriod) {
		if (!this.terminationAnnounced.compareAndSet(false, true)) {
			return;
		}
		this.registry.countReason(UnloadReason.TERMINATION);
		for (TrackedTask<?> task : this.registry.active()) {
			task.announce(UnloadReason.TERMINATION);
		}
		publish(new BeforeUnloadEvent(this, UnloadReason.TERMINATION, null, gracePeriod, null));
	}

	private void publish(Object event) {
		try {
			this.events.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener of " + event.getClass().getSimpleName() + " failed", ex);
		}
	}

	// Lifecycle

	/**
	 * Opens the task storage (sweeping leftovers of dead processes) and starts the watchdog. After a
	 * {@link #drain} and {@link #suspend()} (a context stopped, for a checkpoint of the JVM, say), it accepts
	 * tasks again.
	 */
	public void start() {
		this.draining = false;
		this.gracePeriodEnded = false;
		this.terminationAnnounced.set(false);
		this.storage.open();
		if (this.memoryMonitor != null) {
			this.memoryMonitor.start();
		}
		this.watchdog.start();
		// last: a task accepted again after a suspend finds its storage open and its budgets watched
		this.accepting = true;
	}

	/**
	 * Refuses new tasks from now on, with {@link UnloadReason#TERMINATION}.
	 */
	public void stopAccepting() {
		this.accepting = false;
	}

	/**
	 * Waits for tasks in flight to finish, up to the grace period, then cancels the rest, logs each by
	 * id and name, and waits briefly for their threads to notice. When there was anything to drain, the
	 * end is logged with how long it took.
	 * @param gracePeriod how long to wait
	 * @return the tasks that had to be cancelled
	 */
	public List<TaskInfo> drain(Duration gracePeriod) {
		return drain(gracePeriod, null);
	}

	/**
	 * Waits for tasks in flight to finish, up to the grace period, then cancels the rest, logs each by id and
	 * name, and waits briefly for their threads to notice, as {@link #drain(Duration)} does; the lines about
	 * the grace period say what sets it, so that whoever reads them knows what to change.
	 * @param gracePeriod how long to wait
	 * @param setBy what sets the grace period, such as {@code "edge-runtime.shutdown.grace-period"}, or
	 * {@code null} to name nothing
	 * @return the tasks that had to be cancelled
	 */
	public List<TaskInfo> drain(Duration gracePeriod, @Nullable String setBy) {
		stopAccepting();
		this.draining = true;
		long start = System.nanoTime();
		// At most half the range of a long, about 146 years (a grace period so long waits as long as it takes): the
		// deadline may wrap around, but its distance from the time now, which the wait reads, does not.
		long deadline = start + Math.min(Durations.saturatedNanos(gracePeriod), Long.MAX_VALUE / 2);
		// "20s (edge-runtime.shutdown.grace-period)": the lines about it say what to change
		String grace = Durations.text(gracePeriod) + ((setBy != null) ? " (" + setBy + ")" : "");
		int waiting = this.inFlight.get();
		if (waiting > 0) {
			logger.info("Waiting up to " + grace + " for " + waiting + " background task" + ((waiting == 1) ? "" : "s")
					+ " to finish");
		}
		awaitNoneInFlight(deadline, true);
		boolean endedEarly = this.gracePeriodEnded && this.inFlight.get() > 0;
		if (endedEarly) {
			logger.warn("Spring stopped waiting for the drain before the shutdown grace period of " + grace
					+ " ended (" + PHASE_TIMEOUT + " is shorter): the background tasks still in "
					+ "flight are cancelled now, and the resources they use are being closed");
		}
		String springStopped = "Spring stopped waiting for the drain (" + PHASE_TIMEOUT + ")";
		String ending = endedEarly ? "when " + springStopped : "at the end of the grace period of " + grace;
		List<TaskInfo> cancelled = new ArrayList<>();
		List<TrackedTask<?>> interrupted = new ArrayList<>();
		int notStarted = 0;
		for (TrackedTask<?> task : this.registry.active()) {
			boolean started = task.state() != TaskState.SCHEDULED;
			if (cancel(task, UnloadReason.TERMINATION)) {
				TaskInfo info = task.info();
				cancelled.add(info);
				interrupted.add(task);
				notStarted += started ? 0 : 1;
				String when = endedEarly ? springStopped : "the shutdown grace period of " + grace + " ended";
				String line = "Background task " + info.id() + " (" + info.name() + ") "
						+ (started ? (endedEarly ? "did not finish before " + when
								: "did not finish within the shutdown grace period of " + grace)
								+ " and was interrupted"
								: "had not started when " + when
										+ " (it was waiting for the request or transaction that called it) "
										+ "and was cancelled");
				TaskLogContext.log(info.id().toString(), info.name(), () -> logger.warn(line));
			}
		}
		awaitNoneInFlight(System.nanoTime() + UNWIND_TIME.toNanos(), false);
		// Every task whose work still holds its place: those interrupted now, and those that ended earlier (a
		// budget used up, a cancel) but whose work ignored that interrupt.
		List<String> stillRunning = new ArrayList<>();
		for (TrackedTask<?> task : interrupted) {
			if (!task.released()) {
				stillRunning.add(task.id() + " (" + task.name() + ")");
			}
		}
		List<String> endedButRunning = new ArrayList<>();
		Set<TrackedTask<?>> interruptedNow = Collections.newSetFromMap(new IdentityHashMap<>());
		interruptedNow.addAll(interrupted);
		for (TrackedTask<?> task : this.registry.all()) {
			if (!task.released() && task.state().isTerminal() && !interruptedNow.contains(task)) {
				endedButRunning.add(task.id() + " (" + task.name() + ", " + task.state() + ")");
			}
		}
		if (waiting > 0 || !cancelled.isEmpty() || !endedButRunning.isEmpty()) {
			long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			if (stillRunning.isEmpty() && endedButRunning.isEmpty()) {
				if (cancelled.isEmpty()) {
					logger.info("Drain complete in " + took + " ms: every background task finished");
				}
				else {
					logger.warn("Drain complete in " + took + " ms: " + endedBy(cancelled.size() - notStarted,
							notStarted, ending));
				}
			}
			else {
				StringBuilder message = new StringBuilder("Drain ended in ").append(took).append(" ms: ");
				message.append(cancelled.isEmpty() ? "no background task was left to interrupt"
						: endedBy(cancelled.size() - notStarted, notStarted, ending));
				if (!stillRunning.isEmpty()) {
					message.append(", and ").append(stillRunning.size()).append(" of them still ran ")
						.append(UNWIND_TIME.toMillis()).append(" ms later ")
						.append((stillRunning.size() == 1) ? "(its work ignores interrupts) and is"
								: "(their work ignores interrupts) and are")
						.append(" abandoned: ").append(String.join(", ", stillRunning));
				}
				if (!endedButRunning.isEmpty()) {
					int count = endedButRunning.size();
					message.append("; ").append(count).append(" background task")
						.append((count == 1) ? " that had ended before (a budget used up, a cancel) still runs, its"
								: "s that had ended before (a budget used up, a cancel) still run, their")
						.append(" work ignoring the interrupt, and ").append((count == 1) ? "is" : "are")
						.append(" abandoned: ").append(String.join(", ", endedButRunning));
				}
				logger.warn(message.toString());
			}
		}
		return cancelled;
	}

	/**
	 * What the end of the grace period did: "1 background task was interrupted", "2 background tasks had not
	 * started and were cancelled", or both, followed by when ("at the end of the grace period").
	 */
	private static String endedBy(int interrupted, int notStarted, String ending) {
		List<String> parts = new ArrayList<>(2);
		if (interrupted > 0) {
			parts.add(interrupted + " background task" + ((interrupted == 1) ? " was" : "s were") + " interrupted");
		}
		if (notStarted > 0) {
			parts.add(notStarted + ((interrupted > 0) ? "" : " background task" + ((notStarted == 1) ? "" : "s"))
					+ " had not started and " + ((notStarted == 1) ? "was" : "were") + " cancelled");
		}
		return String.join(" and ", parts) + " " + ending;
	}

	/**
	 * Parks until no task is in flight (the last one to release its place unparks) or the deadline, or, for
	 * the grace period, until {@link #endGracePeriod()}.
	 */
	private void awaitNoneInFlight(long deadline, boolean gracePeriod) {
		this.drainer = Thread.currentThread();
		try {
			long left;
			while (this.inFlight.get() > 0 && !(gracePeriod && this.gracePeriodEnded)
					&& (left = deadline - System.nanoTime()) > 0) {
				// an unpark before the park is not lost (it leaves a permit); the bound is only a safety net
				LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
			}
		}
		finally {
			this.drainer = null;
		}
	}

	/**
	 * Ends the grace period of the {@link #drain} in progress, or of the next one, now: the tasks still in flight
	 * are cancelled and logged by id, as at the end of the grace period, and the drain waits briefly for them
	 * to unwind. For when Spring stops waiting for the drain
	 * ({@code spring.lifecycle.timeout-per-shutdown-phase} shorter than the grace period) and goes on to close
	 * what the tasks use.
	 */
	public void endGracePeriod() {
		this.gracePeriodEnded = true;
		Thread drainer = this.drainer;
		if (drainer != null) {
			LockSupport.unpark(drainer);
		}
	}

	/**
	 * Stops the watchdog and deletes the task storage of this instance, keeping the executors: {@link #start()}
	 * may follow. Call after {@link #drain}.
	 */
	public void suspend() {
		this.watchdog.stop();
		if (this.memoryMonitor != null) {
			this.memoryMonitor.stop();
		}
		this.storage.close();
	}

	/**
	 * Stops the watchdog, deletes the task storage of this instance and shuts down the executors it owns.
	 */
	public void close() {
		suspend();
		if (this.closeExecutors) {
			shutdown(this.platformExecutor);
			if (this.virtualExecutor != null) {
				shutdown(this.virtualExecutor);
			}
		}
	}

	private static void shutdown(Executor executor) {
		if (executor instanceof java.util.concurrent.ExecutorService service) {
			service.shutdownNow();
		}
		else if (executor instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				logger.debug("Could not close executor", ex);
			}
		}
	}

	// Queries

	@Override
	public Optional<TaskHandle<?>> find(UUID id) {
		return Optional.ofNullable(this.registry.get(id));
	}

	@Override
	public List<TaskInfo> tasks() {
		List<TrackedTask<?>> tasks = this.registry.newestFirst();
		List<TaskInfo> infos = new ArrayList<>(tasks.size());
		for (TrackedTask<?> task : tasks) {
			infos.add(task.info());
		}
		return infos;
	}

	@Override
	public RuntimeStatus status() {
		// refusing tasks to shut down is the drain's first step, whether or not memory pressure refuses them too
		return new RuntimeStatus(this.accepting && !isUnderMemoryPressure(), this.draining || !this.accepting,
				isUnderMemoryPressure(),
				this.inFlight.get(), this.maxInFlight, this.registry.size(), this.registry.totalsByState(),
				this.registry.totalsByReason(), this.registry.rejected());
	}

	private boolean isUnderMemoryPressure() {
		return this.memoryMonitor != null && this.memoryMonitor.isUnderPressure();
	}

	/**
	 * Whether the runtime accepts new tasks.
	 * @return {@code false} once shutdown has begun
	 */
	public boolean isAccepting() {
		return this.accepting;
	}

	/**
	 * Whether the runtime is draining tasks at shutdown.
	 * @return {@code true} while draining and after
	 */
	public boolean isDraining() {
		return this.draining;
	}

	/**
	 * Runs one watchdog check now; for tests that drive budgets with their own clock.
	 */
	public void checkBudgets() {
		this.watchdog.tick();
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * Builds a {@link DefaultEdgeRuntime}; every setting has the documented default.
	 */
	public static final class Builder {

		private final ApplicationEventPublisher events;

		private Executor platformExecutor = (runnable) -> {
			Thread thread = new Thread(runnable, "edge-task");
			thread.start();
		};

		private @Nullable Executor virtualExecutor;

		private TaskDecorator decorator = (runnable) -> runnable;

		private TaskOriginResolver originResolver = TaskOrigin::none;

		private TaskStorageArea storage = new TaskStorageArea(
				Path.of(System.getProperty("java.io.tmpdir"), "edge-runtime"), DataSize.ofMegabytes(512));

		private final List<TaskLifecycleListener> listeners = new ArrayList<>();

		private InstantSource clock = InstantSource.system();

		private Duration wallClock = Duration.ofSeconds(150);

		private @Nullable Duration cpuTime;

		private @Nullable DataSize memory;

		private double beforeUnloadRatio = 0.9;

		private Duration maxExtension = Duration.ofSeconds(30);

		private Duration checkInterval = Duration.ofMillis(50);

		private int maxInFlight = 1000;

		private int maxRetained = 1000;

		private Duration retentionAge = Duration.ofMinutes(15);

		private double memoryPressureThreshold = 0.9;

		private @Nullable MemoryPoolMXBean memoryPool = MemoryPressureMonitor.findOldGeneration();

		private boolean closeExecutors;

		private Builder(ApplicationEventPublisher events) {
			Assert.notNull(events, "Events must not be null");
			this.events = events;
		}

		/** Executor of platform threads, used for CPU- or memory-budgeted tasks and when no virtual executor is set. */
		public Builder platformExecutor(Executor executor) {
			this.platformExecutor = executor;
			return this;
		}

		/** Executor of virtual threads for tasks without CPU or memory budgets, or {@code null} for none. */
		public Builder virtualExecutor(@Nullable Executor executor) {
			this.virtualExecutor = executor;
			return this;
		}

		/** Decorator applied on the submitting thread, to carry context into the task. */
		public Builder decorator(TaskDecorator decorator) {
			this.decorator = decorator;
			return this;
		}

		/** How a task's origin is found on the submitting thread. */
		public Builder originResolver(TaskOriginResolver originResolver) {
			this.originResolver = originResolver;
			return this;
		}

		/** Where task storage lives. */
		public Builder storage(TaskStorageArea storage) {
			this.storage = storage;
			return this;
		}

		/** Adds listeners of task lifecycle events. */
		public Builder listeners(List<? extends TaskLifecycleListener> listeners) {
			this.listeners.addAll(listeners);
			return this;
		}

		/** The clock for timestamps and budgets. */
		public Builder clock(InstantSource clock) {
			this.clock = clock;
			return this;
		}

		/**
		 * Default budgets; {@code null} CPU or memory budget means unlimited. The wall-clock budget must be
		 * greater than 0: every in-process task has one (a durable task's snapshot is told apart by its zero
		 * budget).
		 */
		public Builder budgets(Duration wallClock, @Nullable Duration cpuTime, @Nullable DataSize memory) {
			Assert.isTrue(!wallClock.isNegative() && !wallClock.isZero(),
					() -> "The wall-clock budget must be greater than 0, not " + Durations.text(wallClock));
			this.wallClock = wallClock;
			this.cpuTime = cpuTime;
			this.memory = memory;
			return this;
		}

		/** Ratio of a budget at which {@code beforeunload} is announced. */
		public Builder beforeUnloadRatio(double ratio) {
			this.beforeUnloadRatio = ratio;
			return this;
		}

		/** Total wall-clock extension listeners may grant one task. */
		public Builder maxExtension(Duration maxExtension) {
			this.maxExtension = maxExtension;
			return this;
		}

		/** How often the watchdog checks budgets. */
		public Builder checkInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
			return this;
		}

		/** The most tasks in flight at once. */
		public Builder maxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
			return this;
		}

		/** How many finished tasks are retained, and for how long. */
		public Builder retention(int maxRetained, Duration maxAge) {
			this.maxRetained = maxRetained;
			this.retentionAge = maxAge;
			return this;
		}

		/** Ratio of the old generation's maximum that means memory pressure, or 0 to not watch it. */
		public Builder memoryPressureThreshold(double threshold) {
			this.memoryPressureThreshold = threshold;
			return this;
		}

		/** The pool watched for memory pressure; for tests that make the pressure come and go. */
		Builder memoryPool(@Nullable MemoryPoolMXBean pool) {
			this.memoryPool = pool;
			return this;
		}

		/** Whether {@link DefaultEdgeRuntime#close()} shuts down the executors (those the runtime owns). */
		public Builder closeExecutors(boolean closeExecutors) {
			this.closeExecutors = closeExecutors;
			return this;
		}

		/** Builds the runtime; call {@link DefaultEdgeRuntime#start()} before use. */
		public DefaultEdgeRuntime build() {
			return new DefaultEdgeRuntime(this);
		}

	}

}
