package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.DurableTierDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.QueueDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpointWebExtension;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueInfo;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueStatistics;
import dev.edgeruntime.queue.QueueVacuum;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
	void endpointWhenTheGracePeriodIsCutToFitSpringsShutdownPhaseShouldReportWhatTasksGet() {
		// the drain gets 10s less 1s to unwind and 500ms to spare, not the minute configured
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks",
					"edge-runtime.shutdown.grace-period=1m", "spring.lifecycle.timeout-per-shutdown-phase=10s")
			.run((context) -> assertThat(
					context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).limits().shutdownGracePeriod())
				.isEqualTo(Duration.ofMillis(8500)));
	}

	@Test
	void endpointWithoutDurableTierShouldReportNoQueues() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> assertThat(context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).queue())
				.isNull());
	}

	@Test
	void endpointWhenJdbcIsNotOnClasspathShouldStillBeAvailable() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.jdbc."))
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(BackgroundTasksEndpoint.class);
				assertThat(context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).queue()).isNull();
			});
	}

	@Test
	void endpointWithDurableTierShouldReportItsQueuesAndConsumers() {
		QueueConsumerStatus consumer = new QueueConsumerStatus("emails", "EmailListener.send", true, true, null, 0, 1);
		QueueMetrics metrics = new QueueMetrics(new PgmqTemplate(new JdbcTemplate(), JsonMapper.builder().build(), 1024,
				Duration.ofHours(1), null) {

			@Override
			public List<QueueInfo> listQueues() {
				return List.of(new QueueInfo("emails", false, false, Instant.EPOCH));
			}

			@Override
			public QueueStatistics statistics(String queue) {
				return new QueueStatistics(queue, 3, 2, 1, 40, 30, 12, 1, Instant.EPOCH);
			}

		}, () -> List.of(consumer), Duration.ZERO);
		this.contextRunner.withBean(QueueMetrics.class, () -> metrics)
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> {
				DurableTierDescriptor queue = context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).queue();
				assertThat(queue).isNotNull();
				assertThat(queue.queues()).containsExactly(new QueueDescriptor("emails", 3, 2, 40, 30, 1, 12, null));
				assertThat(queue.consumers()).containsExactly(consumer);
				assertThat(queue.error()).isNull();
			});
	}

	@Test
	void endpointWithQueueVacuumShouldReportEachQueuesLastOutcome() {
		QueueMetrics metrics = new QueueMetrics(new PgmqTemplate(new JdbcTemplate(), JsonMapper.builder().build(), 1024,
				Duration.ofHours(1), null) {

			@Override
			public List<QueueInfo> listQueues() {
				return List.of(new QueueInfo("emails", false, false, Instant.EPOCH),
						new QueueInfo("reports", false, false, Instant.EPOCH));
			}

			@Override
			public QueueStatistics statistics(String queue) {
				return new QueueStatistics(queue, 0, 0, null, null, 0, 0, 0, Instant.EPOCH);
			}

		}, List::of, Duration.ZERO, () -> Map.of("emails", QueueVacuum.Outcome.NOT_OWNER));
		this.contextRunner.withBean(QueueMetrics.class, () -> metrics)
			.withPropertyValues("management.endpoints.web.exposure.include=backgroundtasks")
			.run((context) -> {
				DurableTierDescriptor queue = context.getBean(BackgroundTasksEndpoint.class).tasks(null, null).queue();
				assertThat(queue).isNotNull();
				assertThat(queue.queues()).extracting(QueueDescriptor::name, QueueDescriptor::lastVacuum)
					.containsExactly(tuple("emails", "not_owner"), tuple("reports", null));
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
