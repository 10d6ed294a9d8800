package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

/**
 * {@link QueueMetrics#queues()} against the real PostgreSQL where one queue's figures cannot be read: its
 * tables were dropped with the role that created them ({@code DROP OWNED BY}, which leaves its row in
 * {@code pgmq.meta}), or the database user was not granted them. The other queues' figures are read all the
 * same, and the broken queue is said once at {@code WARN} and named in {@link QueueMetrics#unavailable()}.
 *
 * @author edge-runtime developers
 */
class QueueMetricsUnavailableQueueTests {

	private final JdbcTemplate server = new JdbcTemplate(TestDatabase.get().dataSource());

	private final String database = TestDatabase.uniqueName("er_metrics_");

	private HikariDataSource dataSource;

	private JdbcTemplate admin;

	private final String role = "metrics_user_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	private final String readable = TestDatabase.uniqueName("readable_");

	private final String broken = TestDatabase.uniqueName("broken_");

	@BeforeEach
	void createQueueAndRole() {
		// a database of its own: the test database's other queues, not granted to the role, stay out of it
		this.server.execute("CREATE DATABASE " + this.database);
		this.dataSource = TestDatabase.get().newDataSource(this.database, 2);
		this.admin = new JdbcTemplate(this.dataSource);
		assertThat(new PgmqSchemaInitializer(this.dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
		template(this.dataSource).createQueue(this.readable);
		this.admin.execute("CREATE ROLE " + this.role + " LOGIN PASSWORD 'metrics-password'");
	}

	@AfterEach
	void dropDatabaseAndRole() {
		this.dataSource.close();
		this.server.execute("DROP DATABASE IF EXISTS " + this.database + " WITH (FORCE)");
		this.server.execute("DROP ROLE " + this.role);
	}

	@Test
	void aQueueWhoseTablesWereDroppedWithItsRoleShouldNotTakeOutTheOthersFigures() {
		// the application's user may create queues (docs/durable-queue.md), and owns those it creates
		this.admin.execute("GRANT USAGE, CREATE ON SCHEMA pgmq TO " + this.role);
		this.admin.execute("GRANT INSERT, DELETE ON pgmq.meta TO " + this.role);
		template(asRole()).createQueue(this.broken);
		this.admin.execute("DROP OWNED BY " + this.role);
		assertThat(this.admin.queryForObject("SELECT count(*) FROM pgmq.meta WHERE queue_name = ?", Long.class,
				this.broken)).as("left in pgmq.meta").isOne();
		QueueMetrics metrics = new QueueMetrics(template(this.dataSource), List::of, Duration.ZERO);
		try (LogCapture log = LogCapture.of(QueueMetrics.class)) {
			for (int i = 0; i < 2; i++) {
				assertThat(metrics.queues()).extracting(QueueStatistics::queue)
					.containsExactly(this.readable);
			}
			String reason = "it is listed in pgmq.meta, but its tables are missing (dropped other than by "
					+ "pgmq.drop_queue, as DROP OWNED BY drops those of a queue its role created, or dropped just now); "
					+ "the schema's owner deletes its row: DELETE FROM pgmq.meta WHERE queue_name = '" + this.broken + "'";
			assertThat(metrics.unavailable()).containsEntry(this.broken, reason).doesNotContainKey(this.readable);
			assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.WARN)
				.extracting((event) -> event.getFormattedMessage())
				.containsExactly("Figures of queue '" + this.broken + "' are unavailable and left out of the queues' "
						+ "figures: " + reason);
		}
		this.admin.update("DELETE FROM pgmq.meta WHERE queue_name = ?", this.broken);
		assertThat(metrics.queues()).extracting(QueueStatistics::queue).containsExactly(this.readable);
		assertThat(metrics.unavailable()).as("no longer listed").doesNotContainKey(this.broken);
	}

	@Test
	void aQueueTheUserWasNotGrantedShouldNotTakeOutTheFiguresOfThoseItWas() {
		template(this.dataSource).createQueue(this.broken);
		this.admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		this.admin.execute("GRANT SELECT ON pgmq.meta TO " + this.role);
		this.admin.execute("GRANT SELECT ON pgmq.q_" + this.readable + ", pgmq.a_" + this.readable + " TO " + this.role);
		this.admin.execute("GRANT SELECT ON SEQUENCE pgmq.q_" + this.readable + "_msg_id_seq TO " + this.role);
		QueueMetrics metrics = new QueueMetrics(template(asRole()), List::of, Duration.ZERO);
		try (LogCapture log = LogCapture.of(QueueMetrics.class)) {
			for (int i = 0; i < 2; i++) {
				assertThat(metrics.queues()).extracting(QueueStatistics::queue)
					.containsExactly(this.readable);
			}
			assertThat(metrics.unavailable()).hasEntrySatisfying(this.broken,
					(reason) -> assertThat(reason).startsWith("Reading the statistics of queue '" + this.broken
							+ "' failed: permission denied for table a_" + this.broken + " (database user " + this.role
							+ ")")
						.contains("GRANT SELECT ON pgmq.q_" + this.broken + " TO " + this.role));
			assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.WARN)
				.singleElement()
				.satisfies((event) -> assertThat(event.getFormattedMessage())
					.startsWith("Figures of queue '" + this.broken + "' are unavailable and left out of the queues' "
							+ "figures: Reading the statistics of queue '" + this.broken + "' failed: "));
		}
		// granted at last: read again, and said so
		this.admin.execute("GRANT SELECT ON pgmq.q_" + this.broken + ", pgmq.a_" + this.broken + " TO " + this.role);
		this.admin.execute("GRANT SELECT ON SEQUENCE pgmq.q_" + this.broken + "_msg_id_seq TO " + this.role);
		assertThat(metrics.queues()).extracting(QueueStatistics::queue)
			.containsExactlyInAnyOrder(this.readable, this.broken);
		assertThat(metrics.unavailable()).doesNotContainKey(this.broken);
	}

