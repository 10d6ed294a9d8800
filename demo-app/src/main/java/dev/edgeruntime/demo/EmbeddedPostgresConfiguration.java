package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The demo's embedded default: with no {@code spring.datasource.url}, a real PostgreSQL server (binaries
 * from Maven Central) is started in a scratch folder, so the durable tier works with nothing installed.
 * pg_cron is not part of it. Set {@code spring.datasource.url} to use your own database instead.
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedPostgresConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres() throws IOException {
		Path dataDir = Path.of(System.getProperty("java.io.tmpdir"),
				"edge-runtime-demo-pg-" + ProcessHandle.current().pid());
		// Spring stops the server after the background tasks have drained, not a JVM shutdown hook of its own.
		EmbeddedPostgres postgres = EmbeddedPostgres.builder()
			.setDataDirectory(dataDir)
			.setCleanDataDirectory(true)
			.setRegisterShutdownHook(false)
			.start();
		logger.info("No spring.datasource.url set: started an embedded PostgreSQL on port {} (data in {}); "
				+ "pg_cron is not available in it", postgres.getPort(), dataDir);
		return postgres;
	}

	@Bean
	DataSource dataSource(EmbeddedPostgres postgres) {
		return postgres.getPostgresDatabase();
	}

}
