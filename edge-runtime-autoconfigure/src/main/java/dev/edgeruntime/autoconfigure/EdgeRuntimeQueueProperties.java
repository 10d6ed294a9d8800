package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerDefaults;
import dev.edgeruntime.queue.QueueName;
import dev.edgeruntime.runtime.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the durable tier: the pgmq queue, its consumers and wake-up.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("edge-runtime.queue")
public class EdgeRuntimeQueueProperties implements InitializingBean {

	private static final DataSize MAX_PAYLOAD_SIZE = DataSize.ofGigabytes(1);

	/**
	 * Whether the durable queue is enabled when the application has a single DataSource.
	 */
	private boolean enabled = true;

	/**
	 * How the pgmq schema gets into the database: the extension when available, else the bundled schema,
	 * which a database that has it keeps (auto), only the extension, only the bundled schema, or nothing.
	 */
	private PgmqSchemaMode schema = PgmqSchemaMode.AUTO;

	/**
	 * Largest JSON payload (and headers, at least 1MB) a send accepts; a read parses twice that, and
	 * dead-letters a larger message, from another writer of the queue, unread.
	 */
	private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

	/**
	 * How long figures read for metrics and health are reused, and how long a database that could not be
	 * reached is taken to be away.
	 */
	private Duration metricsCacheInterval = Duration.ofSeconds(5);

	/**
	 * How often to VACUUM the tables of the queues this instance consumes (at least 1s), so that reads do not
	 * walk past the rows of handled messages until autovacuum comes. Unset: left to autovacuum.
	 */
	private @Nullable Duration vacuumInterval;

	private final Idempotency idempotency = new Idempotency();

	private final Notify notify = new Notify();

	private final Consumer consumer = new Consumer();

	private final Tasks tasks = new Tasks();

	private final Health health = new Health();

