package dev.edgeruntime.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.analyzer.AbstractInjectionFailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Reports a missing bean of the durable tier ({@code PgmqTemplate}, a {@code DurableTaskDispatcher}, the
 * queue consumers, the cron jobs) as the tier not being configured, with what the application lacks for it,
 * rather than as an unknown bean to define. Tried before Spring Boot's own report of missing beans, which
 * says nothing of a tier whose auto-configuration did not apply.
 *
 * @author edge-runtime developers
 */
class DurableTierBeanMissingFailureAnalyzer extends AbstractInjectionFailureAnalyzer<NoSuchBeanDefinitionException>
		implements Ordered {

	private final @Nullable ConfigurableListableBeanFactory beanFactory;

	private final @Nullable Environment environment;

	DurableTierBeanMissingFailureAnalyzer(BeanFactory beanFactory, Environment environment) {
		this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory listable) ? listable : null;
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause,
			@Nullable String description) {
		ResolvableType type = cause.getResolvableType();
		Class<?> beanType = (type != null) ? type.resolve() : null;
		if (beanType == null || !isOfTheDurableTier(beanType.getName())) {
			return null;
		}
		StringBuilder message = new StringBuilder();
		message.append((description != null) ? description : "A component").append(" required a bean of type '")
			.append(beanType.getName())
			.append("', which edge-runtime's durable tier provides; the tier is not configured in this application.");
		ClassLoader classLoader = (this.beanFactory != null) ? this.beanFactory.getBeanClassLoader() : null;
		List<String> missing = DurableTierCheck.missing(this.beanFactory, classLoader, this.environment)
			.stream()
			// durable @BackgroundTask methods being off takes the dispatcher away, nothing else of the tier
			.filter((lack) -> beanType.getName().equals("dev.edgeruntime.DurableTaskDispatcher")
					|| !lack.startsWith("edge-runtime.queue.tasks.enabled"))
			.toList();
		StringBuilder action = new StringBuilder("Give the application the durable tier (a PostgreSQL DataSource):%n"
			.formatted());
		if (missing.isEmpty()) {
			action.append("%n    - EdgeRuntimeQueueAutoConfiguration did not apply (excluded, or a condition did not "
				.formatted())
				.append("match): start with --debug to see its conditions in the condition evaluation report");
		}
		for (String lack : missing) {
			action.append("%n    - %s".formatted(lack));
		}
		return new FailureAnalysis(message.toString(), action.toString(), cause);
	}

	private static boolean isOfTheDurableTier(String typeName) {
		return typeName.startsWith("dev.edgeruntime.queue.") || typeName.startsWith("dev.edgeruntime.cron.")
				|| typeName.equals("dev.edgeruntime.DurableTaskDispatcher");
	}

}
