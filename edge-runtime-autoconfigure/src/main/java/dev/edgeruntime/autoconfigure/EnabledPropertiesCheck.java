package dev.edgeruntime.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
 * off is never bound, so no other check sees the value. Ahead of time, the conditions are decided at build time:
 * this check runs there as a bean factory post-processor, and where the application runs it compares the values
 * with those the build recorded ({@link EnabledPropertiesAotProcessor}), failing start-up on one that differs,
 * which the generated code would ignore.
 *
 * @author edge-runtime developers
 */
final class EnabledPropertiesCheck implements BeanFactoryPostProcessor, EnvironmentAware {

	/** The name of this check's bean, that of its method in {@link EdgeRuntimeAutoConfiguration}. */
	static final String BEAN_NAME = "edgeRuntimeEnabledPropertiesCheck";

	/** The name of the bean of the values recorded ahead of time, which only generated code registers. */
	static final String BUILD_TIME_BEAN_NAME = "edgeRuntimeEnabledPropertiesAtBuildTime";

	/** The properties that conditions of the auto-configurations read, below {@code edge-runtime}. */
	static final List<String> PROPERTIES = List.of("tasks.enabled", "queue.enabled", "queue.notify.enabled",
			"queue.tasks.enabled", "cron.enabled", "dashboard.enabled");

	/** The one of {@link #PROPERTIES} whose condition does not match when it is missing. */
	private static final String OFF_BY_DEFAULT = "dashboard.enabled";

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
		if (beanFactory.containsBean(BUILD_TIME_BEAN_NAME)) {
			checkSameAsBuildTime(parse(beanFactory.getBean(BUILD_TIME_BEAN_NAME, String.class)), environment);
		}
	}

	/**
	 * Fails when a property has another value than when the application was processed ahead of time: the
	 * condition that reads it was decided then, and the part stays as it was then.
	 */
	private static void checkSameAsBuildTime(Map<String, Boolean> atBuildTime, Environment environment) {
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime");
		Map<String, Boolean> now = parse(effectiveValues(environment));
		for (String property : PROPERTIES) {
			Boolean built = atBuildTime.get(property);
			if (property.startsWith("queue.") && !property.equals("queue.enabled")
					&& Boolean.FALSE.equals(atBuildTime.get("queue.enabled"))) {
				// the queue's parts were left out with the queue: their own values changed nothing then, nor do now
				continue;
			}
			invalid.check(built == null || built.equals(now.get(property)), property,
					environment.getProperty("edge-runtime." + property),
					"must be " + built + " as when the application was processed ahead of time (not set means "
							+ !property.equals(OFF_BY_DEFAULT) + "): the condition that turns this part of "
							+ "edge-runtime on or off was decided then with that value, and another value here would "
							+ "be ignored; process the application again with this value to change it (docs/aot.md)");
		}
		invalid.throwIfAny();
	}

	/**
	 * The value each condition reads, with the default of one not set, as {@code tasks.enabled=true,...}.
	 * @param environment the environment, whose values are {@code true} or {@code false} (checked before)
	 * @return the values
	 */
	static String effectiveValues(Environment environment) {
		return PROPERTIES.stream()
			.map((property) -> property + "=" + Boolean.parseBoolean(environment.getProperty("edge-runtime." + property,
					String.valueOf(!property.equals(OFF_BY_DEFAULT)))))
			.collect(Collectors.joining(","));
	}

	private static Map<String, Boolean> parse(String values) {
		Map<String, Boolean> parsed = new LinkedHashMap<>();
		for (String entry : values.split(",")) {
			int equals = entry.indexOf('=');
			parsed.put(entry.substring(0, equals), Boolean.parseBoolean(entry.substring(equals + 1)));
		}
		return parsed;
	}

}
