package dev.edgeruntime.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueConsumers;
import dev.edgeruntime.queue.QueueHealthIndicator;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.testsupport.TcpProxy;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Database loss: the consumers' connections go through a {@link TcpProxy} that the test cuts for 10
 * seconds while they run (the shared test database itself keeps running, and other messages are sent to it
 * directly meanwhile). The consumers report the loss, back off, recover once the proxy is back, and every
 * message sent before, during and after is processed; the duplicates (handlers that finished while their
 * delete could not reach the database) are counted, printed and bounded by the consumers' concurrency.
 *
 * @author edge-runtime developers
 */
class DatabaseLossReliabilityTests {

	private static final int PER_PHASE = 300;

	private static final int CONCURRENCY = 4;

	// The default for concurrency 4 and batch size 10, said here because it is part of the bound.
	private static final int PREFETCH = 4;

	private static final Duration OUTAGE = Duration.ofSeconds(10);

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final String queue = TestDatabase.uniqueName("rel_dbloss_");

	@Test
	void databaseWhenUnreachableForTenSecondsShouldBeWaitedForAndNoMessageLost() throws Exception {
		TestDatabase database = TestDatabase.get();
		// the sender and the checks reach the database directly, not through the proxy
		JdbcTemplate jdbc = new JdbcTemplate(database.dataSource());
		PgmqTemplate direct = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1 << 20, Duration.ofHours(1), null);
		assertThat(new PgmqSchemaInitializer(database.dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		direct.createQueue(this.queue);
		Map<Long, AtomicInteger> deliveries = new ConcurrentHashMap<>();
		try (TcpProxy proxy = database.proxy()) {
			proxy.start();
			List<String> properties = new ArrayList<>(List.of(
					"spring.datasource.hikari.connection-timeout=1000", "spring.datasource.hikari.maximum-pool-size=8",
					"test.queue=" + this.queue, "edge-runtime.queue.consumer.concurrency=" + CONCURRENCY,
					"edge-runtime.queue.consumer.prefetch=" + PREFETCH,
					"edge-runtime.queue.consumer.batch-size=10", "edge-runtime.queue.consumer.polling-interval=200ms",
					"edge-runtime.queue.consumer.visibility-timeout=5s",
					"edge-runtime.queue.consumer.max-error-backoff=1s"));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
						EdgeRuntimeQueueAutoConfiguration.class))
				.withPropertyValues(database.springPropertiesThrough(proxy))
				.withPropertyValues(properties.toArray(String[]::new))
				.withBean(CountingListener.class, () -> new CountingListener(deliveries))
				.run((context) -> {
					QueueConsumers consumers = context.getBean(QueueConsumers.class);
					QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
					Set<Long> sent = new HashSet<>();
					sent.addAll(direct.sendBatch(this.queue, payloads("before")));
					await().atMost(WAIT).until(() -> deliveries.size() >= PER_PHASE / 3);

					proxy.stop();
					sent.addAll(direct.sendBatch(this.queue, payloads("during")));
					await().atMost(WAIT).until(() -> noneHealthy(consumers));
					// the outage: the consumers stay down, and say so, for the whole 10 seconds
					await().during(OUTAGE)
						.atMost(OUTAGE.plusSeconds(20))
						.until(() -> noneHealthy(consumers) && health.health(true).getStatus().equals(Status.DOWN));
					String lastError = consumers.status().get(0).lastError();
					int processedDuringOutage = deliveries.size();

					proxy.start();
					long restored = System.nanoTime();
					await().atMost(WAIT)
						.pollInterval(Duration.ofMillis(50))
						.until(() -> consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
					Duration healthyAfter = Duration.ofNanos(System.nanoTime() - restored);
					sent.addAll(direct.sendBatch(this.queue, payloads("after")));
					await().atMost(WAIT)
						.pollInterval(Duration.ofMillis(50))
						.until(() -> deliveries.keySet().containsAll(sent) && direct.statistics(this.queue).length() == 0);
					Duration drainedAfter = Duration.ofNanos(System.nanoTime() - restored);
					assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);

					int total = deliveries.values().stream().mapToInt(AtomicInteger::get).sum();
					int duplicates = total - sent.size();
					System.out.printf("Reliability/database loss: %d messages (before, during, after a %d s outage), "
							+ "%d processed by the end of the outage; consumers reported '%s'; healthy again %d ms "
							+ "after the database came back, every message processed %d ms after it; %d duplicate(s) "
							+ "(bound: concurrency %d + prefetch %d)%n", sent.size(), OUTAGE.toSeconds(),
							processedDuringOutage, lastError, healthyAfter.toMillis(), drainedAfter.toMillis(), duplicates,
							CONCURRENCY, PREFETCH);
					assertThat(sent).hasSize(3 * PER_PHASE);
					assertThat(deliveries.keySet()).isEqualTo(sent);
					assertThat(lastError).isNotNull();
					// Every message leased when the connection was cut may run and fail to be deleted: those
					// running and those prefetched, which start once a handler is free.
					assertThat(duplicates).as("duplicates").isBetween(0, CONCURRENCY + PREFETCH);
				});
		}
		finally {
			direct.dropQueue(this.queue);
		}
	}

	private static boolean noneHealthy(QueueConsumers consumers) {
		List<QueueConsumerStatus> status = consumers.status();
		return !status.isEmpty() && status.stream().noneMatch(QueueConsumerStatus::healthy);
	}

	private static List<Object> payloads(String phase) {
		List<Object> payloads = new ArrayList<>();
		for (int i = 0; i < PER_PHASE; i++) {
			payloads.add(Map.of("phase", phase, "n", i));
		}
		return payloads;
	}

	static class CountingListener {

		private final Map<Long, AtomicInteger> deliveries;

		CountingListener(Map<Long, AtomicInteger> deliveries) {
			this.deliveries = deliveries;
		}

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			this.deliveries.computeIfAbsent(message.id(), (id) -> new AtomicInteger()).incrementAndGet();
		}

	}

}
