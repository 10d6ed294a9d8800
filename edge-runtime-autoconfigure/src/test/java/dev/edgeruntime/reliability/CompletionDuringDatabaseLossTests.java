package dev.edgeruntime.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.testsupport.TcpProxy;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Handlers that succeed while the database is unreachable: the deletes of their messages fail, and the
 * consumer writes them once the database is back, rather than letting the messages return after their
 * visibility timeout to be handled a second time.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class CompletionDuringDatabaseLossTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final int MESSAGES = 4;

	private final String queue = TestDatabase.uniqueName("rel_done_");

	@Test
	void messagesHandledWhileTheDatabaseIsUnreachableShouldBeDeletedOnceItIsBack(CapturedOutput output)
			throws Exception {
		TestDatabase database = TestDatabase.get();
		PgmqTemplate direct = new PgmqTemplate(new JdbcTemplate(database.dataSource()), JsonMapper.builder().build(),
				1 << 20, Duration.ofHours(1), null);
		assertThat(new PgmqSchemaInitializer(database.dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		direct.createQueue(this.queue);
		HeldListener listener = new HeldListener();
		try (TcpProxy proxy = database.proxy()) {
			proxy.start();
			List<String> properties = new ArrayList<>(List.of(
					"spring.datasource.hikari.connection-timeout=500", "test.queue=" + this.queue,
					"edge-runtime.queue.consumer.concurrency=" + MESSAGES, "edge-runtime.queue.consumer.prefetch=0",
					"edge-runtime.queue.consumer.polling-interval=200ms",
					// short, so that a message whose delete was lost comes back within the test
					"edge-runtime.queue.consumer.visibility-timeout=2s",
					"edge-runtime.queue.consumer.heartbeat-interval=300ms",
					"edge-runtime.queue.notify.enabled=false"));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
						EdgeRuntimeQueueAutoConfiguration.class))
				.withPropertyValues(database.springPropertiesThrough(proxy))
				.withPropertyValues(properties.toArray(String[]::new))
				.withBean(HeldListener.class, () -> listener)
				.run((context) -> {
					for (int i = 0; i < MESSAGES; i++) {
						direct.send(this.queue, Map.of("n", i));
					}
					await().atMost(WAIT).until(() -> listener.handled.size() == MESSAGES);
					proxy.stop();
					// the handlers succeed while the database is away: their deletes fail
					listener.release.countDown();
					await().atMost(WAIT).until(() -> output.getOut().contains("Could not complete message"));
					// The outage outlasts the leases' visibility timeout: a lease stays the consumer's own as long
					// as no one reads the message again, and during the outage no one can.
					JdbcTemplate jdbc = new JdbcTemplate(database.dataSource());
					await().atMost(WAIT)
						.until(() -> jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue
								+ " WHERE vt <= clock_timestamp()", Long.class) == MESSAGES);
					proxy.start();
					// Without the deletes written once the database is back, the messages are read again and
					// handled a second time, and only then deleted: the queue is empty either way.
					await().atMost(WAIT).until(() -> direct.statistics(this.queue).length() == 0);
					int duplicates = listener.handled.size() - Set.copyOf(listener.handled).size();
					System.out.println("Messages handled more than once after the outage: " + duplicates + " of "
							+ MESSAGES);
					assertThat(duplicates).isZero();
					assertThat(listener.handled).hasSize(MESSAGES);
				});
		}
	}

	static class HeldListener {

		final List<Long> handled = new CopyOnWriteArrayList<>();

		final CountDownLatch release = new CountDownLatch(1);

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) throws InterruptedException {
			this.handled.add(message.id());
			this.release.await(60, TimeUnit.SECONDS);
		}

	}

}
