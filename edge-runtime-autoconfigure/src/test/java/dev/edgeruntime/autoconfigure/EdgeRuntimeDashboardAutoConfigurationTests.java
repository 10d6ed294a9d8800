package dev.edgeruntime.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.dashboard.DashboardAccess;
import dev.edgeruntime.dashboard.DashboardChangeListener;
import dev.edgeruntime.dashboard.DashboardController;
import dev.edgeruntime.dashboard.DashboardEventStream;
import dev.edgeruntime.dashboard.SecurityDashboardAccess;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.testsupport.LogCapture;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.DispatcherServlet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeDashboardAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeDashboardAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
				EdgeRuntimeEndpointAutoConfiguration.class, EdgeRuntimeDashboardAutoConfiguration.class));

	@Test
	void dashboardByDefaultShouldBeOff() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(DashboardController.class)
			.doesNotHaveBean(DashboardEventStream.class)
			.doesNotHaveBean(DashboardChangeListener.class)
			.doesNotHaveBean(EdgeRuntimeDashboardProperties.class));
	}

	@Test
	void dashboardWhenEnabledShouldServePageStreamAndSecuredAccess() {
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.path=/ops/tasks",
					"edge-runtime.dashboard.cancel-authority=ROLE_OPERATOR")
			.run((context) -> {
				assertThat(context).hasSingleBean(DashboardController.class)
					.hasSingleBean(DashboardEventStream.class)
					.hasSingleBean(DashboardChangeListener.class)
					.getBean(DashboardAccess.class)
					.isInstanceOf(SecurityDashboardAccess.class);
				assertThat(context.getBean(EdgeRuntimeDashboardProperties.class).getPath()).isEqualTo("/ops/tasks");
				assertThat(context.getBean(DashboardEventStream.class).isRunning()).isTrue();
				// the endpoint is not exposed, so the dashboard reads a private one and exposes nothing
				assertThat(context).doesNotHaveBean(BackgroundTasksEndpoint.class);
			});
	}

	@Test
	void dashboardWhenEndpointIsAvailableShouldShowThatEndpoint() {
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=true",
					"management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> assertThat(context.getBean(EdgeRuntimeDashboardAutoConfiguration.DashboardEndpoint.class)
				.get()).isSameAs(context.getBean(BackgroundTasksEndpoint.class)));
	}

	@Test
	void dashboardWithInvalidPropertiesShouldFailNamingEach() {
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.path=/ops/",
					"edge-runtime.dashboard.max-clients=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.dashboard.path")
				.hasMessageContaining("edge-runtime.dashboard.max-clients"));
	}

	@Test
	void dashboardWithACancelAuthorityEndingInASpaceShouldFailSayingWhy() {
		// as a properties file keeps it: 'ROLE_ADMIN ' was taken, and no user's authority matched it
		this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("spaced",
						Map.of("edge-runtime.dashboard.cancel-authority", "ROLE_ADMIN "))))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.dashboard.cancel-authority = 'ROLE_ADMIN ': must not start or end "
						+ "with a space"));
	}

	@Test
	void dashboardWithAPatternForAPathShouldFailSayingSo() {
		for (String path : List.of("/{tenant}", "/ops/*", "/a b")) {
			this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.path=" + path)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.dashboard.path = '" + path + "': must be a plain path"));
		}
	}

	@Test
	void dashboardWithARefreshIntervalOutOfBoundsShouldFailSayingWhy() {
		// a nanosecond would keep the dashboard's thread busy; 200000 days do not fit in its scheduler's nanoseconds
		for (String interval : List.of("1ns", "200000d")) {
			this.contextRunner
				.withPropertyValues("edge-runtime.dashboard.enabled=true",
						"edge-runtime.dashboard.refresh-interval=" + interval)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.dashboard.refresh-interval = '" + interval
							+ "': must be at least 100ms and at most 1h: every open page gets a snapshot this often"));
		}
	}

	@Test
	void accessWithoutSpringSecurityShouldLetAnyoneCancel() {
		this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
			.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> {
				DashboardAccess access = context.getBean(DashboardAccess.class);
				assertThat(access).isNotInstanceOf(SecurityDashboardAccess.class);
				assertThat(access.canCancel(new MockHttpServletRequest())).isTrue();
				assertThat(access.csrfHeader(new MockHttpServletRequest())).isNull();
			});
	}

	@Test
	void accessWithoutSpringSecurityWhenCancelDisabledShouldRefuse() {
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.cancel-enabled=false")
			.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> assertThat(context.getBean(DashboardAccess.class).canCancel(new MockHttpServletRequest()))
				.isFalse());
	}

	@Test
	void cancelWhenEndpointAccessIsUnrestrictedShouldReachTheEndpoint() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
			.withPropertyValues("edge-runtime.dashboard.enabled=true")
			.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> assertThat(cancelUnknownTask(context)).isEqualTo(HttpStatus.NOT_FOUND));
	}

	@Test
	void cancelWhenEndpointIsReadOnlyShouldBeRefused() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "management.endpoint.backgroundtasks.access=READ_ONLY")
			.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> assertThat(cancelUnknownTask(context)).isEqualTo(HttpStatus.FORBIDDEN));
	}

	@Test
	void dashboardWhenEndpointIsReadOnlyShouldSayOnceThatBothItsActionsAreOff() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			this.contextRunner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
				.withPropertyValues("edge-runtime.dashboard.enabled=true",
						"management.endpoint.backgroundtasks.access=READ_ONLY")
				.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
				.run((context) -> assertThat(context).hasSingleBean(DashboardController.class));
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.containsExactly("Background-task dashboard: cancelling and running dead letters again are off, as "
						+ "the access of the backgroundtasks endpoint is read-only");
		}
	}

	@Test
	void cancelWhenEndpointAccessIsCappedShouldBeRefusedWhateverTheCustomAccessSays() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "management.endpoints.access.max-permitted=READ_ONLY")
			.withUserConfiguration(AllowingAccessConfiguration.class)
			.run((context) -> assertThat(cancelUnknownTask(context)).isEqualTo(HttpStatus.FORBIDDEN));
	}

	@Test
	void cancelWhenEndpointIsDisabledShouldBeRefused() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class))
			.withPropertyValues("edge-runtime.dashboard.enabled=true", "management.endpoint.backgroundtasks.access=NONE")
			.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
			.run((context) -> assertThat(cancelUnknownTask(context)).isEqualTo(HttpStatus.FORBIDDEN));
	}

	@Test
	void cancelShouldLogTheUserWithItsControlCharactersEscaped() {
		try (LogCapture log = LogCapture.of(BackgroundTasksEndpoint.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
				.run((context) -> {
					CountDownLatch release = new CountDownLatch(1);
					TaskHandle<String> task = context.getBean(EdgeRuntime.class)
						.waitUntil(TaskOptions.named("import-orders"), () -> {
							release.await();
							return "done";
						});
					MockHttpServletRequest request = new MockHttpServletRequest("DELETE",
							"/background-tasks-dashboard/tasks/" + task.id());
					// a name from a gateway's header, say: its line break must not start a log line of its own
					request.setUserPrincipal(() -> "bob\nINFO Background task 42 was cancelled");
					assertThat(context.getBean(DashboardController.class).cancel(task.id().toString(), request)
						.getStatusCode()).isEqualTo(HttpStatus.OK);
					release.countDown();
				});
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.anySatisfy((line) -> assertThat(line).endsWith(
						"(import-orders) was cancelled from the dashboard by bob\\nINFO Background task 42 was cancelled"));
		}
	}

	private static HttpStatusCode cancelUnknownTask(AssertableWebApplicationContext context) {
		return context.getBean(DashboardController.class)
			.cancel(UUID.randomUUID().toString(), new MockHttpServletRequest("DELETE", "/background-tasks-dashboard/tasks/x"))
			.getStatusCode();
	}

	@Test
	void accessWhenCustomShouldBeUsed() {
		this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
			.withUserConfiguration(CustomAccessConfiguration.class)
			.run((context) -> assertThat(context).getBean(DashboardAccess.class)
				.isSameAs(CustomAccessConfiguration.ACCESS));
	}

	@Test
	void dashboardWithoutSpringWebMvcShouldBackOffAndSaySo() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class)
					.doesNotHaveBean(DashboardEventStream.class));
			assertThat(warnings(log)).containsExactly("edge-runtime.dashboard.enabled is true, but the dashboard is "
					+ "not served: Spring MVC is not on the class path: add "
					+ "org.springframework.boot:spring-boot-starter-webmvc");
		}
	}

	@Test
	void dashboardWithoutActuatorShouldBackOffAndSaySo() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class));
			assertThat(warnings(log)).singleElement()
				.asString()
				.endsWith("not served: the actuator is not on the class path: add "
						+ "org.springframework.boot:spring-boot-starter-actuator");
		}
	}

	@Test
	void dashboardOutsideAWebApplicationShouldBackOffAndSaySo() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
						EdgeRuntimeDashboardAutoConfiguration.class))
				.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class));
			assertThat(warnings(log)).singleElement().asString().endsWith("not served: this is not a web application");
		}
	}

	@Test
	void dashboardInAReactiveApplicationShouldBackOffAndSaySo() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			new ReactiveWebApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
						EdgeRuntimeDashboardAutoConfiguration.class))
				.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class));
			assertThat(warnings(log)).singleElement()
				.asString()
				.endsWith("not served: this is a reactive (WebFlux) application, and the dashboard is a Spring MVC page");
		}
	}

	@Test
	void dashboardWhenExcludedShouldSaySo() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			new WebApplicationContextRunner().withUserConfiguration(ExcludedDashboardConfiguration.class)
				.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class));
			assertThat(warnings(log)).singleElement()
				.asString()
				.endsWith("not served: EdgeRuntimeDashboardAutoConfiguration did not apply (excluded?): start with "
						+ "--debug to see its conditions in the condition evaluation report");
		}
	}

	@Test
	void dashboardLeftOutOfTheAutoConfigurationsShouldNotBeWarnedOf() {
		// as a @WebMvcTest slice imports the runtime's auto-configuration and not the dashboard's
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			new WebApplicationContextRunner().withUserConfiguration(RuntimeOnlyConfiguration.class)
				.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardController.class));
			assertThat(warnings(log)).isEmpty();
		}
	}

	@Test
	void dashboardWhenServedShouldSayNothing() {
		try (LogCapture log = LogCapture.of(EdgeRuntimeDashboardAutoConfiguration.class)) {
			this.contextRunner.withPropertyValues("edge-runtime.dashboard.enabled=true")
				.run((context) -> assertThat(context).hasSingleBean(DashboardController.class));
			assertThat(warnings(log)).isEmpty();
		}
	}

	private static List<String> warnings(LogCapture log) {
		return log.events()
			.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class AllowingAccessConfiguration {

		@Bean
		DashboardAccess allowingDashboardAccess() {
			return (request) -> true;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomAccessConfiguration {

		static final DashboardAccess ACCESS = (request) -> false;

		@Bean
		DashboardAccess customDashboardAccess() {
			return ACCESS;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(classes = { EdgeRuntimeAutoConfiguration.class, EdgeRuntimeEndpointAutoConfiguration.class,
			EdgeRuntimeDashboardAutoConfiguration.class }, exclude = EdgeRuntimeDashboardAutoConfiguration.class)
	static class ExcludedDashboardConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EdgeRuntimeAutoConfiguration.class)
	static class RuntimeOnlyConfiguration {

	}

}
