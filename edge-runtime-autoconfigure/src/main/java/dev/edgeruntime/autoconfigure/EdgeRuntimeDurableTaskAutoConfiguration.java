package dev.edgeruntime.autoconfigure;


import javax.sql.DataSource;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.queue.DurableTaskMethods;
import dev.edgeruntime.queue.PgmqDurableTaskDispatcher;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListenerAnnotationBeanPostProcessor;
import dev.edgeruntime.runtime.ServletTaskOriginResolver;
import dev.edgeruntime.runtime.TaskOriginResolver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of durable
 * {@code @BackgroundTask(durable = true)} methods on the durable tier: a {@link DurableTaskDispatcher} that
 * sends each call to its queue with {@link PgmqTemplate}, and a consumer for each queue of durable methods.
 * Applies when the durable tier is configured ({@link EdgeRuntimeQueueAutoConfiguration}): a
 * {@link PgmqTemplate} and the consumers' registry of listeners.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeQueueAutoConfiguration.class)
@ConditionalOnBean(type = { "dev.edgeruntime.queue.PgmqTemplate",
		"dev.edgeruntime.queue.QueueListenerAnnotationBeanPostProcessor" })
@ConditionalOnBooleanProperty(name = "edge-runtime.queue.tasks.enabled", matchIfMissing = true)
public final class EdgeRuntimeDurableTaskAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static DurableTaskMethods durableTaskMethods(Environment environment) {
		// Created before the properties bean, and it meets the durable methods before any other bean: a default
		// queue it cannot use would fail their check, so the properties are checked here, all at once, first.
		Binder.get(environment)
			.bindOrCreate("edge-runtime.queue", EdgeRuntimeQueueProperties.class)
			.afterPropertiesSet();
		return new DurableTaskMethods();
	}

	@Bean
	@ConditionalOnMissingBean(DurableTaskDispatcher.class)
	PgmqDurableTaskDispatcher durableTaskDispatcher(PgmqTemplate pgmq, DataSource dataSource,
			DurableTaskMethods methods, QueueListenerAnnotationBeanPostProcessor listeners,
			ObjectProvider<TaskOriginResolver> originResolver, EdgeRuntimeQueueProperties properties) {
		EdgeRuntimeQueueProperties.Tasks tasks = properties.getTasks();
		Integer concurrency = tasks.getConcurrency();
		PgmqDurableTaskDispatcher.Settings settings = new PgmqDurableTaskDispatcher.Settings(tasks.getMaxAttempts(),
				(concurrency != null) ? concurrency : 0, tasks.getPrefetch(), tasks.isArchiveOnSuccess());
		TaskOriginResolver resolver = originResolver.getIfAvailable(EdgeRuntimeDurableTaskAutoConfiguration::servletOrigin);
		return new PgmqDurableTaskDispatcher(pgmq, new JdbcTemplate(dataSource), methods, listeners, resolver::resolve,
				settings);
	}

	private static TaskOriginResolver servletOrigin() {
		ClassLoader classLoader = EdgeRuntimeDurableTaskAutoConfiguration.class.getClassLoader();
		if (ClassUtils.isPresent("org.springframework.web.context.request.RequestContextHolder", classLoader)
				&& ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", classLoader)) {
			return new ServletTaskOriginResolver(() -> null);
		}
		return TaskOrigin::none;
	}

}
