package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.testsupport.TcpProxy;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link QueueMetrics} and the {@link QueueMeterBinder}'s gauges while the database cannot be reached (its
 * connections go through a {@link TcpProxy} the test stops): a scrape of every queue's gauges waits for the
 * connection pool once per cache interval, not once per gauge, which with the pool's default connection timeout
 * of 30 seconds made a scrape of a few queues outlast any scraper's timeout, and so lost every other metric of
 * the instance for the whole outage. The {@link QueueHealthIndicator} with a maximum lag, which reads those
 * figures, says the database is away and keeps the consumers' details.
 *
 * @author edge-runtime developers
 */
class QueueMetricsDatabaseLossTests {

	private static final List<String> GAUGES = List.of("edge.runtime.queue.depth", "edge.runtime.queue.visible",
			"edge.runtime.queue.oldest.age", "edge.runtime.queue.oldest.visible.age",
			"edge.runtime.queue.dead.lettered");

	private final TestDatabase database = TestDatabase.get();

	private final PgmqTemplate direct = pgmq(this.database.dataSource());

	private final List<String> queues = List.of(TestDatabase.uniqueName("loss_a_"), TestDatabase.uniqueName("loss_b_"),
			TestDatabase.uniqueName("loss_c_"));

	private final AtomicInteger connections = new AtomicInteger();

	private TcpProxy proxy;

	private HikariDataSource pool;

	@BeforeEach
	void queuesAndPool() throws Exception {
		assertThat(new PgmqSchemaInitializer(this.database.dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		this.queues.forEach(this.direct::createQueue);
		this.proxy = this.database.proxy();
		this.proxy.start();
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.database.jdbcUrlThrough(this.proxy));
		config.setUsername(this.database.username());
		config.setPassword(this.database.password());
		config.setMaximumPoolSize(2);
		config.setMinimumIdle(0);
		config.setConnectionTimeout(1000);
		this.pool = new HikariDataSource(config);
	}

	@AfterEach
	void dropQueues() {
		this.pool.close();
		this.proxy.close();
		this.queues.forEach(this.direct::dropQueue);
	}

	@Test
	void gaugesOfEveryQueueWhenDatabaseIsUnreachableShouldWaitForThePoolOncePerCacheInterval() {
		QueueMetrics metrics = new QueueMetrics(pgmq(counting()), List::of, Duration.ofHours(1));
		SimpleMeterRegistry registry = bound(metrics);
		this.proxy.stop();

		for (int scrape = 0; scrape < 2; scrape++) {
			assertThat(gaugeValues(registry)).hasSize(GAUGES.size() * this.queues.size()).allMatch((value) -> value.isNaN());
		}
		assertThat(this.connections).as("connections asked of the pool by two scrapes of %d gauges",
				GAUGES.size() * this.queues.size()).hasValue(1);
		// the health indicator and the endpoint are told of the failure as well, at once
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> metrics.queue(this.queues.get(0)))
			.satisfies((ex) -> assertThat(DatabaseFailures.isConnectionFailure(ex)).isTrue());
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(metrics::queues);
		assertThat(this.connections).hasValue(1);
	}

	@Test
	void gaugesWhenDatabaseIsBackShouldReadItAgainAfterTheCacheInterval() throws Exception {
		QueueMetrics metrics = new QueueMetrics(pgmq(counting()), List::of, Duration.ofMillis(200));
		SimpleMeterRegistry registry = bound(metrics);
		this.proxy.stop();
		assertThat(gaugeValues(registry)).allMatch((value) -> value.isNaN());

		this.proxy.start();
		this.direct.send(this.queues.get(0), Map.of("n", 1));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> registry.get("edge.runtime.queue.depth").tag("queue", this.queues.get(0)).gauge().value(),
					(depth) -> depth == 1.0);
	}

	@Test
	void healthWithMaxLagWhenDatabaseIsUnreachableShouldBeDownWithTheErrorAndTheConsumers() {
		QueueMetrics metrics = new QueueMetrics(pgmq(counting()), () -> List.of(new QueueConsumerStatus(
				this.queues.get(0), "com.example.Worker.handle", true, false, "cannot read", 0, 1)), Duration.ofHours(1));
		QueueHealthIndicator health = new QueueHealthIndicator(
				new PgmqSchemaInitializer(this.database.dataSource(), PgmqSchemaMode.AUTO), metrics, Duration.ofSeconds(1));
		this.proxy.stop();

		Health answer = health.health(true);
		assertThat(answer.getStatus()).isEqualTo(Status.DOWN);
		// the lag is unknown: no lagging detail, which would say that no queue lags
		assertThat(answer.getDetails()).containsOnlyKeys("schema", "consumers", "maxLag", "error");
		assertThat(answer.getDetails().get("consumers")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.singleElement()
			.extracting("queue", "lastError")
			.containsExactly(this.queues.get(0), "cannot read");
		assertThat((String) answer.getDetails().get("error")).contains("CannotGetJdbcConnectionException");
	}

	@Test
	void healthWithMaxLagWhenTheSchemaWasNeverReachedShouldBeDownWithoutALaggingDetail() {
		QueueMetrics metrics = new QueueMetrics(pgmq(counting()), List::of, Duration.ofHours(1));
		this.proxy.stop();
		// through the stopped proxy: the schema was never installed or found by this instance
		QueueHealthIndicator health = new QueueHealthIndicator(new PgmqSchemaInitializer(this.pool, PgmqSchemaMode.AUTO),
				metrics, Duration.ofSeconds(1));

		Health answer = health.health(true);
		assertThat(answer.getStatus()).isEqualTo(Status.DOWN);
		assertThat(answer.getDetails()).containsEntry("schema", "unavailable")
			// the lag was not looked at: no lagging detail, which would say that no queue lags
			.containsOnlyKeys("schema", "consumers", "maxLag");
	}

	private SimpleMeterRegistry bound(QueueMetrics metrics) {
		QueueMeterBinder binder = new QueueMeterBinder(metrics);
		this.queues.forEach(binder::consuming);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		binder.bindTo(registry);
		// bindTo read the figures of every queue in the shared database, to be reused for the cache interval: the
		// test's queues are to be read from the database from now on, and only those reads count
		this.queues.forEach(metrics::forget);
		this.connections.set(0);
		return registry;
	}

	private List<Double> gaugeValues(SimpleMeterRegistry registry) {
		return GAUGES.stream()
			.flatMap((name) -> this.queues.stream().map((queue) -> registry.get(name).tag("queue", queue).gauge()))
			.map(Gauge::value)
			.toList();
	}

	private DataSource counting() {
		return new DelegatingDataSource(this.pool) {

			@Override
			public Connection getConnection() throws SQLException {
				QueueMetricsDatabaseLossTests.this.connections.incrementAndGet();
				return super.getConnection();
			}

		};
	}

	private static PgmqTemplate pgmq(DataSource dataSource) {
		return new PgmqTemplate(new JdbcTemplate(dataSource), JsonMapper.builder().build(), 1024, Duration.ofHours(1),
				null);
	}

}
