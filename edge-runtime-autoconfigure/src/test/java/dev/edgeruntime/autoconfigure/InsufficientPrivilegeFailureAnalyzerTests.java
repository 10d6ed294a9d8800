package dev.edgeruntime.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.edgeruntime.queue.InsufficientPrivilegeException;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ScriptUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link InsufficientPrivilegeFailureAnalyzer}, through real application starts as a database user
 * of its own, granted less than the durable tier needs: the failure analysis names what was refused, the
 * user, PostgreSQL's words for the object, and the statements the owner runs or what to configure instead.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class InsufficientPrivilegeFailureAnalyzerTests {

	private final JdbcTemplate admin = new JdbcTemplate(TestDatabase.get().dataSource());

	private final String role = "analyzed_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	private final String queue = TestDatabase.uniqueName("analyzed_");

	private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@BeforeEach
	void createRole() {
		assertThat(new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		this.admin.execute("CREATE ROLE " + this.role + " LOGIN PASSWORD 'analyzed-password'");
	}

	@AfterEach
	void dropRole() {
		this.admin.execute("DROP OWNED BY " + this.role);
		this.admin.execute("DROP ROLE " + this.role);
		this.admin.queryForList("SELECT pgmq.drop_queue(?) WHERE to_regclass('pgmq.q_' || ?) IS NOT NULL", this.queue,
				this.queue);
	}

	@Test
	void startWhenTheUserMayNotInstallTheSchemaShouldNameTheUserAndSchemaNone(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--edge-runtime.queue.schema=auto"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Installing the pgmq schema (edge-runtime.queue.schema=auto) was refused by the database.")
			.contains("Database user: " + this.role)
			.contains("Refused: permission denied for ")
			.contains("The database user may not install or update the schema.")
			.contains("Set edge-runtime.queue.schema=none, have the schema's owner (a migration, a DBA) run "
					+ "edge-runtime's scripts from the edge-runtime-autoconfigure jar (CREATE EXTENSION pgmq, or "
					+ "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql to pgmq-bundled-v"
					+ PgmqSchemaInitializer.BUNDLED_VERSION + ".sql in order; then "
					+ "dev/edgeruntime/queue/schema/edge-runtime-v1.sql) and grant the user what it uses.")
			.contains("See docs/durable-queue.md, \"Database privileges\".")
			.doesNotContain("Application run failed");
	}

	@Test
	void startWhenTheUserMayNotCreateACronJobsQueueShouldGiveTheStatementsForTheOwner(CapturedOutput output) {
		this.admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		assertThatException().isThrownBy(() -> run("--edge-runtime.queue.schema=none",
				"--edge-runtime.cron.mode=in-app", "--edge-runtime.cron.jobs.report.schedule=0 0 1 1 *",
				"--edge-runtime.cron.jobs.report.queue=" + this.queue));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Creating queue '" + this.queue + "' was refused by the database.")
			.contains("Database user: " + this.role)
			.contains("Refused: permission denied for schema pgmq")
			.contains("The application's database user may not create queues.")
			.contains("Have the owner of the objects (a DBA, a migration) run:")
			.contains("    SELECT pgmq.create('" + this.queue + "')")
			.contains("    GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue
					+ " TO " + this.role)
			.contains("    GRANT SELECT ON SEQUENCE pgmq.q_" + this.queue + "_msg_id_seq TO " + this.role)
			.contains("or let the user create queues itself: GRANT USAGE, CREATE ON SCHEMA pgmq TO " + this.role
					+ "; GRANT INSERT, DELETE ON pgmq.meta TO " + this.role + ".")
			.doesNotContain("Application run failed");
	}

	@Test
	void startWhenTheInAppSchedulerMayNotUseItsTableShouldGiveTheMissingGrants(CapturedOutput output) {
		this.admin.execute((Connection connection) -> {
			ScriptUtils.executeSqlScript(connection, new ClassPathResource("dev/edgeruntime/cron/schema/cron-v1.sql"));
			return null;
		});
		new PgmqTemplate(this.admin, JsonMapper.builder().build(), 1024, Duration.ofHours(1), null)
			.createQueue(this.queue);
		this.admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		this.admin.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue
				+ " TO " + this.role);
		// USAGE without the table's privileges: only those are missing
		this.admin.execute("GRANT USAGE ON SCHEMA edge_runtime TO " + this.role);
		this.admin.execute("GRANT SELECT ON edge_runtime.cron_tick TO " + this.role);
		assertThatException().isThrownBy(() -> run("--edge-runtime.queue.schema=none",
				"--edge-runtime.cron.mode=in-app", "--edge-runtime.cron.jobs.report.schedule=0 0 1 1 *",
				"--edge-runtime.cron.jobs.report.queue=" + this.queue));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Preparing edge_runtime.cron_tick (the in-app cron scheduler's table of claimed ticks) was refused "
					+ "by the database.")
			.contains("Database user: " + this.role)
			.contains("Refused: permission denied for table cron_tick")
			.contains("    GRANT INSERT, UPDATE, DELETE ON edge_runtime.cron_tick TO " + this.role)
			.doesNotContain("GRANT USAGE ON SCHEMA edge_runtime")
			.doesNotContain("cron-v1.sql")
			.contains("or set edge-runtime.cron.mode=pg-cron.")
			.contains("See docs/cron.md, \"Database privileges\".")
			.doesNotContain("Application run failed");
	}

	@Test
	void analyzeWhenTheAlternativeIsNullOrBlankShouldGiveTheStatementsOrTheDocsAlone() {
		for (String alternative : new String[] { null, "", "  " }) {
			FailureAnalysis withStatements = analyze(alternative, List.of("GRANT USAGE ON SCHEMA cron TO app"));
			assertThat(withStatements.getAction()).as("alternative '%s'", alternative)
				.isEqualTo(("Have the owner of the objects (a DBA, a migration) run:%n%n    GRANT USAGE ON SCHEMA cron "
						+ "TO app%n%nSee docs/cron.md, \"Database privileges\".").formatted());
			FailureAnalysis alone = analyze(alternative, List.of());
			assertThat(alone.getAction()).as("alternative '%s'", alternative)
				.isEqualTo("See docs/cron.md, \"Database privileges\".");
			assertThat(alone.getDescription()).as("alternative '%s'", alternative)
				.endsWith("The database user may not use pg_cron.");
			assertThat(alone.getCause()).isInstanceOfSatisfying(InsufficientPrivilegeException.class,
					(ex) -> assertThat(ex.getAlternative()).isNull());
		}
	}

	@Test
	void analyzeWhenThereIsAnAlternativeAloneShouldGiveItAsASentence() {
		FailureAnalysis analysis = analyze("set edge-runtime.cron.mode=in-app", List.of());
		assertThat(analysis.getAction())
			.isEqualTo("Set edge-runtime.cron.mode=in-app.%n%nSee docs/cron.md, \"Database privileges\".".formatted());
	}

	private static FailureAnalysis analyze(String alternative, List<String> statements) {
		InsufficientPrivilegeException ex = new InsufficientPrivilegeException("Registering the recurring jobs",
				"permission denied for schema cron", "app", "The database user may not use pg_cron", statements,
				alternative, "docs/cron.md, \"Database privileges\"", new SQLException("denied", "42501"));
		return new InsufficientPrivilegeFailureAnalyzer().analyze(ex);
	}

	private void run(String... extra) {
		SpringApplication spring = new SpringApplication(DurableApplication.class);
		spring.setWebApplicationType(WebApplicationType.NONE);
		// as arguments, which take precedence over the test's application.properties (which excludes the DataSource)
		List<String> arguments = new ArrayList<>(List.of("--spring.autoconfigure.exclude=",
				"--spring.datasource.url=" + TestDatabase.withoutCredentials(TestDatabase.get().jdbcUrl()),
				"--spring.datasource.username=" + this.role, "--spring.datasource.password=analyzed-password",
				"--edge-runtime.queue.notify.enabled=false", "--edge-runtime.cron.job-name-prefix=" + this.prefix));
		arguments.addAll(List.of(extra));
		spring.run(arguments.toArray(String[]::new));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class,
			EdgeRuntimeCronAutoConfiguration.class })
	static class DurableApplication {

	}

}
