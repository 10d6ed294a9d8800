package dev.edgeruntime.cron;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Counts runs of recurring jobs as {@code edge.runtime.cron.runs}, tagged with the job and the outcome
 * ({@code succeeded} or {@code failed}), in every registry it is bound to.
 *
 * @author edge-runtime developers
 */
public final class CronRunMeters implements CronRunObserver, MeterBinder {

	/** The counter's name. */
	public static final String RUNS = "edge.runtime.cron.runs";

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
	}

	@Override
	public void finished(String job, String outcome) {
		for (MeterRegistry registry : this.registries) {
			Counter.builder(RUNS)
				.description("Runs of recurring jobs")
				.tag("job", job)
				.tag("outcome", outcome)
				.register(registry)
				.increment();
		}
	}

}
