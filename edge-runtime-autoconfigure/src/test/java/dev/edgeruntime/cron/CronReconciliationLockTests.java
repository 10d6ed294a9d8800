package dev.edgeruntime.cron;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reconciliation of two instances starting at once: the second waits for the first's transaction and then
 * works on what it committed.
 *
 * @author edge-runtime developers
 */
class CronReconciliationLockTests {

	private final DataSource dataSource = TestDatabase.get().dataSource();

	private final JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);

	private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@AfterEach
	void unscheduleOwnedJobs() {
		this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
				this.prefix, this.prefix);
	}

	@Test
	void reconciliationWhenAnotherInstanceReconcilesShouldWaitAndSeeItsChanges() throws Exception {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		this.jdbc.queryForObject("SELECT cron.schedule(?, '0 0 1 1 *', 'SELECT 1')", Long.class,
				this.prefix + "retired");
		PgCronRegistry registry = new PgCronRegistry(this.jdbc,
				new TransactionTemplate(new DataSourceTransactionManager(this.dataSource)), this.prefix);
		String database = this.jdbc.queryForObject("SELECT current_database()", String.class);
		try (Connection other = this.dataSource.getConnection()) {
			// Another instance, in the middle of its reconciliation: it holds the lock and removes the job.
			other.setAutoCommit(false);
			try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
				lock.setInt(1, PgCronRegistry.LOCK_CLASS);
				lock.setString(2, this.prefix);
				lock.execute();
			}
			try (PreparedStatement unschedule = other.prepareStatement("SELECT cron.unschedule(?::name)")) {
				unschedule.setString(1, this.prefix + "retired");
				unschedule.execute();
			}
			CompletableFuture<PgCronRegistry.Changes> changes = CompletableFuture
				.supplyAsync(() -> registry.reconcile(List.of(), database));
			await().atMost(Duration.ofSeconds(30)).until(this::waitingForTheLock);
			assertThat(changes).isNotDone();
			other.commit();
			// Without the lock it would have read the job before the other instance committed and failed to
			// unschedule it a second time.
			assertThat(changes.get(30, TimeUnit.SECONDS).removed()).isEmpty();
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM cron.job WHERE left(jobname, length(?)) = ?",
				Long.class, this.prefix, this.prefix)).isZero();
	}

	private boolean waitingForTheLock() {
		Long waiting = this.jdbc.queryForObject("""
				SELECT count(*) FROM pg_locks
				WHERE locktype = 'advisory' AND NOT granted AND classid = ?::int::oid
					AND objid = hashtext(?)::oid
				""", Long.class, PgCronRegistry.LOCK_CLASS, this.prefix);
		return waiting != null && waiting > 0;
	}

}
