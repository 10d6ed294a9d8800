package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link QueueHealthIndicator} reporting consumers that lag behind, against the real PostgreSQL.
 *
 * @author edge-runtime developers
 */
class QueueHealthLagTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("lag_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				// No prefetch: the second message waits visible in the queue, not leased in the consumer.
				"edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=0",
				"edge-runtime.queue.metrics-cache-interval=0s",
				"edge-runtime.shutdown.grace-period=200ms", "edge-runtime.queue.consumer.shutdown-max-wait=200ms")
		.withUserConfiguration(BlockingListenerConfiguration.class);

	@Test
	void consumedQueueWithAMessageVisibleLongerThanTheMaximumLagIsDown() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.health.max-lag=1s").run((context) -> {
			QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
			BlockingListener listener = context.getBean(BlockingListener.class);
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			// the only handler is busy with the first message; the second waits, visible, and ages
			pgmq.send(this.queue, Map.of("n", 1));
			pgmq.send(this.queue, Map.of("n", 2));
			await().atMost(WAIT).until(() -> health.health(true).getStatus().equals(Status.DOWN));
			Health down = health.health(true);
			assertThat(down.getDetails()).containsEntry("maxLag", "PT1S");
			assertThat(down.getDetails().get("lagging")).isEqualTo(Map.of(this.queue, ((Map<?, ?>) down.getDetails().get("lagging")).get(this.queue)));
			assertThat((Integer) ((Map<?, ?>) down.getDetails().get("lagging")).get(this.queue)).isGreaterThan(1);
			listener.release.countDown();
			await().atMost(WAIT).untilAsserted(() -> {
				Health current = health.health(true);
				assertThat(current.getStatus()).as(current.toString()).isEqualTo(Status.UP);
			});
			assertThat((Map<?, ?>) health.health(true).getDetails().get("lagging")).isEmpty();
		});
	}

	@Test
	void withoutMaximumLagAWaitingMessageDoesNotMakeItDown() {
		this.contextRunner.run((context) -> {
			QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.send(this.queue, Map.of("n", 1));
			pgmq.send(this.queue, Map.of("n", 2));
			// wait, in the database's clock, until the waiting message is older than a second
			await().atMost(WAIT)
				.until(() -> context.getBean(QueueMetrics.class)
					.queue(this.queue)
					.map(QueueStatistics::oldestVisibleAgeSeconds)
					.filter((age) -> age > 1)
					.isPresent());
			Health up = health.health(true);
			assertThat(up.getStatus()).isEqualTo(Status.UP);
			assertThat(up.getDetails()).doesNotContainKey("lagging");
			context.getBean(BlockingListener.class).release.countDown();
		});
	}

	static class BlockingListener {

		final CountDownLatch release = new CountDownLatch(1);

		@QueueListener(queue = "${test.queue}")
		void handle(Map<String, Object> message) throws InterruptedException {
			this.release.await();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingListenerConfiguration {

		@Bean
		BlockingListener blockingListener() {
			return new BlockingListener();
		}

	}

}
