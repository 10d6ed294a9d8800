package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.aot.CoreRuntimeHints;
import dev.edgeruntime.runtime.CompositeTaskDecorator;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.Durations;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import dev.edgeruntime.runtime.MdcTaskDecorator;
import dev.edgeruntime.runtime.MdcTaskLifecycleListener;
import dev.edgeruntime.runtime.PooledTaskThreadFactory;
import dev.edgeruntime.runtime.SecurityContextTaskDecorator;
import dev.edgeruntime.runtime.ServletTaskOriginResolver;
import dev.edgeruntime.runtime.StaggeredHandOffQueue;
import dev.edgeruntime.runtime.TaskLifecycleListener;
import dev.edgeruntime.runtime.TaskOriginResolver;
import dev.edgeruntime.runtime.TaskStorageArea;
import dev.edgeruntime.runtime.VirtualTaskExecutor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * {@link EdgeRuntime}: the runtime, its executors, context propagation and the shutdown lifecycle.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration
@EnableConfigurationProperties(EdgeRuntimeProperties.class)
@ImportRuntimeHints({ CoreRuntimeHints.class, UnknownPropertiesNotice.Hints.class })
public final class EdgeRuntimeAutoConfiguration {

	private static final Log logger = LogFactory.getLog(EdgeRuntimeAutoConfiguration.class);

	private static final String SLF4J_MDC = "org.slf4j.MDC";

	private static final String REQUEST_CONTEXT_HOLDER = "org.springframework.web.context.request.RequestContextHolder";

	/** What the drain leaves of Spring's shutdown phase, after its grace period and unwind, to close. */
	private static final Duration SHUTDOWN_MARGIN = Duration.ofMillis(500);

	/** Fails start-up when queue listeners or cron jobs are declared and the durable tier is not there. */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static DurableTierCheck edgeRuntimeDurableTierCheck() {
		return new DurableTierCheck();
	}

	/** Fails start-up when @BackgroundTask methods are declared and nothing would run them in the background. */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static UnadvisedBackgroundTaskCheck edgeRuntimeUnadvisedBackgroundTaskCheck() {
		return new UnadvisedBackgroundTaskCheck();
	}

	/**
	 * Fails start-up when a property that turns a part on or off is neither true nor false, or, in an application
	 * processed ahead of time, has another value than when it was processed.
	 */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static EnabledPropertiesCheck edgeRuntimeEnabledPropertiesCheck() {
		return new EnabledPropertiesCheck();
	}

	/** Warns of edge-runtime.* properties that nothing reads, such as a misspelt name. */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static UnknownPropertiesNotice edgeRuntimeUnknownPropertiesNotice(Environment environment) {
		return new UnknownPropertiesNotice(environment);
	}

	@Bean
	@ConditionalOnMissingBean
	TaskStorageArea edgeRuntimeStorageArea(EdgeRuntimeProperties properties) {
		return new TaskStorageArea(properties.getStorage().getRoot(), properties.getStorage().getQuota());
	}

	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean(EdgeRuntime.class)
	DefaultEdgeRuntime edgeRuntime(ApplicationContext context, EdgeRuntimeProperties properties,
			TaskStorageArea storageArea, ObjectProvider<TaskLifecycleListener> listeners,
			ObjectProvider<TaskOriginResolver> originResolver, ObjectProvider<TaskDecorator> taskDecorators,
			Environment environment) {
		EdgeRuntimeProperties.Budget budget = properties.getBudget();
		return DefaultEdgeRuntime.builder(context)
			.platformExecutor(properties.getTasks().isInline() ? inlineExecutor() : platformExecutor())
			.virtualExecutor(properties.getTasks().isInline() ? null : virtualExecutor(environment))
			.closeExecutors(true)
			.decorator(decorator(taskDecorators))
			.originResolver(originResolver.getIfAvailable(EdgeRuntimeAutoConfiguration::defaultOriginResolver))
			.storage(storageArea)
			.listeners(listeners.orderedStream().toList())
			.budgets(budget.getWallClock(), budget.getCpuTime(), budget.getMemory())
			.beforeUnloadRatio(budget.getBeforeUnloadRatio())
			.maxExtension(budget.getMaxExtension())
			.checkInterval(budget.getCheckInterval())
			.maxInFlight(properties.getMaxInFlight())
			.retention(properties.getRetention().getMaxCount(), properties.getRetention().getMaxAge())
			.memoryPressureThreshold(properties.getMemoryPressure().isEnabled()
					? properties.getMemoryPressure().getThreshold() : 0)
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(DefaultEdgeRuntime.class)
	@Nullable EdgeRuntimeLifecycle edgeRuntimeLifecycle(ObjectProvider<DefaultEdgeRuntime> runtimes,
			ApplicationContext context, EdgeRuntimeProperties properties, Environment environment) {
		DefaultEdgeRuntime runtime;
		try {
			runtime = runtimes.getObject();
		}
		catch (BeanNotOfRequiredTypeException ex) {
			// A test's @MockitoBean EdgeRuntime replaced the runtime after the conditions were evaluated: a mock
			// has no tasks to drain, and the test must start
			return null;
		}
		Duration gracePeriod = properties.getShutdown().getGracePeriod();
		Duration phaseTimeout = Binder.get(environment)
			.bind(DefaultEdgeRuntime.PHASE_TIMEOUT, Duration.class)
			.orElse(Duration.ofSeconds(30));
		Duration fitting = phaseTimeout.minus(DefaultEdgeRuntime.UNWIND_TIME).minus(SHUTDOWN_MARGIN);
		String setBy = "edge-runtime.shutdown.grace-period";
		if (gracePeriod.compareTo(fitting) > 0) {
			// cut so that the drain ends, its tasks interrupted and logged, before Spring stops waiting for it and
			// closes what they use; without the margin, a drain that takes all of its time ends just as Spring
			// stops waiting, and which of the two comes first is chance
			Duration cut = fitting.isNegative() ? Duration.ZERO : fitting;
			logger.warn("edge-runtime.shutdown.grace-period (" + Durations.text(gracePeriod) + ") plus "
					+ Durations.text(DefaultEdgeRuntime.UNWIND_TIME) + " to unwind and "
					+ Durations.text(SHUTDOWN_MARGIN) + " to spare is longer than "
					+ DefaultEdgeRuntime.PHASE_TIMEOUT + " (" + Durations.text(phaseTimeout)
					+ "): at shutdown background tasks get " + Durations.text(cut) + " to finish, so that they are "
					+ "interrupted before Spring stops waiting for them and closes the resources they use");
			setBy = DefaultEdgeRuntime.PHASE_TIMEOUT + ", " + Durations.text(phaseTimeout) + ", less "
					+ Durations.text(DefaultEdgeRuntime.UNWIND_TIME.plus(SHUTDOWN_MARGIN))
					+ ": edge-runtime.shutdown.grace-period, " + Durations.text(gracePeriod) + ", does not fit in it";
			gracePeriod = cut;
		}
		return new EdgeRuntimeLifecycle(runtime, context, gracePeriod, setBy);
	}

	/**
	 * Runs each task on the thread that starts it, as {@code edge-runtime.tasks.inline} asks (tests), but
	 * without that thread's request: a task on a thread of its own has none, so a task using a request-scoped
	 * bean must fail here as it does there, not pass the tests and fail in production. waitUntil starts its
	 * task inside the handler, whose request attributes (MockMvc's and the DispatcherServlet's) are bound.
	 */
	private static Executor inlineExecutor() {
		if (!ClassUtils.isPresent(REQUEST_CONTEXT_HOLDER, EdgeRuntimeAutoConfiguration.class.getClassLoader())) {
			return Runnable::run;
		}
		return WithoutRequest::run;
	}

	private static Executor platformExecutor() {
		// One thread per running task, reused when idle; the runtime's max-in-flight bounds the count. Idle
		// threads retire after 60 to 120 s, at staggered times, so that those of a burst do not end together.
		ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
				new StaggeredHandOffQueue(), new PooledTaskThreadFactory("edge-task-"));
		return executor;
	}