	@Override
	public void afterPropertiesSet() {
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime.queue");
		invalid.check(this.maxPayloadSize.toBytes() > 0, "max-payload-size", this.maxPayloadSize,
				"must be greater than 0");
		// a read parses twice the size, which overflowed past 4EB: every message was then too large to read
		invalid.check(this.maxPayloadSize.toBytes() <= MAX_PAYLOAD_SIZE.toBytes(), "max-payload-size",
				this.maxPayloadSize, "must be at most 1GB: PostgreSQL stores no larger value (and a message, as jsonb, "
						+ "holds less than 256MB)");
		invalid.check(!this.metricsCacheInterval.isNegative(), "metrics-cache-interval", this.metricsCacheInterval,
				"must not be negative");
		invalid.check(this.vacuumInterval == null || this.vacuumInterval.compareTo(Duration.ofSeconds(1)) >= 0,
				"vacuum-interval", this.vacuumInterval,
				"must be at least 1s (unset it to leave queue tables to autovacuum)");
		invalid.checkPositive("idempotency.window", this.idempotency.getWindow());
		invalid.check(!this.notify.getThrottle().isNegative(), "notify.throttle", this.notify.getThrottle(),
				"must not be negative");
		Consumer consumer = this.consumer;
		invalid.check(consumer.getConcurrency() >= 1, "consumer.concurrency", consumer.getConcurrency(),
				"must be at least 1");
		invalid.check(consumer.getBatchSize() >= 1, "consumer.batch-size", consumer.getBatchSize(), "must be at least 1");
		invalid.check(consumer.getPrefetch() == null || consumer.getPrefetch() >= 0, "consumer.prefetch",
				consumer.getPrefetch(), "must be at least 0 when set");
		invalid.checkPositive("consumer.visibility-timeout", consumer.getVisibilityTimeout());
		invalid.checkPositive("consumer.heartbeat-interval", consumer.getHeartbeatInterval());
		Duration heartbeat = consumer.getHeartbeatInterval();
		Duration visibility = consumer.getVisibilityTimeout();
		if (heartbeat != null) {
			invalid.check(heartbeat.toMillis() >= 100 || heartbeat.isNegative() || heartbeat.isZero(),
					"consumer.heartbeat-interval", heartbeat, "must be at least 100ms");
			invalid.check(heartbeat.compareTo(visibility) < 0 || visibility.isNegative() || visibility.isZero(),
					"consumer.heartbeat-interval", heartbeat, "must be shorter than consumer.visibility-timeout ("
							+ Durations.text(visibility)
							+ "), or a running message loses its lease between two heartbeats");
		}
		else {
			invalid.check(visibility.toMillis() >= 300 || visibility.isNegative() || visibility.isZero(),
					"consumer.visibility-timeout",
					visibility, "must be at least 300ms: a running message's lease is extended every third of it, at "
							+ "least 100ms apart (or set edge-runtime.queue.consumer.heartbeat-interval)");
		}
		invalid.check(consumer.getMaxAttempts() >= 1, "consumer.max-attempts", consumer.getMaxAttempts(),
				"must be at least 1");
		invalid.checkPositive("consumer.polling-interval", consumer.getPollingInterval());
		invalid.checkPositive("consumer.max-error-backoff", consumer.getMaxErrorBackoff());
		invalid.check(!consumer.getShutdownMaxWait().isNegative(), "consumer.shutdown-max-wait",
				consumer.getShutdownMaxWait(), "must not be negative");
		Backoff backoff = consumer.getBackoff();
		invalid.check(!backoff.getInitial().isNegative(), "consumer.backoff.initial", backoff.getInitial(),
				"must not be negative");
		invalid.check(backoff.getMultiplier() >= 1, "consumer.backoff.multiplier", backoff.getMultiplier(),
				"must be at least 1");
		invalid.check(!backoff.getMax().isNegative(), "consumer.backoff.max", backoff.getMax(), "must not be negative");
		// every retry's delay is cut to the maximum: below the initial delay, the initial one is never waited
		invalid.check(backoff.getMax().compareTo(backoff.getInitial()) >= 0 || backoff.getMax().isNegative()
				|| backoff.getInitial().isNegative(), "consumer.backoff.max", backoff.getMax(),
				"must be at least consumer.backoff.initial (" + Durations.text(backoff.getInitial()) + "): every "
						+ "retry waits at most consumer.backoff.max, so the first would not wait the initial delay");
		invalid.check(backoff.getJitter() >= 0 && backoff.getJitter() <= 1, "consumer.backoff.jitter",
				backoff.getJitter(), "must be at least 0 and at most 1");
		invalid.check(QueueName.isValid(this.tasks.getQueue()), "tasks.queue", this.tasks.getQueue(),
				"must be a valid queue name: letters, digits and underscores, at most " + QueueName.MAX_LENGTH
						+ " characters");
		invalid.check(this.tasks.getMaxAttempts() >= 1, "tasks.max-attempts", this.tasks.getMaxAttempts(),
				"must be at least 1");
		invalid.check(this.tasks.getConcurrency() == null || this.tasks.getConcurrency() >= 1, "tasks.concurrency",
				this.tasks.getConcurrency(), "must be at least 1 when set");
		invalid.check(this.tasks.getPrefetch() >= 0, "tasks.prefetch", this.tasks.getPrefetch(), "must be at least 0");
		invalid.checkPositive("health.max-lag", this.health.getMaxLag());
		checkAtMostMaxDuration(invalid);
		invalid.throwIfAny();
	}

