package dev.edgeruntime.queue;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Consumer settings that {@link QueueListener} attributes left at their defaults take, from
 * {@code edge-runtime.queue.consumer.*}.
 *
 * @param concurrency most messages handled at once per listener
 * @param batchSize most messages read in one query
 * @param prefetch most messages read ahead of free handlers, leased and waiting for one, or {@code null} for
 * the smaller of a listener's concurrency and batch size
 * @param visibilityTimeout how long a read message stays hidden
 * @param heartbeatInterval how often a running handler's lease is extended, or {@code null} for a third of
 * the visibility timeout
 * @param maxAttempts deliveries before a failing message is dead-lettered
 * @param backoff delay before the first retry
 * @param backoffMultiplier factor applied to the delay for each further retry
 * @param maxBackoff longest delay between retries
 * @param jitter fraction of the delay taken off at random, so that retries spread out
 * @param archiveOnSuccess whether handled messages are archived rather than deleted
 * @param pollingInterval how often an idle consumer reads when no notification wakes it
 * @param maxErrorBackoff longest wait between reads while the database fails
 * @param shutdownMaxWait how long running handlers may take to finish at shutdown
 * @author edge-runtime developers
 */
public record QueueConsumerDefaults(int concurrency, int batchSize, @Nullable Integer prefetch,
		Duration visibilityTimeout,
		@Nullable Duration heartbeatInterval, int maxAttempts, Duration backoff, double backoffMultiplier,
		Duration maxBackoff, double jitter, boolean archiveOnSuccess, Duration pollingInterval,
		Duration maxErrorBackoff, Duration shutdownMaxWait) {

	public QueueConsumerDefaults {
		Assert.isTrue(concurrency > 0, "edge-runtime.queue.consumer.concurrency must be positive");
		Assert.isTrue(batchSize > 0, "edge-runtime.queue.consumer.batch-size must be positive");
		Assert.isTrue(prefetch == null || prefetch >= 0, "edge-runtime.queue.consumer.prefetch must not be negative");
		Assert.isTrue(maxAttempts > 0, "edge-runtime.queue.consumer.max-attempts must be positive");
		Assert.isTrue(backoffMultiplier >= 1, "edge-runtime.queue.consumer.backoff.multiplier must be at least 1");
		Assert.isTrue(jitter >= 0 && jitter <= 1, "edge-runtime.queue.consumer.backoff.jitter must be between 0 and 1");
		Assert.isTrue(!visibilityTimeout.isNegative() && !visibilityTimeout.isZero(),
				"edge-runtime.queue.consumer.visibility-timeout must be positive");
		Assert.isTrue(!pollingInterval.isNegative() && !pollingInterval.isZero(), "edge-runtime.queue.consumer.polling-interval must be positive");
		requireAtMostMax(visibilityTimeout, "visibility-timeout");
		if (heartbeatInterval != null) {
			requireAtMostMax(heartbeatInterval, "heartbeat-interval");
		}
		requireAtMostMax(backoff, "backoff.initial");
		requireAtMostMax(maxBackoff, "backoff.max");
		requireAtMostMax(pollingInterval, "polling-interval");
		requireAtMostMax(maxErrorBackoff, "max-error-backoff");
		requireAtMostMax(shutdownMaxWait, "shutdown-max-wait");
	}

	private static void requireAtMostMax(Duration duration, String property) {
		Assert.isTrue(duration.compareTo(PgmqTemplate.MAX_DURATION) <= 0, () -> "edge-runtime.queue.consumer."
				+ property + " must be at most " + PgmqTemplate.MAX_DURATION_TEXT);
	}

	/**
	 * The defaults of {@code edge-runtime.queue.consumer.*}.
	 * @return the defaults
	 */
	public static QueueConsumerDefaults standard() {
		return new QueueConsumerDefaults(1, 10, null, Duration.ofSeconds(30), null, 5, Duration.ofSeconds(1), 2.0,
				Duration.ofMinutes(10), 0.2, false, Duration.ofSeconds(5), Duration.ofSeconds(30),
				Duration.ofSeconds(30));
	}

}
