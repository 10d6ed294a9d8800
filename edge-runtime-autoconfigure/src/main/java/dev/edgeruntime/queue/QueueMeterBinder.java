package dev.edgeruntime.queue;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of the durable tier, per queue (tag {@code queue}): {@code edge.runtime.queue.depth},
 * {@code edge.runtime.queue.visible}, {@code edge.runtime.queue.oldest.age} (seconds),
 * {@code edge.runtime.queue.oldest.visible.age} (seconds the oldest readable message has waited: the consumers'
 * lag), {@code edge.runtime.queue.dead.lettered} (messages in the archive marked dead-lettered) as gauges, and
 * {@code edge.runtime.queue.messages} (tag {@code outcome}: {@code succeeded}, {@code retried},
 * {@code dead_lettered}) as a counter of this instance's outcomes.
 *
 * @author edge-runtime developers
 */
public final class QueueMeterBinder implements MeterBinder, QueueConsumerObserver {

	private final QueueMetrics metrics;

	private final Set<String> bound = ConcurrentHashMap.newKeySet();

	private volatile @Nullable Binding binding;

	/**
	 * Creates a new instance.
	 * @param metrics the figures
	 */
	public QueueMeterBinder(QueueMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Binding binding = new Binding(registry);
		this.binding = binding;
		Set<String> names = new LinkedHashSet<>(this.bound);
		try {
			this.metrics.queues().forEach((statistics) -> names.add(statistics.queue()));
		}
		catch (RuntimeException ex) {
			// Database unavailable at start: queues get their gauges when their consumers start.
		}
		names.forEach(binding::register);
	}

	@Override
	public void consuming(String queue) {
		Binding current = this.binding;
		if (current != null) {
			// a queue that already existed at start has its gauges since bindTo
			current.register(queue);
		}
		else {
			this.bound.add(queue);
		}
	}

	private void register(MeterRegistry registry, String queue) {
		gauge(registry, "edge.runtime.queue.depth", "Messages in the queue, visible or leased", queue,
				QueueStatistics::length);
		gauge(registry, "edge.runtime.queue.visible", "Messages that can be read now", queue,
				QueueStatistics::visibleLength);
		gauge(registry, "edge.runtime.queue.oldest.age", "Age of the oldest message in seconds", queue,
				(s) -> (s.oldestAgeSeconds() != null) ? s.oldestAgeSeconds() : 0);
		gauge(registry, "edge.runtime.queue.oldest.visible.age",
				"Age in seconds of the oldest message that can be read now: how long work has waited for a consumer",
				queue, (s) -> (s.oldestVisibleAgeSeconds() != null) ? s.oldestVisibleAgeSeconds() : 0);
		gauge(registry, "edge.runtime.queue.dead.lettered", "Dead-lettered messages in the archive", queue,
				QueueStatistics::deadLettered);
	}

	private void gauge(MeterRegistry registry, String name, String description, String queue,
			ToDoubleFunction<QueueStatistics> value) {
		Gauge.builder(name, this.metrics, (m) -> {
			try {
				Optional<QueueStatistics> statistics = m.queue(queue);
				return statistics.map(value::applyAsDouble).orElse(Double.NaN);
			}
			catch (RuntimeException ex) {
				return Double.NaN;
			}
		}).description(description).tag("queue", queue).register(registry);
	}

	@Override
	public void succeeded(String queue) {
		count(queue, "succeeded");
	}

	@Override
	public void retried(String queue) {
		count(queue, "retried");
	}

	@Override
	public void deadLettered(String queue) {
		count(queue, "dead_lettered");
	}

	private void count(String queue, String outcome) {
		Binding current = this.binding;
		if (current != null) {
			Counter.builder("edge.runtime.queue.messages")
				.description("Messages handled by this instance's consumers, by outcome")
				.tag("queue", queue)
				.tag("outcome", outcome)
				.register(current.registry())
				.increment();
		}
	}

	/** The registry bound to, and the queues whose gauges it has, so that none is registered twice. */
	private final class Binding {

		private final MeterRegistry registry;

		private final Set<String> queues = ConcurrentHashMap.newKeySet();

		Binding(MeterRegistry registry) {
			this.registry = registry;
		}

		MeterRegistry registry() {
			return this.registry;
		}

		void register(String queue) {
			if (this.queues.add(queue)) {
				QueueMeterBinder.this.register(this.registry, queue);
			}
		}

	}

}
