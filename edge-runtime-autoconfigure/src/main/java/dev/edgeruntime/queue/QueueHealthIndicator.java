package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The durable tier's health: {@code DOWN} while the schema is not in place (database unreachable at start)
 * or a consumer cannot read, with each consumer's status as details, and, with a maximum lag, while a
 * queue this instance consumes has a message visible for longer than that ({@code lagging}: the queue and
 * the age in seconds of its oldest visible message), or while that age cannot be read (the database cannot be
 * reached: {@code error} is in the details in place of {@code lagging}, the consumers' are kept). The
 * in-process runtime runs on either way.
 *
 * @author edge-runtime developers
 */
public final class QueueHealthIndicator extends AbstractHealthIndicator {

	private final PgmqSchemaInitializer schema;

	private final QueueMetrics metrics;

	private final @Nullable Duration maxLag;

	/**
	 * Creates a new instance that does not check the consumers' lag.
	 * @param schema tells whether the schema is in place
	 * @param metrics tells what the consumers are doing
	 */
	public QueueHealthIndicator(PgmqSchemaInitializer schema, QueueMetrics metrics) {
		this(schema, metrics, null);
	}

	/**
	 * Creates a new instance.
	 * @param schema tells whether the schema is in place
	 * @param metrics tells what the consumers are doing and how old the queues' messages are
	 * @param maxLag the age of the oldest visible message of a consumed queue past which the health is
	 * {@code DOWN}, or {@code null} for no lag check
	 */
	public QueueHealthIndicator(PgmqSchemaInitializer schema, QueueMetrics metrics, @Nullable Duration maxLag) {
		super("Queue health check failed");
		this.schema = schema;
		this.metrics = metrics;
		this.maxLag = maxLag;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		List<QueueConsumerStatus> consumers = this.metrics.consumers();
		boolean schemaReady = this.schema.installed() != null || this.schema.install();
		boolean consumersHealthy = consumers.stream().allMatch((c) -> !c.running() || c.healthy());
		Map<String, Integer> lagging = Map.of();
		@Nullable RuntimeException lagUnknown = null;
		if (schemaReady && this.maxLag != null) {
			try {
				lagging = lagging(consumers, this.maxLag);
			}
			catch (RuntimeException ex) {
				// the database cannot be read (an outage): DOWN, and the consumers' details still say what they see
				lagUnknown = ex;
			}
		}
		if (schemaReady && consumersHealthy && lagging.isEmpty() && lagUnknown == null) {
			builder.up();
		}
		else {
			builder.down();
		}
		builder.withDetail("schema", (this.schema.installed() != null)
				? this.schema.installed().name().toLowerCase(Locale.ROOT) : "unavailable");
		builder.withDetail("consumers", consumers);
		if (this.maxLag != null) {
			builder.withDetail("maxLag", this.maxLag.toString());
		}
		if (lagUnknown != null) {
			// not lagging {}, which says that no queue lags: the lag is not known
			builder.withException(lagUnknown);
		}
		else if (this.maxLag != null && schemaReady) {
			// with the schema unavailable the lag was never looked at: no lagging, which would say no queue lags
			builder.withDetail("lagging", lagging);
		}
	}

	/** The consumed queues whose oldest visible message is older than the maximum lag, with its age. */
	private Map<String, Integer> lagging(List<QueueConsumerStatus> consumers, Duration maxLag) {
		Map<String, Integer> lagging = new LinkedHashMap<>();
		consumers.stream().filter(QueueConsumerStatus::running).map(QueueConsumerStatus::queue).distinct().forEach((queue) -> {
			Optional<QueueStatistics> statistics = this.metrics.queue(queue);
			Integer age = statistics.map(QueueStatistics::oldestVisibleAgeSeconds).orElse(null);
			if (age != null && age > maxLag.toSeconds()) {
				lagging.put(queue, age);
			}
		});
		return lagging;
	}

}
