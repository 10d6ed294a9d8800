package dev.edgeruntime.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskInfo.TaskError;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskStorage;
import dev.edgeruntime.TaskUsage;
import dev.edgeruntime.UnloadReason;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * One task in the registry: its handle, its context inside the task, and the state the watchdog reads.
 *
 * @param <T> the result type
 * @author edge-runtime developers
 */
final class TrackedTask<T> implements TaskHandle<T>, TaskContext {

	/** A timestamp not reached yet. */
	static final long NOT_YET = Long.MIN_VALUE;

	private static final VarHandle STATE;

	private static final VarHandle RELEASED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(TrackedTask.class, "state", TaskState.class);
			RELEASED = lookup.findVarHandle(TrackedTask.class, "released", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final UUID id;

	private final String name;

	private final TaskOrigin origin;

	// timestamps as nanoseconds since the epoch, not Instants: three objects fewer per task
	private final long submittedAt;

	private final DefaultEdgeRuntime runtime;

	// fields updated through VarHandles rather than AtomicReference/AtomicBoolean: two objects fewer per task

	private volatile TaskState state = TaskState.SCHEDULED;

	final CompletableFuture<T> future = new CompletableFuture<>();

	/** Only for a task with a CPU-time or memory budget: most tasks have neither, and are 40 bytes smaller. */
	private final @Nullable Metered metered;

	private volatile boolean released;

	private volatile Duration wallClockBudget;

	private volatile Duration extensionGranted = Duration.ZERO;

	/**
	 * The budgets set for this task rather than taken from the runtime's defaults, as bits of
	 * {@link UnloadReason#ordinal()}: the line of a budget used up names what sets it.
	 */
	private final byte ownBudgets;

	private volatile long startedAt = NOT_YET;

	private volatile long finishedAt = NOT_YET;

	/** Written when the task starts; cleared, and read to interrupt, under the task's lock. */
	private volatile @Nullable Thread thread;

	private volatile @Nullable CompletionStage<?> stage;

	/** Budgets already announced in a {@code beforeunload}, as bits of {@link UnloadReason#ordinal()}. */
	int warned;

	private volatile @Nullable TaskProgress progress;

	private volatile @Nullable UnloadReason unloadReason;

	/** Announced to this task alone, or the shutdown: it stays, as the task will be stopped or its instance go. */
	private volatile boolean unloading;

	/** The instance's memory pressure, announced to every task: it lasts only as long as the pressure. */
	private volatile boolean memoryPressure;

	/** The reason the task is told about once the memory pressure is over; written under the task's lock. */
	private @Nullable UnloadReason reasonBeyondPressure;

	/**
	 * Whether the task was unloading, and for what, just before its wall-clock budget was announced: what an
	 * extension of that budget gives back. Written under the task's lock.
	 */
	private boolean unloadingBeforeWallClock;

	private @Nullable UnloadReason reasonBeforeWallClock;

	private volatile @Nullable TaskError error;

	volatile boolean observed;

	/** A copy of the result handed to a caller that may or may not look at it ({@link #watchedResult()}). */
	private volatile @Nullable CompletableFuture<T> watched;

	/**
	 * Copies of the result taken through {@link #result()} before the task was handed to an executor: a
	 * request may wait on one of them ({@link #resultAwaited()}). Allocated only when there is one.
	 */
	private volatile @Nullable List<CompletableFuture<T>> earlyResults;

	/** Whether the task's runnable was handed to an executor. */
	volatile boolean submitted;

	/** The thread the task's start waits for ({@link #startsAfter}), until it starts; {@code null} if none. */
	private volatile @Nullable Thread holder;

	/** What the {@link #holder} has to do first, as in "starts only after {@code holdUntil}". */
	private volatile String holdUntil = "";

	private volatile @Nullable DefaultTaskStorage storage;

	TrackedTask(UUID id, String name, TaskOrigin origin, long submittedAt, TaskBudget budget, int ownBudgets,
			DefaultEdgeRuntime runtime) {
		this.id = id;
		this.ownBudgets = (byte) ownBudgets;
		this.name = name;
		this.origin = origin;
		this.submittedAt = submittedAt;
		this.wallClockBudget = budget.wallClock();
		this.metered = (budget.cpuTime() != null || budget.memory() != null)
				? new Metered(budget.cpuTime(), budget.memory()) : null;
		this.runtime = runtime;
	}

	// TaskHandle and TaskContext

	@Override
	public UUID id() {
		return this.id;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public TaskState state() {
		return this.state;
	}

	@Override
	public CompletableFuture<T> result() {
		this.observed = true;
		if (this.submitted || this.state != TaskState.SCHEDULED) {
			return this.future.copy();
		}
		// Not started yet, and perhaps waiting for the caller's transaction or request: a copy that refuses a
		// wait which could never end, and that the request can see is waited on (a controller returning it).
		WatchedResult<T> copy = relayedCopy();
		synchronized (this) {
			if (this.state == TaskState.SCHEDULED) { // not started in the meantime, which forgets these copies
				List<CompletableFuture<T>> early = this.earlyResults;
				if (early == null) {
					early = new ArrayList<>(1);
					this.earlyResults = early;
				}
				early.add(copy);
			}
		}
		return copy;
	}

	/**
	 * The result for a caller that may ignore it, such as the caller of a {@code @BackgroundTask} method
	 * returning a {@code CompletableFuture}: unlike {@link #result()}, taking it does not count as observing a
	 * failure; the failure counts as observed if this future has dependents (a callback, or a thread waiting
	 * in {@code get} or {@code join}) when it happens.
	 * @return a copy of the result
	 */
	CompletableFuture<T> watchedResult() {
		WatchedResult<T> copy = relayedCopy();
		this.watched = copy;
		return copy;
	}

	private WatchedResult<T> relayedCopy() {
		WatchedResult<T> copy = new WatchedResult<>(this);
		// relayed as CompletableFuture.copy() relays: a failure wrapped in a CompletionException
		this.future.whenComplete((value, failure) -> {
			if (failure == null) {
				copy.complete(value);
			}
			else {
				copy.completeExceptionally(
						(failure instanceof CompletionException) ? failure : new CompletionException(failure));
			}
		});
		return copy;
	}

	/**
	 * Records that the task cannot start before a thread gets somewhere, so that the copies of its result
	 * handed out before it starts ({@link #watchedResult()}, and {@link #result()} until then) refuse to wait
	 * for ever on that thread.
	 * @param thread the thread
	 * @param what what it has to do first ("its transaction commits")
	 */
	void startsAfter(Thread thread, String what) {
		this.holdUntil = what;
		this.holder = thread;
	}

	/**
	 * Refuses an untimed wait for the result, on the thread the task's start waits for, that would never end.
	 * @throws IllegalStateException if the current thread is that thread and the task has not started
	 */
	void refuseWaitForEver() {
		Thread holder = this.holder;
		if (holder == null) {
			return;
		}
		if (this.submitted || this.state != TaskState.SCHEDULED) {
			this.holder = null; // started (or ended): any thread may wait from now on
			return;
		}
		if (holder == Thread.currentThread()) {
			throw new IllegalStateException("Background task " + this.id + " (" + this.name + ") starts only after "
					+ this.holdUntil + ", and that is up to the thread now waiting for its result: the wait would "
					+ "never end. Return the future (a controller may return it: the request then waits for the "
					+ "task), or attach a callback to it (thenAccept, whenComplete), instead of waiting inside the "
					+ "transaction or request that called the task");
		}
	}

	/**
	 * Forgets what the start waited for, once the task has started or ended: a retained task should not keep
	 * its caller's thread (a virtual thread per request, say) or the early copies of its result reachable.
	 */
	private void releaseHold() {
		this.holder = null;
		if (this.earlyResults != null) {
			synchronized (this) {
				this.earlyResults = null;
			}
		}
	}

	/** Whether the {@link #watchedResult()} was taken and has dependents now. */
	boolean watchedHasDependents() {
		CompletableFuture<T> watched = this.watched;
		return watched != null && watched.getNumberOfDependents() > 0;
	}

	/**
	 * Whether a copy of the result handed out before the start (the {@link #watchedResult()}, or one taken
	 * through {@link #result()}) has dependents now: a callback, a derived future, a waiting thread.
	 */
	boolean resultAwaited() {
		if (watchedHasDependents()) {
			return true;
		}
		List<CompletableFuture<T>> early;
		synchronized (this) {
			early = (this.earlyResults != null) ? List.copyOf(this.earlyResults) : List.of();
		}
		for (CompletableFuture<T> copy : early) {
			if (copy.getNumberOfDependents() > 0) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a failure now would be seen by someone: {@link #result()} was taken, or the
	 * {@link #watchedResult()} has dependents.
	 */
	boolean observedNow() {
		return this.observed || watchedHasDependents();
	}

	@Override
	public boolean cancel() {
		return this.runtime.cancel(this, null);
	}

	@Override
	public TaskInfo info() {
		long started = this.startedAt;
		long finished = this.finishedAt;
		Duration wall = (started != NOT_YET)
				? Duration.ofNanos(Math.max(0, ((finished != NOT_YET) ? finished : this.runtime.nowNanos()) - started))
				: Duration.ZERO;
		Metered metered = this.metered;
		long cpuUsed = (metered != null) ? metered.cpuUsed : -1;
		long allocated = (metered != null) ? metered.allocated : -1;
		TaskUsage usage = new TaskUsage(wall, (cpuUsed >= 0) ? Duration.ofNanos(cpuUsed) : null,
				(allocated >= 0) ? allocated : null);
		return new TaskInfo(this.id, this.name, this.state, this.origin, instant(this.submittedAt), instant(started),
				instant(finished),
				budget(), usage, this.progress, this.unloadReason, this.error, 1);
	}

	@Override
	public Duration remaining() {
		long started = this.startedAt;
		if (started == NOT_YET) {
			return this.wallClockBudget;
		}
		Duration left = this.wallClockBudget.minus(Duration.ofNanos(Math.max(0, this.runtime.nowNanos() - started)));
		return left.isNegative() ? Duration.ZERO : left;
	}

	@Override
	public boolean isUnloading() {
		return this.unloading || this.memoryPressure;
	}

	@Override
	public @Nullable UnloadReason unloadReason() {
		return this.unloadReason;
	}

	@Override
	public boolean isCancelled() {
		return this.state.isTerminal();
	}

	@Override
	public void progress(long done, long total, @Nullable String message) {
		this.progress = new TaskProgress(done, total, message);
	}

	@Override
	public TaskStorage storage() {
		DefaultTaskStorage storage = this.storage;
		if (storage == null) {
			synchronized (this) {
				storage = this.storage;
				if (storage == null) {
					storage = this.runtime.storageFor(this.id);
					this.storage = storage;
				}
			}
		}
		return storage;
	}

	// Runtime internals

	TaskBudget budget() {
		return new TaskBudget(this.wallClockBudget, cpuBudget(), memoryBudget());
	}

	Duration wallClockBudget() {
		return this.wallClockBudget;
	}

	/**
	 * Whether a budget was set for this task (per call, or by its annotation) rather than taken from the
	 * runtime's defaults.
	 * @param reason the budget's reason: {@code WALL_CLOCK}, {@code CPU} or {@code MEMORY}
	 */
	boolean ownBudget(UnloadReason reason) {
		return (this.ownBudgets & (1 << reason.ordinal())) != 0;
	}

	/** The wall-clock time {@code beforeunload} listeners granted the task on top of its budget. */
	Duration extensionGranted() {
		return this.extensionGranted;
	}

	@Nullable Duration cpuBudget() {
		return (this.metered != null) ? this.metered.cpuBudget : null;
	}

	@Nullable DataSize memoryBudget() {
		return (this.metered != null) ? this.metered.memoryBudget : null;
	}

	/** When the task started, in nanoseconds since the epoch; {@link #NOT_YET} before. */
	long startedAt() {
		return this.startedAt;
	}

	/** When the task finished, in nanoseconds since the epoch; {@link #NOT_YET} before. */
	long finishedAt() {
		return this.finishedAt;
	}

	/** When the task was submitted, in nanoseconds since the epoch. */
	long submittedAt() {
		return this.submittedAt;
	}

	static long epochNanos(Instant instant) {
		return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
	}

	private @Nullable Instant instant(long epochNanos) {
		return (epochNanos != NOT_YET) ? this.runtime.instant(epochNanos) : null;
	}

	@Nullable DefaultTaskStorage createdStorage() {
		DefaultTaskStorage storage = this.storage;
		return (storage != null && storage.isCreated()) ? storage : null;
	}

	boolean start(long now, @Nullable Thread thread) {
		if (!STATE.compareAndSet(this, TaskState.SCHEDULED, TaskState.RUNNING)) {
			return false;
		}
		this.startedAt = now;
		releaseHold();
		synchronized (this) {
			this.thread = thread;
		}
		if (thread != null && this.state.isTerminal()) {
			// cancelled (or over budget) between the two: its interrupt found no thread yet, so it comes now
			thread.interrupt();
		}
		return true;
	}

	void attach(CompletionStage<?> stage) {
		this.stage = stage;
	}

	@Nullable CompletionStage<?> stage() {
		return this.stage;
	}

	/**
	 * Moves to a final state if the task has not reached one yet.
	 */
	boolean finish(TaskState finalState, long now, @Nullable Throwable failure) {
		TaskState current = this.state;
		while (!current.isTerminal()) {
			if (STATE.compareAndSet(this, current, finalState)) {
				this.finishedAt = now;
				releaseHold();
				if (failure != null) {
					this.error = TaskError.of(failure);
				}
				return true;
			}
			current = this.state;
		}
		return false;
	}

	synchronized @Nullable Thread thread() {
		return this.thread;
	}

	/** Interrupts the task's thread, if the task still runs on one. */
	synchronized void interrupt() {
		if (this.thread != null) {
			this.thread.interrupt();
		}
	}

	/** Detaches the task from its (pooled) thread; after this it can no longer be interrupted. */
	synchronized void detach() {
		this.thread = null;
	}

	/** Announces a {@code beforeunload} that holds until the task ends: a budget nearly used up, the shutdown. */
	synchronized void announce(UnloadReason reason) {
		if (reason == UnloadReason.WALL_CLOCK && this.reasonBeyondPressure != UnloadReason.WALL_CLOCK) {
			this.unloadingBeforeWallClock = this.unloading;
			this.reasonBeforeWallClock = this.reasonBeyondPressure;
		}
		this.unloadReason = reason;
		this.reasonBeyondPressure = reason;
		this.unloading = true;
	}

	/**
	 * Announces the instance's memory pressure, which {@link #memoryPressureOver()} takes back; once for the
	 * bout, so that a reason announced since (the shutdown) stays the last one.
	 */
	synchronized void announceMemoryPressure() {
		if (!this.memoryPressure) {
			this.memoryPressure = true;
			this.unloadReason = UnloadReason.MEMORY;
		}
	}

	/**
	 * Takes back the memory pressure's announcement: the task goes on as before it, unloading only if something
	 * else was announced to it.
	 */
	synchronized void memoryPressureOver() {
		if (this.memoryPressure) {
			this.memoryPressure = false;
			this.unloadReason = this.reasonBeyondPressure;
		}
	}

	synchronized void markEnded(UnloadReason reason) {
		this.unloadReason = reason;
		this.reasonBeyondPressure = reason;
	}

	/**
	 * Grants more wall-clock time, within the cap of all extensions. The wall-clock budget's announcement is
	 * taken back: the task is no longer about to be stopped for it, so a task that stops when it sees
	 * {@link #isUnloading()} uses the time it was just given. It is announced again at the ratio of the new
	 * budget. A reason announced since the wall clock's (the shutdown, another budget) stays in force.
	 */
	synchronized Duration grantExtension(Duration wanted, Duration cap) {
		Duration left = cap.minus(this.extensionGranted);
		if (left.isNegative() || left.isZero()) {
			return Duration.ZERO;
		}
		Duration granted = (wanted.compareTo(left) <= 0) ? wanted : left;
		this.extensionGranted = this.extensionGranted.plus(granted);
		this.wallClockBudget = this.wallClockBudget.plus(granted);
		this.warned &= ~(1 << UnloadReason.WALL_CLOCK.ordinal());
		// an ended task keeps the reason that ended it
		if (this.reasonBeyondPressure == UnloadReason.WALL_CLOCK && !this.state.isTerminal()) {
			this.reasonBeyondPressure = this.reasonBeforeWallClock;
			this.unloading = this.unloadingBeforeWallClock;
			if (this.unloadReason == UnloadReason.WALL_CLOCK) {
				this.unloadReason = this.memoryPressure ? UnloadReason.MEMORY : this.reasonBeyondPressure;
			}
		}
		return granted;
	}

	boolean release() {
		return RELEASED.compareAndSet(this, false, true);
	}

	/** Whether the task gave back its place in {@code max-in-flight}: its work has returned, or never ran. */
	boolean released() {
		return this.released;
	}

	@Override
	public String toString() {
		return "task " + this.id + " (" + this.name + ")";
	}

	/** The task's CPU-time and memory budgets and what its thread used of them, or {@code null} with neither. */
	@Nullable Metered metered() {
		return this.metered;
	}

	/**
	 * A task's CPU-time and memory budgets, and its thread's readings: the bases are read by the task's thread
	 * as it starts, the usage by the watchdog.
	 */
	static final class Metered {

		final @Nullable Duration cpuBudget;

		final @Nullable DataSize memoryBudget;

		long cpuBase = -1;

		long allocationBase = -1;

		volatile long cpuUsed = -1;

		volatile long allocated = -1;

		Metered(@Nullable Duration cpuBudget, @Nullable DataSize memoryBudget) {
			this.cpuBudget = cpuBudget;
			this.memoryBudget = memoryBudget;
		}

	}

}
