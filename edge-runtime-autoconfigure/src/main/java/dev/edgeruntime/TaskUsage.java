package dev.edgeruntime;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How much of its budgets a task has used so far.
 *
 * @param wallClock time since the task started
 * @param cpuTime CPU time of the task's thread since it started, or {@code null} when not measured
 * @param allocatedBytes bytes allocated by the task's thread since it started, or {@code null} when not
 * measured
 * @author edge-runtime developers
 */
public record TaskUsage(Duration wallClock, @Nullable Duration cpuTime, @Nullable Long allocatedBytes) {

}
