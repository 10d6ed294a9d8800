package dev.edgeruntime.autoconfigure;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.aot.DashboardRuntimeHints;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.dashboard.DashboardAccess;
import dev.edgeruntime.dashboard.DashboardChangeListener;
import dev.edgeruntime.dashboard.DashboardController;
import dev.edgeruntime.dashboard.DashboardDeadLetters;
import dev.edgeruntime.dashboard.DashboardEventStream;
import dev.edgeruntime.dashboard.SecurityDashboardAccess;
import dev.edgeruntime.queue.DatabaseFailures;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueNotFoundException;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * background-task dashboard page ({@code edge-runtime.dashboard.path}), when
 * {@code edge-runtime.dashboard.enabled} is set in a Spring MVC application with the actuator. The page
 * shows the {@link BackgroundTasksEndpoint backgroundtasks} report: the endpoint bean when it is available,
 * else an endpoint of its own that is not exposed.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = { EdgeRuntimeAutoConfiguration.class, EdgeRuntimeEndpointAutoConfiguration.class },
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration")
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(name = { "org.springframework.web.servlet.DispatcherServlet",
		"org.springframework.boot.actuate.endpoint.OperationResponseBody" })
@ConditionalOnBooleanProperty("edge-runtime.dashboard.enabled")
@ConditionalOnBean(EdgeRuntime.class)
@EnableConfigurationProperties(EdgeRuntimeDashboardProperties.class)
@ImportRuntimeHints(DashboardRuntimeHints.class)
public final class EdgeRuntimeDashboardAutoConfiguration {

	private static final Log logger = LogFactory.getLog(EdgeRuntimeDashboardAutoConfiguration.class);

	private static final String JDBC_TEMPLATE = "org.springframework.jdbc.core.JdbcTemplate";

	private static final EndpointId ENDPOINT_ID = EndpointId.of("backgroundtasks");

	@Bean
	@ConditionalOnMissingBean
	DashboardChangeListener dashboardChangeListener() {
		return new DashboardChangeListener();
	}

	@Bean
	@ConditionalOnMissingBean
	DashboardEventStream dashboardEventStream(DashboardEndpoint endpoint, EdgeRuntimeDashboardProperties properties,
			DashboardChangeListener changes) {
		BackgroundTasksEndpoint reports = endpoint.get();
		DashboardEventStream stream = new DashboardEventStream(() -> reports.tasks(null, null),
				properties.getRefreshInterval(), properties.getMaxClients());
		changes.attach(stream);
		return stream;
	}

	@Bean
	@ConditionalOnMissingBean
	DashboardAccess dashboardAccess(EdgeRuntimeDashboardProperties properties) {
		return DashboardAccess.withoutSecurity(properties.isCancelEnabled());
	}

	@Bean
	@ConditionalOnMissingBean
	DashboardController dashboardController(DashboardEndpoint endpoint, DashboardEventStream stream,
			DashboardAccess access, EdgeRuntimeDashboardProperties properties,
			ObjectProvider<EndpointAccessResolver> endpointAccess, ObjectProvider<DashboardDeadLetters> deadLetters) {
		return new DashboardController(endpoint.get(), stream, cancelFollowingEndpointAccess(access, endpointAccess),
				deadLetters.getIfAvailable(() -> DashboardDeadLetters.NONE), properties.getPath(),
				properties.getPageSize());
	}

