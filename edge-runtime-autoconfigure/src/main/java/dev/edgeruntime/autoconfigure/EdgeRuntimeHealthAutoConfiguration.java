package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.EdgeRuntimeHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * runtime's health indicator, {@code edgeRuntime} ({@code management.health.edgeruntime.enabled}).
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.HealthIndicator",
		"org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
public final class EdgeRuntimeHealthAutoConfiguration {

	/**
	 * The indicator. Its conditions are Spring Boot Health classes, so they sit on a nested class that is
	 * only read once that module is known to be on the classpath.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(EdgeRuntime.class)
	@ConditionalOnEnabledHealthIndicator("edgeruntime")
	static class EdgeRuntimeHealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "edgeRuntimeHealthIndicator")
		EdgeRuntimeHealthIndicator edgeRuntimeHealthIndicator(EdgeRuntime runtime) {
			return new EdgeRuntimeHealthIndicator(runtime);
		}

	}

}
