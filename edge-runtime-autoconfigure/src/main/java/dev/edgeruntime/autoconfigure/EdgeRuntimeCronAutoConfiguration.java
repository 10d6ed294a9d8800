package dev.edgeruntime.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import dev.edgeruntime.aot.CronRuntimeHints;
import dev.edgeruntime.cron.CronHealthIndicator;
import dev.edgeruntime.cron.CronJobAnnotationBeanPostProcessor;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.cron.CronRunMeters;
import dev.edgeruntime.cron.CronRunObserver;
import dev.edgeruntime.cron.PgCronDataSource;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqTemplate;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of recurring jobs
 * ({@code edge-runtime.cron.*} and {@link dev.edgeruntime.cron.CronJob} methods): registered with pg_cron
 * when the database has it, fired by the in-app scheduler otherwise. Applies when the durable queue is
 * configured, after {@link EdgeRuntimeQueueAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeQueueAutoConfiguration.class)
@ConditionalOnClass({ PgmqTemplate.class, JsonMapper.class, SimpleDriverDataSource.class,
		org.postgresql.PGConnection.class })
@ConditionalOnBean({ PgmqTemplate.class, DataSource.class })
@ConditionalOnBooleanProperty(name = "edge-runtime.cron.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EdgeRuntimeCronProperties.class)
@ImportRuntimeHints(CronRuntimeHints.class)
public final class EdgeRuntimeCronAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static CronJobAnnotationBeanPostProcessor cronJobAnnotationBeanPostProcessor() {
		return new CronJobAnnotationBeanPostProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	CronJobs cronJobs(EdgeRuntimeCronProperties properties, CronJobAnnotationBeanPostProcessor annotated,
			PgmqTemplate pgmq, ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<DataSource> dataSources,
			ObjectProvider<CronRunObserver> observers, ObjectProvider<PgmqSchemaInitializer> schema,
			Environment environment) {
		DataSource dataSource = dataSources.getObject();
		return new CronJobs(properties.toDefinitions(), annotated, pgmq, jsonMapper.getIfAvailable(JsonMapper::new),
				dataSource, cronDataSource(properties.getPgCron(), dataSource, environment), properties.toOptions(),
				observers.getIfAvailable(() -> CronRunObserver.NONE), Clock.systemUTC(), schema.getIfAvailable());
	}

	private static DataSource cronDataSource(EdgeRuntimeCronProperties.PgCron pgCron, DataSource dataSource,
			Environment environment) {
		if (pgCron.getUrl() == null) {
			return dataSource;
		}
		SimpleDriverDataSource cron = new SimpleDriverDataSource(new org.postgresql.Driver(), pgCron.getUrl());
		String username = (pgCron.getUsername() != null) ? pgCron.getUsername()
				: environment.getProperty("spring.datasource.username");
		String password = (pgCron.getPassword() != null) ? pgCron.getPassword()
				: environment.getProperty("spring.datasource.password");
		if (username != null) {
			cron.setUsername(username);
		}
		if (password != null) {
			cron.setPassword(password);
		}
		// one connection kept open for the looks every poll-interval, closed as CronJobs stops
		return new PgCronDataSource(cron);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class CronMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(CronRunObserver.class)
		CronRunMeters cronRunMeters() {
			return new CronRunMeters();
		}

	}

	/**
	 * The {@code cron} health contributor. Its conditions are Spring Boot Health classes, so they sit on a nested
	 * class that is only read once that module is known to be on the classpath.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.HealthIndicator",
			"org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
	static class CronHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnEnabledHealthIndicator("cron")
		CronHealthIndicator cronHealthIndicator(CronJobs cronJobs) {
			return new CronHealthIndicator(cronJobs);
		}

	}

}