	private static @Nullable Executor virtualExecutor(Environment environment) {
		if (Threading.VIRTUAL.isActive(environment)) {
			return VirtualTaskExecutor.create("edge-task-");
		}
		return null;
	}

	private static TaskDecorator decorator(ObjectProvider<TaskDecorator> taskDecorators) {
		ClassLoader classLoader = EdgeRuntimeAutoConfiguration.class.getClassLoader();
		List<TaskDecorator> decorators = new ArrayList<>();
		if (ClassUtils.isPresent(SLF4J_MDC, classLoader)) {
			decorators.add(new MdcTaskDecorator());
		}
		if (ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory", classLoader)) {
			decorators.add(new ContextPropagatingTaskDecorator());
		}
		if (ClassUtils.isPresent("org.springframework.security.core.context.SecurityContextHolder", classLoader)) {
			decorators.add(new SecurityContextTaskDecorator());
		}
		taskDecorators.orderedStream().forEach(decorators::add);
		return new CompositeTaskDecorator(decorators);
	}

	private static TaskOriginResolver defaultOriginResolver() {
		ClassLoader classLoader = EdgeRuntimeAutoConfiguration.class.getClassLoader();
		boolean mdc = ClassUtils.isPresent(SLF4J_MDC, classLoader);
		if (ClassUtils.isPresent("org.springframework.web.context.request.RequestContextHolder", classLoader)
				&& ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", classLoader)) {
			return new ServletTaskOriginResolver(mdc ? () -> MdcTraceId.get() : () -> null);
		}
		return mdc ? () -> {
			String traceId = MdcTraceId.get();
			return (traceId != null) ? new TaskOrigin(null, null, traceId, null) : TaskOrigin.none();
		} : TaskOrigin::none;
	}

	/**
	 * Says why the dashboard asked for is not served, when it is not.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("edge-runtime.dashboard.enabled")
	static class DashboardNoticeConfiguration {

		@Bean
		DashboardNotServedNotice edgeRuntimeDashboardNotServedNotice(ApplicationContext context,
				ConfigurableListableBeanFactory beanFactory) {
			return new DashboardNotServedNotice(context, beanFactory);
		}

	}

	/**
	 * Puts each task's id and name in the MDC of its thread.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = SLF4J_MDC)
	static class MdcConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MdcTaskLifecycleListener edgeRuntimeMdcTaskLifecycleListener() {
			return new MdcTaskLifecycleListener();
		}

	}

	/**
	 * Reads the trace id Spring Boot's logging correlation puts in the MDC; a separate class so that
	 * SLF4J is loaded only when present.
	 */
	private static final class MdcTraceId {

		static @Nullable String get() {
			return MDC.get("traceId");
		}

	}

	/**
	 * Runs a task with no request bound to the thread, and binds the thread's request again after; a separate
	 * class so that Spring Web is loaded only when present.
	 */
	private static final class WithoutRequest {

		static void run(Runnable task) {
			RequestAttributes request = RequestContextHolder.getRequestAttributes();
			if (request == null) {
				task.run();
				return;
			}
			RequestContextHolder.resetRequestAttributes();
			try {
				task.run();
			}
			finally {
				RequestContextHolder.setRequestAttributes(request);
			}
		}

	}

}
