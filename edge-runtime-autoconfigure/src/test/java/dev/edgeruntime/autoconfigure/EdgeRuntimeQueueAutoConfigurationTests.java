package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumers;
import dev.edgeruntime.queue.QueueHealthIndicator;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMeterBinder;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueNotificationListener;
import dev.edgeruntime.queue.QueueNotifier;
import dev.edgeruntime.queue.QueueVacuum;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EdgeRuntimeQueueAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class EdgeRuntimeQueueAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class));

	// The shared pool, behind a wrapper the context cannot close.
	private static DataSource dataSource() {
		return new DelegatingDataSource(TestDatabase.get().dataSource());
	}

	@Test
	void withoutDataSourceShouldBackOff() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(PgmqTemplate.class).doesNotHaveBean(QueueConsumers.class);
		});
	}

	@Test
	void withDataSourceShouldCreateTheQueueBeans() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource).run((context) -> {
			assertThat(context).hasSingleBean(PgmqTemplate.class)
				.hasSingleBean(PgmqSchemaInitializer.class)
				.hasSingleBean(QueueConsumers.class)
				.hasSingleBean(QueueNotifier.class)
				.hasSingleBean(QueueNotificationListener.class)
				.hasSingleBean(QueueMetrics.class)
				.hasSingleBean(QueueMeterBinder.class)
				.hasSingleBean(QueueHealthIndicator.class);
			assertThat(context.getBean(PgmqSchemaInitializer.class).installed()).isNotNull()
				.isNotEqualTo(PgmqSchemaMode.NONE);
		});
	}

	@Test
	void consumersWhenShutdownMaxWaitDoesNotFitInShutdownPhaseShouldWarn(CapturedOutput output) {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.consumer.shutdown-max-wait=30s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("edge-runtime.queue.consumer.shutdown-max-wait (30s) plus 1s to hand back "
						+ "unfinished messages is longer than spring.lifecycle.timeout-per-shutdown-phase (30s)");
			});
	}

	@Test
	void consumersWithTheDefaultsShouldNotWarnAboutTheShutdownPhase(CapturedOutput output) {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(EdgeRuntimeQueueProperties.class).getConsumer().getShutdownMaxWait())
					.isEqualTo(Duration.ofSeconds(20));
				assertThat(output).doesNotContain("edge-runtime.queue.consumer.shutdown-max-wait (");
			});
	}

	@Test
	void schemaShouldBeBroughtInAfterTheApplicationsDatabaseInitialization() {
		// the application's scripts or migrations (Flyway, Liquibase) may create the pgmq extension or schema
		// themselves: auto must find what they made, and not make it first for them to fail on
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceInitializationAutoConfiguration.class))
			.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				String[] initializers = context.getBeanNamesForType(DataSourceScriptDatabaseInitializer.class);
				assertThat(initializers).isNotEmpty();
				assertThat(context.getBeanFactory().getBeanDefinition("pgmqSchemaInitializer").getDependsOn())
					.contains(initializers);
			});
	}

	@Test
	void withoutSpringBootSqlShouldCreateTheQueueBeans() {
		// a DataSource of the application's own, with Spring JDBC but not Spring Boot's JDBC support
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.sql."))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(PgmqSchemaInitializer.class));
	}

	@Test
	void whenDisabledShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PgmqTemplate.class));
	}

	@Test
	void withoutPostgresDriverShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader(PGConnection.class))
			.run((context) -> assertThat(context).doesNotHaveBean(PgmqTemplate.class));
	}

	@Test
	void whenNotifyIsDisabledShouldNotNotifyOrListen() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.notify.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(PgmqTemplate.class)
				.doesNotHaveBean(QueueNotifier.class)
				.doesNotHaveBean(QueueNotificationListener.class));
	}

	@Test
	void whenSchemaIsNoneShouldInstallNothing() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.schema=none")
			.run((context) -> assertThat(context.getBean(PgmqSchemaInitializer.class).installed())
				.isEqualTo(PgmqSchemaMode.NONE));
	}

	@Test
	void invalidConsumerSettingsShouldFailStartUpWithOneReportNamingEveryProperty() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.consumer.concurrency=0", "edge-runtime.queue.consumer.max-attempts=0",
					"edge-runtime.queue.consumer.polling-interval=0s", "edge-runtime.queue.consumer.backoff.jitter=1.5",
					"edge-runtime.queue.max-payload-size=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.queue.consumer.concurrency = '0': must be at least 1")
				.hasMessageContaining("edge-runtime.queue.consumer.max-attempts = '0': must be at least 1")
				.hasMessageContaining("edge-runtime.queue.consumer.polling-interval = '0s': must be greater than 0")
				.hasMessageContaining("edge-runtime.queue.consumer.backoff.jitter = '1.5': must be at least 0 and at most 1")
				.hasMessageContaining("edge-runtime.queue.max-payload-size = '0B': must be greater than 0"));
	}

	@Test
	void durationsLongerThanTheDurableTiersMaximumShouldFailStartUpWithOneReportNamingEachPropertyAndTheBound() {
		String[] properties = { "metrics-cache-interval", "vacuum-interval", "idempotency.window", "notify.throttle",
				"consumer.visibility-timeout", "consumer.heartbeat-interval", "consumer.polling-interval",
				"consumer.max-error-backoff", "consumer.shutdown-max-wait", "consumer.backoff.initial",
				"consumer.backoff.max", "health.max-lag" };
		String[] values = new String[properties.length];
		for (int i = 0; i < properties.length; i++) {
			// a day past the bound; the heartbeat a day shorter than the visibility timeout, as it must be
			values[i] = "edge-runtime.queue." + properties[i]
					+ (properties[i].equals("consumer.heartbeat-interval") ? "=18251d" : "=18252d");
		}
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues(values)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("edge-runtime.queue.consumer.backoff.max = '18252d': must be at most 18250d "
						+ "(50 years), the longest duration the durable tier takes")
				.isInstanceOfSatisfying(InvalidPropertiesException.class, (ex) -> assertThat(ex.getViolations())
					.extracting(InvalidPropertiesException.Violation::property)
					.containsExactly(Arrays.stream(properties)
						.map((property) -> "edge-runtime.queue." + property)
						.toArray(String[]::new))));
	}

	@Test
	void backoffMaxOfHundredsOfThousandsOfYearsShouldFailStartUpRatherThanEveryRetry() {
		// make_interval failed each retry of such a backoff, and the message was dead-lettered for it
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.consumer.backoff.max=300000d")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.queue.consumer.backoff.max = '300000d': must be at most 18250d "
						+ "(50 years)"));
	}

	@Test
	void maxPayloadSizeLargerThanPostgreSQLStoresShouldFailStartUpRatherThanEveryRead() {
		// a read parses twice the size: past 4EB that overflowed, and every message was dead-lettered unread
		for (String size : List.of("5000000TB", "1025MB")) {
			this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
				.withPropertyValues("edge-runtime.queue.max-payload-size=" + size)
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.queue.max-payload-size = '" + size + "': must be at most 1GB: "
							+ "PostgreSQL stores no larger value"));
		}
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.max-payload-size=1GB")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void backoffMaxBelowTheInitialDelayShouldFailStartUpNamingBoth() {
		// every retry's delay is cut to the maximum: with an initial delay of 1h, each retry waited 1s
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.consumer.backoff.initial=1h",
					"edge-runtime.queue.consumer.backoff.max=1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.queue.consumer.backoff.max = '1s': must be at least "
						+ "consumer.backoff.initial (1h): every retry waits at most consumer.backoff.max"));
	}

	@Test
	void durationsOfTheDurableTiersMaximumShouldBeTaken() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.consumer.backoff.max=18250d",
					"edge-runtime.queue.consumer.visibility-timeout=18250d", "edge-runtime.queue.idempotency.window=18250d")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void customPgmqTemplateShouldBeUsed() {
		DataSource dataSource = dataSource();
		PgmqTemplate custom = new PgmqTemplate(new JdbcTemplate(dataSource), JsonMapper.builder().build(), 10,
				Duration.ofMinutes(1), null);
		this.contextRunner.withBean(DataSource.class, () -> dataSource)
			.withBean("custom", PgmqTemplate.class, () -> custom)
			.run((context) -> assertThat(context.getBean(PgmqTemplate.class)).isSameAs(custom));
	}

	@Test
	void meterBinderShouldReportDepthOldestAgeAndDeadLettered() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.metrics-cache-interval=0s")
			.run((context) -> {
				String queue = TestDatabase.uniqueName("met_");
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				pgmq.createQueue(queue);
				pgmq.sendBatch(queue, List.of("a", "b", "c"));
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				QueueMeterBinder binder = context.getBean(QueueMeterBinder.class);
				binder.bindTo(registry);
				assertThat(registry.get("edge.runtime.queue.depth").tag("queue", queue).gauge().value()).isEqualTo(3);
				assertThat(registry.get("edge.runtime.queue.oldest.age").tag("queue", queue).gauge().value())
					.isGreaterThanOrEqualTo(0);
				assertThat(registry.get("edge.runtime.queue.dead.lettered").tag("queue", queue).gauge().value())
					.isZero();
				binder.deadLettered(queue);
				assertThat(registry.get("edge.runtime.queue.messages")
					.tags("queue", queue, "outcome", "dead_lettered")
					.counter()
					.count()).isEqualTo(1);
				assertThat(context.getBean(QueueMetrics.class).queues())
					.anySatisfy((statistics) -> assertThat(statistics.queue()).isEqualTo(queue));
				pgmq.dropQueue(queue);
			});
	}

	@Test
	void meterBinderShouldReportHowLongTheOldestReadableMessageWaitedApartFromTheOldestOfAll() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.metrics-cache-interval=0s")
			.run((context) -> {
				String queue = TestDatabase.uniqueName("met_");
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				pgmq.createQueue(queue);
				long leased = pgmq.send(queue, "leased an hour ago, still handled");
				long waiting = pgmq.send(queue, "waiting for a consumer");
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				// a long handler's message: sent an hour ago and still leased, so no consumer lags for it
				jdbc.update("UPDATE pgmq.q_" + queue + " SET enqueued_at = now() - interval '1 hour', "
						+ "vt = now() + interval '1 hour' WHERE msg_id = ?", leased);
				jdbc.update("UPDATE pgmq.q_" + queue + " SET enqueued_at = now() - interval '2 minutes' "
						+ "WHERE msg_id = ?", waiting);
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(QueueMeterBinder.class).bindTo(registry);
				assertThat(registry.get("edge.runtime.queue.oldest.age").tag("queue", queue).gauge().value())
					.isGreaterThanOrEqualTo(3600);
				assertThat(registry.get("edge.runtime.queue.oldest.visible.age").tag("queue", queue).gauge().value())
					.isBetween(120.0, 3599.0);
				jdbc.update("UPDATE pgmq.q_" + queue + " SET vt = now() + interval '1 hour' WHERE msg_id = ?", waiting);
				assertThat(registry.get("edge.runtime.queue.oldest.visible.age").tag("queue", queue).gauge().value())
					.as("none can be read: none waits")
					.isZero();
				pgmq.dropQueue(queue);
			});
	}

	@Test
	void aConsumerOfAQueueThatExistedAtStartShouldNotRegisterItsGaugesTwice() {
		// Micrometer ignores a second registration of a gauge and logs it (a warning the first time in a JVM)
		try (LogCapture micrometer = LogCapture.of(MeterRegistry.class)) {
			this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
				.run((context) -> {
					String queue = TestDatabase.uniqueName("met_");
					PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
					pgmq.createQueue(queue);
					SimpleMeterRegistry registry = new SimpleMeterRegistry();
					QueueMeterBinder binder = context.getBean(QueueMeterBinder.class);
					binder.bindTo(registry);
					assertThat(registry.find("edge.runtime.queue.depth").tag("queue", queue).gauges()).hasSize(1);
					binder.consuming(queue); // as its consumer does when it starts
					binder.consuming(queue);
					assertThat(registry.find("edge.runtime.queue.depth").tag("queue", queue).gauges()).hasSize(1);
					assertThat(micrometer.events()).extracting(ILoggingEvent::getFormattedMessage)
						.noneMatch((message) -> message.contains("already registered"));
					String later = TestDatabase.uniqueName("met_");
					binder.consuming(later); // created after start: its gauges come with its consumer
					assertThat(registry.find("edge.runtime.queue.visible").tag("queue", later).gauges()).hasSize(1);
					pgmq.dropQueue(queue);
				});
		}
	}

	@Test
	void queueTablesShouldBeLeftToAutovacuumByDefault() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// defined whatever the property (read as the application starts), and nothing without it
				assertThat(context.getBeanProvider(QueueVacuum.class).getIfAvailable()).isNull();
			});
	}

	@Test
	void vacuumIntervalUnderOneSecondShouldFailStartUpNamingTheProperty() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.vacuum-interval=500ms")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.queue.vacuum-interval = '500ms': must be at least 1s"));
	}

	@Test
	void vacuumIntervalShouldVacuumTheConsumedQueuesAndCountEachVacuum() {
		String queue = TestDatabase.uniqueName("vac_");
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(CountingListenerConfiguration.class)
			.withPropertyValues("edge-runtime.queue.vacuum-interval=1s", "test.queue=" + queue,
					"edge-runtime.queue.consumer.shutdown-max-wait=200ms")
			.run((context) -> {
				QueueVacuum vacuum = context.getBean(QueueVacuum.class);
				assertThat(vacuum.isRunning()).isTrue();
				SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(registry.find("edge.runtime.queue.vacuums")
						.tags("queue", queue, "outcome", "vacuumed")
						.counter()).isNotNull());
				assertThat(vacuum.lastOutcomes()).containsEntry(queue, QueueVacuum.Outcome.VACUUMED);
				assertThat(context.getBean(QueueMetrics.class).lastVacuums()).containsEntry(queue,
						QueueVacuum.Outcome.VACUUMED);
			});
	}

	@Test
	void consumerWhoseConcurrencyAndPrefetchPassTheLargestIntShouldStillReadItsMessages() {
		// its leases, concurrency plus prefetch, were counted in an int: past 2147483647 they went negative, and
		// the consumer started but never read
		String queue = TestDatabase.uniqueName("big_");
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeQueueAutoConfigurationTests::dataSource)
			.withUserConfiguration(RecordingListenerConfiguration.class)
			.withPropertyValues("test.queue=" + queue, "edge-runtime.queue.consumer.concurrency=2147483647",
					"edge-runtime.queue.consumer.shutdown-max-wait=200ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(PgmqTemplate.class).send(queue, Map.of("n", 1));
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(context.getBean(RecordingListener.class).handled).hasSize(1));
			});
		// and its stop, which wakes the reader with one lease more than there are, leaves none of its threads
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
				.noneMatch((thread) -> thread.getName().startsWith("queue-" + queue + "-")));
	}

	static class RecordingListener {

		final List<Map<String, Object>> handled = new CopyOnWriteArrayList<>();

		@QueueListener(queue = "${test.queue}")
		void handle(Map<String, Object> message) {
			this.handled.add(message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

	static class CountingListener {

		@QueueListener(queue = "${test.queue}")
		void handle(Map<String, Object> message) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingListenerConfiguration {

		@Bean
		CountingListener countingListener() {
			return new CountingListener();
		}

	}

}
