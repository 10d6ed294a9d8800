package dev.edgeruntime.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.edgeruntime.web.BackgroundTaskAdvisor;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the in-process runtime. Invalid values fail start-up with a message that
 * names the property and the rule it breaks.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("edge-runtime")
public class EdgeRuntimeProperties implements InitializingBean {

	/**
	 * Most background tasks accepted at once; beyond it new tasks are refused (HTTP 503 in a request).
	 */
	private int maxInFlight = 1000;

	private final Budget budget = new Budget();

	private final Shutdown shutdown = new Shutdown();

	private final Storage storage = new Storage();

	private final Retention retention = new Retention();

	private final MemoryPressure memoryPressure = new MemoryPressure();

	private final Tasks tasks = new Tasks();

	public int getMaxInFlight() {
		return this.maxInFlight;
	}

	public void setMaxInFlight(int maxInFlight) {
		this.maxInFlight = maxInFlight;
	}

	public Budget getBudget() {
		return this.budget;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Storage getStorage() {
		return this.storage;
	}

	public Retention getRetention() {
		return this.retention;
	}

	public MemoryPressure getMemoryPressure() {
		return this.memoryPressure;
	}

	public Tasks getTasks() {
		return this.tasks;
	}

	@Override
	public void afterPropertiesSet() {
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime");
		invalid.check(this.maxInFlight >= 1, "max-in-flight", this.maxInFlight, "must be at least 1");
		Budget budget = this.budget;
		// the rules say what to write instead of 0, which people write to mean "none"
		invalid.checkPositive("budget.wall-clock", budget.getWallClock(), ": every task has a wall-clock budget "
				+ "(a long one, 1d say, for tasks not to be stopped by it)");
		invalid.checkPositive("budget.cpu-time", budget.getCpuTime(), " (leave it unset for no CPU-time budget)");
		invalid.check(budget.getMemory() == null || budget.getMemory().toBytes() > 0, "budget.memory",
				budget.getMemory(), "must be greater than 0 (leave it unset for no memory budget)");
		double ratio = budget.getBeforeUnloadRatio();
		invalid.check(ratio > 0 && ratio <= 1, "budget.before-unload-ratio", ratio,
				"must be greater than 0 and at most 1");
		invalid.check(!budget.getMaxExtension().isNegative(), "budget.max-extension", budget.getMaxExtension(),
				"must not be negative");
		Duration checkInterval = budget.getCheckInterval();
		invalid.check(checkInterval == null || (checkInterval.compareTo(Duration.ofMillis(1)) >= 0
				&& checkInterval.compareTo(Duration.ofMinutes(1)) <= 0), "budget.check-interval", checkInterval,
				"must be at least 1ms and at most 1m: the watchdog checks every running task's budgets this often");
		invalid.check(!this.shutdown.getGracePeriod().isNegative(), "shutdown.grace-period",
				this.shutdown.getGracePeriod(), "must not be negative");
		invalid.check(this.storage.getQuota().toBytes() >= 0, "storage.quota", this.storage.getQuota(),
				"must not be negative");
		String unusableRoot = unusable(this.storage.getRoot());
		invalid.check(unusableRoot == null, "storage.root", this.storage.getRoot(),
				"must be a directory the application can write to, or a path where it can create one: " + unusableRoot);
		invalid.check(this.retention.getMaxCount() >= 0, "retention.max-count", this.retention.getMaxCount(),
				"must not be negative");
		invalid.checkPositive("retention.max-age", this.retention.getMaxAge(),
				" (to keep no finished task, set retention.max-count to 0)");
		double threshold = this.memoryPressure.getThreshold();
		invalid.check(threshold > 0 && threshold <= 1, "memory-pressure.threshold", threshold,
				"must be greater than 0 and at most 1: a fraction of the old generation's maximum (to not watch memory "
						+ "pressure, set memory-pressure.enabled to false)");
		invalid.checkPlainPath("tasks.base-path", this.tasks.getBasePath());
		invalid.throwIfAny();
	}

	/**
	 * Why task storage cannot live under a root, read without writing anything: the root, or its nearest
	 * ancestor that exists, is no directory or cannot be written to.
	 * @return the reason, or {@code null} when it looks usable (creating it can still fail at start)
	 */
	private static @Nullable String unusable(Path root) {
		Path existing = root.toAbsolutePath().normalize();
		while (existing != null && !Files.exists(existing)) {
			existing = existing.getParent();
		}
		if (existing == null) {
			return null;
		}
		if (!Files.isDirectory(existing)) {
			return existing + " is a file";
		}
		if (!Files.isWritable(existing)) {
			return existing + " is not writable";
		}
		return null;
	}

	/**
	 * Default budgets of a task; {@code @BackgroundTask} attributes and {@code TaskOptions} override them.
	 */
	public static class Budget {

		/**
		 * Wall-clock budget of a task, from its start (150s is Supabase's free tier; 400s its paid tier).
		 */
		private Duration wallClock = Duration.ofSeconds(150);

		/**
		 * CPU-time budget of a task, measured on its platform thread. Unlimited when not set.
		 */
		private @Nullable Duration cpuTime;

		/**
		 * Allocation budget of a task: bytes allocated by its platform thread. Unlimited when not set.
		 */
		private @Nullable DataSize memory;

		/**
		 * Fraction of a budget at which the task's beforeunload event is published.
		 */
		private double beforeUnloadRatio = 0.9;

		/**
		 * Total wall-clock extension that beforeunload listeners may grant one task.
		 */
		private Duration maxExtension = Duration.ofSeconds(30);

		/**
		 * How often running tasks are checked against their budgets.
		 */
		private Duration checkInterval = Duration.ofMillis(50);

		public Duration getWallClock() {
			return this.wallClock;
		}

		public void setWallClock(Duration wallClock) {
			this.wallClock = wallClock;
		}

		public @Nullable Duration getCpuTime() {
			return this.cpuTime;
		}

		public void setCpuTime(@Nullable Duration cpuTime) {
			this.cpuTime = cpuTime;
		}

		public @Nullable DataSize getMemory() {
			return this.memory;
		}

		public void setMemory(@Nullable DataSize memory) {
			this.memory = memory;
		}

		public double getBeforeUnloadRatio() {
			return this.beforeUnloadRatio;
		}

		public void setBeforeUnloadRatio(double beforeUnloadRatio) {
			this.beforeUnloadRatio = beforeUnloadRatio;
		}

		public Duration getMaxExtension() {
			return this.maxExtension;
		}

		public void setMaxExtension(Duration maxExtension) {
			this.maxExtension = maxExtension;
		}

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

	}

	/**
	 * Shutdown behaviour.
	 */
	public static class Shutdown {

		/**
		 * How long tasks in flight may take to finish at shutdown before they are interrupted. Keep it
		 * at least 1.5s below spring.lifecycle.timeout-per-shutdown-phase (30s by default).
		 */
		private Duration gracePeriod = Duration.ofSeconds(20);

		public Duration getGracePeriod() {
			return this.gracePeriod;
		}

		public void setGracePeriod(Duration gracePeriod) {
			this.gracePeriod = gracePeriod;
		}

	}

	/**
	 * Per-task ephemeral storage.
	 */
	public static class Storage {

		/**
		 * Root directory of task storage; each instance uses its own folder below it.
		 */
		private Path root = Path.of(System.getProperty("java.io.tmpdir"), "edge-runtime");

		/**
		 * Most bytes one task may store.
		 */
		private DataSize quota = DataSize.ofMegabytes(512);

		public Path getRoot() {
			return this.root;
		}

		public void setRoot(Path root) {
			this.root = root;
		}

		public DataSize getQuota() {
			return this.quota;
		}

		public void setQuota(DataSize quota) {
			this.quota = quota;
		}

	}

	/**
	 * How long finished tasks stay readable.
	 */
	public static class Retention {

		/**
		 * Most finished tasks kept; the oldest is forgotten first.
		 */
		private int maxCount = 1000;

		/**
		 * How long a finished task is kept.
		 */
		private Duration maxAge = Duration.ofMinutes(15);

		public int getMaxCount() {
			return this.maxCount;
		}

		public void setMaxCount(int maxCount) {
			this.maxCount = maxCount;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

	}

	/**
	 * Instance memory pressure.
	 */
	public static class MemoryPressure {

		/**
		 * Whether to watch the old generation and refuse new tasks while it is above the threshold.
		 */
		private boolean enabled = true;

		/**
		 * Fraction of the old generation's maximum that, still in use after a collection, means memory
		 * pressure. Under G1 that maximum is the whole heap, part of which G1 keeps for its young generation
		 * and reserve.
		 */
		private double threshold = 0.7;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public double getThreshold() {
			return this.threshold;
		}

		public void setThreshold(double threshold) {
			this.threshold = threshold;
		}

	}

	/**
	 * BackgroundTask methods and the task status resource.
	 */
	public static class Tasks {

		/**
		 * Base path of the task status resource, GET {base-path}/{id}.
		 */
		private String basePath = "/background-tasks";

		/**
		 * Whether to expose the task status resource.
		 */
		private boolean enabled = true;

		/**
		 * Whether to drop the detached tasks of a request whose handler failed (an exception or a 5xx
		 * status) instead of starting them.
		 */
		private boolean dropOnFailure = true;

		/**
		 * Whether to run background tasks on the thread that starts them, for deterministic tests.
		 */
		private boolean inline;

		/**
		 * Order of the advisor of BackgroundTask methods among other advisors; the default is just outside
		 * the transaction advisor.
		 */
		private int advisorOrder = BackgroundTaskAdvisor.DEFAULT_ORDER;

		/**
		 * Whether the 202 Accepted body of a BackgroundTask controller method may be written without the
		 * message converters, for the requests where they were seen to write the same bytes.
		 */
		private boolean acceptedBodyShortcut = true;

		public String getBasePath() {
			return this.basePath;
		}

		public void setBasePath(String basePath) {
			this.basePath = basePath;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isAcceptedBodyShortcut() {
			return this.acceptedBodyShortcut;
		}

		public void setAcceptedBodyShortcut(boolean acceptedBodyShortcut) {
			this.acceptedBodyShortcut = acceptedBodyShortcut;
		}

		public boolean isDropOnFailure() {
			return this.dropOnFailure;
		}

		public void setDropOnFailure(boolean dropOnFailure) {
			this.dropOnFailure = dropOnFailure;
		}

		public boolean isInline() {
			return this.inline;
		}

		public void setInline(boolean inline) {
			this.inline = inline;
		}

		public int getAdvisorOrder() {
			return this.advisorOrder;
		}

		public void setAdvisorOrder(int advisorOrder) {
			this.advisorOrder = advisorOrder;
		}

	}

}
