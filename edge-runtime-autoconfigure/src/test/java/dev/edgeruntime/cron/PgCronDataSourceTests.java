package dev.edgeruntime.cron;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link PgCronDataSource}, against the real PostgreSQL: one connection handed to each reader in turn,
 * a connection of its own for a reader that comes while another holds it, nothing of a reader's transaction left
 * to the next.
 *
 * @author edge-runtime developers
 */
class PgCronDataSourceTests {

	private final PgCronDataSource dataSource = new PgCronDataSource(target());

	@AfterEach
	void closeConnection() {
		this.dataSource.closeConnection();
	}

	private static SimpleDriverDataSource target() {
		TestDatabase database = TestDatabase.get();
		SimpleDriverDataSource target = new SimpleDriverDataSource(new org.postgresql.Driver(), database.jdbcUrl());
		if (database.username() != null) {
			target.setUsername(database.username());
		}
		if (database.password() != null) {
			target.setPassword(database.password());
		}
		return target;
	}

	@Test
	void readersOneAfterTheOtherShouldShareOneSession() throws SQLException {
		int first = backendPid();
		int second = backendPid();
		assertThat(second).isEqualTo(first);
		assertThat(this.dataSource.opened()).isEqualTo(1);
	}

	@Test
	void readerAfterStopKeepingShouldLeaveNoConnectionOpenUntilStartKeeping() throws SQLException {
		int kept = backendPid();
		this.dataSource.stopKeeping();
		// a reader after the jobs stopped: a session of its own, closed with it, none kept
		try (Connection late = this.dataSource.getConnection()) {
			int pid = backendPid(late);
			assertThat(pid).isNotEqualTo(kept);
			await().atMost(Duration.ofSeconds(30)).until(() -> !sessionExists(kept));
		}
		assertThat(this.dataSource.opened()).isEqualTo(2);
		int another = backendPid();
		assertThat(this.dataSource.opened()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(30)).until(() -> !sessionExists(another));
		this.dataSource.startKeeping();
		int first = backendPid();
		assertThat(backendPid()).isEqualTo(first);
		assertThat(this.dataSource.opened()).isEqualTo(4);
	}

