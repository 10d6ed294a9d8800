package dev.edgeruntime.cron;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances of one application in different {@code edge-runtime.cron.mode}s on one database, against the real
 * PostgreSQL with pg_cron 1.4: one started in {@code pg-cron} or {@code auto} mode while one in {@code in-app}
 * mode runs registers the jobs in pg_cron again, and each tick then fires twice; the in-app instance, which
 * looks at {@code cron.job} every poll interval, says so once per job and shows it in the job list.
 *
 * @author edge-runtime developers
 */
class CronMixedModesTests {

	private final JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());

	private String prefix;

	private String queue;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void setUp() {
		String id = TestDatabase.uniqueName("");
		this.prefix = "test-" + id + ":";
		this.queue = "mixed_" + id;
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
					EdgeRuntimeCronAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DelegatingDataSource(TestDatabase.get().dataSource()))
			.withPropertyValues("edge-runtime.cron.job-name-prefix=" + this.prefix,
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.cron.in-app.poll-interval=100ms",
					"edge-runtime.cron.jobs.sweep.schedule=* * * * *",
					"edge-runtime.cron.jobs.sweep.queue=" + this.queue);
	}

	@AfterEach
	void unscheduleOwnedJobs() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
				this.prefix, this.prefix);
	}

	@Test
	void inAppInstanceWhenAnInstanceInPgCronModeStartsAfterItShouldWarnOnceThatPgCronFiresItsJobsToo() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		try (LogCapture log = LogCapture.of(DoubleFiringCheck.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=in-app").run((inApp) -> {
				assertThat(inApp).hasNotFailed();
				CronJobs inAppJobs = inApp.getBean(CronJobs.class);
				assertThat(inAppJobs.scheduler()).isEqualTo(CronJobs.IN_APP);
				this.contextRunner.withPropertyValues("edge-runtime.cron.mode=pg-cron").run((pgCron) -> {
					assertThat(pgCron).hasNotFailed();
					// both fire 'sweep': pg_cron, where the later start registered it, and the in-app scheduler
					assertThat(pgCron.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
					assertThat(activeInCronJob("sweep")).isTrue();
					assertThat(inAppJobs.scheduler()).isEqualTo(CronJobs.IN_APP);
					await().atMost(Duration.ofSeconds(30)).until(() -> !warnings(log).isEmpty());
					DoubleFiringCheck check = inAppJobs.doubleFiringCheck();
					assertThat(check).isNotNull();
					long looks = check.looks();
					await().atMost(Duration.ofSeconds(30)).until(() -> check.looks() >= looks + 3);
					assertThat(warnings(log)).as("one warning per job, not one per look or tick")
						.singleElement()
						.isEqualTo("Cron job 'sweep' fires twice on every tick: this instance's in-app scheduler "
								+ "fires it (edge-runtime.cron.mode=in-app), and pg_cron fires it too: cron.job holds '"
								+ this.prefix + "sweep', active, registered again by an instance started in "
								+ "edge-runtime.cron.mode=auto or pg-cron after this one. Instances on this database "
								+ "run in different modes (edge-runtime.cron.mode). Give every instance the same "
								+ "mode: to keep the in-app scheduler, restart one instance in "
								+ "edge-runtime.cron.mode=in-app (its start unschedules the job) or run SELECT "
								+ "cron.unschedule('" + this.prefix + "sweep'); to keep pg_cron, stop the instances "
								+ "that fire the jobs in-app.");
					assertThat(inAppJobs.list()).singleElement().satisfies((job) -> {
						assertThat(job.scheduler()).isEqualTo(CronJobs.IN_APP);
						assertThat(job.alsoFiredBy()).isEqualTo(CronJobs.PG_CRON);
					});
				});
				// The job stays in pg_cron after the pg-cron instance stops; deactivated by hand, it fires once a tick.
				this.jdbc.update("UPDATE cron.job SET active = false WHERE jobname = ?", this.prefix + "sweep");
				await().atMost(Duration.ofSeconds(30))
					.until(() -> log.events()
						.stream()
						.anyMatch((event) -> event.getLevel() == Level.INFO && event.getFormattedMessage()
							.equals("Cron job 'sweep' is no longer active in pg_cron (cron.job '" + this.prefix
									+ "sweep'): the in-app scheduler alone fires it again")));
				assertThat(inAppJobs.list()).singleElement()
					.satisfies((job) -> assertThat(job.alsoFiredBy()).isNull());
				assertThat(warnings(log)).hasSize(1);
			});
		}
	}

	@Test
	void inAppInstanceWhenPgCronIsCreatedAfterItStartedShouldWarnThatPgCronFiresItsJobsToo() {
		this.jdbc.execute("DROP EXTENSION IF EXISTS pg_cron");
		evictPooledSessions();
		try (LogCapture log = LogCapture.of(DoubleFiringCheck.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=in-app").run((inApp) -> {
				assertThat(inApp).hasNotFailed();
				CronJobs inAppJobs = inApp.getBean(CronJobs.class);
				DoubleFiringCheck check = inAppJobs.doubleFiringCheck();
				assertThat(check).as("pg_cron is loaded for this database: it can be created any time").isNotNull();
				// an instance in auto mode creates the extension and registers the jobs
				this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto").run((auto) -> {
					assertThat(auto).hasNotFailed();
					assertThat(auto.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
					await().atMost(Duration.ofSeconds(30)).until(() -> warnings(log).size() == 1);
					assertThat(warnings(log)).singleElement().asString().startsWith("Cron job 'sweep' fires twice");
					assertThat(inAppJobs.list()).singleElement()
						.satisfies((job) -> assertThat(job.alsoFiredBy()).isEqualTo(CronJobs.PG_CRON));
				});
			});
		}
		finally {
			this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
			evictPooledSessions();
		}
	}

	@Test
	void inAppInstanceShouldNotWarnOfAJobOfTheSameNameThatPgCronRunsInAnotherDatabase() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		try (LogCapture log = LogCapture.of(DoubleFiringCheck.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=in-app").run((inApp) -> {
				assertThat(inApp).hasNotFailed();
				String command = PgCronRegistry.ownerMark(this.prefix) + "SELECT 1";
				this.jdbc.queryForObject("SELECT cron.schedule(?, '* * * * *', ?)", Long.class, this.prefix + "sweep",
						command);
				this.jdbc.update("UPDATE cron.job SET database = 'another_application' WHERE jobname = ?",
						this.prefix + "sweep");
				DoubleFiringCheck check = inApp.getBean(CronJobs.class).doubleFiringCheck();
				assertThat(check).isNotNull();
				long looks = check.looks();
				await().atMost(Duration.ofSeconds(30)).until(() -> check.looks() >= looks + 3);
				assertThat(warnings(log)).isEmpty();
				assertThat(inApp.getBean(CronJobs.class).list()).singleElement()
					.satisfies((job) -> assertThat(job.alsoFiredBy()).isNull());
			});
		}
	}

	private static List<String> warnings(LogCapture log) {
		return log.events()
			.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private boolean activeInCronJob(String job) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject(
				"SELECT coalesce(bool_or(active), false) FROM cron.job WHERE jobname = ?", Boolean.class,
				this.prefix + job));
	}

	private static void evictPooledSessions() {
		((HikariDataSource) TestDatabase.get().dataSource()).getHikariPoolMXBean().softEvictConnections();
	}

}
