package dev.edgeruntime.test;

import java.time.Duration;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
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
	void recorderShouldSeeMessagesDeadLetteredOnAConsumerThread() {
		String queue = TestDatabase.uniqueName("ter_");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
					EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class,
					EdgeRuntimeTestAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties())
			.withPropertyValues("edge-runtime.queue.tasks.queue=" + queue, "edge-runtime.queue.consumer.backoff.initial=0s",
					"test.listener-queue=" + TestDatabase.uniqueName("terl_"))
			.withUserConfiguration(BackgroundTasksDurableTests.Config.class)
			.run((context) -> {
				context.getBean(BackgroundTasksDurableTests.Mailbox.class).failWith = "mail server down";
				context.getBean(BackgroundTasksDurableTests.Receipts.class).send("order-1");
				BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
				TaskEventRecorder recorder = context.getBean(TaskEventRecorder.class);
				assertThat(recorder.deadLetters()).singleElement().satisfies((event) -> {
					assertThat(event.queue()).isEqualTo(queue);
					assertThat(event.attempts()).isEqualTo(2);
					assertThat(event.error()).contains("mail server down");
				});
				recorder.clear();
				assertThat(recorder.deadLetters()).isEmpty();
			});
	}

	@Test
	void recorderWhenUserDefinesOneShouldBackOff() {
		TaskEventRecorder custom = new TaskEventRecorder();
		this.contextRunner.withBean(TaskEventRecorder.class, () -> custom)
			.run((context) -> assertThat(context).getBean(TaskEventRecorder.class).isSameAs(custom));
	}

}
