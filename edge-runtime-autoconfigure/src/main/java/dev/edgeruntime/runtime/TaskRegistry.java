package dev.edgeruntime.runtime;

import java.time.Duration;
import java.time.Instant;
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
 *
 * @author edge-runtime developers
 */
final class TaskRegistry {

	private final ConcurrentHashMap<UUID, TrackedTask<?>> tasks = new ConcurrentHashMap<>();

	private final ConcurrentLinkedQueue<TrackedTask<?>> finished = new ConcurrentLinkedQueue<>();

	private final AtomicInteger finishedCount = new AtomicInteger();

	private final int maxRetained;

	private final Duration maxAge;

	private final Map<TaskState, LongAdder> byState = new EnumMap<>(TaskState.class);

	private final Map<UnloadReason, LongAdder> byReason = new EnumMap<>(UnloadReason.class);

	private final LongAdder rejected = new LongAdder();

	TaskRegistry(int maxRetained, Duration maxAge) {
		this.maxRetained = maxRetained;
		this.maxAge = maxAge;
		for (TaskState state : TaskState.values()) {
			this.byState.put(state, new LongAdder());
		}
		for (UnloadReason reason : UnloadReason.values()) {
			this.byReason.put(reason, new LongAdder());
		}
	}

	void add(TrackedTask<?> task) {
		this.tasks.put(task.id(), task);
	}

	@Nullable TrackedTask<?> get(UUID id) {
		return this.tasks.get(id);
	}

	void finished(TrackedTask<?> task, TaskState state) {
		this.byState.get(state).increment();
		if (this.maxRetained <= 0) {
			this.tasks.remove(task.id());
			return;
		}
		this.finished.add(task);
		if (this.finishedCount.incrementAndGet() > this.maxRetained) {
			evictOldest();
		}
	}

	private void evictOldest() {
		TrackedTask<?> oldest = this.finished.poll();
		if (oldest != null) {
			this.finishedCount.decrementAndGet();
			this.tasks.remove(oldest.id());
		}
	}

	void evictExpired(Instant now) {
		Instant cutoff = now.minus(this.maxAge);
		TrackedTask<?> head;
		while ((head = this.finished.peek()) != null) {
			Instant finishedAt = head.finishedAt();
			if (finishedAt == null || !finishedAt.isBefore(cutoff)) {
				return;
			}
			if (this.finished.remove(head)) {
				this.finishedCount.decrementAndGet();
				this.tasks.remove(head.id());
			}
		}
	}

	Collection<TrackedTask<?>> all() {
		return this.tasks.values();
	}

	List<TrackedTask<?>> active() {
		List<TrackedTask<?>> active = new ArrayList<>();
		for (TrackedTask<?> task : this.tasks.values()) {
			if (!task.state().isTerminal()) {
				active.add(task);
			}
		}
		return active;
	}

	List<TrackedTask<?>> newestFirst() {
		List<TrackedTask<?>> all = new ArrayList<>(this.tasks.values());
		all.sort(Comparator.comparing(TrackedTask<?>::submittedAt).reversed());
		return all;
	}

	int size() {
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
