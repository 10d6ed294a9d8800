package dev.edgeruntime.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnhandledRejectionEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link UnhandledRejectionEvent}.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnhandledRejectionTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
		.withBean(EventRecorder.class);

	@Test
	void unobservedFailureShouldPublishEventAndLogError(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			TaskHandle<Object> task = runtime.waitUntil(TaskOptions.named("failing"), () -> {
				throw new IllegalStateException("boom");
			});
			await().untilAsserted(() -> assertThat(recorder.unhandled()).hasSize(1));
			UnhandledRejectionEvent event = recorder.unhandled().get(0);
			assertThat(event.task().id()).isEqualTo(task.id());
			assertThat(event.error()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
			assertThat(task.state()).isEqualTo(TaskState.FAILED);
			assertThat(task.info().error().message()).isEqualTo("boom");
			await().untilAsserted(() -> assertThat(output)
				.contains("Background task " + task.id() + " (failing) failed and nobody observed its result")
				.contains("java.lang.IllegalStateException: boom"));
		});
	}

	@Test
	void preventDefaultShouldSuppressTheErrorLog(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			recorder.preventDefault = true;
			TaskHandle<Object> task = runtime.waitUntil(TaskOptions.named("quiet"), () -> {
				throw new IllegalStateException("handled by listener");
			});
			await().untilAsserted(() -> assertThat(recorder.unhandled()).hasSize(1));
			// the event is published before the task releases its place, so the log decision is made by now
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
			assertThat(output).doesNotContain("Background task " + task.id() + " (quiet) failed");
		});
	}

	@Test
	void observedFailureShouldNotPublishEvent(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<Object> task = runtime.waitUntil(TaskOptions.named("observed"), () -> {
				release.await();
				throw new IllegalStateException("seen");
			});
			CompletableFuture<Object> result = task.result();
			release.countDown();
			await().untilAsserted(() -> assertThat(result).isCompletedExceptionally());
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
			assertThat(recorder.unhandled()).isEmpty();
			assertThat(output).doesNotContain("(observed) failed and nobody observed");
		});
	}

	@Test
	void failedCompletionStageWithOwnHandlerShouldCountAsObserved() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			CompletableFuture<String> running = new CompletableFuture<>();
			CompletableFuture<String> handled = running.exceptionally((ex) -> "fallback");
			TaskHandle<String> task = runtime.waitUntil(running);
			running.completeExceptionally(new IllegalStateException("handled by the caller"));
			assertThat(handled.get(10, TimeUnit.SECONDS)).isEqualTo("fallback");
			assertThat(task.state()).isEqualTo(TaskState.FAILED);
			assertThat(recorder.unhandled()).isEmpty();
			CompletableFuture<String> unhandled = new CompletableFuture<>();
			TaskHandle<String> second = runtime.waitUntil(unhandled);
			unhandled.completeExceptionally(new IllegalStateException("nobody listens"));
			assertThat(recorder.unhandled()).singleElement()
				.satisfies((event) -> assertThat(event.task().id()).isEqualTo(second.id()));
		});
	}

}
