package dev.edgeruntime.queue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.AbstractDataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How {@link PgmqSchemaInitializer} brings the pgmq schema into a database, each test in a database of its
 * own on the test server, which has the real pgmq extension available ({@code scripts/dev-postgres.sh}
 * installs it): the bundled schema, the extension, and a database that has one when the other is asked for.
 *
 * @author edge-runtime developers
 */
class PgmqSchemaInitializerTests {

	/** The script docs/durable-queue.md gives for moving queues from the bundled schema to the extension. */
	private static final Path MOVE_SCRIPT = Path.of("..", "docs", "sql", "move-to-pgmq-extension.sql");

	@Test
	void bundledInstallIsIdempotentAndSafeWhenInstancesStartAtOnce() throws Exception {
		inNewDatabase((dataSource) -> {
			for (boolean installed : installAtOnce(dataSource, PgmqSchemaMode.BUNDLED)) {
				assertThat(installed).isTrue();
			}
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			// one row per bundled version, each installed once
			assertThat(jdbc.queryForList("SELECT version FROM pgmq.edge_runtime_schema ORDER BY version", Integer.class))
				.containsExactly(1, PgmqSchemaInitializer.BUNDLED_VERSION);
			assertThat(extensionVersion(jdbc)).isNull();
			jdbc.queryForList("SELECT pgmq.create('after_install')");
			assertThat(jdbc.queryForObject("SELECT * FROM pgmq.send('after_install', '{}')", Long.class)).isEqualTo(1);
		});
	}

