package dev.edgeruntime.actuate;

import dev.edgeruntime.EdgeRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the gauges of an {@link EdgeRuntime}: {@value #ACTIVE}, the tasks accepted and not yet finished
 * (scheduled or running), {@value #LIMIT}, the most tasks accepted at once
 * ({@code edge-runtime.max-in-flight}), and two states in which new tasks are refused, 1 while they last and
 * 0 otherwise: {@value #MEMORY_PRESSURE} and {@value #DRAINING}.
 *
 * @author edge-runtime developers
 */
public final class EdgeRuntimeMeterBinder implements MeterBinder {

	/** Gauge of tasks in flight. */
	public static final String ACTIVE = "edge.runtime.tasks.active";

	/** Gauge of the most tasks in flight at once. */
	public static final String LIMIT = "edge.runtime.tasks.limit";

	/** Gauge, 1 while the instance is under memory pressure. */
	public static final String MEMORY_PRESSURE = "edge.runtime.memory.pressure";

	/** Gauge, 1 while the runtime refuses tasks to shut down (or to stop) and drains those in flight. */
	public static final String DRAINING = "edge.runtime.draining";

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
		Gauge.builder(MEMORY_PRESSURE, this.runtime, (runtime) -> runtime.status().memoryPressure() ? 1 : 0)
			.description("Whether the instance is under memory pressure and refuses new background tasks (1) or not")
			.strongReference(true)
			.register(registry);
		Gauge.builder(DRAINING, this.runtime, (runtime) -> runtime.status().draining() ? 1 : 0)
			.description("Whether the runtime refuses new background tasks to shut down and drains those in flight "
					+ "(1) or not")
			.strongReference(true)
			.register(registry);
	}

}
