package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.edgeruntime.queue.QueueVacuum.Outcome;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link QueueVacuum} against the real PostgreSQL.
 *
 * @author edge-runtime developers
 */
class QueueVacuumTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static DataSource dataSource;

	private final List<String> observed = new ArrayList<>();

	private PgmqTemplate pgmq;

	private String queue;

	@BeforeAll
	static void installSchema() {
		dataSource = TestDatabase.get().dataSource();
		assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
	}

	@BeforeEach
	void createQueue() {
		this.pgmq = new PgmqTemplate(new JdbcTemplate(dataSource), JsonMapper.builder().build(), 1024,
				Duration.ofHours(1), null);
		this.queue = TestDatabase.uniqueName("vac_");
		this.pgmq.createQueue(this.queue);
	}

	@Test
	void vacuumShouldRunOnTheTableOfTheQueue() {
		for (int i = 0; i < 50; i++) {
			long id = this.pgmq.send(this.queue, Map.of("n", i));
			this.pgmq.delete(this.queue, id);
		}
		long before = vacuumCount(this.queue);
		QueueVacuum vacuum = vacuum(dataSource);
		assertThat(vacuum.vacuum(this.queue)).isEqualTo(Outcome.VACUUMED);
		// VACUUM reports to the statistics as it ends
		await().atMost(WAIT).until(() -> vacuumCount(this.queue) > before);
		assertThat(vacuum.lastOutcomes()).containsEntry(this.queue, Outcome.VACUUMED);
		assertThat(this.observed).containsExactly(this.queue + "=VACUUMED");
	}

	@Test
	void anInstanceShouldSkipAQueueAnotherIsVacuuming() throws SQLException {
		QueueVacuum vacuum = vacuum(dataSource);
		try (Connection other = dataSource.getConnection()) {
			assertThat(advisory(other, "pg_try_advisory_lock", this.queue)).isTrue();
			try {
				assertThat(vacuum.vacuum(this.queue)).isEqualTo(Outcome.BUSY);
			}
			finally {
				advisory(other, "pg_advisory_unlock", this.queue);
			}
		}
		assertThat(vacuum.vacuum(this.queue)).isEqualTo(Outcome.VACUUMED);
	}

	@Test
	void aQueueAnotherInstanceVacuumedWithinTheIntervalShouldBeSkipped() {
		QueueVacuum first = new QueueVacuum(dataSource, () -> List.of(this.queue), Duration.ofMinutes(10),
				QueueVacuum.Observer.NONE);
		QueueVacuum second = new QueueVacuum(dataSource, () -> List.of(this.queue), Duration.ofMinutes(10),
				this::observe);
		assertThat(first.vacuum(this.queue)).isEqualTo(Outcome.VACUUMED);
		assertThat(second.vacuum(this.queue)).isEqualTo(Outcome.RECENT);
		assertThat(this.observed).containsExactly(this.queue + "=RECENT");
		// with a short interval, the same table is due again as soon as nine tenths of it have passed
		QueueVacuum often = vacuum(dataSource);
		await().atMost(WAIT).until(() -> often.vacuum(this.queue) == Outcome.VACUUMED);
	}

	@Test
	void theLockShouldBeReleasedAfterEachVacuum() throws SQLException {
		assertThat(vacuum(dataSource).vacuum(this.queue)).isEqualTo(Outcome.VACUUMED);
		try (Connection other = dataSource.getConnection()) {
			assertThat(advisory(other, "pg_try_advisory_lock", this.queue)).isTrue();
			advisory(other, "pg_advisory_unlock", this.queue);
		}
	}

	@Test
	void aUserWhoDoesNotOwnTheTableShouldBeToldSo() {
		JdbcTemplate admin = new JdbcTemplate(dataSource);
		String role = "vac_reader_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
		admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'vac-password'");
		try {
			admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + role);
			DriverManagerDataSource asRole = new DriverManagerDataSource(urlWithoutCredentials(), role, "vac-password");
			assertThat(vacuum(asRole).vacuum(this.queue)).isEqualTo(Outcome.NOT_OWNER);
		}
		finally {
			admin.execute("REVOKE USAGE ON SCHEMA pgmq FROM " + role);
			admin.execute("DROP ROLE " + role);
		}
	}

	@Test
	void anUnreachableDatabaseShouldBeAFailureNotAnException() {
		DriverManagerDataSource nowhere = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
				"nobody", "nothing");
		QueueVacuum vacuum = vacuum(nowhere);
		assertThat(vacuum.vacuum(this.queue)).isEqualTo(Outcome.FAILED);
		assertThat(vacuum.lastOutcomes()).containsEntry(this.queue, Outcome.FAILED);
	}

	@Test
	void anInvalidQueueNameShouldBeRefusedBeforeAnySql() {
		QueueVacuum vacuum = vacuum(dataSource);
		assertThatExceptionOfType(InvalidQueueNameException.class)
			.isThrownBy(() -> vacuum.vacuum(this.queue + "; DROP TABLE pgmq.q_" + this.queue));
		assertThat(this.observed).isEmpty();
		assertThat(this.pgmq.send(this.queue, Map.of("still", "there"))).isPositive();
	}

	@Test
	void vacuumAllShouldVacuumEachQueueOnce() {
		String second = TestDatabase.uniqueName("vac_");
		this.pgmq.createQueue(second);
		QueueVacuum vacuum = new QueueVacuum(dataSource, () -> List.of(this.queue, second, this.queue),
				Duration.ofSeconds(1), this::observe);
		assertThat(vacuum.vacuumAll()).containsExactly(Map.entry(this.queue, Outcome.VACUUMED),
				Map.entry(second, Outcome.VACUUMED));
		assertThat(this.observed).containsExactly(this.queue + "=VACUUMED", second + "=VACUUMED");
	}

	@Test
	void startedItShouldVacuumAtItsIntervalUntilStopped() {
		QueueVacuum vacuum = vacuum(dataSource);
		vacuum.start();
		try {
			assertThat(vacuum.isRunning()).isTrue();
			await().atMost(WAIT).until(() -> this.observed.size() >= 2);
		}
		finally {
			vacuum.stop();
		}
		assertThat(vacuum.isRunning()).isFalse();
		assertThat(this.observed).allMatch((entry) -> entry.equals(this.queue + "=VACUUMED"));
	}

	private QueueVacuum vacuum(DataSource source) {
		return new QueueVacuum(source, () -> List.of(this.queue), Duration.ofSeconds(1), this::observe);
	}

	private synchronized void observe(String queue, Outcome outcome) {
		this.observed.add(queue + "=" + outcome);
	}

	private static long vacuumCount(String queue) {
		Long count = new JdbcTemplate(dataSource).queryForObject(
				"SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'pgmq' AND relname = ?", Long.class,
				"q_" + queue);
		return (count != null) ? count : 0;
	}

	private static boolean advisory(Connection connection, String function, String queue) throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
			statement.setInt(1, QueueVacuum.LOCK_CLASS);
			statement.setString(2, queue);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getBoolean(1);
			}
		}
	}

	/** The test database's URL without the user and password it may carry, which would win over the role's. */
	private static String urlWithoutCredentials() {
		return TestDatabase.withoutCredentials(TestDatabase.get().jdbcUrl());
	}

}
