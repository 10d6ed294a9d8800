package dev.edgeruntime.autoconfigure;

import java.time.Duration;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpointWebExtension;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;

import org.springframework.beans.factory.ObjectProvider;
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
		BackgroundTasksEndpoint backgroundTasksEndpoint(EdgeRuntime runtime, EdgeRuntimeProperties properties,
				ObjectProvider<EdgeRuntimeLifecycle> lifecycle) {
			return new BackgroundTasksEndpoint(runtime, limits(properties, lifecycle));
		}

		static Limits limits(EdgeRuntimeProperties properties, ObjectProvider<EdgeRuntimeLifecycle> lifecycle) {
			EdgeRuntimeProperties.Budget budget = properties.getBudget();
			// what the drain will give tasks: the configured grace period may have been cut to fit Spring's phase
			EdgeRuntimeLifecycle drain = lifecycle.getIfUnique();
			Duration gracePeriod = (drain != null) ? drain.getGracePeriod() : properties.getShutdown().getGracePeriod();
			return new Limits(properties.getMaxInFlight(), budget.getWallClock(), budget.getCpuTime(),
					(budget.getMemory() != null) ? budget.getMemory().toBytes() : null, budget.getBeforeUnloadRatio(),
					gracePeriod);
		}

		/**
		 * The endpoint with the durable tier's figures, when its classes are present; declared before the
		 * endpoint without them, which then backs off. The figures themselves are optional: an application
		 * without a database has no {@link QueueMetrics} and the endpoint reports no queues.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = { "org.springframework.jdbc.core.JdbcTemplate",
				"org.springframework.dao.DataRetrievalFailureException" })
		static class DurableTierConfiguration {

			@Bean
			@ConditionalOnMissingBean
			@ConditionalOnBean(EdgeRuntime.class)
			BackgroundTasksEndpoint backgroundTasksEndpoint(EdgeRuntime runtime, EdgeRuntimeProperties properties,
					ObjectProvider<EdgeRuntimeLifecycle> lifecycle, ObjectProvider<QueueMetrics> queueMetrics,
					ObjectProvider<CronJobs> cronJobs, ObjectProvider<DurableTaskDispatcher> durableTasks) {
				return new BackgroundTasksEndpoint(runtime, limits(properties, lifecycle), queueMetrics::getIfAvailable,
						cronJobs::getIfAvailable, durableTasks::getIfUnique);
			}

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
