package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The trace context across the durable tier, with Spring Boot's Brave tracer (W3C propagation) against the
 * real PostgreSQL: a send writes it into the message's headers, and the consumer's handler continues the
 * sender's trace.
 *
 * @author edge-runtime developers
 */
class QueueTracingTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("trc_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				ObservationAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
				BraveAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.tasks.queue=" + this.queue + "_t",
				"edge-runtime.queue.consumer.polling-interval=200ms", "management.tracing.sampling.probability=1.0")
		.withUserConfiguration(TracingConfiguration.class);

	@Test
	void listenerContinuesTheTraceOfTheSender() {
		this.contextRunner.run((context) -> {
			Span request = sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
			Handled handled = awaitHandled(context, 1).get(0);
			Spans spans = context.getBean(Spans.class);
			MutableSpan send = spans.await(this.queue + " send");
			MutableSpan process = spans.await(this.queue + " process");
			assertThat(send.traceId()).isEqualTo(request.context().traceId());
			assertThat(send.parentId()).isEqualTo(request.context().spanId());
			assertThat(send.kind()).isEqualTo(brave.Span.Kind.PRODUCER);
			assertThat(send.tags()).containsEntry("queue", this.queue).containsKey("message.id");
			// the consumer's span: the sender's trace, the send's span as parent
			assertThat(process.traceId()).isEqualTo(request.context().traceId());
			assertThat(process.parentId()).isEqualTo(send.id());
			assertThat(process.kind()).isEqualTo(brave.Span.Kind.CONSUMER);
			assertThat(process.tags()).containsEntry("queue", this.queue)
				.containsEntry("listener", TracedListener.class.getName() + ".handle")
				.containsEntry("task.name", "none")
				.containsEntry("message.id", Long.toString(handled.messageId()));
			// in scope while the handler runs: its span, and its log lines' trace id
			assertThat(handled.traceId()).isEqualTo(request.context().traceId());
			assertThat(handled.spanId()).isEqualTo(process.id());
			assertThat(handled.mdcTraceId()).isEqualTo(request.context().traceId());
			assertThat(String.valueOf(handled.headers().get("traceparent")))
				.startsWith("00-" + request.context().traceId() + "-" + send.id() + "-");
		});
	}

	@Test
	void failedDeliveryIsAnErrorOfItsSpanAndItsRetryIsInTheSameTrace() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.backoff.initial=0s").run((context) -> {
			context.getBean(TracedListener.class).failures = 1;
			Span request = sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
			List<Handled> handled = awaitHandled(context, 2);
			assertThat(handled).extracting(Handled::traceId).containsOnly(request.context().traceId());
			Spans spans = context.getBean(Spans.class);
			MutableSpan send = spans.await(this.queue + " send");
			await().atMost(WAIT).until(() -> spans.named(this.queue + " process").size() == 2);
			assertThat(spans.named(this.queue + " process")).allSatisfy((process) -> {
				assertThat(process.traceId()).isEqualTo(request.context().traceId());
				assertThat(process.parentId()).isEqualTo(send.id());
			})
				.extracting((process) -> (process.error() != null) ? process.error().getMessage() : null)
				.containsExactlyInAnyOrder("printer offline", null);
		});
	}

	@Test
	void deadLetterLineCarriesTheTraceAndSpanOfTheDelivery() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=1").run((context) -> {
			context.getBean(TracedListener.class).failures = 1;
			try (LogCapture log = LogCapture.of(QueueConsumer.class)) {
				Span request = sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
				MutableSpan process = context.getBean(Spans.class).await(this.queue + " process");
				ILoggingEvent deadLetter = await().atMost(WAIT)
					.until(() -> log.events()
						.stream()
						.filter((event) -> event.getFormattedMessage().startsWith("Dead-lettered message"))
						.findFirst(), Optional::isPresent)
					.orElseThrow();
				// in the delivery's trace and span, as the handler's own lines are
				assertThat(deadLetter.getMDCPropertyMap()).containsEntry("traceId", request.context().traceId())
					.containsEntry("spanId", process.id());
				assertThat(awaitHandled(context, 1).get(0).mdcTraceId()).isEqualTo(request.context().traceId());
			}
		});
	}

	@Test
	void everyMessageOfABatchAndAnIdempotentSendCarryTheTrace() {
		this.contextRunner.run((context) -> {
			Span request = sendInRequest(context, (pgmq) -> {
				pgmq.sendBatch(this.queue, List.of(Map.of("sku", "a"), Map.of("sku", "b")));
				pgmq.sendIdempotent(this.queue, "order-1", Map.of("sku", "c"));
			});
			assertThat(awaitHandled(context, 3)).allSatisfy((handled) -> {
				assertThat(handled.traceId()).isEqualTo(request.context().traceId());
				assertThat(handled.headers()).containsKey("traceparent");
			});
			assertThat(awaitHandled(context, 3)).filteredOn((handled) -> handled.headers().size() == 1)
				.as("the batch keeps no headers of its own").hasSize(2);
			assertThat(awaitHandled(context, 3)).filteredOn((handled) -> handled.headers().size() == 2)
				.singleElement()
				.satisfies((handled) -> assertThat(handled.headers()).containsEntry(QueueHeaders.IDEMPOTENCY_KEY,
						"order-1"));
		});
	}

	@Test
	void durableBackgroundTaskContinuesTheTraceOfItsCaller() {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			Span request = sendInRequest(context,
					(pgmq) -> transactions(context).executeWithoutResult((status) -> reports.build("q3")));
			await().atMost(WAIT).until(() -> reports.traceIds().size() == 1);
			assertThat(reports.traceIds()).containsExactly(request.context().traceId());
			MutableSpan process = context.getBean(Spans.class).await(this.queue + "_t process");
			assertThat(process.traceId()).isEqualTo(request.context().traceId());
			assertThat(process.tags()).containsEntry("task.name", "report");
			assertThat(process.parentId())
				.isEqualTo(context.getBean(Spans.class).await(this.queue + "_t send").id());
		});
	}

	@Test
	void conventionBeansReplaceTheDefaults() {
		QueueSendObservationConvention sendConvention = new DefaultQueueSendObservationConvention() {

			@Override
			public String getContextualName(QueueSendContext context) {
				return "publish " + context.getQueue();
			}

		};
		QueueProcessObservationConvention processConvention = new DefaultQueueProcessObservationConvention() {

			@Override
			public KeyValues getLowCardinalityKeyValues(QueueProcessContext context) {
				return super.getLowCardinalityKeyValues(context).and("tenant", "acme");
			}

		};
		this.contextRunner.withBean(QueueSendObservationConvention.class, () -> sendConvention)
			.withBean(QueueProcessObservationConvention.class, () -> processConvention)
			.run((context) -> {
				Span request = sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
				awaitHandled(context, 1);
				Spans spans = context.getBean(Spans.class);
				MutableSpan send = spans.await("publish " + this.queue);
				assertThat(send.traceId()).isEqualTo(request.context().traceId());
				assertThat(spans.await(this.queue + " process").tags()).containsEntry("tenant", "acme")
					.containsEntry("queue", this.queue);
			});
	}

	@Test
	void sendObservationTurnedOffWritesNoTraceContext() {
		this.contextRunner.withPropertyValues("management.observations.enable.edge.runtime.queue.send=false")
			.run((context) -> {
				Span request = sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
				Handled handled = awaitHandled(context, 1).get(0);
				assertThat(handled.headers()).doesNotContainKey("traceparent");
				assertThat(handled.traceId()).isNotEqualTo(request.context().traceId());
			});
	}

	@Test
	void processObservationTurnedOffLeavesTheHandlerOutsideTheTrace() {
		this.contextRunner.withPropertyValues("management.observations.enable.edge.runtime.queue.process=false")
			.run((context) -> {
				sendInRequest(context, (pgmq) -> pgmq.send(this.queue, Map.of("sku", "a")));
				Handled handled = awaitHandled(context, 1).get(0);
				assertThat(handled.headers()).containsKey("traceparent");
				assertThat(handled.traceId()).isNull();
			});
	}

	@Test
	void withoutAnObservationRegistryNothingIsObserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties())
			.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms")
			.withBean(TracedListener.class, () -> new TracedListener(null))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(QueueObservations.class);
				context.getBean(PgmqTemplate.class).send(this.queue, Map.of("sku", "a"));
				await().atMost(WAIT).until(() -> context.getBean(TracedListener.class).handled.size() == 1);
				assertThat(context.getBean(TracedListener.class).handled.get(0).headers()).isEmpty();
			});
	}

	private Span sendInRequest(AssertableApplicationContext context, SendAction action) {
		ObservationRegistry registry = context.getBean(ObservationRegistry.class);
		Tracer tracer = context.getBean(Tracer.class);
		Observation request = Observation.start("test.request", registry);
		try (Observation.Scope scope = request.openScope()) {
			Span span = tracer.currentSpan();
			assertThat(span).isNotNull();
			action.send(context.getBean(PgmqTemplate.class));
			return span;
		}
		finally {
			request.stop();
		}
	}

	private static List<Handled> awaitHandled(AssertableApplicationContext context, int count) {
		TracedListener listener = context.getBean(TracedListener.class);
		await().atMost(WAIT).until(() -> listener.handled.size() >= count);
		return listener.handled;
	}

	private static TransactionTemplate transactions(AssertableApplicationContext context) {
		return new TransactionTemplate(new DataSourceTransactionManager(context.getBean(DataSource.class)));
	}

	interface SendAction {

		void send(PgmqTemplate pgmq);

	}

	record Handled(long messageId, Map<String, Object> headers, String traceId, String spanId, String mdcTraceId) {
	}

	static class TracedListener {

		final List<Handled> handled = new CopyOnWriteArrayList<>();

		volatile int failures;

		private final Tracer tracer;

		TracedListener(Tracer tracer) {
			this.tracer = tracer;
		}

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			Span span = (this.tracer != null) ? this.tracer.currentSpan() : null;
			this.handled.add(new Handled(message.id(), message.headers(),
					(span != null) ? span.context().traceId() : null, (span != null) ? span.context().spanId() : null,
					MDC.get("traceId")));
			if (this.failures > 0) {
				this.failures--;
				throw new IllegalStateException("printer offline");
			}
		}

	}

	public static class Reports {

		private final List<String> traceIds = new CopyOnWriteArrayList<>();

		private final Tracer tracer;

		public Reports(Tracer tracer) {
			this.tracer = tracer;
		}

		// a method, not the field: the bean is a proxy
		public List<String> traceIds() {
			return this.traceIds;
		}

		@BackgroundTask(name = "report", durable = true)
		public TaskHandle<?> build(String name) {
			Span span = this.tracer.currentSpan();
			this.traceIds.add((span != null) ? span.context().traceId() : "none");
			return null;
		}

	}

	/** The spans the tracer finished. */
	static class Spans extends SpanHandler {

		private final List<MutableSpan> finished = new CopyOnWriteArrayList<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			this.finished.add(span);
			return true;
		}

		List<MutableSpan> named(String name) {
			return this.finished.stream().filter((span) -> name.equals(span.name())).toList();
		}

		MutableSpan await(String name) {
			return org.awaitility.Awaitility.await()
				.atMost(WAIT)
				.until(() -> this.finished.stream().filter((span) -> name.equals(span.name())).findFirst(),
						Optional::isPresent)
				.orElseThrow();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TracingConfiguration {

		@Bean
		Spans spans() {
			return new Spans();
		}

		@Bean
		TracedListener tracedListener(Tracer tracer) {
			return new TracedListener(tracer);
		}

		@Bean
		Reports reports(Tracer tracer) {
			return new Reports(tracer);
		}

	}

}
