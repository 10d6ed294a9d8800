package dev.edgeruntime;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * Per-call options of a background task: its name and the budgets that override the configured
 * defaults. A {@code null} budget means "use the default from {@code edge-runtime.budget.*}".
 *
 * <pre class="code">
 * runtime.waitUntil(TaskOptions.named("thumbnail").wallClock(Duration.ofSeconds(30)), () -&gt; resize(image));
 * </pre>
 *
 * @param name the task name, shown in logs, metrics and the actuator endpoint
 * @param wallClock the wall-clock budget, or {@code null} for the default
 * @param cpuTime the CPU-time budget, or {@code null} for the default
 * @param memory the allocation budget, or {@code null} for the default
 * @param origin where the task was started, or {@code null} to find it on the submitting thread (for
 * integrations such as WebSocket sessions, whose callbacks run outside the request that opened them)
 * @author edge-runtime developers
 */
public record TaskOptions(@Nullable String name, @Nullable Duration wallClock, @Nullable Duration cpuTime,
		@Nullable DataSize memory, @Nullable TaskOrigin origin) {

	private static final TaskOptions DEFAULTS = new TaskOptions(null, null, null, null, null);

	public TaskOptions {
		Assert.isTrue(wallClock == null || isPositive(wallClock), "Wall-clock budget must be positive");
		Assert.isTrue(cpuTime == null || isPositive(cpuTime), "CPU-time budget must be positive");
		Assert.isTrue(memory == null || memory.toBytes() > 0, "Memory budget must be positive");
	}

	/**
	 * Options whose origin is found on the submitting thread.
	 * @param name the task name, or {@code null}
	 * @param wallClock the wall-clock budget, or {@code null} for the default
	 * @param cpuTime the CPU-time budget, or {@code null} for the default
	 * @param memory the allocation budget, or {@code null} for the default
	 */
	public TaskOptions(@Nullable String name, @Nullable Duration wallClock, @Nullable Duration cpuTime,
			@Nullable DataSize memory) {
		this(name, wallClock, cpuTime, memory, null);
	}

	private static boolean isPositive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

	/**
	 * Options with no name and the default budgets.
	 * @return the default options
	 */
	public static TaskOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * Options for a task with the given name and the default budgets.
	 * @param name the task name
	 * @return the options
	 */
	public static TaskOptions named(String name) {
		Assert.hasText(name, "Name must not be empty");
		return new TaskOptions(name, null, null, null);
	}

	/**
	 * A copy with the given wall-clock budget.
	 * @param wallClock the budget
	 * @return new options
	 */
	public TaskOptions wallClock(Duration wallClock) {
		return new TaskOptions(this.name, wallClock, this.cpuTime, this.memory, this.origin);
	}

	/**
	 * A copy with the given CPU-time budget. Such a task runs on a platform thread.
	 * @param cpuTime the budget
	 * @return new options
	 */
	public TaskOptions cpuTime(Duration cpuTime) {
		return new TaskOptions(this.name, this.wallClock, cpuTime, this.memory, this.origin);
	}

	/**
	 * A copy with the given allocation budget. Such a task runs on a platform thread.
	 * @param memory the budget
	 * @return new options
	 */
	public TaskOptions memory(DataSize memory) {
		return new TaskOptions(this.name, this.wallClock, this.cpuTime, memory, this.origin);
	}

	/**
	 * A copy with the given origin, used instead of the one found on the submitting thread.
	 * @param origin where the task was started
	 * @return new options
	 */
	public TaskOptions origin(TaskOrigin origin) {
		return new TaskOptions(this.name, this.wallClock, this.cpuTime, this.memory, origin);
	}

}
