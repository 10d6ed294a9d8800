package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.aot.BackgroundTaskRuntimeHints;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.web.BackgroundTaskAdvisor;
import dev.edgeruntime.web.BackgroundTaskHandlerAdapterPostProcessor;
import dev.edgeruntime.web.BackgroundTaskMethodValidator;
import dev.edgeruntime.web.BackgroundTaskRequestFilter;
import dev.edgeruntime.web.PrincipalTaskStatusAccessRule;
import dev.edgeruntime.web.TaskRejectedExceptionHandler;
import dev.edgeruntime.web.TaskStatusAccessRule;
import dev.edgeruntime.web.TaskStatusController;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * {@link BackgroundTask @BackgroundTask}: the advisor and its start-up checks and, in a servlet web
 * application, the request hook that starts detached work after the response, the {@code 202 Accepted}
 * handling of controller methods, {@code 503} for refused tasks, and the task status resource.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
@ConditionalOnBean(DefaultEdgeRuntime.class)
@Import(BackgroundTaskAutoConfiguration.AutoProxyRegistrar.class)
public final class BackgroundTaskAutoConfiguration {

	/** Why a controller method of a WebFlux application is refused, and what to do instead. */
	static final String REACTIVE_CONTROLLER_METHOD = "it is a controller method of a reactive (WebFlux) "
			+ "application, and the 202 Accepted answer and task status resource of @BackgroundTask controller "
			+ "methods need Spring MVC; in WebFlux, start the work with EdgeRuntime.waitUntil in the handler, or "
			+ "put @BackgroundTask on a method of a bean the handler calls";

	/** The order of the request hook: outside every filter that may turn a failure into a response. */
	static final int REQUEST_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	// The post-processors and the advisor are per context, as Spring Boot's MethodValidationPostProcessor is:
	// a parent context's neither checks nor (through the child's infrastructure proxy creator) advises the
	// beans of a child context, whose methods would otherwise run on the caller's thread. Defined under the
	// parent's name, a proxy creator that takes its ancestors' advisors too finds the child's alone.
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
	static BackgroundTaskMethodValidator backgroundTaskMethodValidator(ConfigurableListableBeanFactory beanFactory,
			Environment environment, ApplicationContext context) {
		BackgroundTaskMethodValidator validator = new BackgroundTaskMethodValidator();
		validator.setDurableTierProblems(
				() -> DurableTierCheck.missing(beanFactory, beanFactory.getBeanClassLoader(), environment));
		if (context instanceof ReactiveWebApplicationContext) {
			// without the request hook and the return value handler, a WebFlux handler's task would answer with
			// whatever WebFlux makes of the stand-in its proxy returns, not 202 Accepted
			validator.setControllerMethodsUnsupported(REACTIVE_CONTROLLER_METHOD);
		}
		return validator;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
	static BackgroundTaskAdvisor backgroundTaskAdvisor(ObjectProvider<DefaultEdgeRuntime> runtime,
			ObjectProvider<DurableTaskDispatcher> durableDispatcher, Environment environment) {
		BackgroundTaskAdvisor advisor = new BackgroundTaskAdvisor(() -> starterRuntime(runtime),
				durableDispatcher::getIfUnique);
		advisor.setOrder(environment.getProperty("edge-runtime.tasks.advisor-order", Integer.class,
				BackgroundTaskAdvisor.DEFAULT_ORDER));
		return advisor;
	}

	private static @Nullable DefaultEdgeRuntime starterRuntime(ObjectProvider<DefaultEdgeRuntime> runtime) {
		try {
			return runtime.getObject();
		}
		catch (BeanNotOfRequiredTypeException | NoSuchBeanDefinitionException ex) {
			// a test's @MockitoBean EdgeRuntime replaced the runtime after the conditions were evaluated: the
			// interceptor says so at the call, naming the method and what to use instead
			return null;
		}
	}

	/**
	 * Spring MVC: the request hook, 202 handling, 503 for refused tasks and the task status resource.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(DispatcherServlet.class)
	@ImportRuntimeHints(BackgroundTaskRuntimeHints.class)
	static class WebConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "backgroundTaskRequestFilter")
		FilterRegistrationBean<BackgroundTaskRequestFilter> backgroundTaskRequestFilter(
				EdgeRuntimeProperties properties) {
			FilterRegistrationBean<BackgroundTaskRequestFilter> registration = new FilterRegistrationBean<>(
					new BackgroundTaskRequestFilter(properties.getTasks().isDropOnFailure()));
			registration.setOrder(REQUEST_FILTER_ORDER);
			return registration;
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		@ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
		static BackgroundTaskHandlerAdapterPostProcessor backgroundTaskHandlerAdapterPostProcessor(
				Environment environment) {
			return new BackgroundTaskHandlerAdapterPostProcessor(
					() -> statusResourceEnabled(environment)
							? environment.getProperty("edge-runtime.tasks.base-path", "/background-tasks") : null,
					() -> Binder.get(environment)
						.bind("edge-runtime.tasks.accepted-body-shortcut", Boolean.class)
						.orElse(true));
		}

		/** Whether the task status resource is on, as {@link TaskStatusConfiguration} decides it. */
		private static boolean statusResourceEnabled(Environment environment) {
			return Binder.get(environment).bind("edge-runtime.tasks.enabled", Boolean.class).orElse(true);
		}

		@Bean
		@ConditionalOnMissingBean
		TaskRejectedExceptionHandler taskRejectedExceptionHandler() {
			return new TaskRejectedExceptionHandler();
		}

		/**
		 * The task status resource, unless switched off.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnBooleanProperty(name = "edge-runtime.tasks.enabled", matchIfMissing = true)
		static class TaskStatusConfiguration {

			@Bean
			@ConditionalOnMissingBean
			TaskStatusAccessRule taskStatusAccessRule() {
				return new PrincipalTaskStatusAccessRule();
			}

			@Bean
			@ConditionalOnMissingBean
			TaskStatusController taskStatusController(EdgeRuntime runtime, TaskStatusAccessRule accessRule,
					ObjectProvider<DurableTaskDispatcher> durableTasks) {
				return new TaskStatusController(runtime, accessRule, durableTasks::getIfUnique);
			}

		}

	}

	/**
	 * Makes sure an auto-proxy creator that applies infrastructure advisors exists, as
	 * {@code @EnableTransactionManagement} does, so the advisor works even when {@code spring.aop.auto} is
	 * off.
	 */
	static final class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar {

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
		}

	}

}
