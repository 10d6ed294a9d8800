package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.edgeruntime.aot.QueueRuntimeHints;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerObserver;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueConsumers;
import dev.edgeruntime.queue.QueueHealthIndicator;
import dev.edgeruntime.queue.QueueListenerAnnotationBeanPostProcessor;
import dev.edgeruntime.queue.QueueMeterBinder;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueNotificationListener;
import dev.edgeruntime.queue.QueueNotifier;
import dev.edgeruntime.queue.QueueObservations;
import dev.edgeruntime.queue.QueueProcessObservationConvention;
import dev.edgeruntime.queue.QueueSendObservationConvention;
import dev.edgeruntime.queue.QueueVacuum;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.Durations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the durable
 * tier: the pgmq schema, {@link PgmqTemplate}, {@link dev.edgeruntime.queue.QueueListener} consumers,
 * wake-up by {@code LISTEN/NOTIFY}, metrics and health. Applies when the application has a single
 * {@link DataSource}, so an application without a database runs the in-process runtime alone.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ JdbcTemplate.class, JsonMapper.class, DataSourceTransactionManager.class,
		org.postgresql.PGConnection.class })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "edge-runtime.queue.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EdgeRuntimeQueueProperties.class)
@ImportRuntimeHints(QueueRuntimeHints.class)
public final class EdgeRuntimeQueueAutoConfiguration {

	private static final Log logger = LogFactory.getLog(EdgeRuntimeQueueAutoConfiguration.class);

	/** A margin, after the handlers' wait, to hand back the messages of those still running. */
	private static final Duration HAND_BACK_TIME = Duration.ofSeconds(1);

	// After the application's own database initialization (Flyway, Liquibase, SQL scripts): a migration may
	// create the pgmq extension or schema itself, and auto must then find and keep it, not create it first
	// for the migration to fail on. Everything of the tier uses the schema, so it all comes after.
	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	PgmqSchemaInitializer pgmqSchemaInitializer(DataSource dataSource, EdgeRuntimeQueueProperties properties) {
		PgmqSchemaInitializer initializer = new PgmqSchemaInitializer(dataSource, properties.getSchema());
		// A database down at start is reported and retried by the consumers; a refused install fails start-up.
		initializer.install();
		return initializer;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "edge-runtime.queue.notify.enabled", matchIfMissing = true)
	QueueNotifier queueNotifier(DataSource dataSource, EdgeRuntimeQueueProperties properties) {
		return new QueueNotifier(new JdbcTemplate(dataSource), properties.getNotify().getThrottle());
	}

