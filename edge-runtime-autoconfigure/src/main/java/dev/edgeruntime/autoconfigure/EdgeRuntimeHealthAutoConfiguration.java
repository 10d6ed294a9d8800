package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.EdgeRuntimeHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * runtime's health indicator, {@code edgeRuntime} ({@code management.health.edgeruntime.enabled}).
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(EdgeRuntime.class)
@ConditionalOnEnabledHealthIndicator("edgeruntime")
public final class EdgeRuntimeHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "edgeRuntimeHealthIndicator")
	EdgeRuntimeHealthIndicator edgeRuntimeHealthIndicator(EdgeRuntime runtime) {
		return new EdgeRuntimeHealthIndicator(runtime);
	}

}
