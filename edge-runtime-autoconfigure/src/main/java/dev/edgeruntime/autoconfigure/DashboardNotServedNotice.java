package dev.edgeruntime.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.edgeruntime.EdgeRuntime;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * Says, at start-up, why the dashboard that {@code edge-runtime.dashboard.enabled} asks for is not served:
 * {@link EdgeRuntimeDashboardAutoConfiguration} backs off outside a Spring MVC application with the
 * actuator, and the page would otherwise answer 404 with nothing said. A context whose auto-configurations
 * leave the dashboard's out, as a {@code @WebMvcTest} slice does (it imports the runtime's, not the
 * dashboard's), is not warned of: not serving the page there is meant.
 *
 * @author edge-runtime developers
 */
final class DashboardNotServedNotice implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(EdgeRuntimeDashboardAutoConfiguration.class);

	private final ApplicationContext context;

	private final ConfigurableListableBeanFactory beanFactory;

	DashboardNotServedNotice(ApplicationContext context, ConfigurableListableBeanFactory beanFactory) {
		this.context = context;
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		// the dashboard's properties are bound only when its auto-configuration applies
		if (this.beanFactory.getBeanNamesForType(EdgeRuntimeDashboardProperties.class, true, false).length > 0) {
			return;
		}
		List<String> reasons = reasons();
		if (reasons.isEmpty() && AutoConfigurationCandidates.leftOut(this.beanFactory,
				EdgeRuntimeDashboardAutoConfiguration.class.getName())) {
			logger.debug("edge-runtime.dashboard.enabled is true, but the dashboard is not served: this context's "
					+ "auto-configurations leave EdgeRuntimeDashboardAutoConfiguration out, as a test slice such as "
					+ "@WebMvcTest does");
			return;
		}
		if (reasons.isEmpty()) {
			reasons.add("EdgeRuntimeDashboardAutoConfiguration did not apply (excluded?): start with --debug to see "
					+ "its conditions in the condition evaluation report");
		}
		logger.warn("edge-runtime.dashboard.enabled is true, but the dashboard is not served: "
				+ String.join("; ", reasons));
	}

	/** Whether the context is of the type named, read by name: Spring Web may be absent. */
	private boolean isA(String typeName, @Nullable ClassLoader classLoader) {
		return ClassUtils.isPresent(typeName, classLoader)
				&& ClassUtils.resolveClassName(typeName, classLoader).isInstance(this.context);
	}

	private List<String> reasons() {
		List<String> reasons = new ArrayList<>();
		ClassLoader classLoader = this.beanFactory.getBeanClassLoader();
		if (isA("org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext", classLoader)) {
			reasons.add("this is a reactive (WebFlux) application, and the dashboard is a Spring MVC page");
		}
		else if (!isA("org.springframework.web.context.WebApplicationContext", classLoader)) {
			reasons.add("this is not a web application");
		}
		if (!ClassUtils.isPresent("org.springframework.web.servlet.DispatcherServlet", classLoader)) {
			reasons.add("Spring MVC is not on the class path: add org.springframework.boot:spring-boot-starter-webmvc");
		}
		if (!ClassUtils.isPresent("org.springframework.boot.actuate.endpoint.OperationResponseBody", classLoader)) {
			reasons.add("the actuator is not on the class path: add "
					+ "org.springframework.boot:spring-boot-starter-actuator");
		}
		if (this.beanFactory.getBeanNamesForType(EdgeRuntime.class, true, false).length == 0) {
			reasons.add("the application has no EdgeRuntime bean");
		}
		return reasons;
	}

}
