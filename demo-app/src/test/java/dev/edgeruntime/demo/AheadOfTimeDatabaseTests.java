package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's database when the demo is processed ahead of time ({@code ./mvnw -pl demo-app -am -Paot package},
 * docs/aot.md) with no {@code spring.datasource.url}, and started with one, as docs/demo.md shows: the URL is
 * the database used, and no embedded server starts.
 *
 * @author edge-runtime developers
 */
@CompileWithForkedClassLoader
class AheadOfTimeDatabaseTests {

	static {
		// This class runs in the forked class loader, which holds its own copy of the driver: DriverManager only
		// hands a caller the drivers of its loader, so that copy registers itself here.
		try {
			Class.forName("org.postgresql.Driver");
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@TempDir
	Path embeddedDataDir;

	@TempDir
	Path ownDataDir;

	@Test
	@SuppressWarnings("unchecked")
	void urlGivenOnlyWhenTheProcessedDemoStartsIsTheDatabaseItUses() throws Exception {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.register(DatabaseApplication.class);
		TestGenerationContext generation = new TestGenerationContext();
		ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		generation.writeGeneratedContent();
		// the test database of scripts/test.sh, else a server of the test's own standing for "your own database"
		String url = System.getenv("EDGE_RUNTIME_TEST_JDBC_URL");
		try (EmbeddedDemoDatabase own = (url == null || url.isBlank()) ? EmbeddedDemoDatabase.start(this.ownDataDir)
				: null) {
			String jdbcUrl = (own != null) ? own.postgres().getJdbcUrl("postgres", "postgres") : url;
			TestCompiler.forSystem().with(generation).compile((compiled) -> {
				try (GenericApplicationContext started = new GenericApplicationContext()) {
					TestPropertyValues.of("spring.datasource.url=" + jdbcUrl,
							"spring.datasource.hikari.pool-name=demo-aot",
							"demo.embedded-postgres.data-dir=" + this.embeddedDataDir)
						.applyTo(started);
					compiled.getInstance(ApplicationContextInitializer.class, initializer.toString())
						.initialize(started);
					started.refresh();
					DataSource dataSource = started.getBean(DataSource.class);
					assertThat(dataSource).isInstanceOf(HikariDataSource.class);
					assertThat(((HikariDataSource) dataSource).getPoolName()).isEqualTo("demo-aot");
					assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT inet_server_port()", Integer.class))
						.isEqualTo(serverPort(jdbcUrl));
					assertThat(isEmpty(this.embeddedDataDir)).as("no embedded server started").isTrue();
				}
			});
		}
	}

	private static int serverPort(String url) {
		try (Connection connection = DriverManager.getConnection(url, System.getenv("EDGE_RUNTIME_TEST_JDBC_USER"),
				System.getenv("EDGE_RUNTIME_TEST_JDBC_PASSWORD"));
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT inet_server_port()")) {
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean isEmpty(Path folder) {
		try (var entries = Files.list(folder)) {
			return entries.findAny().isEmpty();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DataSourceAutoConfiguration.class)
	@Import(EmbeddedPostgresConfiguration.class)
	static class DatabaseApplication {

	}

}
