package dev.edgeruntime.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.DeferredTask;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import dev.edgeruntime.runtime.TaskStorageArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the shutdown drain, closing a real application context with tasks in flight.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
		.withBean(EventRecorder.class);

	@Test
	void closeShouldSayThatATaskWaitingToStartWasCancelledNotInterrupted(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=100ms").run((context) -> {
			DefaultEdgeRuntime runtime = context.getBean(DefaultEdgeRuntime.class);
			// accepted, and waiting for a request or transaction that never ends
			DeferredTask<String> waiting = runtime.prepare(TaskOptions.named("waiting"), () -> "never run");
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
			assertThat(waiting.handle().state()).isEqualTo(TaskState.CANCELLED);
			assertThat(output).contains("Background task " + waiting.handle().id() + " (waiting) had not started when "
					+ "the shutdown grace period of 100ms (edge-runtime.shutdown.grace-period) ended (it was waiting for "
					+ "the request or transaction that called it) and was cancelled");
			assertThat(output).doesNotContain("(waiting) did not finish");
			assertThat(output).containsPattern("Drain complete in \\d+ ms: 1 background task had not started and was "
					+ "cancelled at the end of the grace period of 100ms \\(edge-runtime.shutdown.grace-period\\)");
		});
	}

	@Test
	void closeShouldAnnounceTerminationThenWaitForQuickTasksAndInterruptStuckOnes(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=1s").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<String> timeline = new CopyOnWriteArrayList<>();
			recorder.onBeforeUnload = (event) -> timeline.add("beforeunload:" + event.reason().value());
			CountDownLatch finishQuick = new CountDownLatch(1);
			TaskHandle<String> quick = runtime.waitUntil(TaskOptions.named("quick"), () -> {
				// finishes once the shutdown has been announced to it
				while (!TaskContext.current().isUnloading()) {
					finishQuick.await(10, TimeUnit.MILLISECONDS);
				}
				timeline.add("finished:quick");
				return "saved";
			});
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<Void> stuck = runtime.waitUntil(TaskOptions.named("stuck"), () -> {
				try {
					never.await();
				}
				catch (InterruptedException ex) {
					timeline.add("interrupted:stuck");
				}
			});
			await().untilAsserted(() -> assertThat(stuck.state()).isEqualTo(TaskState.RUNNING));
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
			assertThat(quick.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(stuck.state()).isEqualTo(TaskState.CANCELLED);
			assertThat(stuck.info().unloadReason()).isEqualTo(UnloadReason.TERMINATION);
			await().untilAsserted(() -> assertThat(timeline).contains("interrupted:stuck"));
			// tasks see isUnloading() while the event is being published: the quick task may finish before or
			// after the listener ran, but both come before the stuck task is interrupted
			assertThat(timeline).containsOnlyOnce("beforeunload:termination");
			assertThat(timeline.indexOf("beforeunload:termination")).isLessThan(timeline.indexOf("interrupted:stuck"));
			assertThat(timeline.indexOf("finished:quick")).isLessThan(timeline.indexOf("interrupted:stuck"));
			assertThat(recorder.beforeUnload()).singleElement().satisfies((event) -> {
				assertThat(event.task()).isEmpty();
				assertThat(event.timeLeft()).isEqualTo(Duration.ofSeconds(1));
			});
			assertThat(output).contains("Background task " + stuck.id()
					+ " (stuck) did not finish within the shutdown grace period of 1s (edge-runtime.shutdown.grace-period) "
					+ "and was interrupted");
			assertThat(output).containsPattern("Drain complete in \\d+ ms: 1 background task was interrupted at the end "
					+ "of the grace period of 1s \\(edge-runtime.shutdown.grace-period\\)");
			assertThat(output).doesNotContain("every background task finished");
		});
	}

	@Test
	void closeWhenTheGracePeriodDoesNotFitInSpringsPhaseShouldCutItAndInterruptTheTasksInTime(
			CapturedOutput output) {
		this.contextRunner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
			.withPropertyValues("edge-runtime.shutdown.grace-period=1m", "spring.lifecycle.timeout-per-shutdown-phase=2s")
			.run((context) -> {
				assertThat(output).contains("edge-runtime.shutdown.grace-period (1m) plus 1s to unwind and 500ms to "
						+ "spare is longer than spring.lifecycle.timeout-per-shutdown-phase (2s): at shutdown background "
						+ "tasks get 500ms to finish");
				EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
				TaskHandle<String> stuck = runtime.waitUntil(TaskOptions.named("stuck"), () -> {
					new CountDownLatch(1).await();
					return "never";
				});
				await().untilAsserted(() -> assertThat(stuck.state()).isEqualTo(TaskState.RUNNING));
				context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
				assertThat(stuck.state()).isEqualTo(TaskState.CANCELLED);
				assertThat(output).contains("Background task " + stuck.id()
						+ " (stuck) did not finish within the shutdown grace period of 500ms "
						+ "(spring.lifecycle.timeout-per-shutdown-phase, 2s, less 1500ms: "
						+ "edge-runtime.shutdown.grace-period, 1m, does not fit in it) and was interrupted");
				// interrupted by the drain itself, before Spring could stop waiting for it
				assertThat(output).doesNotContain("Spring stopped waiting for the drain")
					.doesNotContain("ends with 1 bean still running");
			});
	}

	@Test
	void destroyWhileTheDrainStillWaitsShouldInterruptAndReportTheTasksLeft(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=20s").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			AtomicReference<String> ending = new AtomicReference<>();
			TaskHandle<Void> stuck = runtime.waitUntil(TaskOptions.named("stuck"), () -> {
				try {
					new CountDownLatch(1).await();
					ending.set("finished");
				}
				catch (InterruptedException ex) {
					ending.set("interrupted");
				}
			});
			await().untilAsserted(() -> assertThat(stuck.state()).isEqualTo(TaskState.RUNNING));
			// as when Spring stops waiting for the drain and goes on to destroy the beans
			EdgeRuntimeLifecycle lifecycle = context.getBean(EdgeRuntimeLifecycle.class);
			CountDownLatch stopped = new CountDownLatch(1);
			lifecycle.stop(stopped::countDown);
			await().untilAsserted(() -> assertThat(output)
				.contains("Waiting up to 20s (edge-runtime.shutdown.grace-period) for 1 background task"));
			lifecycle.destroy();
			assertThat(stopped.getCount()).isZero();
			assertThat(stuck.state()).isEqualTo(TaskState.CANCELLED);
			assertThat(ending).hasValue("interrupted");
			assertThat(output).contains("Spring stopped waiting for the drain before the shutdown grace period of "
					+ "20s (edge-runtime.shutdown.grace-period) ended (spring.lifecycle.timeout-per-shutdown-phase is "
					+ "shorter)");
			assertThat(output).contains("Background task " + stuck.id() + " (stuck) did not finish before Spring "
					+ "stopped waiting for the drain (spring.lifecycle.timeout-per-shutdown-phase) and was interrupted");
			assertThat(output).containsPattern("Drain complete in \\d+ ms: 1 background task was interrupted when "
					+ "Spring stopped waiting for the drain \\(spring.lifecycle.timeout-per-shutdown-phase\\)");
		});
	}

	@Test
	void closeWhenATaskIgnoresItsInterruptShouldSayItIsAbandoned(CapturedOutput output) {
		CountDownLatch letGo = new CountDownLatch(1);
		try {
			this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=200ms").run((context) -> {
				EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
				TaskHandle<Void> deaf = runtime.waitUntil(TaskOptions.named("deaf"), () -> {
					// swallows every interrupt until the test lets it go
					while (letGo.getCount() > 0) {
						try {
							letGo.await();
						}
						catch (InterruptedException ex) {
							// ignored on purpose
						}
					}
				});
				await().untilAsserted(() -> assertThat(deaf.state()).isEqualTo(TaskState.RUNNING));
				context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
				assertThat(deaf.state()).isEqualTo(TaskState.CANCELLED);
				assertThat(output).containsPattern("Drain ended in \\d+ ms: 1 background task was interrupted at the "
						+ "end of the grace period of 200ms \\(edge-runtime.shutdown.grace-period\\), and 1 of them still "
						+ "ran 1000 ms later \\(its work ignores interrupts\\) "
						+ "and is abandoned: " + deaf.id() + " \\(deaf\\)");
				assertThat(output).doesNotContain("Drain complete");
			});
		}
		finally {
			letGo.countDown();
		}
	}

	@Test
	void waitUntilAfterDrainBeganShouldBeRefusedAndInFlightTaskCompletes(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("edge-runtime.shutdown.grace-period=1m", "spring.lifecycle.timeout-per-shutdown-phase=2m")
			.run((context) -> {
				DefaultEdgeRuntime runtime = context.getBean(DefaultEdgeRuntime.class);
				CountDownLatch release = new CountDownLatch(1);
				TaskHandle<String> inFlight = runtime.waitUntil(TaskOptions.named("in-flight"), () -> {
					release.await();
					return "done";
				});
				Thread closer = new Thread(() -> context.getSourceApplicationContext(ConfigurableApplicationContext.class)
					.close());
				closer.start();
				await().until(runtime::isDraining);
				assertThatExceptionOfType(TaskRejectedException.class)
					.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("late"), () -> "never"))
					.withMessageContaining("the application is shutting down")
					.satisfies((ex) -> {
						assertThat(ex.getReason()).isEqualTo(UnloadReason.TERMINATION);
						assertThat(ex.getRetryAfter()).isPositive();
					});
				assertThat(closer.isAlive()).isTrue();
				release.countDown();
				closer.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(closer.isAlive()).isFalse();
				assertThat(inFlight.state()).isEqualTo(TaskState.SUCCEEDED);
				assertThat(output).contains("Waiting up to 1m (edge-runtime.shutdown.grace-period) for 1 background task "
						+ "to finish")
					.containsPattern("Drain complete in \\d+ ms: every background task finished");
			});
	}

	@Test
	void closeWithAGracePeriodTooLongForNanosecondsShouldStillWaitForTheTasksInFlight(CapturedOutput output) {
		// a grace period of more than 292 years (and a shutdown phase longer still, so it is not cut) overflowed
		// the drain's deadline in nanoseconds: the drain thread died, and the tasks in flight were not waited for
		this.contextRunner
			.withPropertyValues("edge-runtime.shutdown.grace-period=999999999d",
					"spring.lifecycle.timeout-per-shutdown-phase=9999999999d")
			.run((context) -> {
				DefaultEdgeRuntime runtime = context.getBean(DefaultEdgeRuntime.class);
				CountDownLatch release = new CountDownLatch(1);
				TaskHandle<String> inFlight = runtime.waitUntil(TaskOptions.named("in-flight"), () -> {
					release.await();
					return "done";
				});
				Thread closer = new Thread(() -> context.getSourceApplicationContext(ConfigurableApplicationContext.class)
					.close());
				closer.start();
				await().untilAsserted(
						() -> assertThat(output).contains("Waiting up to 999999999d (edge-runtime.shutdown.grace-period) "
								+ "for 1 background task to finish"));
				assertThat(closer.isAlive()).isTrue();
				release.countDown();
				closer.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(closer.isAlive()).isFalse();
				assertThat(inFlight.state()).isEqualTo(TaskState.SUCCEEDED);
				assertThat(output).containsPattern("Drain complete in \\d+ ms: every background task finished")
					.doesNotContain("ArithmeticException");
			});
	}

	@Test
	void closeWithFiveHundredTasksInFlightShouldCompleteOrReportEachOne(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=2s").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch never = new CountDownLatch(1);
			List<TaskHandle<String>> tasks = new java.util.ArrayList<>();
			for (int i = 0; i < 500; i++) {
				boolean cooperative = i % 2 == 0;
				tasks.add(runtime.waitUntil(TaskOptions.named((cooperative ? "cooperative-" : "stuck-") + i), () -> {
					if (cooperative) {
						// saves its state and returns once the shutdown is announced
						while (!TaskContext.current().isUnloading()) {
							never.await(5, TimeUnit.MILLISECONDS);
						}
						return "saved";
					}
					never.await();
					return "unreachable";
				}));
			}
			await().untilAsserted(() -> assertThat(tasks).allMatch((task) -> task.state() == TaskState.RUNNING));
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
			for (TaskHandle<String> task : tasks) {
				if (task.name().startsWith("cooperative-")) {
					assertThat(task.state()).as(task.name()).isEqualTo(TaskState.SUCCEEDED);
				}
				else {
					assertThat(task.state()).as(task.name()).isEqualTo(TaskState.CANCELLED);
					assertThat(output).contains("Background task " + task.id() + " (" + task.name()
							+ ") did not finish within the shutdown grace period");
				}
			}
		});
	}

	@Test
	void stopThenStartShouldDrainThenAcceptTasksAgain(CapturedOutput output) {
		// what a checkpoint of the JVM (CRaC) does to the context: its lifecycle beans stop, then start again
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=5s").run((context) -> {
			ConfigurableApplicationContext application = context
				.getSourceApplicationContext(ConfigurableApplicationContext.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<Boolean> before = runtime.waitUntil(TaskOptions.named("before"),
					() -> release.await(1, TimeUnit.MINUTES));
			Thread releaser = new Thread(() -> {
				await().until(() -> output.toString().contains("Waiting up to 5s (edge-runtime.shutdown.grace-period) "
						+ "for 1 background task"));
				release.countDown();
			});
			releaser.start();
			application.stop();
			releaser.join();
			assertThat(before.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(runtime.status().accepting()).isFalse();
			// nothing of the storage stays open over a checkpoint
			Path instanceDir = context.getBean(TaskStorageArea.class).getInstanceDir();
			assertThat(instanceDir).doesNotExist();
			application.start();
			assertThat(runtime.status().accepting()).isTrue();
			assertThat(runtime.status().draining()).isFalse();
			assertThat(runtime.waitUntil(TaskOptions.named("after"), () -> {
				TaskContext task = TaskContext.current();
				return Files.exists(task.tempDir()) + " " + task.isUnloading();
			}).result().get(10, TimeUnit.SECONDS)).isEqualTo("true false");
			// the watchdog runs again
			TaskHandle<Boolean> overBudget = runtime.waitUntil(
					TaskOptions.named("over-budget").wallClock(Duration.ofMillis(100)),
					() -> new CountDownLatch(1).await(1, TimeUnit.MINUTES));
			await().untilAsserted(() -> assertThat(overBudget.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
		});
	}

	@Test
	void closeAfterStopShouldEndTheExecutorsThreads() {
		AtomicReference<Thread> thread = new AtomicReference<>();
		this.contextRunner.run((context) -> {
			thread.set(context.getBean(EdgeRuntime.class)
				.waitUntil(TaskOptions.named("thread"), Thread::currentThread)
				.result()
				.get(10, TimeUnit.SECONDS));
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).stop();
		});
		// the pool's idle thread would otherwise stay for a minute after the context is gone
		await().untilAsserted(() -> assertThat(thread.get().isAlive()).isFalse());
	}

	@Test
	void stopShouldTellTheTasksInFlightBeforeItDrainsThem() {
		// a checkpoint of the JVM (CRaC) stops the context without closing it: the tasks it drains are told first,
		// as at a close, so that one that saves its progress when told does so rather than being interrupted
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=10s").run((context) -> {
			ConfigurableApplicationContext application = context
				.getSourceApplicationContext(ConfigurableApplicationContext.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<String> saving = runtime.waitUntil(TaskOptions.named("saving"), () -> {
				started.countDown();
				while (!TaskContext.current().isUnloading()) {
					never.await(10, TimeUnit.MILLISECONDS);
				}
				return "saved";
			});
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			application.stop();
			assertThat(saving.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(saving.result().getNow(null)).isEqualTo("saved");
			assertThat(recorder.beforeUnload()).extracting(BeforeUnloadEvent::reason)
				.containsExactly(UnloadReason.TERMINATION);
			// started again, the runtime's tasks are no longer told the instance goes away
			application.start();
			assertThat(runtime.waitUntil(TaskOptions.named("after"), () -> TaskContext.current().isUnloading())
				.result()
				.get(10, TimeUnit.SECONDS)).isFalse();
		});
	}

	@Test
	void taskStartedAfterTerminationWasAnnouncedShouldBeUnloadingFromItsStart() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			AtomicReference<TaskHandle<String>> started = new AtomicReference<>();
			// like a request still being served during the web server's graceful shutdown: the application is
			// going away all the same, and the task must hear of it as those running at the announcement did
			recorder.onBeforeUnload = (BeforeUnloadEvent event) -> started
				.set(runtime.waitUntil(TaskOptions.named("during-close"), () -> {
					TaskContext task = TaskContext.current();
					return task.isUnloading() + " " + task.unloadReason();
				}));
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
			assertThat(started.get().result().get(10, TimeUnit.SECONDS)).isEqualTo("true TERMINATION");
			assertThat(started.get().info().unloadReason()).isEqualTo(UnloadReason.TERMINATION);
		});
	}

	@Test
	void taskStartedWhenCloseBeginsShouldStillBeAcceptedAndDrained() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			AtomicReference<TaskHandle<String>> started = new AtomicReference<>();
			// like a request still being served during the web server's graceful shutdown
			recorder.onBeforeUnload = (BeforeUnloadEvent event) -> started
				.set(runtime.waitUntil(TaskOptions.named("during-close"), () -> "accepted"));
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).close();
			assertThat(started.get()).isNotNull();
			assertThat(started.get().state()).isEqualTo(TaskState.SUCCEEDED);
		});
	}

}