	@Test
	void autoCreatesTheExtensionWhereTheServerHasItOnceWhenInstancesStartAtOnce() throws Exception {
		inNewDatabase((dataSource) -> {
			for (boolean installed : installAtOnce(dataSource, PgmqSchemaMode.AUTO)) {
				assertThat(installed).isTrue();
			}
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(extensionVersion(jdbc)).isNotNull()
				.satisfies((version) -> assertThat(PgmqSchemaInitializer.atLeast(version, "1.5")).isTrue());
			assertThat(bundledTablePresent(jdbc)).isFalse();
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				PgmqSchemaInitializer later = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO);
				assertThat(later.install()).isTrue();
				assertThat(later.installed()).isEqualTo(PgmqSchemaMode.EXTENSION);
				assertThat(log.events()).extracting((event) -> event.getFormattedMessage())
					.contains("Using the pgmq extension, version " + extensionVersion(jdbc));
			}
		});
	}

	@Test
	void databaseUnavailableIsLoggedAtWarnOnceUntilItAnswersAgain() throws Exception {
		inNewDatabase((dataSource) -> {
			AtomicInteger refusals = new AtomicInteger(3);
			DataSource flaky = new DelegatingDataSource(dataSource) {

				@Override
				public Connection getConnection() throws SQLException {
					if (refusals.getAndDecrement() > 0) {
						throw new SQLException("Connection to localhost:5432 refused", "08001");
					}
					return super.getConnection();
				}

			};
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(flaky, PgmqSchemaMode.BUNDLED);
				assertThat(initializer.install()).isFalse();
				assertThat(initializer.install()).isFalse();
				assertThat(initializer.install()).isFalse();
				assertThat(initializer.install()).isTrue();
				assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.WARN)
					.singleElement()
					.satisfies((event) -> assertThat(event.getFormattedMessage())
						.startsWith("Queue database unavailable, pgmq schema not checked yet: Connection to "
								+ "localhost:5432 refused"));
				assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.DEBUG)
					.extracting((event) -> event.getFormattedMessage())
					.filteredOn((message) -> message.startsWith("Queue database unavailable"))
					.hasSize(2);
				assertThat(log.events()).extracting((event) -> event.getFormattedMessage())
					.contains("Queue database reachable again, pgmq schema checked");
			}
		});
	}

	@Test
	void extensionModeCreatesTheExtension() throws Exception {
		inNewDatabase((dataSource) -> {
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.EXTENSION);
			assertThat(initializer.install()).isTrue();
			assertThat(initializer.installed()).isEqualTo(PgmqSchemaMode.EXTENSION);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(extensionVersion(jdbc)).isNotNull();
			assertThat(bundledTablePresent(jdbc)).isFalse();
		});
	}

	@Test
	void bundledModeUsesTheExtensionWhenItIsAlreadyInstalled() throws Exception {
		inNewDatabase((dataSource) -> {
			new JdbcTemplate(dataSource).execute("CREATE EXTENSION pgmq");
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED);
			assertThat(initializer.install()).isTrue();
			assertThat(initializer.installed()).isEqualTo(PgmqSchemaMode.EXTENSION);
			assertThat(bundledTablePresent(new JdbcTemplate(dataSource))).isFalse();
		});
	}

	@Test
	void autoKeepsABundledSchemaInstalledBeforeTheServerHadTheExtension() throws Exception {
		inNewDatabase((dataSource) -> {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED).install()).isTrue();
			jdbc.queryForList("SELECT pgmq.create('kept')");
			long id = jdbc.queryForObject("SELECT * FROM pgmq.send('kept', '{\"n\": 1}')", Long.class);
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				PgmqSchemaInitializer auto = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO);
				assertThat(auto.install()).isTrue();
				assertThat(auto.installed()).isEqualTo(PgmqSchemaMode.BUNDLED);
				assertThat(log.events()).anySatisfy((event) -> assertThat(event.getFormattedMessage())
					.contains("The pgmq extension is available, but this database keeps edge-runtime's bundled")
					.contains("Moving to the pgmq extension"));
			}
			assertThat(extensionVersion(jdbc)).isNull();
			assertThat(jdbc.queryForList("SELECT msg_id FROM pgmq.read('kept', 30, 10)", Long.class))
				.as("the queue and its message are where they were").containsExactly(id);
		});
	}

	@Test
	void extensionModeOverABundledSchemaFailsNamingThePropertyAndChangesNothing() throws Exception {
		inNewDatabase((dataSource) -> {
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED).install()).isTrue();
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.EXTENSION);
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(initializer::install)
				.withMessageContaining("edge-runtime.queue.schema=extension")
				.withMessageContaining("bundled pgmq-compatible schema")
				.withMessageContaining("Moving to the pgmq extension");
			assertThat(initializer.installed()).isNull();
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(extensionVersion(jdbc)).isNull();
			assertThat(bundledTablePresent(jdbc)).isTrue();
		});
	}

	@Test
	void theDocumentedScriptMovesBundledQueuesToTheExtensionWithEverythingInThem() throws Exception {
		inNewDatabase((dataSource) -> {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED).install()).isTrue();
			PgmqTemplate pgmq = new PgmqTemplate(jdbc, JsonMapper.builder().build(), 1024, Duration.ofHours(1), null);
			pgmq.createQueue("moved");
			jdbc.queryForList("SELECT pgmq.create_unlogged('moved_fast')");
			long handled = pgmq.send("moved", Map.of("n", 1));
			long dead = pgmq.send("moved", Map.of("n", 2), Map.of("x-task-id", "task-2"), Duration.ZERO);
			long waiting = pgmq.send("moved", Map.of("n", 3));
			long later = pgmq.send("moved", Map.of("n", 4), Duration.ofHours(1));
			long fast = pgmq.send("moved_fast", Map.of("n", 5));
			assertThat(pgmq.read("moved", Map.class, Duration.ofMinutes(5), 2)).extracting(QueueMessage::id)
				.containsExactly(handled, dead);
			pgmq.archive("moved", handled);
			pgmq.archiveWithHeaders("moved", dead, Map.of(QueueHeaders.DEAD_LETTERED, true));
			List<Map<String, Object>> queueBefore = rows(jdbc, "q_moved");
			List<Map<String, Object>> archiveBefore = rows(jdbc, "a_moved");

			jdbc.execute(Files.readString(MOVE_SCRIPT));

			assertThat(extensionVersion(jdbc)).isNotNull();
			assertThat(jdbc.queryForObject("SELECT to_regnamespace('pgmq_bundled') IS NULL", Boolean.class)).isTrue();
			assertThat(bundledTablePresent(jdbc)).isFalse();
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.EXTENSION);
			assertThat(initializer.install()).isTrue();
			assertThat(initializer.installed()).isEqualTo(PgmqSchemaMode.EXTENSION);
			assertThat(rows(jdbc, "q_moved")).isEqualTo(queueBefore);
			assertThat(rows(jdbc, "a_moved")).isEqualTo(archiveBefore);
			assertThat(jdbc.queryForObject("SELECT is_unlogged FROM pgmq.meta WHERE queue_name = 'moved_fast'",
					Boolean.class))
				.isTrue();
			assertThat(pgmq.read("moved_fast", Map.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
				.containsExactly(fast);
			assertThat(pgmq.read("moved", Map.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
				.as("the hidden message stays hidden").containsExactly(waiting);
			assertThat(pgmq.send("moved", Map.of("n", 6))).as("ids go on after the highest used").isGreaterThan(later);
			assertThat(pgmq.statistics("moved").deadLettered()).isEqualTo(1);
			assertThat(pgmq.requeueDeadLetters("moved")).containsExactly(dead);
		});
	}

	@Test
	void autoInstallsTheBundledSchemaWhereTheServersExtensionIsTooOld() throws Exception {
		// The server has pgmq 1.11.1; asking for 99.0 makes it as old as a server with pgmq 1.4 is for 1.5.
		inNewDatabase((dataSource) -> {
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				PgmqSchemaInitializer auto = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO, "99.0");
				assertThat(auto.install()).isTrue();
				assertThat(auto.installed()).isEqualTo(PgmqSchemaMode.BUNDLED);
				assertThat(log.events()).extracting((event) -> event.getFormattedMessage())
					.anySatisfy((message) -> assertThat(message).startsWith("The pgmq extension available is version ")
						.contains("older than the 99.0 edge-runtime needs")
						.contains("using edge-runtime's bundled pgmq-compatible schema instead"));
			}
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(extensionVersion(jdbc)).isNull();
			assertThat(bundledTablePresent(jdbc)).isTrue();
		});
	}

	@Test
	void anInstalledExtensionTooOldFailsStartUpWithTheVersionAndWhatToDo() throws Exception {
		inNewDatabase((dataSource) -> {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			jdbc.execute("CREATE EXTENSION pgmq");
			String version = extensionVersion(jdbc);
			PgmqSchemaInitializer auto = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO, "99.0");
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(auto::install)
				.withMessageContaining("The database's pgmq extension is version " + version)
				.withMessageContaining("edge-runtime needs 99.0 or later")
				.withMessageContaining("ALTER EXTENSION pgmq UPDATE");
			assertThat(auto.installed()).isNull();
		});
	}

	@Test
	void aUserWhoMayNotInstallTheSchemaIsToldToLeaveItToItsOwner() throws Exception {
		inNewDatabase((dataSource) -> {
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED).install()).isTrue();
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			String database = admin.queryForObject("SELECT current_database()", String.class);
			String role = TestDatabase.uniqueName("schema_user_");
			admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'schema-password'");
			try {
				admin.execute("GRANT USAGE ON SCHEMA pgmq, edge_runtime TO " + role);
				DataSource asRole = new DriverManagerDataSource(withoutCredentials(TestDatabase.get().jdbcUrl(database)),
						role, "schema-password");
				assertThatExceptionOfType(InsufficientPrivilegeException.class)
					.isThrownBy(new PgmqSchemaInitializer(asRole, PgmqSchemaMode.AUTO)::install)
					.withMessageStartingWith("Installing the pgmq schema (edge-runtime.queue.schema=auto) failed: "
							+ "permission denied for ")
					.withMessageContaining(" (database user " + role + "). The database user may not install or update "
							+ "the schema: set edge-runtime.queue.schema=none, have the schema's owner (a migration, a DBA) "
							+ "run edge-runtime's scripts")
					.withMessageEndingWith(" and grant the user what it uses (docs/durable-queue.md, \"Database "
							+ "privileges\")")
					.satisfies((ex) -> assertThat(ex.getUser()).isEqualTo(role));
			}
			finally {
				admin.execute("DROP OWNED BY " + role);
				admin.execute("DROP ROLE " + role);
			}
		});
	}

	@Test
	void extensionModeWhereTheServersExtensionIsTooOldFailsAndCreatesNothing() throws Exception {
		inNewDatabase((dataSource) -> {
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.EXTENSION, "99.0");
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(initializer::install)
				.withMessageContaining("edge-runtime needs 99.0 or later");
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(extensionVersion(jdbc)).as("rolled back").isNull();
			assertThat(bundledTablePresent(jdbc)).isFalse();
		});
	}

	@Test
	void extensionVersionsAreComparedPartByPart() {
		assertThat(PgmqSchemaInitializer.atLeast("1.11.1", "1.5")).isTrue();
		assertThat(PgmqSchemaInitializer.atLeast("1.5", "1.5")).isTrue();
		assertThat(PgmqSchemaInitializer.atLeast("1.5.0-rc1", "1.5")).isTrue();
		assertThat(PgmqSchemaInitializer.atLeast("2.0.0", "1.5")).isTrue();
		assertThat(PgmqSchemaInitializer.atLeast("1.4.5", "1.5")).isFalse();
		assertThat(PgmqSchemaInitializer.atLeast("1", "1.5")).isFalse();
		assertThat(PgmqSchemaInitializer.atLeast("0.33.2", "1.5")).isFalse();
	}

	@Test
	void noneModeInstallsNothingAndSaysTheVersionWasNotChecked() throws Exception {
		inNewDatabase((dataSource) -> {
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.NONE);
				assertThat(initializer.install()).isTrue();
				assertThat(initializer.installed()).isEqualTo(PgmqSchemaMode.NONE);
				assertThat(new JdbcTemplate(dataSource).queryForObject(
						"SELECT count(*) FROM pg_namespace WHERE nspname IN ('pgmq', 'edge_runtime')", Long.class))
					.isZero();
				assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.INFO)
					.extracting((event) -> event.getFormattedMessage())
					.containsExactly("The pgmq schema's version was not checked (edge-runtime.queue.schema=none): the "
							+ "database has no pgmq schema yet (its owner installs it; a queue cannot be created before)");
			}
		});
	}

	@Test
	void noneModeWithAnOlderBundledSchemaFailsNamingBothVersionsAndTheScriptToRun() throws Exception {
		inNewDatabase((dataSource) -> {
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql");
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.NONE)::install)
				.withMessage("edge-runtime.queue.schema=none, and the database's bundled pgmq-compatible schema is "
						+ "version 1 (pgmq.edge_runtime_schema), older than version 2, which this edge-runtime needs: "
						+ "before version 2 pgmq.read passes over messages whose payload is not a JSON object (a string, a "
						+ "number, an array), so consumers would never receive them. Have the schema's owner run "
						+ "dev/edgeruntime/queue/schema/pgmq-bundled-v2.sql from the edge-runtime-autoconfigure jar (each "
						+ "is idempotent) before this version's instances start (docs/durable-queue.md, \"Database "
						+ "privileges\")");
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(jdbc.queryForList("SELECT version FROM pgmq.edge_runtime_schema", Integer.class))
				.as("nothing installed")
				.containsExactly(1);
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v2.sql");
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.NONE);
			assertThat(initializer.install()).isTrue();
			assertThat(initializer.installed()).isEqualTo(PgmqSchemaMode.NONE);
		});
	}

	@Test
	void noneModeForAUserWhoMayNotReadTheVersionSaysSoOnceAtInfo() throws Exception {
		inNewDatabase((dataSource) -> {
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql");
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			String database = admin.queryForObject("SELECT current_database()", String.class);
			String role = TestDatabase.uniqueName("version_user_");
			admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'version-password'");
			try (LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
				DataSource asRole = new DriverManagerDataSource(withoutCredentials(TestDatabase.get().jdbcUrl(database)),
						role, "version-password");
				PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(asRole, PgmqSchemaMode.NONE);
				assertThat(initializer.install()).isTrue();
				assertThat(initializer.install()).isTrue();
				assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.INFO)
					.extracting((event) -> event.getFormattedMessage())
					.containsExactly("The version of the bundled pgmq-compatible schema was not checked "
							+ "(edge-runtime.queue.schema=none): permission denied for schema pgmq. To have start-up check "
							+ "it, GRANT USAGE ON SCHEMA pgmq TO " + role + "; GRANT SELECT ON pgmq.edge_runtime_schema TO "
							+ role);
			}
			finally {
				admin.execute("DROP OWNED BY " + role);
				admin.execute("DROP ROLE " + role);
			}
		});
	}

	@Test
	void noneModeForAUserWhoMayNotReadTheVersionNamesItOnAPoolOfOneConnectionWithOrWithoutAutoCommit() throws Exception {
		inNewDatabase((dataSource) -> {
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql");
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v2.sql");
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			String database = admin.queryForObject("SELECT current_database()", String.class);
			String role = TestDatabase.uniqueName("version_user_");
			admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'version-password'");
			try {
				// auto-commit off too, as a pool may be set: the refused read leaves the transaction aborted
				for (boolean autoCommit : new boolean[] { true, false }) {
					try (HikariDataSource pool = poolOfOne(database, role, "version-password", autoCommit);
							LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
						assertThat(new PgmqSchemaInitializer(pool, PgmqSchemaMode.NONE).install()).isTrue();
						assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.INFO)
							.extracting((event) -> event.getFormattedMessage())
							.singleElement(InstanceOfAssertFactories.STRING)
							.as("auto-commit %s", autoCommit)
							.endsWith("GRANT SELECT ON pgmq.edge_runtime_schema TO " + role);
					}
				}
			}
			finally {
				admin.execute("DROP OWNED BY " + role);
				admin.execute("DROP ROLE " + role);
			}
		});
	}

	@Test
	void noneModeForAUserWithUsageOnTheSchemaButNotTheVersionTableNamesOnlyTheSelectItLacks() throws Exception {
		inNewDatabase((dataSource) -> {
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql");
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			String database = admin.queryForObject("SELECT current_database()", String.class);
			String role = TestDatabase.uniqueName("version_user_");
			admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'version-password'");
			admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + role);
			try {
				// auto-commit off too: the grants are read on the connection after the refused read
				for (boolean autoCommit : new boolean[] { true, false }) {
					try (HikariDataSource pool = poolOfOne(database, role, "version-password", autoCommit);
							LogCapture log = LogCapture.of(PgmqSchemaInitializer.class)) {
						assertThat(new PgmqSchemaInitializer(pool, PgmqSchemaMode.NONE).install()).isTrue();
						assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.INFO)
							.extracting((event) -> event.getFormattedMessage())
							.as("auto-commit %s", autoCommit)
							.containsExactly("The version of the bundled pgmq-compatible schema was not checked "
									+ "(edge-runtime.queue.schema=none): permission denied for table edge_runtime_schema. "
									+ "To have start-up check it, GRANT SELECT ON pgmq.edge_runtime_schema TO " + role);
					}
				}
			}
			finally {
				admin.execute("DROP OWNED BY " + role);
				admin.execute("DROP ROLE " + role);
			}
		});
	}

	@Test
	void noneModeForAUserWhoMayNotReadTheCatalogNamesTheGrantNotSchemaNone() throws Exception {
		inNewDatabase((dataSource) -> {
			runScript(dataSource, "dev/edgeruntime/queue/schema/pgmq-bundled-v1.sql");
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			String database = admin.queryForObject("SELECT current_database()", String.class);
			String role = TestDatabase.uniqueName("catalog_user_");
			admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'catalog-password'");
			// a database hardened by its owner; pg_extension is the database's own, not shared with the others
			admin.execute("REVOKE SELECT ON pg_catalog.pg_extension FROM PUBLIC");
			try {
				DataSource asRole = new DriverManagerDataSource(withoutCredentials(TestDatabase.get().jdbcUrl(database)),
						role, "catalog-password");
				assertThatExceptionOfType(InsufficientPrivilegeException.class)
					.isThrownBy(new PgmqSchemaInitializer(asRole, PgmqSchemaMode.NONE)::install)
					.withMessageStartingWith("Checking the pgmq schema (edge-runtime.queue.schema=none) failed: "
							+ "permission denied for table pg_extension (database user " + role + ")")
					.withMessageNotContaining("set edge-runtime.queue.schema=none")
					.satisfies((ex) -> {
						assertThat(ex.getStatements())
							.containsExactly("GRANT SELECT ON pg_catalog.pg_extension TO " + role);
						assertThat(ex.getAlternative()).isNull();
					});
			}
			finally {
				admin.execute("DROP OWNED BY " + role);
				admin.execute("DROP ROLE " + role);
			}
		});
	}

	@Test
	void noneModeChecksTheVersionOfAnInstalledPgmqExtension() throws Exception {
		inNewDatabase((dataSource) -> {
			new JdbcTemplate(dataSource).execute("CREATE EXTENSION pgmq");
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.NONE, "99.0")::install)
				.withMessageContaining("edge-runtime needs 99.0 or later");
			assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.NONE).install()).isTrue();
		});
	}

	@Test
	void noneModeWaitsForAnUnreachableDatabaseAsTheOthersDo() {
		PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(new UnreachableDataSource(), PgmqSchemaMode.NONE);
		assertThat(initializer.install()).isFalse();
		assertThat(initializer.installed()).isNull();
	}

	@Test
	void unreachableDatabaseIsReportedNotThrown() {
		PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(new UnreachableDataSource(), PgmqSchemaMode.AUTO);
		assertThat(initializer.install()).isFalse();
		assertThat(initializer.installed()).isNull();
	}

	private static List<Boolean> installAtOnce(DataSource dataSource, PgmqSchemaMode mode) throws Exception {
		CyclicBarrier start = new CyclicBarrier(4);
		List<CompletableFuture<Boolean>> installs = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			installs.add(CompletableFuture.supplyAsync(() -> {
				try {
					start.await();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				return new PgmqSchemaInitializer(dataSource, mode).install();
			}));
		}
		List<Boolean> results = new ArrayList<>();
		for (CompletableFuture<Boolean> install : installs) {
			results.add(install.get());
		}
		return results;
	}

	/** A table's rows in id order, every column (the extension's extra ones are left out). */
	private static List<Map<String, Object>> rows(JdbcTemplate jdbc, String table) {
		String archived = table.startsWith("a_") ? "archived_at, " : "";
		return jdbc.queryForList("SELECT msg_id, read_ct, enqueued_at, " + archived
				+ "vt, message::text AS message, headers::text AS headers FROM pgmq." + table + " ORDER BY msg_id");
	}

	private static String extensionVersion(JdbcTemplate jdbc) {
		List<String> versions = jdbc.queryForList("SELECT extversion FROM pg_extension WHERE extname = 'pgmq'",
				String.class);
		return versions.isEmpty() ? null : versions.get(0);
	}

	private static boolean bundledTablePresent(JdbcTemplate jdbc) {
		return Boolean.TRUE.equals(jdbc.queryForObject("SELECT to_regclass('pgmq.edge_runtime_schema') IS NOT NULL",
				Boolean.class));
	}

	/** The URL without the user and password it may carry, which would win over the role's. */
	private static String withoutCredentials(String url) {
		return TestDatabase.withoutCredentials(url);
	}

	/** Runs one of edge-runtime's scripts as the schema's owner would, in one statement as the installer does. */
	private static void runScript(DataSource dataSource, String path) throws Exception {
		String script = new String(new ClassPathResource(path).getInputStream().readAllBytes(),
				StandardCharsets.UTF_8);
		new JdbcTemplate(dataSource).execute(script);
	}

	private static void inNewDatabase(DatabaseTest test) throws Exception {
		TestDatabase database = TestDatabase.get();
		String name = TestDatabase.uniqueName("er_schema_");
		JdbcTemplate server = new JdbcTemplate(database.dataSource());
		server.execute("CREATE DATABASE " + name);
		try (HikariDataSource dataSource = database.newDataSource(name, 4)) {
			test.run(dataSource);
		}
		finally {
			server.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		}
	}

	@FunctionalInterface
	private interface DatabaseTest {

		void run(DataSource dataSource) throws Exception;

	}

	private static final class UnreachableDataSource extends AbstractDataSource {

		@Override
		public Connection getConnection() throws SQLException {
			throw new SQLNonTransientConnectionException("Connection refused", "08001");
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

	}

	/**
	 * A pool of one connection as a role, which waits no longer than 250 ms for it: a check that asked for a
	 * second connection while holding the first would fail rather than pass after the pool's timeout.
	 */
	private static HikariDataSource poolOfOne(String database, String role, String password, boolean autoCommit) {
		HikariDataSource pool = new HikariDataSource();
		pool.setJdbcUrl(withoutCredentials(TestDatabase.get().jdbcUrl(database)));
		pool.setUsername(role);
		pool.setPassword(password);
		pool.setMaximumPoolSize(1);
		pool.setConnectionTimeout(250);
		pool.setAutoCommit(autoCommit);
		return pool;
	}

}
