package dev.edgeruntime.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
 * A consumer whose only handler is busy reads nothing: when the database goes away, its heartbeats are what
 * finds out, and the consumer (and the {@code queue} health) is down until they reach it again.
 *
 * @author edge-runtime developers
 */
class BusyConsumerDatabaseLossTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final String queue = TestDatabase.uniqueName("rel_busy_");

	@Test
	void heartbeatsThatCannotReachTheDatabaseShouldMarkABusyConsumerDown() throws Exception {
		TestDatabase database = TestDatabase.get();
		PgmqTemplate direct = new PgmqTemplate(new JdbcTemplate(database.dataSource()), JsonMapper.builder().build(),
				1 << 20, Duration.ofHours(1), null);
		assertThat(new PgmqSchemaInitializer(database.dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		direct.createQueue(this.queue);
		BlockingListener listener = new BlockingListener();
		try (TcpProxy proxy = database.proxy()) {
			proxy.start();
			List<String> properties = new ArrayList<>(List.of(
					"spring.datasource.hikari.connection-timeout=1000", "test.queue=" + this.queue,
					"edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=0",
					"edge-runtime.queue.consumer.polling-interval=200ms",
					"edge-runtime.queue.consumer.visibility-timeout=30s",
					"edge-runtime.queue.consumer.heartbeat-interval=300ms",
					"edge-runtime.queue.notify.enabled=false"));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
						EdgeRuntimeQueueAutoConfiguration.class))
				.withPropertyValues(database.springPropertiesThrough(proxy))
				.withPropertyValues(properties.toArray(String[]::new))
				.withBean(BlockingListener.class, () -> listener)
				.run((context) -> {
					QueueConsumers consumers = context.getBean(QueueConsumers.class);
					QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
					direct.send(this.queue, Map.of("n", 1));
					assertThat(listener.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					await().atMost(WAIT).until(() -> allHealthy(consumers));
					try {
						proxy.stop();
						// its one handler is busy: it does not read, and only its heartbeats meet the outage
						await().atMost(WAIT).until(() -> !consumers.status().isEmpty()
								&& consumers.status().stream().noneMatch(QueueConsumerStatus::healthy));
						assertThat(consumers.status().get(0).lastError()).isNotBlank();
						assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
						proxy.start();
						await().atMost(WAIT).until(() -> allHealthy(consumers));
						assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
					}
					finally {
						listener.release.countDown();
					}
					await().atMost(WAIT).until(() -> direct.statistics(this.queue).length() == 0);
				});
		}
	}

	private static boolean allHealthy(QueueConsumers consumers) {
		List<QueueConsumerStatus> status = consumers.status();
		return !status.isEmpty() && status.stream().allMatch(QueueConsumerStatus::healthy);
	}

	static class BlockingListener {

		final CountDownLatch started = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) throws InterruptedException {
			this.started.countDown();
			this.release.await(60, TimeUnit.SECONDS);
		}

	}

}
