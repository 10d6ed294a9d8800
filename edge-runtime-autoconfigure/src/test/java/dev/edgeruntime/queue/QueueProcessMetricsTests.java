package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeMetricsAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The process observation's {@code task.name} against the real PostgreSQL: the metrics of durable
 * {@code @BackgroundTask}s, which share one listener ({@code DurableTaskExecutor.execute}), tell which task
 * ran and which failed, with a meter handler on a {@link SimpleMeterRegistry}.
 *
 * @author edge-runtime developers
 */
class QueueProcessMetricsTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PROCESS = DefaultQueueProcessObservationConvention.NAME;

	private final String queue = TestDatabase.uniqueName("pmt_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.tasks.queue=" + this.queue + "_t",
				"edge-runtime.queue.consumer.polling-interval=200ms")
		.withUserConfiguration(MetricsConfiguration.class);

	@Test
	void processTimerOfADurableTaskHasItsNameAndTellsWhichOneFailed() {
		this.contextRunner.run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			jobs.report("q3");
			jobs.invoice("q3");
			await().atMost(WAIT).until(() -> processed(context, "report", "none") == 1
					&& processed(context, "invoice", "IllegalStateException") == 1);
			assertThat(jobs.ran()).containsExactlyInAnyOrder("report q3", "invoice q3");
			TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
				.forAllObservationsWithNameEqualTo(PROCESS, (process) -> process.hasLowCardinalityKeyValue("listener",
						DurableTaskExecutor.class.getName() + ".execute"))
				.hasAnObservation((process) -> process.hasNameEqualTo(PROCESS)
					.hasLowCardinalityKeyValue("task.name", "report"))
				.hasAnObservation((process) -> process.hasNameEqualTo(PROCESS)
					.hasLowCardinalityKeyValue("task.name", "invoice")
					.hasError());
			// both share the listener: only the name tells them apart
			assertThat(context.getBean(MeterRegistry.class).get(PROCESS).timers())
				.allSatisfy((timer) -> assertThat(timer.getId().getTag("listener"))
					.isEqualTo(DurableTaskExecutor.class.getName() + ".execute"))
				.extracting((timer) -> timer.getId().getTag("task.name"))
				.containsExactlyInAnyOrder("report", "invoice");
		});
	}

	@Test
	void processTimerOfAListenersMessageHasNoTaskName() {
		this.contextRunner.run((context) -> {
			context.getBean(PgmqTemplate.class).send(this.queue, Map.of("sku", "a"));
			await().atMost(WAIT).until(() -> processed(context, "none", "none") == 1);
			assertThat(context.getBean(MeterRegistry.class).get(PROCESS).timer().getId().getTag("listener"))
				.isEqualTo(Listener.class.getName() + ".handle");
		});
	}

	@Test
	void processTimerOfATaskNameNoDurableMethodHasIsUnknown() {
		this.contextRunner.run((context) -> {
			// another client's message on the tasks' queue, naming a task no method of this application has
			context.getBean(PgmqTemplate.class)
				.send(this.queue + "_t", Map.of("sku", "a"), Map.of(QueueHeaders.TASK_NAME, "order-4711"),
						Duration.ZERO);
			await().atMost(WAIT).until(() -> processed(context, "unknown", "MessageConversionException") == 1);
			assertThat(context.getBean(MeterRegistry.class).get(PROCESS).timers())
				.extracting((timer) -> timer.getId().getTag("task.name"))
				.containsExactly("unknown");
		});
	}

	@Test
	void sendAndProcessMetersHaveDescriptionsWithSpringBootsRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, ObservationAutoConfiguration.class,
					EdgeRuntimeAutoConfiguration.class, EdgeRuntimeMetricsAutoConfiguration.class,
					EdgeRuntimeQueueAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties())
			.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms")
			.withBean(Listener.class, Listener::new)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				context.getBean(PgmqTemplate.class).send(this.queue, Map.of("sku", "a"));
				await().atMost(WAIT).until(() -> registry.find(PROCESS).timer() != null);
				assertThat(registry.get(PROCESS).timer().getId().getDescription())
					.isEqualTo("Deliveries of queue messages to their handler, from delivery to outcome, by queue, "
							+ "listener, durable task name and error");
				assertThat(registry.get(PROCESS + ".active").longTaskTimer().getId().getDescription())
					.isEqualTo("Queue messages being handled now");
				assertThat(registry.get(DefaultQueueSendObservationConvention.NAME).timer().getId().getDescription())
					.isEqualTo("Messages sent to a queue of the durable tier");
				assertThat(registry.get(DefaultQueueSendObservationConvention.NAME + ".active")
					.longTaskTimer()
					.getId()
					.getDescription()).isEqualTo("Sends to a queue of the durable tier in progress");
			});
	}

	private static long processed(AssertableApplicationContext context, String taskName, String error) {
		Timer timer = context.getBean(MeterRegistry.class)
			.find(PROCESS)
			.tag("task.name", taskName)
			.tag("error", error)
			.timer();
		return (timer != null) ? timer.count() : 0;
	}

	public static class Jobs {

		private final List<String> ran = new CopyOnWriteArrayList<>();

		// a method, not the field: the bean is a proxy
		public List<String> ran() {
			return this.ran;
		}

		@BackgroundTask(name = "report", durable = true)
		public void report(String quarter) {
			this.ran.add("report " + quarter);
		}

		@BackgroundTask(name = "invoice", durable = true, maxAttempts = 1)
		public void invoice(String quarter) {
			this.ran.add("invoice " + quarter);
			throw new IllegalStateException("the ledger of " + quarter + " is closed");
		}

	}

	static class Listener {

		@QueueListener(queue = "${test.queue}")
		void handle(JsonNode payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MetricsConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		TestObservationRegistry observationRegistry(MeterRegistry meters) {
			TestObservationRegistry registry = TestObservationRegistry.create();
			registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
			return registry;
		}

		@Bean
		Jobs jobs() {
			return new Jobs();
		}

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

}
