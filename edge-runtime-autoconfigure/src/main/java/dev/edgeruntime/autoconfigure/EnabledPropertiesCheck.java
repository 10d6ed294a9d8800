package dev.edgeruntime.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Fails start-up, before any bean is made, when a property that turns a part of edge-runtime on or off is
 * neither {@code true} nor {@code false}: the condition that reads it takes any other value ({@code yes},
 * {@code on}, {@code 1}, {@code 'true '} with a space) as {@code false}, and the part would be off with nothing
 * said, although binding reads some of those values as {@code true}. The group of properties of a part that is
 * off is never bound, so no other check sees the value. Ahead of time, the conditions are decided at build time,
 * and so is this check, as a bean factory post-processor.
 *
 * @author edge-runtime developers
 */
final class EnabledPropertiesCheck implements BeanFactoryPostProcessor, EnvironmentAware {

	/** The properties that conditions of the auto-configurations read, below {@code edge-runtime}. */
	static final List<String> PROPERTIES = List.of("tasks.enabled", "queue.enabled", "queue.notify.enabled",
			"queue.tasks.enabled", "cron.enabled", "dashboard.enabled");

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		Environment environment = this.environment;
		if (environment == null) {
			return;
		}
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime");
		for (String property : PROPERTIES) {
			String value = environment.getProperty("edge-runtime." + property);
			invalid.check(value == null || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"), property,
					value, "must be true or false: the condition that turns this part of edge-runtime on or off "
							+ "takes any other value as false");
		}
		invalid.throwIfAny();
	}

}