	@Test
	void aQueueTheUserWasNotGrantedShouldBeAskedForOnceInTheCacheIntervalByItsGauges() {
		template(this.dataSource).createQueue(this.broken);
		this.admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		QueueMetrics metrics = new QueueMetrics(template(asRole()), List::of, Duration.ofHours(1));
		// each gauge of the queue reads its figures: the refusal is remembered for the interval, as the figures
		// would be, not asked for again (with the grants it lacks) on every gauge of every scrape
		RuntimeException first = catchRuntimeException(() -> metrics.queue(this.broken));
		assertThat(first).isInstanceOf(InsufficientPrivilegeException.class);
		for (int i = 0; i < 3; i++) {
			assertThat(catchRuntimeException(() -> metrics.queue(this.broken))).isSameAs(first);
		}
		// granted, and forgotten (as after a change an operator waits to see): read again at once
		this.admin.execute("GRANT SELECT ON pgmq.q_" + this.broken + ", pgmq.a_" + this.broken + " TO " + this.role);
		this.admin.execute("GRANT SELECT ON SEQUENCE pgmq.q_" + this.broken + "_msg_id_seq TO " + this.role);
		metrics.forget(this.broken);
		assertThat(metrics.queue(this.broken)).hasValueSatisfying(
				(statistics) -> assertThat(statistics.queue()).isEqualTo(this.broken));
	}

	private DataSource asRole() {
		return new DriverManagerDataSource(TestDatabase.withoutCredentials(TestDatabase.get().jdbcUrl(this.database)),
				this.role,
				"metrics-password");
	}

	private static PgmqTemplate template(DataSource dataSource) {
		return new PgmqTemplate(new JdbcTemplate(dataSource), JsonMapper.builder().build(), 1024, Duration.ofHours(1),
				null);
	}

}
