package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnhandledRejectionEvent;
import dev.edgeruntime.actuate.EdgeRuntimeMeterBinder;
import dev.edgeruntime.actuate.ObservationMeterDescriptions;
import dev.edgeruntime.actuate.TaskMetricsListener;
import dev.edgeruntime.actuate.TaskObservationListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EdgeRuntimeMetricsAutoConfiguration} and {@link EdgeRuntimeObservationAutoConfiguration}:
 * the meters exist with the documented names and tags and change as tasks run and finish.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
				EdgeRuntimeMetricsAutoConfiguration.class, EdgeRuntimeObservationAutoConfiguration.class,
				MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class));

	@Test
	void metersWhenApplicationStartsShouldBeRegisteredAtZero() {
		this.contextRunner.withPropertyValues("edge-runtime.max-in-flight=3").run((context) -> {
			assertThat(context).hasSingleBean(TaskMetricsListener.class).hasSingleBean(EdgeRuntimeMeterBinder.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("edge.runtime.tasks.active").gauge().value()).isZero();
			assertThat(registry.get("edge.runtime.tasks.limit").gauge().value()).isEqualTo(3);
			for (String reason : new String[] { "wall_clock", "cpu", "memory" }) {
				assertThat(registry.get("edge.runtime.tasks.budget.exceeded").tag("reason", reason).counter().count())
					.isZero();
			}
			for (String[] tags : new String[][] { { "termination", "shutdown" }, { "early_drop", "max_in_flight" },
					{ "early_drop", "memory_pressure" } }) {
				assertThat(registry.get("edge.runtime.tasks.rejected")
					.tags("reason", tags[0], "cause", tags[1])
					.counter()
					.count()).isZero();
			}
			assertThat(registry.get("edge.runtime.memory.pressure").gauge().value()).isZero();
			assertThat(registry.get("edge.runtime.draining").gauge().value()).isZero();
		});
	}

	@Test
	void drainingGaugeWhenContextStopsAndStartsAgainShouldFollowTheRuntime() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			ConfigurableApplicationContext application = context
				.getSourceApplicationContext(ConfigurableApplicationContext.class);
			application.stop();
			assertThat(registry.get("edge.runtime.draining").gauge().value()).isEqualTo(1);
			assertThatExceptionOfType(TaskRejectedException.class)
				.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("refused"), () -> "refused"));
			assertThat(registry.get("edge.runtime.tasks.rejected").tags("reason", "termination", "cause", "shutdown")
				.counter()
				.count()).isEqualTo(1);
			application.start();
			assertThat(registry.get("edge.runtime.draining").gauge().value()).isZero();
		});
	}

	@Test
	void metersWhenTasksRunAndFinishShouldChange() {
		this.contextRunner.withPropertyValues("edge-runtime.max-in-flight=1").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<Boolean> task = runtime.waitUntil(TaskOptions.named("report"),
					() -> release.await(1, TimeUnit.MINUTES));
			assertThat(registry.get("edge.runtime.tasks.active").gauge().value()).isEqualTo(1);
			assertThatExceptionOfType(TaskRejectedException.class)
				.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("second"), () -> "no room"));
			assertThat(registry.get("edge.runtime.tasks.rejected")
				.tags("reason", "early_drop", "cause", "max_in_flight")
				.counter()
				.count()).isEqualTo(1);
			assertThat(registry.find("edge.runtime.tasks").tag("name", "report").timer()).isNull();
			release.countDown();
			await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				Timer timer = registry.find("edge.runtime.tasks").tags("name", "report", "outcome", "succeeded").timer();
				assertThat(timer).isNotNull();
				assertThat(timer.count()).isEqualTo(1);
				assertThat(registry.get("edge.runtime.tasks.active").gauge().value()).isZero();
			});
		});
	}

	@Test
	void metersWhenTaskFailsUnobservedShouldCountUnhandled() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			runtime.waitUntil(TaskOptions.named("broken"), () -> {
				throw new IllegalStateException("boom");
			});
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(registry.find("edge.runtime.tasks.unhandled").tag("name", "broken").counter())
					.isNotNull()
					.satisfies((counter) -> assertThat(counter.count()).isEqualTo(1));
				assertThat(registry.find("edge.runtime.tasks").tags("name", "broken", "outcome", "failed").timer())
					.isNotNull();
			});
		});
	}

	@Test
	void metersWhenAListenerHandlesTheUnhandledRejectionShouldNotCountIt() {
		this.contextRunner.withUserConfiguration(PreventingListenerConfiguration.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<Object> expected = runtime.waitUntil(TaskOptions.named("broken"), () -> {
				throw new IllegalArgumentException("not a zip file");
			});
			TaskHandle<Object> bug = runtime.waitUntil(TaskOptions.named("broken"), () -> {
				throw new IllegalStateException("boom");
			});
			await().atMost(Duration.ofSeconds(30))
				.until(() -> expected.state() == TaskState.FAILED && bug.state() == TaskState.FAILED);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(context.getBean(PreventingListenerConfiguration.class).handled).hasSize(1);
				assertThat(registry.find("edge.runtime.tasks.unhandled").tag("name", "broken").counter())
					.isNotNull()
					.satisfies((counter) -> assertThat(counter.count()).isEqualTo(1));
				assertThat(registry.find("edge.runtime.tasks").tags("name", "broken", "outcome", "failed").timer())
					.isNotNull()
					.satisfies((timer) -> assertThat(timer.count()).isEqualTo(2));
			});
		});
	}

	@Test
	void metersWhenTaskUsesUpItsBudgetShouldCountBudgetExceeded() {
		this.contextRunner.withPropertyValues("edge-runtime.budget.check-interval=10ms").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<Boolean> task = runtime.waitUntil(
					TaskOptions.named("slow").wallClock(Duration.ofMillis(50)), () -> never.await(1, TimeUnit.MINUTES));
			await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.BUDGET_EXCEEDED);
			assertThat(registry.get("edge.runtime.tasks.budget.exceeded").tag("reason", "wall_clock").counter().count())
				.isEqualTo(1);
			assertThat(registry.find("edge.runtime.tasks").tags("name", "slow", "outcome", "budget_exceeded").timer())
				.isNotNull();
		});
	}

	@Test
	void metersOfTheTaskObservationShouldHaveDescriptions() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class)).run((context) -> {
			assertThat(context).hasSingleBean(ObservationMeterDescriptions.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<Boolean> task = runtime.waitUntil(TaskOptions.named("report"),
					() -> release.await(1, TimeUnit.MINUTES));
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(registry.find("edge.runtime.task.active").longTaskTimer()).isNotNull());
			assertThat(registry.get("edge.runtime.task.active").longTaskTimer().getId().getDescription())
				.isEqualTo("Background tasks running now");
			release.countDown();
			await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(registry.find("edge.runtime.task").timer()).isNotNull());
			assertThat(registry.get("edge.runtime.task").timer().getId().getDescription())
				.isEqualTo("Background tasks observed from start to end, by name, outcome and error");
		});
	}

	@Test
	void observationMeterDescriptionsShouldLeaveADescriptionAndOtherMetersAlone() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		registry.config().meterFilter(new ObservationMeterDescriptions());
		Timer described = Timer.builder("edge.runtime.task").description("the application's own").register(registry);
		Timer other = Timer.builder("http.server.requests").register(registry);
		assertThat(described.getId().getDescription()).isEqualTo("the application's own");
		assertThat(other.getId().getDescription()).isNull();
		assertThat(Timer.builder("edge.runtime.queue.process").tag("queue", "orders").register(registry).getId())
			.satisfies((id) -> {
				assertThat(id.getDescription()).startsWith("Deliveries of queue messages to their handler");
				assertThat(id.getTag("queue")).isEqualTo("orders");
				assertThat(id.getBaseUnit()).isEqualTo("seconds");
			});
	}

	@Test
	void metricsWhenMicrometerIsNotOnClasspathShouldBackOff() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
					EdgeRuntimeMetricsAutoConfiguration.class, EdgeRuntimeObservationAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.micrometer.core.", "io.micrometer.observation."))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(EdgeRuntime.class)
				.doesNotHaveBean(TaskMetricsListener.class)
				.doesNotHaveBean(EdgeRuntimeMeterBinder.class)
				.doesNotHaveBean(TaskObservationListener.class));
	}

	@Test
	void metricsWhenNoMeterRegistryShouldBackOff() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
					EdgeRuntimeMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(EdgeRuntime.class)
				.doesNotHaveBean(TaskMetricsListener.class));
	}

	@Test
	void observationWhenObservationRegistryIsPresentShouldBeConfigured() {
		this.contextRunner.withUserConfiguration(ObservationRegistryConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(TaskObservationListener.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservationRegistryConfiguration {

		@Bean
		ObservationRegistry observationRegistry() {
			return ObservationRegistry.create();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PreventingListenerConfiguration {

		final List<UnhandledRejectionEvent> handled = new CopyOnWriteArrayList<>();

		@EventListener
		void onUnhandledRejection(UnhandledRejectionEvent event) {
			if (event.error() instanceof IllegalArgumentException) {
				this.handled.add(event);
				event.preventDefault();
			}
		}

	}

}
