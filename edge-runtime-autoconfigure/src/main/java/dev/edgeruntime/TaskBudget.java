package dev.edgeruntime;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * The budgets a task runs under, once defaults and per-call options are combined.
 *
 * @param wallClock the wall-clock budget, including any extension granted so far
 * @param cpuTime the CPU-time budget, or {@code null} when unlimited
 * @param memory the allocation budget, or {@code null} when unlimited
 * @author edge-runtime developers
 */
public record TaskBudget(Duration wallClock, @Nullable Duration cpuTime, @Nullable DataSize memory) {

	/**
	 * Whether the task must run on a platform thread, because the JVM measures CPU time and allocation
	 * only there.
	 * @return {@code true} if a CPU or memory budget is set
	 */
	public boolean needsPlatformThread() {
		return this.cpuTime != null || this.memory != null;
	}

}
