package dev.edgeruntime.actuate;

import dev.edgeruntime.EdgeRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the gauges of an {@link EdgeRuntime}: {@value #ACTIVE}, the tasks accepted and not yet finished
 * (scheduled or running), and {@value #LIMIT}, the most tasks accepted at once
 * ({@code edge-runtime.max-in-flight}).
 *
 * @author edge-runtime developers
 */
public final class EdgeRuntimeMeterBinder implements MeterBinder {

	/** Gauge of tasks in flight. */
	public static final String ACTIVE = "edge.runtime.tasks.active";

	/** Gauge of the most tasks in flight at once. */
	public static final String LIMIT = "edge.runtime.tasks.limit";

	private final EdgeRuntime runtime;

	/**
	 * Creates a new instance.
	 * @param runtime the runtime
	 */
	public EdgeRuntimeMeterBinder(EdgeRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(ACTIVE, this.runtime, (runtime) -> runtime.status().inFlight())
			.description("Background tasks accepted and not yet finished")
			.strongReference(true)
			.register(registry);
		Gauge.builder(LIMIT, this.runtime, (runtime) -> runtime.status().maxInFlight())
			.description("Most background tasks accepted at once")
			.strongReference(true)
			.register(registry);
	}

}
