package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import org.jspecify.annotations.Nullable;

/**
 * Every task in flight, and the finished ones kept for a bounded time and count so their status can be
 * read after they end. Adding and finishing a task are constant-time.
 * <p>
 * A finishing task only joins the queue of finished tasks: the map is not touched on the task's own thread.
 * The oldest finished tasks over the count are evicted by the next submission, read or watchdog tick. On
 * virtual threads this matters: a map update from a thread that never used one first seeds the thread's
 * probe (two JVM-wide atomic updates), and every task runs on a new thread.
 *
 * @author edge-runtime developers
 */
final class TaskRegistry {

	private final ConcurrentHashMap<UUID, TrackedTask<?>> tasks = new ConcurrentHashMap<>();

	private final ConcurrentLinkedQueue<TrackedTask<?>> finished = new ConcurrentLinkedQueue<>();

	private final AtomicInteger finishedCount = new AtomicInteger();

	private final int maxRetained;

	private final long maxAgeNanos;

	// Counted in atomic arrays, not LongAdders: once a LongAdder has seen contention, every thread without a
	// probe of its own (every fresh virtual thread, as each finishing task's may be) updates the same cell,
	// and seeds its probe from two JVM-wide atomics when that update fails.
	private final AtomicLongArray byState = new AtomicLongArray(TaskState.values().length);

	private final AtomicLongArray byReason = new AtomicLongArray(UnloadReason.values().length);

	private final AtomicLong rejected = new AtomicLong();

	TaskRegistry(int maxRetained, Duration maxAge) {
		this.maxRetained = maxRetained;
		this.maxAgeNanos = Durations.saturatedNanos(maxAge); // 292 years and more: never expires
	}

	void add(TrackedTask<?> task) {
		this.tasks.put(task.id(), task);
		evictOverCount();
	}

	@Nullable TrackedTask<?> get(UUID id) {
		evictOverCount();
		return this.tasks.get(id);
	}

	void finished(TrackedTask<?> task, TaskState state) {
		this.byState.incrementAndGet(state.ordinal());
		// queued before it is counted: a count of n means at least n tasks in the queue
		this.finished.add(task);
		this.finishedCount.incrementAndGet();
	}

	private void evictOverCount() {
		while (this.finishedCount.get() > this.maxRetained) {
			evictOldest();
		}
	}

	private boolean evictOldest() {
		int count = this.finishedCount.get();
		// the count is taken before the poll, so the queue always holds at least as many as counted
		if (count <= 0 || !this.finishedCount.compareAndSet(count, count - 1)) {
			return false;
		}
		TrackedTask<?> oldest = this.finished.poll();
		if (oldest != null) {
			this.tasks.remove(oldest.id());
		}
		return true;
	}


	void evictExpired(long nowNanos) {
		evictOverCount();
		long cutoff = nowNanos - this.maxAgeNanos;
		TrackedTask<?> head;
		while ((head = this.finished.peek()) != null) {
			long finishedAt = head.finishedAt();
			if (finishedAt == TrackedTask.NOT_YET || finishedAt >= cutoff || !evictOldest()) {
				return; // not expired, or finished but not counted yet (the next tick takes it)
			}
		}
	}

	Collection<TrackedTask<?>> all() {
		evictOverCount();
		return this.tasks.values();
	}

	List<TrackedTask<?>> active() {
		evictOverCount();
		List<TrackedTask<?>> active = new ArrayList<>();
		for (TrackedTask<?> task : this.tasks.values()) {
			if (!task.state().isTerminal()) {
				active.add(task);
			}
		}
		return active;
	}

	List<TrackedTask<?>> newestFirst() {
		evictOverCount();
		List<TrackedTask<?>> all = new ArrayList<>(this.tasks.values());
		all.sort(Comparator.comparingLong(TrackedTask<?>::submittedAt).reversed());
		return all;
	}

	int size() {
		evictOverCount();
		return this.tasks.size();
	}

	void countReason(UnloadReason reason) {
		this.byReason.incrementAndGet(reason.ordinal());
	}

	void countRejected() {
		this.rejected.incrementAndGet();
	}

	Map<TaskState, Long> totalsByState() {
		Map<TaskState, Long> totals = new EnumMap<>(TaskState.class);
		for (TaskState state : TaskState.values()) {
			if (state.isTerminal()) {
				totals.put(state, this.byState.get(state.ordinal()));
			}
		}
		return totals;
	}

	Map<UnloadReason, Long> totalsByReason() {
		Map<UnloadReason, Long> totals = new EnumMap<>(UnloadReason.class);
		for (UnloadReason reason : UnloadReason.values()) {
			totals.put(reason, this.byReason.get(reason.ordinal()));
		}
		return totals;
	}

	long rejected() {
		return this.rejected.get();
	}

}
