package dev.edgeruntime.runtime;

import java.time.Duration;

import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * Checks, at a fixed interval, every running task against its budgets: announces {@code beforeunload}
 * at the configured ratio and stops the task at 100%. It also retires expired finished tasks, watches
 * memory pressure and the storage quota. One thread serves the whole runtime, so the submit path never
 * schedules timers.
 *
 * @author edge-runtime developers
 */
final class BudgetWatchdog {

	private static final Log logger = LogFactory.getLog(BudgetWatchdog.class);

	private static final Duration STORAGE_CHECK_INTERVAL = Duration.ofSeconds(1);

	private final DefaultEdgeRuntime runtime;

	private final TaskRegistry registry;

	private final ThreadMeters meters;

	private final double ratio;

	private final @Nullable MemoryPressureMonitor memory;

	private final Ticker ticker;

	private long lastStorageCheck = TrackedTask.NOT_YET;

	BudgetWatchdog(DefaultEdgeRuntime runtime, TaskRegistry registry, ThreadMeters meters, double ratio,
			Duration interval, @Nullable MemoryPressureMonitor memory) {
		this.runtime = runtime;
		this.registry = registry;
		this.meters = meters;
		this.ratio = ratio;
		this.memory = memory;
		this.ticker = new Ticker("edge-runtime-watchdog", interval, this::tick, logger, "Budget watchdog tick failed");
	}

	void start() {
		this.ticker.start();
	}

	void stop() {
		this.ticker.stop();
	}

	synchronized void tick() {
		long nowNanos = this.runtime.nowNanos();
		boolean checkStorage = this.lastStorageCheck == TrackedTask.NOT_YET
				|| nowNanos - this.lastStorageCheck >= STORAGE_CHECK_INTERVAL.toNanos();
		if (checkStorage) {
			this.lastStorageCheck = nowNanos;
		}
		for (TrackedTask<?> task : this.registry.all()) { // no list of its own: this runs 20 times a second
			if (task.state() == TaskState.RUNNING) {
				try {
					check(task, nowNanos, checkStorage);
				}
				catch (RuntimeException ex) {
					// one task's trouble (its storage vanishing under the walk, say) must not stop the others'
					logger.warn("Budget check of background " + task + " failed: " + ex, ex);
				}
			}
		}
		this.registry.evictExpired(nowNanos);
		if (this.memory != null) {
			this.memory.poll();
		}
	}

	private void check(TrackedTask<?> task, long now, boolean checkStorage) {
		long started = task.startedAt();
		if (started == TrackedTask.NOT_YET) {
			return;
		}
		long wallUsed = now - started;
		if (checkBudget(task, UnloadReason.WALL_CLOCK, wallUsed, Durations.saturatedNanos(task.wallClockBudget()),
				now)) {
			return;
		}
		// the thread is read under the task's lock: only for tasks that have a budget to measure on it
		TrackedTask.Metered metered = task.metered();
		Thread thread = (metered != null) ? task.thread() : null;
		if (metered != null && thread != null) {
			Duration cpuBudget = metered.cpuBudget;
			if (cpuBudget != null && metered.cpuBase >= 0) {
				long cpu = this.meters.cpuTimeNanos(thread);
				if (cpu >= 0 && task.thread() == thread) {
					metered.cpuUsed = cpu - metered.cpuBase;
					if (checkBudget(task, UnloadReason.CPU, metered.cpuUsed, Durations.saturatedNanos(cpuBudget), now)) {
						return;
					}
				}
			}
			DataSize memoryBudget = metered.memoryBudget;
			if (memoryBudget != null && metered.allocationBase >= 0) {
				long bytes = this.meters.allocatedBytes(thread);
				if (bytes >= 0 && task.thread() == thread) {
					metered.allocated = bytes - metered.allocationBase;
					if (checkBudget(task, UnloadReason.MEMORY, metered.allocated, memoryBudget.toBytes(), now)) {
						return;
					}
				}
			}
		}
		if (checkStorage) {
			DefaultTaskStorage storage = task.createdStorage();
			if (storage != null) {
				long used = storage.usedBytes();
				if (used > storage.quota().toBytes()) {
					this.runtime.failStorage(task, new StorageQuotaExceededException("Task storage holds " + used
							+ " bytes, over its quota of "
							+ DataSizes.text(storage.quota().toBytes())
							+ " (edge-runtime.storage.quota)",
							storage.quota().toBytes()));
				}
			}
		}
	}

	/**
	 * Announces or enforces one budget. A budget that is crossed between two checks is still announced
	 * before the task is stopped, so listeners always hear {@code beforeunload} first.
	 * @return {@code true} if the task was stopped
	 */
	private boolean checkBudget(TrackedTask<?> task, UnloadReason reason, long used, long budget, long now) {
		int bit = 1 << reason.ordinal();
		if ((task.warned & bit) == 0 && used >= (long) (budget * this.ratio)) {
			task.warned |= bit;
			this.runtime.announce(task, reason, budget - used);
			if (reason == UnloadReason.WALL_CLOCK) {
				budget = Durations.saturatedNanos(task.wallClockBudget()); // a listener may have granted an extension
			}
		}
		if (used >= budget) {
			this.runtime.exceed(task, reason, now);
			return true;
		}
		return false;
	}

}
