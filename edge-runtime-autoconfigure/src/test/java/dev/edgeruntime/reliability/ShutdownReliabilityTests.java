package dev.edgeruntime.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumers;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Graceful shutdown under load for durable work: the context closes while every handler of a consumer is
 * busy. Messages whose handler finished are deleted; those still running are handed back, visible again at
 * once with their read taken back (a graceful stop is no attempt); those never read stay as they were.
 * In-process tasks at shutdown (500 in flight, each completing or reported by id) are covered by
 * {@code dev.edgeruntime.autoconfigure.ShutdownTests}.
 *
 * @author edge-runtime developers
 */
class ShutdownReliabilityTests {

	private static final int MESSAGES = 400;

	private static final int CONCURRENCY = 50;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final String queue = TestDatabase.uniqueName("rel_shutdown_");

	@Test
	void closeWhenEveryHandlerIsBusyShouldDeleteFinishedMessagesAndHandBackUnfinishedOnes() {
		Outcomes outcomes = new Outcomes();
		try (HikariDataSource dataSource = TestDatabase.get().newDataSource(2)) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			PgmqTemplate pgmq = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1 << 20, Duration.ofHours(1), null);
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
			pgmq.createQueue(this.queue);
			try {
				List<Object> payloads = new ArrayList<>();
				for (int i = 0; i < MESSAGES; i++) {
					payloads.add(Map.of("n", i));
				}
				Set<Long> sent = new HashSet<>(pgmq.sendBatch(this.queue, payloads));
				new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
							JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
							EdgeRuntimeQueueAutoConfiguration.class))
					.withPropertyValues(TestDatabase.get().springProperties())
					.withPropertyValues("test.queue=" + this.queue,
							"edge-runtime.queue.consumer.concurrency=" + CONCURRENCY,
							"edge-runtime.queue.consumer.batch-size=" + CONCURRENCY,
							"edge-runtime.queue.consumer.visibility-timeout=60s",
							"edge-runtime.queue.consumer.polling-interval=200ms",
							"edge-runtime.queue.consumer.shutdown-max-wait=500ms",
							"edge-runtime.shutdown.grace-period=500ms", "spring.datasource.hikari.maximum-pool-size=20")
					.withBean(Outcomes.class, () -> outcomes)
					.run((context) -> {
						QueueConsumers consumers = context.getBean(QueueConsumers.class);
						// every fourth message never finishes: in time all handlers hold one
						await().atMost(WAIT)
							.until(() -> outcomes.stuck.size() == CONCURRENCY
									&& consumers.status().get(0).inFlight() == CONCURRENCY);
						context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
					});
				Map<Long, Row> rows = new ConcurrentHashMap<>();
				jdbc.query("SELECT msg_id, read_ct, vt <= clock_timestamp() FROM pgmq.q_" + this.queue,
						(rs) -> {
							rows.put(rs.getLong(1), new Row(rs.getInt(2), rs.getBoolean(3)));
						});
				Set<Long> finished = outcomes.finished.keySet();
				Set<Long> stuck = outcomes.stuck.keySet();
				System.out.printf("Reliability/shutdown: %d messages, closed with %d handlers busy: %d finished and "
						+ "deleted, %d handed back, %d left in the queue in all%n", MESSAGES, CONCURRENCY,
						finished.size(), stuck.size(), rows.size());
				assertThat(finished).as("finished messages are deleted").doesNotContainAnyElementsOf(rows.keySet());
				assertThat(rows.keySet()).as("unfinished messages are still queued").containsAll(stuck);
				assertThat(stuck).allSatisfy((id) -> {
					// the graceful stop takes the read back: no attempt was made
					assertThat(rows.get(id).readCount()).as("read count of %d", id).isZero();
					assertThat(rows.get(id).visible()).as("%d visible again at once", id).isTrue();
				});
				assertThat(rows.values()).allSatisfy((row) -> assertThat(row.visible()).isTrue());
				Set<Long> all = new HashSet<>(finished);
				all.addAll(rows.keySet());
				assertThat(all).as("nothing lost").isEqualTo(sent);
				assertThat(finished.size() + rows.size()).isEqualTo(MESSAGES);
				assertThat(outcomes.interrupted).as("stuck handlers interrupted").hasSize(CONCURRENCY);
				List<QueueMessage<JsonNode>> again = pgmq.readJson(this.queue, Duration.ofSeconds(30), MESSAGES, null);
				assertThat(again).extracting(QueueMessage::id).containsAll(stuck).hasSize(rows.size());
			}
			finally {
				pgmq.dropQueue(this.queue);
			}
		}
	}

	record Row(int readCount, boolean visible) {
	}

	static class Outcomes {

		final Map<Long, Boolean> finished = new ConcurrentHashMap<>();

		final Map<Long, Boolean> stuck = new ConcurrentHashMap<>();

		final Set<Long> interrupted = ConcurrentHashMap.newKeySet();

		private final CountDownLatch never = new CountDownLatch(1);

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			if (message.payload().get("n").asInt() % 4 != 0) {
				this.finished.put(message.id(), true);
				return;
			}
			this.stuck.put(message.id(), true);
			try {
				this.never.await();
			}
			catch (InterruptedException ex) {
				this.interrupted.add(message.id());
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted at shutdown", ex);
			}
		}

	}

}
