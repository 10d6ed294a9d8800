package dev.edgeruntime.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import dev.edgeruntime.queue.DatabasePrivileges.Privilege;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Brings the {@code pgmq} schema into the database as {@code edge-runtime.queue.schema} says, plus
 * edge-runtime's own table of idempotency keys. The whole install runs in one transaction under a
 * transaction-level advisory lock, so instances starting at once install it once, and every script is
 * idempotent. With {@link PgmqSchemaMode#NONE} it installs nothing, and checks the version of what the
 * schema's owner installed where the database user may read it.
 *
 * <p>A database that cannot be reached is not an error here: the in-process runtime must start without it.
 * {@link #install()} then returns {@code false}, and consumers call it again before they read.
 *
 * @author edge-runtime developers
 */
public final class PgmqSchemaInitializer {

	/**
	 * The bundled schema's version. {@code pgmq-bundled-v1.sql} creates the schema; each later
	 * {@code pgmq-bundled-v<n>.sql} changes a database that has version {@code n - 1}.
	 */
	public static final int BUNDLED_VERSION = 2;

	private static final Log logger = LogFactory.getLog(PgmqSchemaInitializer.class);

	// "edgeqsch" in ASCII: a key no other application is likely to use.
	private static final long LOCK_KEY = 0x6564676571736368L;

	private static final String BUNDLED_SCRIPT = "dev/edgeruntime/queue/schema/pgmq-bundled-v%d.sql";

	private static final String EDGE_RUNTIME_SCRIPT = "dev/edgeruntime/queue/schema/edge-runtime-v1.sql";

	private static final String LOCK = """
			SELECT pg_advisory_xact_lock(%d)
			""".formatted(LOCK_KEY);

	private static final String EXTENSION_INSTALLED = """
			SELECT count(*) FROM pg_extension WHERE extname = 'pgmq'
			""";

	private static final String EXTENSION_AVAILABLE_VERSION = """
			SELECT default_version FROM pg_available_extensions WHERE name = 'pgmq'
			""";

	private static final String CREATE_EXTENSION = """
			CREATE EXTENSION IF NOT EXISTS pgmq
			""";

	private static final String EXTENSION_VERSION = """
			SELECT extversion FROM pg_extension WHERE extname = 'pgmq'
			""";

	/** The oldest pgmq extension with what edge-runtime calls: message headers, {@code send} with headers. */
	static final String OLDEST_EXTENSION_VERSION = "1.5";

	private static final String FOREIGN_PGMQ_SCHEMA = """
			SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'pgmq' AND c.relname = 'meta'
				AND to_regclass('pgmq.edge_runtime_schema') IS NULL
			""";

	private static final String BUNDLED_PRESENT = """
			SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'pgmq' AND c.relname = 'edge_runtime_schema'
			""";

	private static final String PGMQ_SCHEMA_PRESENT = """
			SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmq'
			""";

	private static final String BUNDLED_INSTALLED_VERSION = """
			SELECT coalesce(max(version), 0) FROM pgmq.edge_runtime_schema
			""";

	private final DataSource dataSource;

	private final PgmqSchemaMode mode;

	private final String oldestExtensionVersion;

	private final AtomicReference<@Nullable PgmqSchemaMode> installed = new AtomicReference<>();

	private final AtomicBoolean unavailableLogged = new AtomicBoolean();

	/**
	 * Creates a new instance.
	 * @param dataSource the queue's database
	 * @param mode how to bring in the schema
	 */
	public PgmqSchemaInitializer(DataSource dataSource, PgmqSchemaMode mode) {
		this(dataSource, mode, OLDEST_EXTENSION_VERSION);
	}

	/**
	 * Creates a new instance that asks for another oldest pgmq extension version, for tests: the server has
	 * one version of the extension, and a higher demand makes it too old.
	 * @param dataSource the queue's database
	 * @param mode how to bring in the schema
	 * @param oldestExtensionVersion the oldest pgmq extension version accepted
	 */
	PgmqSchemaInitializer(DataSource dataSource, PgmqSchemaMode mode, String oldestExtensionVersion) {
		this.dataSource = dataSource;
		this.mode = mode;
		this.oldestExtensionVersion = oldestExtensionVersion;
	}

	/**
	 * Installs the schema unless it was installed by this instance before.
	 * @return whether the schema is in place; {@code false} when the database cannot be reached
	 * @throws IllegalStateException when the database refuses the install, for instance
	 * {@link PgmqSchemaMode#EXTENSION} where there is no pgmq extension
	 * @throws InsufficientPrivilegeException when the database user may not install or update the schema
	 */
	public boolean install() {
		if (this.installed.get() != null) {
			return true;
		}
		try {
			this.installed.set(doInstall());
			if (this.unavailableLogged.getAndSet(false)) {
				logger.info("Queue database reachable again, pgmq schema checked");
			}
			return true;
		}
		catch (CannotGetJdbcConnectionException ex) {
			unavailable(ex);
			return false;
		}
		catch (SQLException ex) {
			if (DatabaseFailures.isConnectionFailure(ex)) {
				unavailable(ex);
				return false;
			}
			String installing = ((this.mode != PgmqSchemaMode.NONE) ? "Installing" : "Checking")
					+ " the pgmq schema (edge-runtime.queue.schema=" + this.mode.name().toLowerCase(Locale.ROOT) + ")";
			if (DatabaseFailures.isInsufficientPrivilege(ex) && this.mode == PgmqSchemaMode.NONE) {
				// none reads the catalog alone (the refused read of pgmq.edge_runtime_schema is said at INFO): a
				// database whose owner revoked SELECT on one of its tables from PUBLIC; none is already the mode
				throw DatabasePrivileges.refused(new JdbcTemplate(this.dataSource), installing, ex,
						"The database user may not read the catalog tables the check of the installed schema reads",
						List.of(),
						List.of(Privilege.onTable("pg_catalog.pg_extension", "SELECT"),
								Privilege.onTable("pg_catalog.pg_class", "SELECT"),
								Privilege.onTable("pg_catalog.pg_namespace", "SELECT")),
						null, "docs/durable-queue.md, \"Database privileges\"");
			}
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				throw DatabasePrivileges.refused(new JdbcTemplate(this.dataSource), installing, ex,
						"The database user may not install or update the schema", List.of(), List.of(),
						"set edge-runtime.queue.schema=none, have the schema's owner (a migration, a DBA) run "
								+ "edge-runtime's scripts from the edge-runtime-autoconfigure jar (CREATE EXTENSION pgmq, or "
								+ bundledScripts(1) + "; then " + EDGE_RUNTIME_SCRIPT + ") and grant the user what it uses",
						"docs/durable-queue.md, \"Database privileges\"");
			}
			throw new IllegalStateException(installing + " failed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Every consumer, the cron set-up and health checks ask until the database answers: the first to find
	 * it unavailable says so at WARN, the others (and the retries) at DEBUG.
	 */
	private void unavailable(Exception ex) {
		String message = "Queue database unavailable, pgmq schema not checked yet: " + ex.getMessage();
		if (!this.unavailableLogged.getAndSet(true)) {
			logger.warn(message + " (retried by each consumer with backoff; logged again at DEBUG)");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message);
		}
	}

	/**
	 * What was installed or found.
	 * @return {@link PgmqSchemaMode#EXTENSION} when the pgmq extension (or another pgmq install) is used,
	 * {@link PgmqSchemaMode#BUNDLED} for the bundled schema, {@link PgmqSchemaMode#NONE} when nothing was
	 * installed, or {@code null} before a successful {@link #install()}
	 */
	public @Nullable PgmqSchemaMode installed() {
		return this.installed.get();
	}

	private PgmqSchemaMode doInstall() throws SQLException {
		if (this.mode == PgmqSchemaMode.NONE) {
			try (Connection connection = this.dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				checkInstalled(statement);
			}
			return PgmqSchemaMode.NONE;
		}
		try (Connection connection = this.dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				statement.execute(LOCK);
				PgmqSchemaMode result = installPgmq(statement);
				statement.execute(script(EDGE_RUNTIME_SCRIPT));
				connection.commit();
				return result;
			}
			catch (SQLException | RuntimeException ex) {
				connection.rollback();
				throw ex;
			}
			finally {
				connection.setAutoCommit(autoCommit);
			}
		}
	}

	private PgmqSchemaMode installPgmq(Statement statement) throws SQLException {
		if (count(statement, EXTENSION_INSTALLED) > 0) {
			logger.info("Using the pgmq extension, version " + checkExtensionVersion(statement));
			return PgmqSchemaMode.EXTENSION;
		}
		boolean bundledPresent = count(statement, BUNDLED_PRESENT) > 0;
		if (this.mode == PgmqSchemaMode.EXTENSION && bundledPresent) {
			throw new IllegalStateException("edge-runtime.queue.schema=extension, but the database's pgmq schema is "
					+ "edge-runtime's bundled pgmq-compatible schema (installed before, with schema=auto or bundled): "
					+ "the pgmq extension cannot be created over it. Keep the bundled schema (schema=auto), or move the "
					+ "queues to the extension first (docs/durable-queue.md, \"Moving to the pgmq extension\")");
		}
		String available = (this.mode != PgmqSchemaMode.BUNDLED) ? string(statement, EXTENSION_AVAILABLE_VERSION)
				: null;
		if (this.mode == PgmqSchemaMode.EXTENSION
				|| (this.mode == PgmqSchemaMode.AUTO && !bundledPresent && available != null
						&& atLeast(available, this.oldestExtensionVersion))) {
			statement.execute(CREATE_EXTENSION);
			logger.info("Created the pgmq extension, version " + checkExtensionVersion(statement));
			return PgmqSchemaMode.EXTENSION;
		}
		if (!bundledPresent && count(statement, FOREIGN_PGMQ_SCHEMA) > 0) {
			logger.info("Using the pgmq schema found in the database (installed without the extension)");
			return PgmqSchemaMode.EXTENSION;
		}
		if (this.mode == PgmqSchemaMode.AUTO && available != null) {
			logger.info(bundledPresent
					? "The pgmq extension is available, but this database keeps edge-runtime's bundled "
							+ "pgmq-compatible schema, installed before; its queues stay where they are (to move them to "
							+ "the extension, see docs/durable-queue.md, \"Moving to the pgmq extension\")"
					: "The pgmq extension available is version " + available + ", older than the "
							+ this.oldestExtensionVersion + " edge-runtime needs (message headers): using edge-runtime's "
							+ "bundled pgmq-compatible schema instead");
		}
		long installed = bundledPresent ? count(statement, BUNDLED_INSTALLED_VERSION) : 0;
		if (installed < BUNDLED_VERSION) {
			for (long version = Math.max(1, installed + 1); version <= BUNDLED_VERSION; version++) {
				statement.execute(script(BUNDLED_SCRIPT.formatted(version)));
			}
			logger.info("Installed edge-runtime's bundled pgmq-compatible schema, version " + BUNDLED_VERSION
					+ ((installed > 0) ? " (upgraded from version " + installed + ")" : ""));
		}
		return PgmqSchemaMode.BUNDLED;
	}

	/**
	 * With {@link PgmqSchemaMode#NONE}, the version of what the schema's owner installed: an older bundled
	 * schema fails, as does too old a pgmq extension. Only the catalog, which every user may read, and the
	 * table of versions are read: a user that may not read that table is told once that the version was not
	 * checked.
	 */
	private void checkInstalled(Statement statement) throws SQLException {
		if (count(statement, EXTENSION_INSTALLED) > 0) {
			logger.info("Using the pgmq extension its owner installed (edge-runtime.queue.schema=none), version "
					+ checkExtensionVersion(statement));
			return;
		}
		if (count(statement, BUNDLED_PRESENT) == 0) {
			logger.info("The pgmq schema's version was not checked (edge-runtime.queue.schema=none): "
					+ ((count(statement, PGMQ_SCHEMA_PRESENT) > 0)
							? "the database's pgmq schema is neither the pgmq extension nor edge-runtime's bundled schema"
							: "the database has no pgmq schema yet (its owner installs it; a queue cannot be created "
									+ "before)"));
			return;
		}
		// all on this connection: another one, while this one is held, waits on a pool of one for its timeout;
		// where auto-commit is off, the refused read is behind a savepoint, as it would abort the transaction
		Connection connection = statement.getConnection();
		String user = string(statement, "SELECT current_user");
		Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
		long installed;
		try {
			installed = count(statement, BUNDLED_INSTALLED_VERSION);
		}
		catch (SQLException ex) {
			if (!DatabaseFailures.isInsufficientPrivilege(ex)) {
				throw ex;
			}
			if (savepoint != null) {
				connection.rollback(savepoint);
			}
			List<String> grants = DatabasePrivileges.missingGrants(
					new JdbcTemplate(new SingleConnectionDataSource(connection, true)), user,
					List.of(Privilege.onSchema("pgmq", "USAGE"), Privilege.onTable("pgmq.edge_runtime_schema", "SELECT")));
			logger.info("The version of the bundled pgmq-compatible schema was not checked "
					+ "(edge-runtime.queue.schema=none): " + DatabaseFailures.serverMessage(ex) + ". To have start-up "
					+ "check it, " + String.join("; ", grants));
			return;
		}
		if (savepoint != null) {
			connection.releaseSavepoint(savepoint);
		}
		if (installed < BUNDLED_VERSION) {
			throw new IllegalStateException("edge-runtime.queue.schema=none, and the database's bundled "
					+ "pgmq-compatible schema is version " + installed + " (pgmq.edge_runtime_schema), older than version "
					+ BUNDLED_VERSION + ", which this edge-runtime needs" + olderBreaks(installed) + ". Have the schema's "
					+ "owner run " + bundledScripts(installed + 1) + " from the "
					+ "edge-runtime-autoconfigure jar (each is idempotent) before this version's instances start "
					+ "(docs/durable-queue.md, \"Database privileges\")");
		}
		if (installed > BUNDLED_VERSION) {
			logger.info("The database's bundled pgmq-compatible schema is version " + installed + ", newer than version "
					+ BUNDLED_VERSION + " of this edge-runtime: used as it is (edge-runtime.queue.schema=none)");
		}
	}

	/** What a bundled schema of an older version gets wrong, as the failure says it (one clause per version). */
	private static String olderBreaks(long installed) {
		// version 2: pgmq.read with an empty condition matches every payload
		return (installed < 2) ? ": before version 2 pgmq.read passes over messages whose payload is not a JSON "
				+ "object (a string, a number, an array), so consumers would never receive them" : "";
	}

	private String checkExtensionVersion(Statement statement) throws SQLException {
		String version;
		try (ResultSet rs = statement.executeQuery(EXTENSION_VERSION)) {
			rs.next();
			version = rs.getString(1);
		}
		if (!atLeast(version, this.oldestExtensionVersion)) {
			throw new IllegalStateException("The database's pgmq extension is version " + version
					+ "; edge-runtime needs " + this.oldestExtensionVersion + " or later (message headers). Update it "
					+ "with ALTER EXTENSION pgmq UPDATE where the server has a newer version. Where it has none, "
					+ "edge-runtime can use its bundled pgmq-compatible schema instead, in a database without the "
					+ "extension (docs/durable-queue.md, \"pgmq compatibility\")");
		}
		return version;
	}

	/**
	 * Whether a version such as {@code 1.11.1} is at least another such as {@code 1.5}, comparing the parts
	 * between dots one by one by their leading digits ({@code 1.5.0-rc1} is {@code 1.5.0}).
	 * @param version the version found
	 * @param oldest the oldest acceptable
	 * @return whether {@code version} is {@code oldest} or later
	 */
	static boolean atLeast(String version, String oldest) {
		String[] found = version.split("\\.");
		String[] wanted = oldest.split("\\.");
		for (int i = 0; i < wanted.length; i++) {
			int have = (i < found.length) ? leadingNumber(found[i]) : 0;
			int want = leadingNumber(wanted[i]);
			if (have != want) {
				return have > want;
			}
		}
		return true;
	}

	private static int leadingNumber(String part) {
		int end = 0;
		while (end < part.length() && Character.isDigit(part.charAt(end))) {
			end++;
		}
		return (end == 0) ? 0 : Integer.parseInt(part.substring(0, Math.min(end, 9)));
	}

	/**
	 * The bundled schema's scripts from a version to {@link #BUNDLED_VERSION}, as the messages name them.
	 * @param from the first version to run
	 */
	static String bundledScripts(long from) {
		String first = BUNDLED_SCRIPT.formatted(from);
		if (from == BUNDLED_VERSION) {
			return first;
		}
		return first + " to " + BUNDLED_SCRIPT.formatted(BUNDLED_VERSION).substring(BUNDLED_SCRIPT.lastIndexOf('/') + 1)
				+ " in order";
	}

	private static @Nullable String string(Statement statement, String sql) throws SQLException {
		try (ResultSet rs = statement.executeQuery(sql)) {
			return rs.next() ? rs.getString(1) : null;
		}
	}

	private static long count(Statement statement, String sql) throws SQLException {
		try (ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static String script(String path) {
		try (InputStream in = new ClassPathResource(path, PgmqSchemaInitializer.class.getClassLoader())
			.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + path, ex);
		}
	}

}
