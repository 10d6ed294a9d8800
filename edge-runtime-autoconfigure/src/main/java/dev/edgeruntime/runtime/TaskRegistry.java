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
import java.util.concurrent.atomic.LongAdder;

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

	private final Map<TaskState, LongAdder> byState = new EnumMap<>(TaskState.class);

	private final Map<UnloadReason, LongAdder> byReason = new EnumMap<>(UnloadReason.class);

	private final LongAdder rejected = new LongAdder();

	TaskRegistry(int maxRetained, Duration maxAge) {
		this.maxRetained = maxRetained;
		this.maxAgeNanos = saturatedNanos(maxAge);
		for (TaskState state : TaskState.values()) {
			this.byState.put(state, new LongAdder());
		}
		for (UnloadReason reason : UnloadReason.values()) {
			this.byReason.put(reason, new LongAdder());
		}
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
		this.byState.get(state).increment();
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

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE; // longer than 292 years: never expires
		}
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
		this.byReason.get(reason).increment();
	}

	void countRejected() {
		this.rejected.increment();
	}

	Map<TaskState, Long> totalsByState() {
		Map<TaskState, Long> totals = new EnumMap<>(TaskState.class);
		this.byState.forEach((state, count) -> {
			if (state.isTerminal()) {
				totals.put(state, count.sum());
			}
		});
		return totals;
	}

	Map<UnloadReason, Long> totalsByReason() {
		Map<UnloadReason, Long> totals = new EnumMap<>(UnloadReason.class);
		this.byReason.forEach((reason, count) -> totals.put(reason, count.sum()));
		return totals;
	}

	long rejected() {
		return this.rejected.sum();
	}

}
