package dev.edgeruntime.test;

import java.time.Duration;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskEventRecorder} and {@link EdgeRuntimeTestAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class TaskEventRecorderTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class, EdgeRuntimeTestAutoConfiguration.class));

	@Test
	void recorderShouldSeeUnhandledRejections() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			runtime.waitUntil(TaskOptions.named("failing"), () -> {
				throw new IllegalStateException("mail server down");
			});
			BackgroundTasks.awaitSettled(runtime, Duration.ofSeconds(20));
			assertThat(context.getBean(TaskEventRecorder.class).unhandledRejections()).singleElement()
				.satisfies((event) -> {
					assertThat(event.task().name()).isEqualTo("failing");
					assertThat(event.error()).hasMessage("mail server down");
					assertThat(event.isDefaultPrevented()).isFalse();
				});
		});
	}

	@Test
	void recorderShouldSeeBeforeUnloadAtShutdown() {
		this.contextRunner.run((context) -> {
			TaskEventRecorder recorder = context.getBean(TaskEventRecorder.class);
			assertThat(recorder.beforeUnloadEvents()).isEmpty();
			context.close();
			assertThat(recorder.beforeUnloadReasons()).containsExactly(UnloadReason.TERMINATION);
			assertThat(recorder.beforeUnloadEvents()).singleElement()
				.satisfies((event) -> assertThat(event.task()).isEmpty());
			recorder.clear();
			assertThat(recorder.beforeUnloadEvents()).isEmpty();
		});
	}

	@Test
	void recorderWhenUserDefinesOneShouldBackOff() {
		TaskEventRecorder custom = new TaskEventRecorder();
		this.contextRunner.withBean(TaskEventRecorder.class, () -> custom)
			.run((context) -> assertThat(context).getBean(TaskEventRecorder.class).isSameAs(custom));
	}

}