	/**
	 * Every duration of the durable tier is at most {@link PgmqTemplate#MAX_DURATION}: PostgreSQL adds them to
	 * its clock (leases, retries, the idempotency window, the vacuum's), and a longer one would fail there at
	 * run time, a retry's after its handler failed, the message then dead-lettered for it.
	 */
	private void checkAtMostMaxDuration(InvalidPropertiesException.Collector invalid) {
		Consumer consumer = this.consumer;
		Map<String, @Nullable Duration> durations = new LinkedHashMap<>();
		durations.put("metrics-cache-interval", this.metricsCacheInterval);
		durations.put("vacuum-interval", this.vacuumInterval);
		durations.put("idempotency.window", this.idempotency.getWindow());
		durations.put("notify.throttle", this.notify.getThrottle());
		durations.put("consumer.visibility-timeout", consumer.getVisibilityTimeout());
		durations.put("consumer.heartbeat-interval", consumer.getHeartbeatInterval());
		durations.put("consumer.polling-interval", consumer.getPollingInterval());
		durations.put("consumer.max-error-backoff", consumer.getMaxErrorBackoff());
		durations.put("consumer.shutdown-max-wait", consumer.getShutdownMaxWait());
		durations.put("consumer.backoff.initial", consumer.getBackoff().getInitial());
		durations.put("consumer.backoff.max", consumer.getBackoff().getMax());
		durations.put("health.max-lag", this.health.getMaxLag());
		durations.forEach((property, value) -> invalid.checkAtMost(property, value, PgmqTemplate.MAX_DURATION,
				PgmqTemplate.MAX_DURATION_RULE));
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public PgmqSchemaMode getSchema() {
		return this.schema;
	}

	public void setSchema(PgmqSchemaMode schema) {
		this.schema = schema;
	}

	public DataSize getMaxPayloadSize() {
		return this.maxPayloadSize;
	}

	public void setMaxPayloadSize(DataSize maxPayloadSize) {
		this.maxPayloadSize = maxPayloadSize;
	}

	public Duration getMetricsCacheInterval() {
		return this.metricsCacheInterval;
	}

	public void setMetricsCacheInterval(Duration metricsCacheInterval) {
		this.metricsCacheInterval = metricsCacheInterval;
	}

	public @Nullable Duration getVacuumInterval() {
		return this.vacuumInterval;
	}

	public void setVacuumInterval(@Nullable Duration vacuumInterval) {
		this.vacuumInterval = vacuumInterval;
	}

	public Idempotency getIdempotency() {
		return this.idempotency;
	}

	public Notify getNotify() {
		return this.notify;
	}

	public Consumer getConsumer() {
		return this.consumer;
	}

	public Tasks getTasks() {
		return this.tasks;
	}

	public Health getHealth() {
		return this.health;
	}

	/**
	 * Durable @BackgroundTask methods.
	 */
	public static class Tasks {

		/**
		 * Whether durable @BackgroundTask methods are sent to the queue and consumed by this application.
		 */
		private boolean enabled = true;

		/**
		 * Queue of durable tasks whose annotation names none.
		 */
		private String queue = "edge_runtime_tasks"; // DurableTaskMethods.DEFAULT_QUEUE, written out for the metadata

		/**
		 * Deliveries before a failing durable task is dead-lettered, unless its annotation sets maxAttempts.
		 */
		private int maxAttempts = 5;

		/**
		 * Most durable tasks of one queue run at once on this instance; the consumer default when not set.
		 */
		private @Nullable Integer concurrency;

		/**
		 * Most durable tasks read ahead of free handlers, leased by this instance while they wait. With 0,
		 * a task is read only when a handler is free: a task shown RUNNING is running, every task waiting
		 * in the queue can be cancelled, and instances share the tasks as they free up.
		 */
		private int prefetch = 0;

		/**
		 * Whether a finished durable task's message is archived rather than deleted, so that its status
		 * stays readable.
		 */
		private boolean archiveOnSuccess = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getQueue() {
			return this.queue;
		}

		public void setQueue(String queue) {
			this.queue = queue;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public @Nullable Integer getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(@Nullable Integer concurrency) {
			this.concurrency = concurrency;
		}

		public int getPrefetch() {
			return this.prefetch;
		}

		public void setPrefetch(int prefetch) {
			this.prefetch = prefetch;
		}

		public boolean isArchiveOnSuccess() {
			return this.archiveOnSuccess;
		}

		public void setArchiveOnSuccess(boolean archiveOnSuccess) {
			this.archiveOnSuccess = archiveOnSuccess;
		}

	}

	/**
	 * The queue health indicator.
	 */
	public static class Health {

		/**
		 * Age of the oldest visible message of a queue this instance consumes past which the queue is
		 * reported as lagging and the health is DOWN; no lag check when not set.
		 */
		private @Nullable Duration maxLag;

		public @Nullable Duration getMaxLag() {
			return this.maxLag;
		}

		public void setMaxLag(@Nullable Duration maxLag) {
			this.maxLag = maxLag;
		}

	}

	/**
	 * Idempotency keys of sends.
	 */
	public static class Idempotency {

		/**
		 * How long a send's idempotency key is remembered; a send with a key seen within it is dropped.
		 */
		private Duration window = Duration.ofHours(24);

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

	}

	/**
	 * Wake-up of consumers by LISTEN/NOTIFY.
	 */
	public static class Notify {

		/**
		 * Whether sends notify consumers and consumers listen, so an idle consumer reads at once.
		 */
		private boolean enabled = true;

		/**
		 * Shortest interval between two notifications for one queue from one instance.
		 */
		private Duration throttle = Duration.ofMillis(50);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getThrottle() {
			return this.throttle;
		}

		public void setThrottle(Duration throttle) {
			this.throttle = throttle;
		}

	}

	/**
	 * Defaults of @QueueListener consumers.
	 */
	public static class Consumer {

		/**
		 * Most messages one listener handles at once on this instance.
		 */
		private int concurrency = 1;

		/**
		 * Most messages read in one query.
		 */
		private int batchSize = 10;

		/**
		 * Most messages read ahead of free handlers, leased by this instance while they wait for one; the
		 * smaller of the listener's concurrency and batch size when not set, 0 to lease no more messages
		 * than there are free handlers.
		 */
		private @Nullable Integer prefetch;

		/**
		 * How long a read message stays hidden from other consumers.
		 */
		private Duration visibilityTimeout = Duration.ofSeconds(30);

		/**
		 * How often a running handler's lease is extended; a third of the visibility timeout when not set.
		 */
		private @Nullable Duration heartbeatInterval;

		/**
		 * Deliveries before a failing message is dead-lettered.
		 */
		private int maxAttempts = 5;

		/**
		 * How often an idle consumer reads when no notification wakes it.
		 */
		private Duration pollingInterval = Duration.ofSeconds(5);

		/**
		 * Longest wait between reads while the database fails.
		 */
		private Duration maxErrorBackoff = Duration.ofSeconds(30);

		/**
		 * Whether handled messages are archived rather than deleted.
		 */
		private boolean archiveOnSuccess;

		/**
		 * How long running handlers may take to finish at shutdown before their messages are handed back.
		 */
		private Duration shutdownMaxWait = Duration.ofSeconds(20);

		private final Backoff backoff = new Backoff();

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public @Nullable Integer getPrefetch() {
			return this.prefetch;
		}

		public void setPrefetch(@Nullable Integer prefetch) {
			this.prefetch = prefetch;
		}

		public Duration getVisibilityTimeout() {
			return this.visibilityTimeout;
		}

		public void setVisibilityTimeout(Duration visibilityTimeout) {
			this.visibilityTimeout = visibilityTimeout;
		}

		public @Nullable Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(@Nullable Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getPollingInterval() {
			return this.pollingInterval;
		}

		public void setPollingInterval(Duration pollingInterval) {
			this.pollingInterval = pollingInterval;
		}

		public Duration getMaxErrorBackoff() {
			return this.maxErrorBackoff;
		}

		public void setMaxErrorBackoff(Duration maxErrorBackoff) {
			this.maxErrorBackoff = maxErrorBackoff;
		}

		public boolean isArchiveOnSuccess() {
			return this.archiveOnSuccess;
		}

		public void setArchiveOnSuccess(boolean archiveOnSuccess) {
			this.archiveOnSuccess = archiveOnSuccess;
		}

		public Duration getShutdownMaxWait() {
			return this.shutdownMaxWait;
		}

		public void setShutdownMaxWait(Duration shutdownMaxWait) {
			this.shutdownMaxWait = shutdownMaxWait;
		}

		public Backoff getBackoff() {
			return this.backoff;
		}

		QueueConsumerDefaults toDefaults() {
			return new QueueConsumerDefaults(this.concurrency, this.batchSize, this.prefetch, this.visibilityTimeout,
					this.heartbeatInterval, this.maxAttempts, this.backoff.getInitial(), this.backoff.getMultiplier(),
					this.backoff.getMax(), this.backoff.getJitter(), this.archiveOnSuccess, this.pollingInterval,
					this.maxErrorBackoff, this.shutdownMaxWait);
		}

	}

	/**
	 * Retry delays of failing messages.
	 */
	public static class Backoff {

		/**
		 * Delay before the first retry.
		 */
		private Duration initial = Duration.ofSeconds(1);

		/**
		 * Factor applied to the delay for each further retry.
		 */
		private double multiplier = 2.0;

		/**
		 * Longest delay between retries.
		 */
		private Duration max = Duration.ofMinutes(10);

		/**
		 * Fraction of each delay taken off at random, so that retries of many messages spread out.
		 */
		private double jitter = 0.2;

		public Duration getInitial() {
			return this.initial;
		}

		public void setInitial(Duration initial) {
			this.initial = initial;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMax() {
			return this.max;
		}

		public void setMax(Duration max) {
			this.max = max;
		}

		public double getJitter() {
			return this.jitter;
		}

		public void setJitter(double jitter) {
			this.jitter = jitter;
		}

	}

}
