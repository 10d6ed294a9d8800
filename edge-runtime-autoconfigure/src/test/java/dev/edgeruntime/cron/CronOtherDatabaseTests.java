package dev.edgeruntime.cron;

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

/**
 * Recurring jobs of an application whose database is not pg_cron's ({@code cron.database_name}): registered
 * with {@code cron.schedule_in_database} through {@code edge-runtime.cron.pg-cron.url}.
 *
 * @author edge-runtime developers
 */
class CronOtherDatabaseTests {

	private static final String OTHER_DATABASE = "edge_runtime_cron_app";

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