	@Test
	void stopKeepingWhileTheReaderHandsTheConnectionBackShouldCloseIt() throws Exception {
		// the kept connection's rollback, as its reader hands it back, waits until the jobs stopped meanwhile
		CountDownLatch rollingBack = new CountDownLatch(1);
		CountDownLatch stopped = new CountDownLatch(1);
		SimpleDriverDataSource real = target();
		DataSource target = new DelegatingDataSource(real) {

			@Override
			public Connection getConnection() throws SQLException {
				Connection connection = real.getConnection();
				return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
						new Class<?>[] { Connection.class }, (proxy, method, args) -> {
							if (method.getName().equals("rollback") && args == null) {
								rollingBack.countDown();
								assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
							}
							try {
								return method.invoke(connection, args);
							}
							catch (InvocationTargetException ex) {
								throw ex.getCause();
							}
						});
			}

		};
		PgCronDataSource dataSource = new PgCronDataSource(target);
		CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				return backendPid(connection);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(rollingBack.await(30, TimeUnit.SECONDS)).isTrue();
		dataSource.stopKeeping();
		stopped.countDown();
		int pid = reader.get(30, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(30)).until(() -> !sessionExists(pid));
	}

	@Test
	void readerWhileAnotherHoldsTheConnectionShouldGetOneOfItsOwnAndNotWait() throws Exception {
		int kept;
		try (Connection held = this.dataSource.getConnection()) {
			kept = backendPid(held);
			int other = CompletableFuture.supplyAsync(() -> {
				try {
					return backendPid();
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}).get();
			assertThat(other).isNotEqualTo(kept);
		}
		assertThat(this.dataSource.opened()).isEqualTo(2);
		// the other one was closed after its reader; the kept one is handed out again
		assertThat(backendPid()).isEqualTo(kept);
		assertThat(this.dataSource.opened()).isEqualTo(2);
	}

	@Test
	void readerOnTheThreadOfTheHolderShouldGetASessionOfItsOwnAndLeaveTheHoldersTransaction() throws SQLException {
		try (Connection outer = this.dataSource.getConnection(); Statement statement = outer.createStatement()) {
			outer.setAutoCommit(false);
			statement.execute("CREATE TEMPORARY TABLE pg_cron_data_source_outer (id int)");
			try (Connection inner = this.dataSource.getConnection()) {
				assertThat(backendPid(inner)).isNotEqualTo(backendPid(outer));
			}
			// the inner reader's hand-back rolled back nothing of the outer reader's transaction
			try (ResultSet rows = statement.executeQuery("SELECT to_regclass('pg_temp.pg_cron_data_source_outer')")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getString(1)).isNotNull();
			}
			assertThat(outer.getAutoCommit()).isFalse();
			outer.commit();
		}
		assertThat(this.dataSource.opened()).isEqualTo(2);
	}

	@Test
	void connectionClosedOnAnotherThreadShouldBeHandedBackForTheNextReader() throws Exception {
		Connection connection = this.dataSource.getConnection();
		int pid = backendPid(connection);
		CompletableFuture.runAsync(() -> {
			try {
				connection.close();
				// a second close is a no-op, and gives back nothing more
				connection.close();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}).get();
		try (Connection next = this.dataSource.getConnection()) {
			assertThat(backendPid(next)).isEqualTo(pid);
			// held by this reader: another gets a session of its own
			try (Connection other = this.dataSource.getConnection()) {
				assertThat(backendPid(other)).isNotEqualTo(pid);
			}
		}
		assertThat(this.dataSource.opened()).isEqualTo(2);
	}

	@Test
	void closeConnectionWhileAReaderHoldsItShouldCloseItAsTheReaderIsDone() throws SQLException {
		int pid;
		try (Connection held = this.dataSource.getConnection()) {
			pid = backendPid(held);
			this.dataSource.closeConnection();
			assertThat(backendPid(held)).as("still the reader's until it is done").isEqualTo(pid);
		}
		assertThat(backendPid()).isNotEqualTo(pid);
		assertThat(this.dataSource.opened()).isEqualTo(2);
	}

	@Test
	void transactionLeftOpenByAReaderShouldBeRolledBackBeforeTheNext() throws SQLException {
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute("CREATE TEMPORARY TABLE pg_cron_data_source_left (id int)");
		}
		try (Connection connection = this.dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT to_regclass('pg_temp.pg_cron_data_source_left')")) {
			assertThat(connection.getAutoCommit()).isTrue();
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString(1)).as("rolled back").isNull();
		}
		assertThat(this.dataSource.opened()).isEqualTo(1);
	}

	@Test
	void connectionClosedByItsReaderShouldRefuseFurtherUseButStayOpenForTheNext() throws SQLException {
		Connection connection = this.dataSource.getConnection();
		int pid = backendPid(connection);
		connection.close();
		assertThat(connection.isClosed()).isTrue();
		assertThatExceptionOfType(SQLException.class).isThrownBy(connection::createStatement)
			.withMessage("The connection is closed");
		assertThat(backendPid()).isEqualTo(pid);
	}

	@Test
	void sessionEndedFromOutsideShouldBeReplacedAtTheNextUseAfterTheFailure() throws SQLException {
		int pid = backendPid();
		try (Connection other = target().getConnection(); Statement statement = other.createStatement()) {
			statement.execute("SELECT pg_terminate_backend(" + pid + ")");
		}
		assertThatExceptionOfType(SQLException.class).isThrownBy(this::backendPid);
		assertThat(backendPid()).isNotEqualTo(pid);
		assertThat(this.dataSource.opened()).isEqualTo(2);
	}

	private int backendPid() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			return backendPid(connection);
		}
	}

	private static boolean sessionExists(int pid) throws SQLException {
		try (Connection connection = target().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
			rows.next();
			return rows.getInt(1) > 0;
		}
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
