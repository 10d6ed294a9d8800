package dev.edgeruntime.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.reliability.ReliabilityWorkerMain.RecordingListener;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash: 2,000 durable messages, the consuming JVM killed with SIGKILL in the middle of the run, then a
 * restarted consumer. Every message is processed at least once; the duplicates are counted, printed and
 * bounded by what the killed JVM had in flight (its concurrency: the reader leases no more messages than it
 * has free handlers).
 *
 * @author edge-runtime developers
 */
class CrashReliabilityTests {

	private static final int MESSAGES = 2000;

	private static final int CONCURRENCY = 4;

	private static final int BATCH_SIZE = 4;

	private static final Duration WAIT = Duration.ofSeconds(90);

	private final String queue = TestDatabase.uniqueName("rel_crash_");

	private final String processedTable = "processed_" + this.queue;

	@Test
	void consumerWhenKilledMidRunShouldLoseNoMessageAfterRestartAndDuplicateAtMostWhatWasInFlight()
			throws Exception {
		try (HikariDataSource dataSource = TestDatabase.get().newDataSource(4)) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			PgmqTemplate pgmq = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1 << 20, Duration.ofHours(1), null);
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
			pgmq.createQueue(this.queue);
			jdbc.execute("CREATE TABLE " + this.processedTable + " (msg_id bigint NOT NULL, consumer text NOT NULL)");
			try {
				List<Object> payloads = new ArrayList<>();
				for (int i = 0; i < MESSAGES; i++) {
					payloads.add(Map.of("n", i));
				}
				Set<Long> sent = new HashSet<>(pgmq.sendBatch(this.queue, payloads));
				assertThat(sent).hasSize(MESSAGES);
				Process worker = startWorker();
				long processedAtKill;
				try {
					await().atMost(WAIT)
						.pollInterval(Duration.ofMillis(20))
						.until(() -> !worker.isAlive() || count(jdbc, "count(*)") >= MESSAGES / 4);
					assertThat(worker.isAlive()).as("worker JVM is running").isTrue();
				}
				finally {
					worker.destroyForcibly(); // SIGKILL
					worker.waitFor();
				}
				processedAtKill = count(jdbc, "count(*)");
				assertThat(processedAtKill).as("processed when the worker was killed").isBetween(1L, MESSAGES - 1L);
				long queuedAtKill = pgmq.statistics(this.queue).length();
				assertThat(queuedAtKill).as("messages left in the queue at the kill").isPositive();

				new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
							JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
							EdgeRuntimeQueueAutoConfiguration.class))
					.withPropertyValues(TestDatabase.get().springProperties())
					.withPropertyValues("test.queue=" + this.queue,
							"edge-runtime.queue.consumer.concurrency=" + CONCURRENCY,
							"edge-runtime.queue.consumer.batch-size=" + BATCH_SIZE,
							"edge-runtime.queue.consumer.polling-interval=200ms")
					.withBean(RecordingListener.class,
							() -> new RecordingListener(jdbc, this.processedTable, "restarted"))
					.run((context) -> await().atMost(WAIT)
						.until(() -> count(jdbc, "count(DISTINCT msg_id)") == MESSAGES
								&& pgmq.statistics(this.queue).length() == 0));

				Set<Long> processed = new HashSet<>(
						jdbc.queryForList("SELECT DISTINCT msg_id FROM " + this.processedTable, Long.class));
				assertThat(processed).isEqualTo(sent);
				long deliveries = count(jdbc, "count(*)");
				long duplicates = deliveries - MESSAGES;
				List<Long> duplicated = jdbc.queryForList("SELECT msg_id FROM " + this.processedTable
						+ " GROUP BY msg_id HAVING count(*) > 1 ORDER BY msg_id", Long.class);
				System.out.printf("Reliability/crash: %d messages, worker killed (SIGKILL) after %d processed with %d "
						+ "still queued; after the restart all %d processed, %d deliveries, %d duplicate(s) %s "
						+ "(bound: concurrency %d)%n", MESSAGES, processedAtKill, queuedAtKill, MESSAGES, deliveries,
						duplicates, duplicated, CONCURRENCY);
				assertThat(duplicates).as("duplicates").isBetween(0L, (long) CONCURRENCY);
				assertThat(jdbc.queryForList("SELECT msg_id FROM " + this.processedTable
						+ " GROUP BY msg_id HAVING count(*) > 2", Long.class)).as("processed more than twice").isEmpty();
			}
			finally {
				jdbc.execute("DROP TABLE IF EXISTS " + this.processedTable);
				pgmq.dropQueue(this.queue);
			}
		}
	}

	private long count(JdbcTemplate jdbc, String aggregate) {
		Long count = jdbc.queryForObject("SELECT " + aggregate + " FROM " + this.processedTable, Long.class);
		return (count != null) ? count : 0;
	}

	private Process startWorker() throws Exception {
		TestDatabase database = TestDatabase.get();
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
				"-cp", System.getProperty("java.class.path"), ReliabilityWorkerMain.class.getName()));
		// the test classpath's application.properties leaves the pool out for the web tests; the worker needs it
		command.add("--spring.autoconfigure.exclude=");
		command.add("--spring.datasource.url=" + database.jdbcUrl());
		if (database.username() != null) {
			command.add("--spring.datasource.username=" + database.username());
		}
		if (database.password() != null) {
			command.add("--spring.datasource.password=" + database.password());
		}
		command.addAll(List.of("--test.queue=" + this.queue, "--test.processed-table=" + this.processedTable,
				"--edge-runtime.queue.consumer.concurrency=" + CONCURRENCY,
				"--edge-runtime.queue.consumer.batch-size=" + BATCH_SIZE,
				"--edge-runtime.queue.consumer.visibility-timeout=2s",
				"--edge-runtime.queue.consumer.polling-interval=100ms"));
		Path log = Files.createDirectories(Path.of("target")).resolve("reliability-worker-" + this.queue + ".log");
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

}
