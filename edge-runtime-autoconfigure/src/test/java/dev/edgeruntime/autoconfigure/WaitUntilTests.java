package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EdgeRuntime#waitUntil}: it never blocks the caller and the handle tracks the work.
 */
class WaitUntilTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class));

	@Test
	void waitUntilCallableShouldReturnWhileWorkIsBlockedAndCompleteWithResult() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("blocked"), () -> {
				release.await();
				return "result";
			});
			// waitUntil has returned although the work cannot finish before the latch is released
			assertThat(task.name()).isEqualTo("blocked");
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.RUNNING));
			assertThat(task.result()).isNotDone();
			assertThat(runtime.status().inFlight()).isEqualTo(1);
			release.countDown();
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("result");
			assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(task.info().finishedAt()).isNotNull();
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
		});
	}

	@Test
	void waitUntilRunnableShouldRunInTheBackground() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			AtomicBoolean ran = new AtomicBoolean();
			Runnable work = () -> {
				try {
					release.await();
					ran.set(true);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			};
			TaskHandle<Void> task = runtime.waitUntil(work);
			assertThat(ran).isFalse();
			release.countDown();
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isNull();
			assertThat(ran).isTrue();
		});
	}

	@Test
	void unnamedTasksShouldBeNamedAfterTheirWork() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			assertThat(runtime.waitUntil(new Cleanup()).name()).isEqualTo("Cleanup");
			assertThat(runtime.waitUntil(new Export()).name()).isEqualTo("Export");
		});
	}

	static class Cleanup implements Runnable {

		@Override
		public void run() {
		}

	}

	static class Export implements java.util.concurrent.Callable<String> {

		@Override
		public String call() {
			return "exported";
		}

	}

	@Test
	void waitUntilCompletionStageShouldTrackRunningWork() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CompletableFuture<Integer> running = new CompletableFuture<>();
			TaskHandle<Integer> task = runtime.waitUntil(TaskOptions.named("fetch"), running);
			assertThat(task.state()).isEqualTo(TaskState.RUNNING);
			assertThat(runtime.find(task.id())).containsSame(task);
			running.complete(42);
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo(42);
			assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(runtime.status().inFlight()).isZero();
		});
	}

	@Test
	void taskContextShouldExposeIdNameProgressAndRemainingTime() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch reported = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("progress").wallClock(Duration.ofMinutes(1)),
					() -> {
						TaskContext current = TaskContext.current();
						current.progress(3, 10, "three of ten");
						reported.countDown();
						release.await();
						return current.id() + "/" + current.name() + "/" + (current.remaining().compareTo(Duration.ZERO) > 0);
					});
			assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(task.info().progress()).isEqualTo(new TaskProgress(3, 10, "three of ten"));
			assertThat(task.info().progress().fraction()).isEqualTo(0.3);
			release.countDown();
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo(task.id() + "/progress/true");
		});
	}

	@Test
	void inlineTaskInsideAnotherTaskShouldRestoreTheOuterContext() {
		this.contextRunner.withPropertyValues("edge-runtime.tasks.inline=true").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<String> outer = runtime.waitUntil(TaskOptions.named("outer"), () -> {
				runtime.waitUntil(TaskOptions.named("inner"), () -> TaskContext.current().name());
				return TaskContext.current().name();
			});
			assertThat(outer.result().get(10, TimeUnit.SECONDS)).isEqualTo("outer");
			assertThat(TaskContext.find()).isEmpty();
		});
	}

	@Test
	void taskContextOutsideTaskShouldFailClearly() {
		assertThat(TaskContext.find()).isEmpty();
		assertThatIllegalStateException().isThrownBy(TaskContext::current)
			.withMessageContaining("No background task is running on thread");
	}

	@Test
	void cancelShouldInterruptTheTask() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch never = new CountDownLatch(1);
			AtomicBoolean interrupted = new AtomicBoolean();
			TaskHandle<Void> task = runtime.waitUntil(() -> {
				try {
					never.await();
				}
				catch (InterruptedException ex) {
					interrupted.set(true);
				}
			});
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.RUNNING));
			assertThat(task.cancel()).isTrue();
			assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
			assertThat(task.cancel()).isFalse();
			await().untilTrue(interrupted);
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
		});
	}

	@Test
	void finishedTasksShouldBeRetainedUpToTheConfiguredCount() {
		this.contextRunner.withPropertyValues("edge-runtime.retention.max-count=2").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<String> first = runtime.waitUntil(() -> "1");
			first.result().get(10, TimeUnit.SECONDS);
			for (int i = 0; i < 3; i++) {
				runtime.waitUntil(() -> "more").result().get(10, TimeUnit.SECONDS);
			}
			await().untilAsserted(() -> assertThat(runtime.tasks()).hasSize(2));
			assertThat(runtime.find(first.id())).isEmpty();
		});
	}

}
