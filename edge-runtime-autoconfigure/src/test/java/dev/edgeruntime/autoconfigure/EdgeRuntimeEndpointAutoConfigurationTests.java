package dev.edgeruntime.autoconfigure;

import java.time.Duration;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpointWebExtension;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeEndpointAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class, EdgeRuntimeEndpointAutoConfiguration.class));

	@Test
	void endpointWhenExposedOverWebShouldBeAvailableWithWebExtension() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks",
				"edge-runtime.max-in-flight=7", "edge-runtime.budget.wall-clock=20s")
			.run((context) -> {
				assertThat(context).hasSingleBean(BackgroundTasksEndpoint.class)
					.hasSingleBean(BackgroundTasksEndpointWebExtension.class);
				Limits limits = context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).limits();
				assertThat(limits.maxInFlight()).isEqualTo(7);
				assertThat(limits.wallClock()).isEqualTo(Duration.ofSeconds(20));
				assertThat(limits.cpuTime()).isNull();
				assertThat(limits.shutdownGracePeriod()).isEqualTo(new EdgeRuntimeProperties().getShutdown()
					.getGracePeriod());
			});
	}

	@Test
	void endpointWhenNotExposedShouldBackOff() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(EdgeRuntime.class)
			.doesNotHaveBean(BackgroundTasksEndpoint.class)
			.doesNotHaveBean(BackgroundTasksEndpointWebExtension.class));
	}

	@Test
	void endpointWhenAccessIsNoneShouldBackOff() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks",
					"management.endpoint.backgroundtasks.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(BackgroundTasksEndpoint.class));
	}

	@Test
	void endpointWhenExposedOnlyOverJmxShouldNotHaveWebExtension() {
		this.contextRunner
			.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=backgroundtasks")
			.run((context) -> assertThat(context).hasSingleBean(BackgroundTasksEndpoint.class)
				.doesNotHaveBean(BackgroundTasksEndpointWebExtension.class));
	}

	@Test
	void endpointWhenActuatorIsNotOnClasspathShouldBackOff() {
		// spring-boot-actuator and spring-boot-actuator-autoconfigure both live below this package
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate."))
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(EdgeRuntime.class)
				.doesNotHaveBean(BackgroundTasksEndpoint.class)
				.doesNotHaveBean(BackgroundTasksEndpointWebExtension.class));
	}

	@Test
	void endpointWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.withUserConfiguration(CustomEndpointConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(BackgroundTasksEndpoint.class)
				.getBean(BackgroundTasksEndpoint.class)
				.isSameAs(context.getBean(CustomEndpointConfiguration.class).endpoint));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomEndpointConfiguration {

		BackgroundTasksEndpoint endpoint;

		@Bean
		BackgroundTasksEndpoint customBackgroundTasksEndpoint(EdgeRuntime runtime) {
			this.endpoint = new BackgroundTasksEndpoint(runtime,
					new Limits(1, Duration.ofSeconds(1), null, null, 0.5, Duration.ZERO));
			return this.endpoint;
		}

	}

}
