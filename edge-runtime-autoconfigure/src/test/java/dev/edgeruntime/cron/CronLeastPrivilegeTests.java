package dev.edgeruntime.cron;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.InsufficientPrivilegeException;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recurring jobs of an application whose database user is neither a superuser nor the database's owner: it
 * may not read {@code cron.database_name}, create pg_cron or create schemas, and uses the queue and the table
 * of claimed ticks a DBA made for it. The database is one where pg_cron is not created (not
 * {@code cron.database_name}), as the application's own database often is.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class CronLeastPrivilegeTests {

	private static final String OTHER_DATABASE = "edge_runtime_cron_app";

	private static HikariDataSource admin;

	private final String queue = "least_" + TestDatabase.uniqueName("");

	private final String role = "cron_user_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	@BeforeAll
	static void createOtherDatabase() {
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		if (jdbc.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, OTHER_DATABASE) == 0) {
			jdbc.execute("CREATE DATABASE " + OTHER_DATABASE);
		}
		admin = TestDatabase.get().newDataSource(OTHER_DATABASE, 4);
		assertThat(new PgmqSchemaInitializer(admin, PgmqSchemaMode.AUTO).install()).isTrue();
		new JdbcTemplate(admin).execute((Connection connection) -> {
			ScriptUtils.executeSqlScript(connection, new ClassPathResource("dev/edgeruntime/cron/schema/cron-v1.sql"));
			return null;
		});
	}

	@AfterAll
	static void closeOtherDatabase() {
		admin.close();
	}

	@BeforeEach
	void createRoleAndQueue() {
		JdbcTemplate jdbc = new JdbcTemplate(admin);
		jdbc.execute("CREATE ROLE " + this.role + " LOGIN PASSWORD 'cron-password'");
		new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1024,
				Duration.ofHours(1), null)
			.createQueue(this.queue);
		jdbc.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		jdbc.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgmq TO " + this.role);
		jdbc.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue + " TO "
				+ this.role);
	}

	@AfterEach
	void dropRole() {
		JdbcTemplate jdbc = new JdbcTemplate(admin);
		jdbc.execute("DROP OWNED BY " + this.role);
		jdbc.execute("DROP ROLE " + this.role);
		jdbc.queryForList("SELECT pgmq.drop_queue(?)", this.queue);
	}

	private void grantTicks() {
		JdbcTemplate jdbc = new JdbcTemplate(admin);
		jdbc.execute("GRANT USAGE ON SCHEMA edge_runtime TO " + this.role);
		jdbc.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON edge_runtime.cron_tick TO " + this.role);
	}

	private ApplicationContextRunner contextRunner() {
		return contextRunner(new DriverManagerDataSource(urlWithoutCredentials(), this.role, "cron-password"));
	}

	private ApplicationContextRunner contextRunner(DataSource asRole) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
					EdgeRuntimeCronAutoConfiguration.class))
			.withBean(DataSource.class, () -> asRole)
			.withPropertyValues("edge-runtime.queue.schema=none", "edge-runtime.queue.notify.enabled=false",
					"edge-runtime.cron.job-name-prefix=least-" + this.queue + ":",
					"edge-runtime.cron.jobs.report.schedule=0 0 1 1 *", "edge-runtime.cron.jobs.report.queue=" + this.queue,
					"edge-runtime.cron.jobs.report.message={\"least\":true}");
	}

	@Test
	void autoModeForAUserWhoMayNotReadWherePgCronLivesShouldFallBackToInAppSayingWhy(CapturedOutput output) {
		grantTicks();
		contextRunner().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
		});
		assertThat(output).contains("Recurring jobs run on the in-app scheduler: the pg_cron extension is not "
				+ "installed in this database, and the database user may not read cron.database_name");
	}

	@Test
	void pgCronModeForAUserWhoMayNotReadWherePgCronLivesShouldFailSayingWhatToDo() {
		grantTicks();
		contextRunner().withPropertyValues("edge-runtime.cron.mode=pg-cron")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("may not read cron.database_name (superusers and members of pg_read_all_settings "
						+ "may)")
				.hasMessageContaining("have a superuser run CREATE EXTENSION pg_cron"));
	}

	@Test
	void inAppModeForAUserWithoutTheTicksTableShouldFailSayingWhatToGrant() {
		contextRunner().withPropertyValues("edge-runtime.cron.mode=in-app")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.cause()
				.isInstanceOf(InsufficientPrivilegeException.class)
				.hasMessageContaining("failed: permission denied for schema edge_runtime (database user " + this.role
						+ ")")
				.hasMessageContaining("have the owner run GRANT USAGE ON SCHEMA edge_runtime TO " + this.role
						+ "; GRANT SELECT, INSERT, UPDATE, DELETE ON edge_runtime.cron_tick TO " + this.role
						+ ", or set edge-runtime.cron.mode=pg-cron"));
	}

	@Test
	void pgCronWithoutUsageOnItsSchemaShouldFailSayingWhatToGrant() {
		// pg_cron's own database, where a DBA created pg_cron
		DataSource main = TestDatabase.get().dataSource();
		JdbcTemplate jdbc = new JdbcTemplate(main);
		jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1024, Duration.ofHours(1), null).createQueue(this.queue);
		jdbc.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		jdbc.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue + " TO "
				+ this.role);
		DataSource asRole = new DriverManagerDataSource(urlWithoutCredentials(TestDatabase.get().jdbcUrl()), this.role,
				"cron-password");
		try {
			contextRunner(asRole).withPropertyValues("edge-runtime.cron.mode=pg-cron")
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.cause()
					.isInstanceOf(InsufficientPrivilegeException.class)
					.hasMessageContaining("in pg_cron failed: permission denied for schema cron (database user "
							+ this.role + ")")
					.hasMessageContaining("have the owner run GRANT USAGE ON SCHEMA cron TO " + this.role
							+ ", or set edge-runtime.cron.mode=in-app"));
		}
		finally {
			jdbc.execute("DROP OWNED BY " + this.role);
			jdbc.queryForList("SELECT pgmq.drop_queue(?)", this.queue);
		}
	}

	@Test
	void pgCronInAnotherDatabaseWithoutItsFunctionForThatShouldNameTheFunctionNotTheSchemaItMayUse() {
		// pg_cron's own database, where a DBA created pg_cron and granted USAGE on its schema, the application's
		// another: pg_cron revokes cron.schedule_in_database from PUBLIC
		JdbcTemplate main = new JdbcTemplate(TestDatabase.get().dataSource());
		main.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		main.execute("GRANT USAGE ON SCHEMA cron TO " + this.role);
		main.execute("GRANT pg_read_all_settings TO " + this.role);
		grantTicks();
		try {
			contextRunner()
				.withPropertyValues("edge-runtime.cron.mode=pg-cron",
						"edge-runtime.cron.pg-cron.url=" + urlWithoutCredentials(TestDatabase.get().jdbcUrl()),
						"edge-runtime.cron.pg-cron.username=" + this.role, "edge-runtime.cron.pg-cron.password=cron-password")
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.cause()
					.isInstanceOfSatisfying(InsufficientPrivilegeException.class, (ex) -> {
						assertThat(ex.getRefused()).isEqualTo("permission denied for function schedule_in_database");
						assertThat(ex.getStatements())
							.containsExactly("GRANT EXECUTE ON FUNCTION cron.schedule_in_database TO " + this.role);
						assertThat(ex.getReason()).contains("one granted EXECUTE on cron.schedule_in_database");
						assertThat(ex.getAlternative()).isEqualTo("set edge-runtime.cron.mode=in-app");
					})
					.hasMessageNotContaining("GRANT USAGE"));
		}
		finally {
			main.execute("DROP OWNED BY " + this.role);
		}
	}

	@Test
	void pgCronRefusingAUserWhoHoldsWhatItAsksForShouldNameNoGrant() {
		// pg_cron's own database, the application's too; the user sees every job (BYPASSRLS), among them one of
		// another user named as one of its own, and may not unschedule it
		JdbcTemplate main = new JdbcTemplate(TestDatabase.get().dataSource());
		main.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		new PgmqTemplate(main, JsonMapper.builder().build(), 1024, Duration.ofHours(1), null).createQueue(this.queue);
		main.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		main.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue + " TO "
				+ this.role);
		main.execute("GRANT USAGE ON SCHEMA cron TO " + this.role);
		main.execute("ALTER ROLE " + this.role + " BYPASSRLS");
		String stale = "least-" + this.queue + ":stale";
		main.queryForObject("SELECT cron.schedule(?, '0 0 1 1 *', 'SELECT 1')", Long.class, stale);
		DataSource asRole = new DriverManagerDataSource(urlWithoutCredentials(TestDatabase.get().jdbcUrl()), this.role,
				"cron-password");
		try {
			contextRunner(asRole).withPropertyValues("edge-runtime.cron.mode=pg-cron")
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.cause()
					.isInstanceOfSatisfying(InsufficientPrivilegeException.class, (ex) -> {
						assertThat(ex.getRefused()).isEqualTo("permission denied for table job");
						assertThat(ex.getStatements()).isEmpty();
						assertThat(ex.getReason()).startsWith("The database user holds the privileges pg_cron asks of "
								+ "it (USAGE on schema cron): PostgreSQL refused something else");
					})
					.hasMessageNotContaining("GRANT"));
			assertThat(main.queryForList("SELECT username FROM cron.job WHERE jobname = ?", String.class, stale))
				.containsExactly("postgres");
		}
		finally {
			main.queryForObject("SELECT cron.unschedule(?)", Boolean.class, stale);
			main.execute("DROP OWNED BY " + this.role);
			main.queryForList("SELECT pgmq.drop_queue(?)", this.queue);
		}
	}

	private static String urlWithoutCredentials() {
		return urlWithoutCredentials(TestDatabase.get().jdbcUrl(OTHER_DATABASE));
	}

	/** The URL without the user and password it may carry, which would win over the role's. */
	private static String urlWithoutCredentials(String url) {
		return TestDatabase.withoutCredentials(url);
	}

}
