package dev.edgeruntime.actuate;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} of an {@link EdgeRuntime}: {@code UP} while it runs, {@code OUT_OF_SERVICE} once
 * it has stopped accepting tasks to shut down and while it drains them. Details: {@code active},
 * {@code limit}, {@code accepting}, {@code draining} and {@code memoryPressure}. Memory pressure alone
 * does not change the status: the instance still serves and recovers by itself.
 *
 * @author edge-runtime developers
 */
public class EdgeRuntimeHealthIndicator extends AbstractHealthIndicator {

	private final EdgeRuntime runtime;

	/**
	 * Creates a new instance.
	 * @param runtime the runtime
	 */
	public EdgeRuntimeHealthIndicator(EdgeRuntime runtime) {
		super("edge-runtime health check failed");
		this.runtime = runtime;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		RuntimeStatus status = this.runtime.status();
		boolean shuttingDown = status.draining() || (!status.accepting() && !status.memoryPressure());
		if (shuttingDown) {
			builder.outOfService();
		}
		else {
			builder.up();
		}
		builder.withDetail("active", status.inFlight())
			.withDetail("limit", status.maxInFlight())
			.withDetail("accepting", status.accepting())
			.withDetail("draining", status.draining())
			.withDetail("memoryPressure", status.memoryPressure());
	}

}
