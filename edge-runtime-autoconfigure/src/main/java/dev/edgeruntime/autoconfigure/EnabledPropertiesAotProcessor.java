package dev.edgeruntime.autoconfigure;

import javax.lang.model.element.Modifier;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Records, when an application is processed ahead of time, the values of the properties that turn parts of
 * edge-runtime on or off: their conditions are decided then, and the generated code registers the parts
 * that were on whatever the values are where the application runs. The generated code registers the values
 * too, as a bean that {@link EnabledPropertiesCheck} compares with the running application's, so that a
 * value that would be ignored fails start-up rather than leave a part on (or off) that the configuration
 * turned off (or on).
 *
 * @author edge-runtime developers
 */
final class EnabledPropertiesAotProcessor implements BeanFactoryInitializationAotProcessor {

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		if (!beanFactory.containsBeanDefinition(EnabledPropertiesCheck.BEAN_NAME)
				|| !beanFactory.containsBean(ConfigurableApplicationContext.ENVIRONMENT_BEAN_NAME)) {
			return null;
		}
		Environment environment = beanFactory.getBean(ConfigurableApplicationContext.ENVIRONMENT_BEAN_NAME,
				Environment.class);
		String values = EnabledPropertiesCheck.effectiveValues(environment);
		return (generationContext, code) -> code.addInitializer(code.getMethods()
			.add("registerEdgeRuntimeEnabledPropertiesAtBuildTime", (method) -> method
				.addJavadoc("Registers the values edge-runtime's enabled properties had when processed ahead of time.")
				.addModifiers(Modifier.PUBLIC)
				.addParameter(DefaultListableBeanFactory.class, "beanFactory")
				.addStatement("$T definition = new $T($T.class)", RootBeanDefinition.class, RootBeanDefinition.class,
						String.class)
				.addStatement("definition.setInstanceSupplier(() -> $S)", values)
				.addStatement("definition.setAutowireCandidate(false)")
				.addStatement("definition.setRole($T.ROLE_INFRASTRUCTURE)", BeanDefinition.class)
				.addStatement("beanFactory.registerBeanDefinition($S, definition)",
						EnabledPropertiesCheck.BUILD_TIME_BEAN_NAME))
			.toMethodReference());
	}

}
