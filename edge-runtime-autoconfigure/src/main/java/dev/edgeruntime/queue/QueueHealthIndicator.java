package dev.edgeruntime.queue;

import java.util.List;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The durable tier's health: {@code DOWN} while the schema is not in place (database unreachable at start)
 * or a consumer cannot read, with each consumer's status as details. The in-process runtime runs on either
 * way.
 *
 * @author edge-runtime developers
 */
public final class QueueHealthIndicator extends AbstractHealthIndicator {

	private final PgmqSchemaInitializer schema;

	private final QueueMetrics metrics;

	/**
	 * Creates a new instance.
	 * @param schema tells whether the schema is in place
	 * @param metrics tells what the consumers are doing
	 */
	public QueueHealthIndicator(PgmqSchemaInitializer schema, QueueMetrics metrics) {
		super("Queue health check failed");
		this.schema = schema;
		this.metrics = metrics;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		List<QueueConsumerStatus> consumers = this.metrics.consumers();
		boolean schemaReady = this.schema.installed() != null || this.schema.install();
		boolean consumersHealthy = consumers.stream().allMatch((c) -> !c.running() || c.healthy());
		if (schemaReady && consumersHealthy) {
			builder.up();
		}
		else {
			builder.down();
		}
		builder.withDetail("schema", (this.schema.installed() != null)
				? this.schema.installed().name().toLowerCase() : "unavailable");
		builder.withDetail("consumers", consumers);
	}

}
