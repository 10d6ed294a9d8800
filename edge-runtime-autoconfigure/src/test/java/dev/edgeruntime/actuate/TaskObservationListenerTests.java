package dev.edgeruntime.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.TaskBudgetExceededException;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.runtime.CompositeTaskDecorator;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.MdcTaskDecorator;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TaskObservationListener}: each task is an observation whose span continues the trace of
 * the request that submitted it.
 *
 * @author edge-runtime developers
 */
class TaskObservationListenerTests {

	private final SimpleTracer tracer = new SimpleTracer();

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void setUp() {
		this.observations.observationConfig().observationHandler(new DefaultTracingObservationHandler(this.tracer));
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
		})
			.decorator(new CompositeTaskDecorator(
					List.of(new MdcTaskDecorator(), new ContextPropagatingTaskDecorator())))
			.listeners(List.of(new TaskObservationListener(this.observations)))
			.build();
		this.runtime.start();
	}

	@AfterEach
	void tearDown() {
		this.runtime.close();
	}

	@Test
	void taskWhenSubmittedInsideAnObservationShouldContinueItsTrace() throws Exception {
		AtomicReference<String> traceIdInTask = new AtomicReference<>();
		AtomicReference<String> spanIdInTask = new AtomicReference<>();
		Observation request = Observation.start("http.server.requests", this.observations);
		TaskHandle<String> task;
		SimpleSpan requestSpan;
		try (Observation.Scope scope = request.openScope()) {
			requestSpan = this.tracer.currentSpan();
			task = this.runtime.waitUntil(TaskOptions.named("thumbnail"), () -> {
				traceIdInTask.set(this.tracer.currentSpan().context().traceId());
				spanIdInTask.set(this.tracer.currentSpan().context().spanId());
				return "ok";
			});
		}
		finally {
			request.stop();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.observations)
			.hasObservationWithNameEqualTo(TaskObservationListener.NAME)
			.that()
			.hasBeenStarted()
			.hasBeenStopped()
			.hasContextualNameEqualTo("thumbnail")
			.hasLowCardinalityKeyValue("name", "thumbnail")
			.hasLowCardinalityKeyValue("outcome", "succeeded")
			.hasHighCardinalityKeyValue("task.id", task.id().toString())
			.hasParentObservationEqualTo(request));
		SimpleSpan taskSpan = this.tracer.getSpans()
			.stream()
			.filter((span) -> "thumbnail".equals(span.getName()))
			.findFirst()
			.orElseThrow();
		assertThat(taskSpan.getTraceId()).isEqualTo(requestSpan.getTraceId());
		assertThat(taskSpan.getParentId()).isEqualTo(requestSpan.getSpanId());
		assertThat(traceIdInTask.get()).isEqualTo(requestSpan.getTraceId());
		assertThat(spanIdInTask.get()).isEqualTo(taskSpan.getSpanId());
	}

	@Test
	void taskWhenCancelledShouldStopItsObservationWithOutcome() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		TaskHandle<Boolean> task = this.runtime.waitUntil(TaskOptions.named("stuck"), () -> {
			started.countDown();
			return new CountDownLatch(1).await(1, TimeUnit.MINUTES);
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(task.cancel()).isTrue();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.observations)
			.hasObservationWithNameEqualTo(TaskObservationListener.NAME)
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "cancelled")
			.doesNotHaveError());
	}

	@Test
	void taskWhenFailedShouldStopItsObservationWithTheError() {
		IllegalStateException failure = new IllegalStateException("mail server down");
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("receipt"), () -> {
			throw failure;
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.FAILED);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.observations)
			.hasObservationWithNameEqualTo(TaskObservationListener.NAME)
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "failed")
			.assertThatError()
			.isSameAs(failure));
		SimpleSpan span = this.tracer.getSpans()
			.stream()
			.filter((candidate) -> "receipt".equals(candidate.getName()))
			.findFirst()
			.orElseThrow();
		assertThat(span.getError()).isSameAs(failure);
	}

	@Test
	void taskWhenOverItsWallClockBudgetShouldStopItsObservationWithTheBudgetError() {
		TaskHandle<Boolean> task = this.runtime.waitUntil(
				TaskOptions.named("slow").wallClock(Duration.ofMillis(200)),
				() -> new CountDownLatch(1).await(1, TimeUnit.MINUTES));
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.BUDGET_EXCEEDED);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.observations)
			.hasObservationWithNameEqualTo(TaskObservationListener.NAME)
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "budget_exceeded")
			.assertThatError()
			.isInstanceOf(TaskBudgetExceededException.class));
	}

	@Test
	void failedTaskShouldBeTaggedWithItsErrorByTheMeterHandler() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		this.observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		TaskHandle<String> failed = this.runtime.waitUntil(TaskOptions.named("receipt"), () -> {
			throw new IllegalStateException("mail server down");
		});
		TaskHandle<String> succeeded = this.runtime.waitUntil(TaskOptions.named("receipt"), () -> "sent");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> failed.state() == TaskState.FAILED && succeeded.state() == TaskState.SUCCEEDED);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(meters.find(TaskObservationListener.NAME)
				.tags("outcome", "failed", "error", "IllegalStateException")
				.timer()).isNotNull().extracting(Timer::count).isEqualTo(1L);
			assertThat(meters.find(TaskObservationListener.NAME)
				.tags("outcome", "succeeded", "error", "none")
				.timer()).isNotNull().extracting(Timer::count).isEqualTo(1L);
		});
	}

	@Test
	void taskWhenTrackingACompletionStageShouldNotLeaveAScopeOnTheSubmittingThread() {
		java.util.concurrent.CompletableFuture<String> work = new java.util.concurrent.CompletableFuture<>();
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("stage"), work);
		assertThat(this.observations.getCurrentObservation()).isNull();
		assertThat(this.tracer.currentSpan()).isNull();
		work.complete("ok");
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
		assertThat(this.observations).hasObservationWithNameEqualTo(TaskObservationListener.NAME)
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "succeeded");
	}

}
