package dev.edgeruntime.cron;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several applications and instances on one pg_cron, against the real PostgreSQL with pg_cron 1.4: two
 * instances creating the extension at once both hand their jobs to pg_cron; an application whose prefix
 * starts with another's keeps its hands off the other's jobs. And the in-app reading of a schedule with both
 * day fields restricted is pg_cron's (either matches).
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class CronSharedDatabaseTests {

	private static final String YEARLY = "0 0 1 1 *";

	private final DataSource dataSource = TestDatabase.get().dataSource();

	private final JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final String id = TestDatabase.uniqueName("");

	private final String prefix = "test-" + this.id + ":";

	private final String queue = "sh_" + this.id;

	@AfterEach
	void cleanUp() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
				this.prefix, this.prefix);
	}

	@Test
	void twoInstancesCreatingPgCronAtOnceShouldBothHandTheJobsToPgCron(CapturedOutput output) throws Exception {
		new PgmqSchemaInitializer(this.dataSource, PgmqSchemaMode.AUTO).install();
		this.jdbc.execute("DROP EXTENSION IF EXISTS pg_cron");
		evictPooledSessions();
		CronJobDefinition job = new CronJobDefinition("sweep", "* * * * *", this.queue, "{}", "test");
		CronJobs first = cronJobs(job);
		CronJobs second = cronJobs(job);
		try {
			try (Connection other = this.dataSource.getConnection()) {
				// The first instance, in the middle of its CREATE EXTENSION pg_cron.
				other.setAutoCommit(false);
				try (Statement statement = other.createStatement()) {
					statement.execute("CREATE EXTENSION pg_cron");
				}
				CompletableFuture<Void> secondStart = CompletableFuture.runAsync(second::start);
				await().atMost(Duration.ofSeconds(30)).until(this::createExtensionWaiting);
				other.commit();
				secondStart.get(30, TimeUnit.SECONDS);
			}
			evictPooledSessions();
			first.start(); // the first instance goes on: the extension is there, it reconciles
			assertThat(first.scheduler()).isEqualTo(CronJobs.PG_CRON);
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM cron.job WHERE jobname = ?", Long.class,
					this.prefix + "sweep")).isOne();
			assertThat(second.scheduler()).as("pg_cron fires 'sweep'; the second instance must not fire it in-app too")
				.isEqualTo(CronJobs.PG_CRON);
			assertThat(output).contains("pg_cron was created by another instance at the same moment");
		}
		finally {
			first.stop();
			second.stop();
			evictPooledSessions();
		}
	}

	@Test
	void reconciliationShouldNotRemoveTheJobsOfAnotherApplicationWhosePrefixExtendsItsOwn() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		String database = this.jdbc.queryForObject("SELECT current_database()", String.class);
		// Two applications on one database, each with its own prefix as docs/cron.md asks.
		registry(this.prefix + "billing:").reconcile(
				List.of(new CronJobDefinition("invoice", YEARLY, this.queue, "{}", "test")), database);
		PgCronRegistry.Changes changes = registry(this.prefix).reconcile(
				List.of(new CronJobDefinition("report", YEARLY, this.queue, "{}", "test")), database);
		assertThat(this.jdbc.queryForList("SELECT jobname FROM cron.job WHERE left(jobname, length(?)) = ?",
				String.class, this.prefix, this.prefix))
			.as("removed by the other application: " + changes.removed())
			.contains(this.prefix + "billing:invoice");
		assertThat(changes.removed()).isEmpty();
		// and each lists only its own
		assertThat(registry(this.prefix).jobs()).containsOnlyKeys(this.prefix + "report");
	}

	@Test
	void dayOfMonthAndDayOfWeekBothRestrictedShouldMatchEitherAsPgCronDoes() {
		// pg_cron (vixie cron): "0 0 1 * 1" is midnight on the 1st of each month AND every Monday.
		// 2031-03-01 is a Saturday; the next such tick is Monday 2031-03-03.
		CronSchedule schedule = CronSchedule.parse("0 0 1 * 1");
		assertThat(schedule.next(Instant.parse("2031-03-01T00:00:00Z"))).isEqualTo(Instant.parse("2031-03-03T00:00:00Z"));
		// and the 1st of the next month, a Tuesday, fires too
		assertThat(schedule.next(Instant.parse("2031-03-31T00:00:00Z"))).isEqualTo(Instant.parse("2031-04-01T00:00:00Z"));
		// a day field starting with '*' (as '*/2') is not a restriction, as in pg_cron: both must match
		assertThat(CronSchedule.parse("0 0 */2 * 1").next(Instant.parse("2031-03-01T00:00:00Z")))
			.isEqualTo(Instant.parse("2031-03-03T00:00:00Z"));
	}

	private boolean createExtensionWaiting() {
		Long waiting = this.jdbc.queryForObject("""
				SELECT count(*) FROM pg_stat_activity
				WHERE wait_event_type = 'Lock' AND query ILIKE 'CREATE EXTENSION IF NOT EXISTS pg_cron%'
				""", Long.class);
		return waiting != null && waiting > 0;
	}

	private PgCronRegistry registry(String prefix) {
		return new PgCronRegistry(this.jdbc, new TransactionTemplate(new DataSourceTransactionManager(this.dataSource)),
				prefix);
	}

	private CronJobs cronJobs(CronJobDefinition... jobs) {
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(this.dataSource), this.jsonMapper, 1024 * 1024,
				Duration.ofHours(1), null);
		CronOptions options = new CronOptions(CronMode.AUTO, this.prefix, false, Duration.ofSeconds(10), true,
				Duration.ofDays(1), Duration.ofMinutes(1));
		return new CronJobs(List.of(jobs), null, pgmq, this.jsonMapper, this.dataSource, this.dataSource, options,
				CronRunObserver.NONE, Clock.systemUTC(), null);
	}

	private static void evictPooledSessions() {
		((HikariDataSource) TestDatabase.get().dataSource()).getHikariPoolMXBean().softEvictConnections();
	}

}