	@Bean
	@ConditionalOnMissingBean
	PgmqTemplate pgmqTemplate(DataSource dataSource, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<QueueNotifier> notifier, EdgeRuntimeQueueProperties properties,
			PgmqSchemaInitializer schema, ObjectProvider<QueueObservations> observations) {
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(dataSource), jsonMapper.getIfAvailable(JsonMapper::new),
				properties.getMaxPayloadSize().toBytes(), properties.getIdempotency().getWindow(),
				notifier.getIfAvailable());
		pgmq.setObservations(observations.getIfAvailable());
		return pgmq;
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static QueueListenerAnnotationBeanPostProcessor queueListenerAnnotationBeanPostProcessor() {
		return new QueueListenerAnnotationBeanPostProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	QueueConsumers queueConsumers(QueueListenerAnnotationBeanPostProcessor listeners, PgmqTemplate pgmq,
			PgmqSchemaInitializer schema, ApplicationEventPublisher events, DataSource dataSource,
			ObjectProvider<QueueConsumerObserver> observers, EdgeRuntimeQueueProperties properties,
			Environment environment, ObjectProvider<QueueObservations> observations) {
		Duration maxWait = properties.getConsumer().getShutdownMaxWait();
		Duration phaseTimeout = Binder.get(environment)
			.bind(DefaultEdgeRuntime.PHASE_TIMEOUT, Duration.class)
			.orElse(Duration.ofSeconds(30));
		if (maxWait.plus(HAND_BACK_TIME).compareTo(phaseTimeout) > 0) {
			logger.warn("edge-runtime.queue.consumer.shutdown-max-wait (" + Durations.text(maxWait) + ") plus "
					+ Durations.text(HAND_BACK_TIME) + " to hand back unfinished messages is longer than "
					+ DefaultEdgeRuntime.PHASE_TIMEOUT + " (" + Durations.text(phaseTimeout) + "): at shutdown "
					+ "Spring may stop waiting for the queue's handlers and close the DataSource before their messages "
					+ "are handed back (they then come back when their visibility timeout runs out)");
		}
		QueueConsumerObserver observer = observers.getIfAvailable(() -> QueueConsumerObserver.NONE);
		QueueConsumers consumers = new QueueConsumers(listeners, pgmq, schema, events,
				new TransactionTemplate(new DataSourceTransactionManager(dataSource)), observer,
				properties.getConsumer().toDefaults());
		consumers.setConnectionPoolSize(maximumPoolSize(dataSource), "spring.datasource.hikari.maximum-pool-size");
		consumers.setObservations(observations.getIfAvailable());
		return consumers;
	}

	/** The maximum size of a Hikari pool (Spring Boot's default), read without a compile-time dependency. */
	static int maximumPoolSize(DataSource dataSource) {
		try {
			Object pool = dataSource;
			if (!pool.getClass().getName().equals("com.zaxxer.hikari.HikariDataSource")
					&& dataSource.isWrapperFor(DataSource.class)) {
				pool = dataSource.unwrap(DataSource.class);
			}
			if (pool.getClass().getName().equals("com.zaxxer.hikari.HikariDataSource")) {
				Object size = pool.getClass().getMethod("getMaximumPoolSize").invoke(pool);
				return (size instanceof Integer max) ? max : 0;
			}
		}
		catch (ReflectiveOperationException | java.sql.SQLException | RuntimeException ex) {
			logger.debug("Could not read the DataSource's pool size", ex);
		}
		return 0;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "edge-runtime.queue.notify.enabled", matchIfMissing = true)
	QueueNotificationListener queueNotificationListener(DataSource dataSource, QueueConsumers consumers,
			EdgeRuntimeQueueProperties properties) {
		return new QueueNotificationListener(dataSource, consumers, properties.getConsumer().getMaxErrorBackoff());
	}

	// Decided by the property as the application starts, not by a condition: an application processed ahead of
	// time keeps its conditions as they were at build time, and an interval set only where it runs (the usual
	// place for an operator's setting) would have been ignored without a word.
	@Bean
	@ConditionalOnMissingBean
	@Nullable QueueVacuum queueVacuum(DataSource dataSource, QueueConsumers consumers,
			EdgeRuntimeQueueProperties properties, ObjectProvider<QueueVacuum.Observer> observers) {
		Duration interval = properties.getVacuumInterval(); // checked with the properties
		if (interval == null) {
			return null;
		}
		return new QueueVacuum(dataSource, () -> consumers.status().stream().map(QueueConsumerStatus::queue).toList(),
				interval, observers.getIfAvailable(() -> QueueVacuum.Observer.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	QueueMetrics queueMetrics(PgmqTemplate pgmq, ObjectProvider<QueueConsumers> consumers,
			ObjectProvider<QueueVacuum> vacuum, EdgeRuntimeQueueProperties properties) {
		return new QueueMetrics(pgmq, () -> {
			QueueConsumers available = consumers.getIfAvailable();
			return (available != null) ? available.status() : List.of();
		}, properties.getMetricsCacheInterval(), () -> {
			QueueVacuum available = vacuum.getIfAvailable();
			return (available != null) ? available.lastOutcomes() : Map.of();
		});
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class QueueMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		QueueMeterBinder queueMeterBinder(QueueMetrics metrics) {
			return new QueueMeterBinder(metrics);
		}

		// defined whether or not vacuum-interval is set (see queueVacuum): unused without a vacuum
		@Bean
		@ConditionalOnMissingBean
		QueueVacuum.Observer queueVacuumMeters(ObjectProvider<MeterRegistry> registry) {
			return (queue, outcome) -> {
				MeterRegistry current = registry.getIfAvailable();
				if (current != null) {
					Counter.builder("edge.runtime.queue.vacuums")
						.description("VACUUMs of the tables of the queues this instance consumes, by outcome")
						.tag("queue", queue)
						.tag("outcome", outcome.value())
						.register(current)
						.increment();
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ObservationRegistry.class)
	static class QueueObservationConfiguration {

		// Only with a registry: without one, sends and deliveries do no work for observations.
		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(ObservationRegistry.class)
		QueueObservations queueObservations(ObservationRegistry registry,
				ObjectProvider<QueueSendObservationConvention> sendConvention,
				ObjectProvider<QueueProcessObservationConvention> processConvention) {
			return new QueueObservations(registry, sendConvention.getIfUnique(), processConvention.getIfUnique());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	static class QueueHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnEnabledHealthIndicator("queue")
		QueueHealthIndicator queueHealthIndicator(PgmqSchemaInitializer schema, QueueMetrics metrics,
				EdgeRuntimeQueueProperties properties) {
			return new QueueHealthIndicator(schema, metrics, properties.getHealth().getMaxLag());
		}

	}

}
