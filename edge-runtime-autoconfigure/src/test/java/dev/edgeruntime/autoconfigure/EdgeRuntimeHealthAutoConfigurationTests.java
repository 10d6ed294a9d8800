package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.actuate.EdgeRuntimeHealthIndicator;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeHealthAutoConfiguration} and {@link EdgeRuntimeHealthIndicator}.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeHealthAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class, EdgeRuntimeHealthAutoConfiguration.class));

	@Test
	void healthWhenRunningShouldBeUpWithDetails() {
		this.contextRunner.withPropertyValues("edge-runtime.max-in-flight=12").run((context) -> {
			assertThat(context).hasSingleBean(EdgeRuntimeHealthIndicator.class)
				.hasBean("edgeRuntimeHealthIndicator");
			Health health = context.getBean(EdgeRuntimeHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("active", 0)
				.containsEntry("limit", 12)
				.containsEntry("accepting", true)
				.containsEntry("draining", false);
		});
	}

	@Test
	void healthWhenRuntimeStopsAcceptingForShutdownShouldBeOutOfService() {
		this.contextRunner.run((context) -> {
			context.getBean(DefaultEdgeRuntime.class).stopAccepting();
			Health health = context.getBean(EdgeRuntimeHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(health.getDetails()).containsEntry("accepting", false);
		});
	}

	@Test
	void healthWhenDisabledShouldBackOff() {
		this.contextRunner.withPropertyValues("management.health.edgeruntime.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(EdgeRuntimeHealthIndicator.class));
	}

	@Test
	void healthWhenHealthIsNotOnClasspathShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health."))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(EdgeRuntimeHealthIndicator.class));
	}

}
