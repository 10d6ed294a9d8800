package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskBudgetExceededException;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for wall-clock, CPU and memory budgets, {@code beforeunload} and extensions.
 */
@ExtendWith(OutputCaptureExtension.class)
class BudgetTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
		.withBean(EventRecorder.class)
		.withPropertyValues("edge-runtime.budget.check-interval=10ms");

	@Test
	void wallClockBudgetShouldAnnounceBeforeUnloadThenStopTheTask(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<String> seenByTask = new CopyOnWriteArrayList<>();
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<Void> task = runtime.waitUntil(TaskOptions.named("slow").wallClock(Duration.ofMillis(500)),
					() -> {
						try {
							never.await();
						}
						catch (InterruptedException ex) {
							TaskContext current = TaskContext.current();
							seenByTask.add(current.isUnloading() + ":" + current.unloadReason());
						}
					});
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(recorder.beforeUnload()).singleElement().satisfies((event) -> {
				assertThat(event.reason()).isEqualTo(UnloadReason.WALL_CLOCK);
				assertThat(event.task()).hasValueSatisfying((info) -> assertThat(info.id()).isEqualTo(task.id()));
				assertThat(event.timeLeft()).isLessThanOrEqualTo(Duration.ofMillis(500));
			});
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.WALL_CLOCK);
			assertThat(task.info().error().type()).isEqualTo(TaskBudgetExceededException.class.getName());
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> task.result().get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(TaskBudgetExceededException.class);
			await().untilAsserted(() -> assertThat(seenByTask).containsExactly("true:WALL_CLOCK"));
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (slow) used up its wall-clock budget of 500ms and was interrupted (reason wall_clock); set for this "
					+ "task by @BackgroundTask(wallClock), TaskOptions.wallClock or edge-runtime.websocket.wall-clock, not "
					+ "edge-runtime.budget.wall-clock"));
			// one beforeunload event (the announcement), not one more for the stop
			assertThat(runtime.status().totalsByReason()).containsEntry(UnloadReason.WALL_CLOCK, 1L);
		});
	}

	@Test
	void cpuBudgetShouldStopACpuBurningTask(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			TaskHandle<Long> task = runtime.waitUntil(
					TaskOptions.named("burn").cpuTime(Duration.ofMillis(300)).wallClock(Duration.ofMinutes(5)), () -> {
						long x = 0;
						while (!Thread.currentThread().isInterrupted()) {
							x += System.nanoTime() % 7;
						}
						return x;
					});
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.CPU);
			assertThat(task.info().usage().cpuTime()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(recorder.beforeUnload()).extracting(BeforeUnloadEvent::reason).containsExactly(UnloadReason.CPU);
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (burn) used up its CPU-time budget of 300ms and was interrupted (reason cpu); set for this task "
					+ "by @BackgroundTask(cpuTime) or TaskOptions.cpuTime, not edge-runtime.budget.cpu-time"));
		});
	}

	@Test
	void budgetLineOfADefaultBudgetShouldNameItsProperty(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.budget.wall-clock=300ms").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<Boolean> task = runtime.waitUntil(TaskOptions.named("plain"),
					() -> never.await(1, TimeUnit.HOURS));
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (plain) used up its wall-clock budget of 300ms and was interrupted (reason wall_clock); set by "
					+ "edge-runtime.budget.wall-clock (for one task, by @BackgroundTask(wallClock) or "
					+ "TaskOptions.wallClock)"));
		});
	}

	@Test
	void budgetLineOfADefaultMemoryBudgetShouldNameItsProperty(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.budget.memory=16MB").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<Integer> task = runtime.waitUntil(TaskOptions.named("hungry").wallClock(Duration.ofMinutes(5)),
					BudgetTests::allocateUntilInterrupted);
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (hungry) used up its memory budget of 16MB and was interrupted (reason memory); set by "
					+ "edge-runtime.budget.memory (for one task, by @BackgroundTask(memory) or TaskOptions.memory)"));
		});
	}

	private static int allocateUntilInterrupted() {
		int sum = 0;
		while (!Thread.currentThread().isInterrupted()) {
			byte[] chunk = new byte[64 * 1024];
			sum += chunk.length;
			Thread.onSpinWait();
		}
		return sum;
	}

	@Test
	void memoryBudgetShouldStopAnAllocatingTask() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			TaskHandle<Integer> task = runtime.waitUntil(
					TaskOptions.named("allocate").memory(DataSize.ofMegabytes(64)).wallClock(Duration.ofMinutes(5)),
					() -> {
						int sum = 0;
						while (!Thread.currentThread().isInterrupted()) {
							byte[] chunk = new byte[64 * 1024];
							sum += chunk.length;
							Thread.onSpinWait();
						}
						return sum;
					});
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.MEMORY);
			assertThat(task.info().usage().allocatedBytes()).isGreaterThanOrEqualTo(DataSize.ofMegabytes(64).toBytes());
			assertThat(recorder.beforeUnload()).extracting(BeforeUnloadEvent::reason)
				.containsExactly(UnloadReason.MEMORY);
			assertThat(task.info().error().message()).endsWith("(allocate) used up its memory budget of 64MB");
		});
	}

	@Test
	void wallClockBudgetOfATrackedStageShouldCancelTheStage(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CompletableFuture<String> pending = new CompletableFuture<>();
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("remote").wallClock(Duration.ofMillis(300)),
					pending);
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(pending).isCancelled();
			// logged by the watchdog just after it cancelled the stage
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (remote) used up its wall-clock budget of 300ms and was cancelled (reason wall_clock)"));
		});
	}

	@Test
	void extensionGrantedByListenerShouldLetTaskFinish() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<Duration> granted = new CopyOnWriteArrayList<>();
			recorder.onBeforeUnload = (event) -> granted.add(event.extend(Duration.ofSeconds(20)));
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("extended").wallClock(Duration.ofMillis(400)),
					() -> {
						release.await();
						return "finished";
					});
			// wait until the task has run past its original budget, then let it finish
			await().untilAsserted(() -> assertThat(task.info().usage().wallClock()).isGreaterThan(Duration.ofMillis(800)));
			assertThat(task.state()).isEqualTo(TaskState.RUNNING);
			release.countDown();
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("finished");
			assertThat(granted).containsExactly(Duration.ofSeconds(20));
			assertThat(task.info().budget().wallClock()).isEqualTo(Duration.ofMillis(20400));
		});
	}

	@Test
	void extensionBeyondCapShouldNotLetTaskFinish(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.budget.max-extension=300ms").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<Duration> granted = new CopyOnWriteArrayList<>();
			recorder.onBeforeUnload = (event) -> granted.add(event.extend(Duration.ofSeconds(20)));
			CountDownLatch never = new CountDownLatch(1);
			TaskHandle<Boolean> task = runtime.waitUntil(TaskOptions.named("capped").wallClock(Duration.ofMillis(400)),
					() -> never.await(1, TimeUnit.HOURS));
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			// the first request is capped; the event published at the new ratio gets nothing more
			assertThat(granted).containsExactly(Duration.ofMillis(300), Duration.ZERO);
			assertThat(task.info().budget().wallClock()).isEqualTo(Duration.ofMillis(700));
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.WALL_CLOCK);
			await().untilAsserted(() -> assertThat(output).contains("Background task " + task.id()
					+ " (capped) used up its wall-clock budget of 700ms and was interrupted (reason wall_clock); set for "
					+ "this task by @BackgroundTask(wallClock), TaskOptions.wallClock or edge-runtime.websocket.wall-clock, "
					+ "not edge-runtime.budget.wall-clock, with 300ms granted by "
					+ "beforeunload listeners (edge-runtime.budget.max-extension caps them)"));
		});
	}

	@Test
	void extensionShouldLetTheTaskGoOnAsNotUnloadingUntilTheNewBudgetIsAnnounced() {
		this.contextRunner.withPropertyValues("edge-runtime.budget.max-extension=1s").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<Duration> granted = new CopyOnWriteArrayList<>();
			recorder.onBeforeUnload = (event) -> granted.add(event.extend(Duration.ofSeconds(20)));
			List<String> seenByTask = new CopyOnWriteArrayList<>();
			TaskHandle<Void> task = runtime.waitUntil(TaskOptions.named("extended").wallClock(Duration.ofMillis(400)),
					() -> {
						TaskContext current = TaskContext.current();
						// granted: the task is no longer about to be stopped, and uses the time it was given
						await().until(() -> granted.size() == 1);
						seenByTask.add(current.isUnloading() + ":" + current.unloadReason());
						// announced again at the ratio of the new budget, the cap used up: unloading for good
						await().until(() -> granted.size() == 2);
						seenByTask.add(current.isUnloading() + ":" + current.unloadReason());
						new CountDownLatch(1).await();
						return null;
					});
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(granted).containsExactly(Duration.ofSeconds(1), Duration.ZERO);
			assertThat(seenByTask).containsExactly("false:null", "true:WALL_CLOCK");
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.WALL_CLOCK);
		});
	}

	@Test
	void extensionShouldLeaveTheShutdownAnnouncedToTheTaskInForce() {
		this.contextRunner.run((context) -> {
			DefaultEdgeRuntime runtime = context.getBean(DefaultEdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			List<Duration> granted = new CopyOnWriteArrayList<>();
			recorder.onBeforeUnload = (event) -> {
				if (event.reason() == UnloadReason.WALL_CLOCK) {
					granted.add(event.extend(Duration.ofSeconds(20)));
				}
			};
			// the application shuts down: a task accepted now is unloading (termination) from its start
			runtime.announceTermination(Duration.ofSeconds(30));
			CountDownLatch release = new CountDownLatch(1);
			List<String> seenByTask = new CopyOnWriteArrayList<>();
			TaskHandle<Void> task = runtime.waitUntil(TaskOptions.named("extended").wallClock(Duration.ofMillis(400)),
					() -> {
						TaskContext current = TaskContext.current();
						await().until(() -> granted.size() == 1);
						seenByTask.add(current.isUnloading() + ":" + current.unloadReason());
						release.await();
						return null;
					});
			await().untilAsserted(() -> assertThat(seenByTask).containsExactly("true:TERMINATION"));
			assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.TERMINATION);
			release.countDown();
			task.result().get(10, TimeUnit.SECONDS);
		});
	}

	@Test
	void extensionOfCpuEventShouldNotBeGranted() {
		BeforeUnloadEvent event = new BeforeUnloadEvent(this, UnloadReason.CPU, null, Duration.ZERO, null);
		assertThat(event.extend(Duration.ofSeconds(1))).isZero();
	}

}
