package dev.edgeruntime.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many instances on one queue, an instance killed mid-batch, and a database that is down at start.
 *
 * @author edge-runtime developers
 */
class QueueCrashTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final String queue = TestDatabase.uniqueName("crash_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.queue.consumer.concurrency=4", "edge-runtime.queue.consumer.batch-size=10")
		.withUserConfiguration(CountingConfiguration.class);

	@Test
	void twoInstancesProcessEachOfAThousandMessagesExactlyOnce() {
		Map<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
		ApplicationContextRunner runner = this.contextRunner.withPropertyValues(TestDatabase.get().springProperties())
			.withBean("counts", Map.class, () -> counts);
		runner.run((first) -> runner.run((second) -> {
			PgmqTemplate pgmq = first.getBean(PgmqTemplate.class);
			List<Object> payloads = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				payloads.add(Map.of("n", i));
			}
			Set<Long> sent = new HashSet<>(pgmq.sendBatch(this.queue, payloads));
			await().atMost(WAIT).until(() -> counts.size() == 1000 && pgmq.statistics(this.queue).length() == 0);
			assertThat(counts.keySet()).isEqualTo(sent);
			assertThat(counts.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
			int firstHandled = first.getBean(CountingListener.class).handled.get();
			int secondHandled = second.getBean(CountingListener.class).handled.get();
			assertThat(firstHandled + secondHandled).isEqualTo(1000);
		}));
	}

	@Test
	void messagesOfAConsumerKilledMidBatchAreAllProcessedAfterwards() throws Exception {
		DataSourceHolder db = new DataSourceHolder();
		JdbcTemplate jdbc = new JdbcTemplate(db.dataSource);
		PgmqTemplate pgmq = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1 << 20, Duration.ofHours(1), null);
		assertThat(new PgmqSchemaInitializer(db.dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
		pgmq.createQueue(this.queue);
		String startedTable = "started_" + this.queue;
		jdbc.execute("CREATE TABLE " + startedTable + " (msg_id bigint)");
		try {
			List<Object> payloads = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				payloads.add(Map.of("n", i));
			}
			Set<Long> sent = new HashSet<>(pgmq.sendBatch(this.queue, payloads));
			Process child = startWorker(startedTable);
			try {
				// The child holds four leases (its concurrency) and never finishes them.
				await().atMost(WAIT).until(() -> !child.isAlive() || count(jdbc, startedTable) >= 4);
				assertThat(child.isAlive()).as("worker JVM is running").isTrue();
			}
			finally {
				child.destroyForcibly(); // SIGKILL
				child.waitFor();
			}
			Set<Long> leasedByChild = new HashSet<>(
					jdbc.queryForList("SELECT msg_id FROM " + startedTable, Long.class));
			assertThat(leasedByChild).hasSize(4);
			Map<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
			this.contextRunner.withPropertyValues(TestDatabase.get().springProperties())
				.withBean("counts", Map.class, () -> counts)
				.run((context) -> {
					await().atMost(WAIT)
						.until(() -> counts.size() == sent.size() && pgmq.statistics(this.queue).length() == 0);
					assertThat(counts.keySet()).isEqualTo(sent);
				});
		}
		finally {
			jdbc.execute("DROP TABLE IF EXISTS " + startedTable);
			db.dataSource.close();
		}
	}

	@Test
	void handlerThatCallsSystemExitHasItsDeliveryCountedThoughTheDrainHandsItBack() throws Exception {
		DataSourceHolder db = new DataSourceHolder();
		JdbcTemplate jdbc = new JdbcTemplate(db.dataSource);
		PgmqTemplate pgmq = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1 << 20, Duration.ofHours(1), null);
		assertThat(new PgmqSchemaInitializer(db.dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
		pgmq.createQueue(this.queue);
		String startedTable = "started_" + this.queue;
		jdbc.execute("CREATE TABLE " + startedTable + " (msg_id bigint)");
		try {
			long id = pgmq.send(this.queue, Map.of("exits", true));
			Process child = startWorker(startedTable, "--test.exit=true",
					"--edge-runtime.queue.consumer.shutdown-max-wait=200ms",
					"--edge-runtime.shutdown.grace-period=200ms");
			try {
				assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("worker JVM exited").isTrue();
			}
			finally {
				child.destroyForcibly();
			}
			assertThat(jdbc.queryForList("SELECT msg_id FROM " + startedTable, Long.class)).containsExactly(id);
			// Handed back by the drain the exit ran, but no graceful stop: like a crash, it counts as an attempt,
			// or a message whose handler exits would take down every instance in turn for ever.
			assertThat(jdbc.queryForObject("SELECT read_ct FROM pgmq.q_" + this.queue, Integer.class)).isEqualTo(1);
		}
		finally {
			jdbc.execute("DROP TABLE IF EXISTS " + startedTable);
			db.dataSource.close();
		}
	}

	@Test
	void databaseDownAtStartDoesNotStopTheApplicationAndConsumersRecover() throws Exception {
		TestDatabase database = TestDatabase.get();
		try (TcpProxy proxy = database.proxy()) {
			String proxied = database.jdbcUrlThrough(proxy);
			List<String> properties = new ArrayList<>(List.of("spring.datasource.url=" + proxied,
					"spring.datasource.hikari.connection-timeout=500", "edge-runtime.queue.consumer.max-error-backoff=500ms"));
			if (database.username() != null) {
				properties.add("spring.datasource.username=" + database.username());
			}
			if (database.password() != null) {
				properties.add("spring.datasource.password=" + database.password());
			}
			Map<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
			this.contextRunner.withPropertyValues(properties.toArray(String[]::new))
				.withBean("counts", Map.class, () -> counts)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
					QueueConsumers consumers = context.getBean(QueueConsumers.class);
					assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
					assertThat(consumers.status()).singleElement()
						.satisfies((status) -> assertThat(status.healthy()).isFalse());
					proxy.start();
					await().atMost(WAIT)
						.until(() -> consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
					long id = context.getBean(PgmqTemplate.class).send(this.queue, Map.of("after", "recovery"));
					await().atMost(WAIT).until(() -> counts.containsKey(id));
					assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
				});
		}
	}

	private static long count(JdbcTemplate jdbc, String table) {
		Long count = jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
		return (count != null) ? count : 0;
	}

	private Process startWorker(String startedTable, String... arguments) throws Exception {
		TestDatabase database = TestDatabase.get();
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
				"-cp", System.getProperty("java.class.path"), QueueWorkerMain.class.getName()));
		// the test classpath's application.properties leaves the pool out for the web tests; the worker needs it
		command.add("--spring.autoconfigure.exclude=");
		command.add("--spring.datasource.url=" + database.jdbcUrl());
		if (database.username() != null) {
			command.add("--spring.datasource.username=" + database.username());
		}
		if (database.password() != null) {
			command.add("--spring.datasource.password=" + database.password());
		}
		command.addAll(List.of("--test.queue=" + this.queue, "--test.started-table=" + startedTable,
				"--edge-runtime.queue.consumer.concurrency=4", "--edge-runtime.queue.consumer.batch-size=4",
				"--edge-runtime.queue.consumer.visibility-timeout=2s",
				"--edge-runtime.queue.consumer.polling-interval=200ms"));
		command.addAll(List.of(arguments));
		Path log = Files.createDirectories(Path.of("target")).resolve("queue-worker-" + this.queue + ".log");
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

	static class DataSourceHolder {

		final HikariDataSource dataSource = TestDatabase.get().newDataSource(4);

	}

	static class CountingListener {

		final Map<Long, AtomicInteger> counts;

		final AtomicInteger handled = new AtomicInteger();

		CountingListener(Map<Long, AtomicInteger> counts) {
			this.counts = counts;
		}

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			this.counts.computeIfAbsent(message.id(), (id) -> new AtomicInteger()).incrementAndGet();
			this.handled.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingConfiguration {

		@Bean
		@SuppressWarnings("unchecked")
		CountingListener countingListener(org.springframework.beans.factory.BeanFactory beanFactory) {
			return new CountingListener((Map<Long, AtomicInteger>) beanFactory.getBean("counts", Map.class));
		}

	}

}
