package dev.edgeruntime.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The real PostgreSQL every database test uses, chosen once per JVM:
 * <ol>
 * <li>{@code EDGE_RUNTIME_TEST_JDBC_URL} (with {@code EDGE_RUNTIME_TEST_JDBC_USER} and
 * {@code EDGE_RUNTIME_TEST_JDBC_PASSWORD} unless the URL carries them) when set, as
 * {@code scripts/test.sh} does with the cluster of {@code scripts/dev-postgres.sh};</li>
 * <li>else a Testcontainers PostgreSQL when a Docker engine answers: the official {@code postgres:15} image
 * with pg_cron added from the PostgreSQL project's Debian repository and preloaded, and the pgmq extension's
 * files (built on first use);</li>
 * <li>else the test fails, saying to run {@code ./scripts/test.sh}. Tests are never skipped for want of a
 * database.</li>
 * </ol>
 * With the system property {@code edge-runtime-test.pgmq=extension} (the build's {@code pgmq-extension} test
 * run), the tests use another database of that server, {@value #EXTENSION_DATABASE}, where the real pgmq
 * extension is created, instead of the bundled schema; the server must have the extension
 * ({@code scripts/dev-postgres.sh} installs it).
 *
 * @author edge-runtime developers
 */
public final class TestDatabase {

	/** The environment variable naming the database to test against. */
	public static final String URL_VARIABLE = "EDGE_RUNTIME_TEST_JDBC_URL";

	/** The environment variable naming its user, unless the URL carries it. */
	public static final String USER_VARIABLE = "EDGE_RUNTIME_TEST_JDBC_USER";

	/** The environment variable naming its password, unless the URL carries it. */
	public static final String PASSWORD_VARIABLE = "EDGE_RUNTIME_TEST_JDBC_PASSWORD";

	/** The official image, on Debian: its packages come from the PostgreSQL project's repository, as pg_cron's. */
	private static final String BASE_IMAGE = "postgres:15-bookworm";

	/** The base image with pg_cron and the pgmq extension, built on first use (Docker's layer cache keeps it). */
	private static final String IMAGE = "edge-runtime-test-postgres-pg-cron-pgmq:15";

	/** The npm package that carries the pgmq extension's SQL (pgmq 1.11.1), as in {@code scripts/dev-postgres.sh}. */
	private static final String PGMQ_PACKAGE_URL = "https://registry.npmjs.org/@electric-sql/pglite-pgmq/-/pglite-pgmq-0.0.6.tgz";

	private static final String PGMQ_PACKAGE_SHA256 = "f0f15fa7fe83cce940f6fce4b5115da7e68c9118463bf584b5dcc5b95912660b";

	/** The database pg_cron runs its jobs in, as in {@code scripts/dev-postgres.sh}. */
	private static final String DATABASE = "edge_runtime_test";

	/** The system property choosing the pgmq schema the tests run on: {@code bundled} (default) or {@code extension}. */
	public static final String PGMQ_PROPERTY = "edge-runtime-test.pgmq";

	/** The database of the {@code extension} runs, created on first use. */
	static final String EXTENSION_DATABASE = "edge_runtime_test_pgmq";

	private static @Nullable TestDatabase instance;

	private final String url;

	private final @Nullable String username;

	private final @Nullable String password;

	private @Nullable HikariDataSource shared;

	private TestDatabase(String url, @Nullable String username, @Nullable String password) {
		this.url = url;
		this.username = username;
		this.password = password;
	}

	/**
	 * The test database, started on first use.
	 * @return the database
	 * @throws IllegalStateException when there is none, with what to do about it
	 */
	public static synchronized TestDatabase get() {
		if (instance == null) {
			TestDatabase server = locate();
			instance = pgmqExtension() ? server.withPgmqExtension() : server.withBundledSchema();
		}
		return instance;
	}

	/**
	 * Whether this test run uses the real pgmq extension rather than the bundled schema
	 * ({@code -Dedge-runtime-test.pgmq=extension}).
	 * @return whether the pgmq extension is used
	 */
	public static boolean pgmqExtension() {
		String value = System.getProperty(PGMQ_PROPERTY, "bundled");
		return switch (value) {
			case "bundled" -> false;
			case "extension" -> true;
			default -> throw new IllegalStateException(PGMQ_PROPERTY + " must be bundled or extension, not '" + value + "'");
		};
	}

	/**
	 * The same server's database named {@code database}, for a test that makes one of its own.
	 * @param database the database name
	 * @return its JDBC URL
	 */
	public String jdbcUrl(String database) {
		return this.url.replaceFirst("(//[^/]+/)[^?]*", "$1" + database);
	}

	/**
	 * This database with the bundled schema in place before any test runs: the server has the pgmq
	 * extension too (for the other run), and the first test to start a context with
	 * {@code edge-runtime.queue.schema=auto} would otherwise create the extension here.
	 */
	private TestDatabase withBundledSchema() {
		try (HikariDataSource database = newDataSource(2)) {
			JdbcTemplate jdbc = new JdbcTemplate(database);
			if (Boolean.TRUE.equals(jdbc.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgmq')", Boolean.class))) {
				// left by a test run before this set-up existed: a throwaway database, so start again
				jdbc.execute("DROP EXTENSION pgmq CASCADE");
				jdbc.execute("DROP SCHEMA IF EXISTS pgmq CASCADE");
			}
			PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(database, PgmqSchemaMode.BUNDLED);
			if (!initializer.install() || initializer.installed() != PgmqSchemaMode.BUNDLED) {
				throw new IllegalStateException("Could not install the bundled pgmq schema in " + this.url
						+ " (found " + initializer.installed() + ")");
			}
		}
		return this;
	}

	private TestDatabase withPgmqExtension() {
		try (HikariDataSource server = newDataSource(2)) {
			JdbcTemplate jdbc = new JdbcTemplate(server);
			if (!Boolean.TRUE.equals(jdbc.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgmq')", Boolean.class))) {
				throw new IllegalStateException("The pgmq extension is not installed in the test PostgreSQL (" + this.url
						+ "), and " + PGMQ_PROPERTY + "=extension needs it. scripts/dev-postgres.sh installs it when it "
						+ "starts the test cluster; elsewhere, install pgmq (https://github.com/pgmq/pgmq) in the server");
			}
			if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)",
					Boolean.class, EXTENSION_DATABASE))) {
				jdbc.execute("CREATE DATABASE " + EXTENSION_DATABASE);
			}
		}
		TestDatabase database = new TestDatabase(jdbcUrl(EXTENSION_DATABASE), this.username, this.password);
		try (HikariDataSource extension = database.newDataSource(2)) {
			new JdbcTemplate(extension).execute("CREATE EXTENSION IF NOT EXISTS pgmq");
		}
		return database;
	}

	/**
	 * A name no other test uses, for a queue, job, role or database of one test: the prefix and twelve
	 * random hexadecimal digits.
	 * @param prefix the start of the name, saying which test made it
	 * @return the name
	 */
	public static String uniqueName(String prefix) {
		return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
	}

	private static TestDatabase locate() {
		String url = System.getenv(URL_VARIABLE);
		if (url != null && !url.isBlank()) {
			return new TestDatabase(url, System.getenv(USER_VARIABLE), System.getenv(PASSWORD_VARIABLE));
		}
		if (dockerAvailable()) {
			// Configured as scripts/dev-postgres.sh configures its cluster: pg_cron preloaded (the cron tests
			// need it), room for the tests' pools, no durability a throwaway database needs.
			// The pgmq extension's files as scripts/dev-postgres.sh installs them (same package, same checksum).
			ImageFromDockerfile image = new ImageFromDockerfile(IMAGE, false)
				.withDockerfileFromBuilder((builder) -> builder.from(BASE_IMAGE)
					.run("apt-get update && apt-get install -y --no-install-recommends postgresql-15-cron curl"
							+ " ca-certificates && rm -rf /var/lib/apt/lists/*")
					.run("mkdir /tmp/pgmq && curl -fsSL --retry 3 -o /tmp/pgmq/package.tgz " + PGMQ_PACKAGE_URL
							+ " && echo '" + PGMQ_PACKAGE_SHA256 + "  /tmp/pgmq/package.tgz' | sha256sum -c -"
							+ " && tar xzf /tmp/pgmq/package.tgz -C /tmp/pgmq"
							+ " && tar xzf /tmp/pgmq/package/dist/pgmq.tar.gz -C /tmp/pgmq"
							+ " && cp /tmp/pgmq/share/postgresql/extension/pgmq* /usr/share/postgresql/15/extension/"
							+ " && rm -rf /tmp/pgmq")
					.build());
			PostgreSQLContainer container = new PostgreSQLContainer(
					DockerImageName.parse(image.get()).asCompatibleSubstituteFor("postgres"))
				.withDatabaseName(DATABASE)
				.withCommand("postgres", "-c", "shared_preload_libraries=pg_cron", "-c", "cron.database_name=" + DATABASE,
						"-c", "cron.use_background_workers=on",
						"-c", "max_connections=200", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
						"full_page_writes=off");
			container.start();
			// Stopped by Testcontainers' reaper when the JVM ends.
			return new TestDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword());
		}
		throw new IllegalStateException("No PostgreSQL for the database tests: " + URL_VARIABLE
				+ " is not set and no Docker engine answers. Run the tests with ./scripts/test.sh, which starts a "
				+ "local PostgreSQL (scripts/dev-postgres.sh) and passes it in, or set " + URL_VARIABLE
				+ "=$(./scripts/dev-postgres.sh start)");
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * The JDBC URL.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return this.url;
	}

	/**
	 * A JDBC URL without the {@code user} and {@code password} parameters it may carry, which would win over those
	 * of another role given to the driver (for tests that connect as a role of their own).
	 * @param url the URL, such as {@link #jdbcUrl()}
	 * @return the URL without credentials
	 */
	public static String withoutCredentials(String url) {
		int query = url.indexOf('?');
		if (query < 0) {
			return url;
		}
		String parameters = Arrays.stream(url.substring(query + 1).split("&"))
			.filter((parameter) -> !parameter.startsWith("user=") && !parameter.startsWith("password="))
			.collect(Collectors.joining("&"));
		return url.substring(0, query) + (parameters.isEmpty() ? "" : "?" + parameters);
	}

	/**
	 * The user, unless the URL carries it.
	 * @return the user or {@code null}
	 */
	public @Nullable String username() {
		return this.username;
	}

	/**
	 * The password, unless the URL carries it.
	 * @return the password or {@code null}
	 */
	public @Nullable String password() {
		return this.password;
	}

	/**
	 * A connection pool shared by the tests of this JVM; do not close it.
	 * @return the data source
	 */
	public synchronized DataSource dataSource() {
		if (this.shared == null) {
			this.shared = newDataSource(16);
		}
		return this.shared;
	}

	/**
	 * A new connection pool of its own, for a test that closes it (or stops the database under it).
	 * @param maxSize the most connections
	 * @return the data source; close it
	 */
	public HikariDataSource newDataSource(int maxSize) {
		return pool(this.url, maxSize);
	}

	/**
	 * A new connection pool of its own to another database of the same server, for a test that makes one.
	 * @param database the database name
	 * @param maxSize the most connections
	 * @return the data source; close it
	 */
	public HikariDataSource newDataSource(String database, int maxSize) {
		return pool(jdbcUrl(database), maxSize);
	}

	private HikariDataSource pool(String url, int maxSize) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		if (this.username != null) {
			config.setUsername(this.username);
		}
		if (this.password != null) {
			config.setPassword(this.password);
		}
		config.setMaximumPoolSize(maxSize);
		config.setMinimumIdle(0);
		config.setConnectionTimeout(10_000);
		return new HikariDataSource(config);
	}

	/**
	 * Spring Boot properties that point {@code spring.datasource} at this database, for an
	 * {@code ApplicationContextRunner.withPropertyValues} or a child process.
	 * @return the properties as {@code name=value}
	 */
	public String[] springProperties() {
		return springProperties(this.url);
	}

	/**
	 * A proxy in front of this database, not started yet: a test stops and starts the database's connections
	 * with it (see {@link #jdbcUrlThrough} and {@link #springPropertiesThrough}).
	 * @return the proxy
	 * @throws IOException if its port cannot be opened
	 */
	public TcpProxy proxy() throws IOException {
		Matcher hostPort = Pattern.compile("//([^:/]+):(\\d+)/").matcher(this.url);
		if (!hostPort.find()) {
			throw new IllegalStateException("No host and port in the test database's URL " + this.url);
		}
		return new TcpProxy(hostPort.group(1), Integer.parseInt(hostPort.group(2)));
	}

	/**
	 * This database's JDBC URL, through a proxy.
	 * @param proxy the proxy, from {@link #proxy()}
	 * @return the URL
	 */
	public String jdbcUrlThrough(TcpProxy proxy) {
		return this.url.replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/");
	}

	/**
	 * {@link #springProperties()} through a proxy.
	 * @param proxy the proxy, from {@link #proxy()}
	 * @return the properties as {@code name=value}
	 */
	public String[] springPropertiesThrough(TcpProxy proxy) {
		return springProperties(jdbcUrlThrough(proxy));
	}

	private String[] springProperties(String url) {
		List<String> properties = new ArrayList<>();
		properties.add("spring.datasource.url=" + url);
		if (this.username != null) {
			properties.add("spring.datasource.username=" + this.username);
		}
		if (this.password != null) {
			properties.add("spring.datasource.password=" + this.password);
		}
		return properties.toArray(String[]::new);
	}

}
