package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpointWebExtension;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * {@link BackgroundTasksEndpoint} ({@code /actuator/backgroundtasks}), available when the application has
 * an {@link EdgeRuntime} and the endpoint is exposed.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
		"org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
public final class EdgeRuntimeEndpointAutoConfiguration {

	/**
	 * The endpoint. Its conditions are actuator classes, so they sit on a nested class that is only read
	 * once the actuator is known to be on the classpath.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnAvailableEndpoint(BackgroundTasksEndpoint.class)
	static class BackgroundTasksEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(EdgeRuntime.class)
		BackgroundTasksEndpoint backgroundTasksEndpoint(EdgeRuntime runtime, EdgeRuntimeProperties properties) {
			EdgeRuntimeProperties.Budget budget = properties.getBudget();
			Limits limits = new Limits(properties.getMaxInFlight(), budget.getWallClock(), budget.getCpuTime(),
					(budget.getMemory() != null) ? budget.getMemory().toBytes() : null,
					budget.getBeforeUnloadRatio(), properties.getShutdown().getGracePeriod());
			return new BackgroundTasksEndpoint(runtime, limits);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(BackgroundTasksEndpoint.class)
		@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
		BackgroundTasksEndpointWebExtension backgroundTasksEndpointWebExtension(BackgroundTasksEndpoint endpoint) {
			return new BackgroundTasksEndpointWebExtension(endpoint);
		}

	}

}
