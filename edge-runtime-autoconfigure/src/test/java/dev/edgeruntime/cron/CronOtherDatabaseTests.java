package dev.edgeruntime.cron;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recurring jobs of an application whose database is not pg_cron's ({@code cron.database_name}): registered
 * with {@code cron.schedule_in_database} through {@code edge-runtime.cron.pg-cron.url}.
 *
 * @author edge-runtime developers
 */
class CronOtherDatabaseTests {

	private static final String OTHER_DATABASE = "edge_runtime_cron_app";

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static HikariDataSource other;

	private final String id = TestDatabase.uniqueName("");

	private final String prefix = "test-" + this.id + ":";

	private final String queue = "other_" + this.id;

	private final JdbcTemplate cron = new JdbcTemplate(TestDatabase.get().dataSource());

	@BeforeAll
	static void createOtherDatabase() {
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		if (jdbc.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, OTHER_DATABASE) == 0) {
			jdbc.execute("CREATE DATABASE " + OTHER_DATABASE);
		}
		TestDatabase database = TestDatabase.get();
		other = new HikariDataSource();
		other.setJdbcUrl(database.jdbcUrl().replaceFirst("(//[^/]+/)[^?]+", "$1" + OTHER_DATABASE));
		if (database.username() != null) {
			other.setUsername(database.username());
		}
		if (database.password() != null) {
			other.setPassword(database.password());
		}
		other.setMaximumPoolSize(8);
	}

	@AfterAll
	static void closeOtherDatabase() {
		other.close();
	}

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
					EdgeRuntimeCronAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DelegatingDataSource(other))
			.withPropertyValues("edge-runtime.cron.job-name-prefix=" + this.prefix,
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.cron.jobs.report.schedule=0 0 1 1 *",
					"edge-runtime.cron.jobs.report.queue=" + this.queue,
					"edge-runtime.cron.jobs.report.message={\"in\":\"other\"}");
	}

	@Test
	void jobsWhenPgCronIsInAnotherDatabaseShouldBeScheduledThereToRunInTheApplicationsDatabase() {
		TestDatabase database = TestDatabase.get();
		ApplicationContextRunner runner = contextRunner().withPropertyValues("edge-runtime.cron.mode=pg-cron",
				"edge-runtime.cron.pg-cron.url=" + database.jdbcUrl());
		if (database.username() != null) {
			runner = runner.withPropertyValues("edge-runtime.cron.pg-cron.username=" + database.username());
		}
		if (database.password() != null) {
			runner = runner.withPropertyValues("edge-runtime.cron.pg-cron.password=" + database.password());
		}
		try {
			runner.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
				List<String> rows = this.cron.queryForList(
						"SELECT database || ' ' || command FROM cron.job WHERE jobname = ?", String.class,
						this.prefix + "report");
				assertThat(rows).singleElement().asString()
					.startsWith(OTHER_DATABASE + " " + PgCronRegistry.ownerMark(this.prefix) + "SELECT pgmq.send(");
				String command = this.cron.queryForObject("SELECT command FROM cron.job WHERE jobname = ?",
						String.class, this.prefix + "report");
				JdbcTemplate app = new JdbcTemplate(other);
				app.execute(command);
				assertThat(app.queryForList("SELECT message::text FROM pgmq.q_" + this.queue, String.class))
					.containsExactly("{\"in\": \"other\"}");
			});
		}
		finally {
			this.cron.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
					this.prefix, this.prefix);
		}
	}

	@Test
	void looksAtCronJobThroughPgCronUrlShouldKeepOneConnectionOpenAndOpenItAgainAfterAFailure() {
		// the sessions of the pg_cron database's connections, told apart by their application name
		String application = "edge-runtime-cron-" + this.id;
		TestDatabase database = TestDatabase.get();
		String url = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?") + "ApplicationName="
				+ application;
		ApplicationContextRunner runner = contextRunner().withPropertyValues("edge-runtime.cron.mode=in-app",
				"edge-runtime.cron.in-app.poll-interval=100ms", "edge-runtime.cron.pg-cron.url=" + url);
		if (database.username() != null) {
			runner = runner.withPropertyValues("edge-runtime.cron.pg-cron.username=" + database.username());
		}
		if (database.password() != null) {
			runner = runner.withPropertyValues("edge-runtime.cron.pg-cron.password=" + database.password());
		}
		try {
			runner.run((context) -> {
				assertThat(context).hasNotFailed();
				CronJobs jobs = context.getBean(CronJobs.class);
				DoubleFiringCheck check = jobs.doubleFiringCheck();
				assertThat(check).as("pg_cron's database is reached through the URL: cron.job is looked at").isNotNull();
				await().atMost(WAIT).until(() -> check.looks() >= 2);
				List<Integer> sessions = sessions(application);
				assertThat(sessions).as("one connection, open between the looks").hasSize(1);
				long looks = check.looks();
				await().atMost(WAIT).until(() -> check.looks() >= looks + 5);
				assertThat(sessions(application)).as("the same session for every look").isEqualTo(sessions);
				// the session ended from outside (a restart, an administrator): a later look opens a new one
				this.cron.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, sessions.get(0));
				await().atMost(WAIT)
					.until(() -> sessions(application).size() == 1 && !sessions(application).equals(sessions));
				// and reads cron.job through it: the job registered there by an instance in another mode
				this.cron.queryForObject("SELECT cron.schedule_in_database(?, '0 0 1 1 *', ?, ?)", Long.class,
						this.prefix + "report", PgCronRegistry.ownerMark(this.prefix) + "SELECT 1", OTHER_DATABASE);
				await().atMost(WAIT)
					.until(() -> CronJobs.PG_CRON.equals(jobs.list().get(0).alsoFiredBy()));
				assertThat(sessions(application)).hasSize(1);
			});
			// closed with the context (its backend ends a moment after the close)
			await().atMost(WAIT).until(() -> sessions(application).isEmpty());
		}
		finally {
			this.cron.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
					this.prefix, this.prefix);
		}
	}

	private List<Integer> sessions(String application) {
		return this.cron.queryForList("SELECT pid FROM pg_stat_activity WHERE application_name = ? ORDER BY pid",
				Integer.class, application);
	}

	@Test
	void autoModeWhenPgCronUrlIsNotSetShouldFallBackToInApp() {
		contextRunner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
			assertThat(context.getBean(CronJobs.class).doubleFiringCheck())
				.as("pg_cron cannot fire jobs here: cron.job is not read").isNull();
		});
	}

	@Test
	void pgCronModeWhenPgCronUrlIsNotSetShouldFailStartUpNamingTheProperty() {
		contextRunner().withPropertyValues("edge-runtime.cron.mode=pg-cron")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.cause()
				.hasMessageContaining("cron.database_name")
				.hasMessageContaining("edge-runtime.cron.pg-cron.url"));
	}

}