	/**
	 * The dashboard's cancel is the endpoint's delete operation and its requeue of dead letters does what the
	 * endpoint's retry operation does, task by task, so they are only offered when the endpoint's
	 * access ({@code management.endpoint.backgroundtasks.access}, capped by
	 * {@code management.endpoints.access.max-permitted}) is unrestricted, whatever {@link DashboardAccess}
	 * decides.
	 */
	private static DashboardAccess cancelFollowingEndpointAccess(DashboardAccess access,
			ObjectProvider<EndpointAccessResolver> endpointAccess) {
		EndpointAccessResolver resolver = endpointAccess.getIfAvailable();
		Access granted = (resolver != null) ? resolver.accessFor(ENDPOINT_ID, Access.UNRESTRICTED) : Access.UNRESTRICTED;
		if (granted == Access.UNRESTRICTED) {
			return access;
		}
		logger.info("Background-task dashboard: cancelling and running dead letters again are off, as the access "
				+ "of the backgroundtasks endpoint is "
				+ granted.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		return new DashboardAccess() {

			@Override
			public boolean canCancel(HttpServletRequest request) {
				return false;
			}

			@Override
			public boolean canRequeue(HttpServletRequest request) {
				return false;
			}

			@Override
			public @Nullable CsrfHeader csrfHeader(HttpServletRequest request) {
				return access.csrfHeader(request);
			}

		};
	}

	@Bean
	DashboardEndpoint dashboardEndpoint(ObjectProvider<BackgroundTasksEndpoint> endpoint, EdgeRuntime runtime,
			EdgeRuntimeProperties properties, ObjectProvider<EdgeRuntimeLifecycle> lifecycle,
			ObjectProvider<DurableTier> durableTier) {
		BackgroundTasksEndpoint shown = endpoint.getIfAvailable(() -> {
			Limits limits = EdgeRuntimeEndpointAutoConfiguration.BackgroundTasksEndpointConfiguration.limits(properties,
					lifecycle);
			DurableTier durable = durableTier.getIfAvailable();
			return (durable != null) ? durable.endpoint(runtime, limits) : new BackgroundTasksEndpoint(runtime, limits);
		});
		return () -> shown;
	}

	/**
	 * With Spring Security, cancelling takes an authority and the page sends the CSRF token.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.security.core.context.SecurityContextHolder",
			"org.springframework.security.web.csrf.CsrfToken" })
	static class SecurityConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DashboardAccess dashboardAccess(EdgeRuntimeDashboardProperties properties) {
			return new SecurityDashboardAccess(properties.getCancelAuthority(), properties.isCancelEnabled());
		}

	}

	/**
	 * The durable tier's figures and tasks for an endpoint of the dashboard's own, and its requeue of dead
	 * letters, when its classes are present.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { JDBC_TEMPLATE, "org.springframework.dao.DataRetrievalFailureException" })
	static class DurableTierConfiguration {

		@Bean
		DurableTier dashboardDurableTier(ObjectProvider<QueueMetrics> queueMetrics, ObjectProvider<CronJobs> cronJobs,
				ObjectProvider<DurableTaskDispatcher> durableTasks) {
			// the durable tasks too, as the endpoint's own has them: the cancel of a durable task is the same
			// whether the endpoint is exposed or not
			return (runtime, limits) -> new BackgroundTasksEndpoint(runtime, limits, queueMetrics::getIfAvailable,
					cronJobs::getIfAvailable, durableTasks::getIfUnique);
		}

		@Bean
		@ConditionalOnMissingBean
		DashboardDeadLetters dashboardDeadLetters(ObjectProvider<PgmqTemplate> pgmq,
				ObjectProvider<QueueMetrics> queueMetrics) {
			return (queue) -> {
				PgmqTemplate template = pgmq.getIfAvailable();
				if (template == null) {
					return OptionalLong.empty();
				}
				try {
					int requeued = template.requeueDeadLetters(queue).size();
					QueueMetrics metrics = queueMetrics.getIfAvailable();
					if (metrics != null) {
						// the page's next push is to show the count at 0, not the cached one
						metrics.forget(queue.toLowerCase(Locale.ROOT));
					}
					return OptionalLong.of(requeued);
				}
				catch (QueueNotFoundException ex) {
					return OptionalLong.empty();
				}
				catch (RuntimeException ex) {
					if (DatabaseFailures.isConnectionFailure(ex)) {
						throw new DashboardDeadLetters.DatabaseUnavailableException(
								"The database cannot be reached: " + ex.getClass().getSimpleName() + ": "
										+ ex.getMessage(),
								ex);
					}
					throw ex;
				}
			};
		}

	}

	/**
	 * The endpoint the dashboard shows and cancels through.
	 */
	@FunctionalInterface
	interface DashboardEndpoint extends Supplier<BackgroundTasksEndpoint> {

	}

	/**
	 * Builds an endpoint with the durable tier's figures.
	 */
	@FunctionalInterface
	interface DurableTier {

		BackgroundTasksEndpoint endpoint(EdgeRuntime runtime, Limits limits);

	}

}
