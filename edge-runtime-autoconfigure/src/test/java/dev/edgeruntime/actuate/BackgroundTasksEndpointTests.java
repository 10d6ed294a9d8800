package dev.edgeruntime.actuate;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.CancelDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.DurableTierDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TaskDescriptor;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.MdcTaskLifecycleListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BackgroundTasksEndpoint}.
 *
 * @author edge-runtime developers
 */
class BackgroundTasksEndpointTests {

	private DefaultEdgeRuntime runtime;

	private BackgroundTasksEndpoint endpoint;

	private final BlockingWork work = new BlockingWork();

	@BeforeEach
	void setUp() {
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
		}).maxInFlight(5).build();
		this.runtime.start();
		this.endpoint = new BackgroundTasksEndpoint(this.runtime,
				new Limits(5, Duration.ofSeconds(150), null, null, 0.9, Duration.ofSeconds(30)));
	}

	@AfterEach
	void tearDown() {
		this.work.release();
		this.runtime.close();
	}

	@Test
	void taskWhenItHasCpuAndMemoryBudgetsShouldDescribeEach() throws Exception {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("resize")
			.wallClock(Duration.ofMinutes(1))
			.cpuTime(Duration.ofSeconds(20))
			.memory(DataSize.ofMegabytes(64)), this.work);
		assertThat(this.work.awaitStarted()).isTrue();
		TaskDescriptor descriptor = this.endpoint.task(task.id());
		assertThat(descriptor).isNotNull();
		assertThat(descriptor.state()).isEqualTo(TaskState.RUNNING);
		assertThat(descriptor.budgets().wallClock().limit()).isEqualTo(Duration.ofMinutes(1));
		assertThat(descriptor.budgets().cpuTime()).isNotNull();
		assertThat(descriptor.budgets().cpuTime().limit()).isEqualTo(Duration.ofSeconds(20));
		assertThat(descriptor.budgets().memory()).isNotNull();
		assertThat(descriptor.budgets().memory().limitBytes()).isEqualTo(DataSize.ofMegabytes(64).toBytes());
		assertThat(descriptor.attempt()).isEqualTo(1);
	}

	@Test
	void taskWhenItHasNoCpuOrMemoryBudgetShouldLeaveThemOut() throws Exception {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("plain"), this.work);
		assertThat(this.work.awaitStarted()).isTrue();
		TaskDescriptor descriptor = this.endpoint.task(task.id());
		assertThat(descriptor.budgets().cpuTime()).isNull();
		assertThat(descriptor.budgets().memory()).isNull();
	}

	@Test
	void tasksShouldReportTotalsByOutcomeAndReasonWithSupabaseReasonStrings() {
		TaskHandle<String> failed = this.runtime.waitUntil(TaskOptions.named("broken"), () -> {
			throw new IllegalStateException("boom");
		});
		failed.result().exceptionally((ex) -> null);
		await().atMost(Duration.ofSeconds(30)).until(() -> failed.state() == TaskState.FAILED);
		BackgroundTasksDescriptor report = this.endpoint.tasks(null, null);
		assertThat(report.totals().byOutcome()).containsEntry(TaskState.FAILED, 1L);
		assertThat(report.totals().byReason()).containsOnlyKeys("wall_clock", "cpu", "memory", "early_drop",
				"termination");
		assertThat(report.limits().maxInFlight()).isEqualTo(5);
		assertThat(report.runtime().accepting()).isTrue();
		TaskDescriptor task = report.tasks().get(0);
		assertThat(task.error()).isNotNull();
		assertThat(task.error().type()).isEqualTo(IllegalStateException.class.getName());
		assertThat(task.error().message()).isEqualTo("boom");
	}

	@Test
	void budgetOverrunsShouldBeCountedOncePerBeforeUnloadEvent() {
		List<BeforeUnloadEvent> events = new CopyOnWriteArrayList<>();
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
			if (event instanceof BeforeUnloadEvent beforeUnload) {
				events.add(beforeUnload);
			}
		}).build();
		runtime.start();
		try {
			BackgroundTasksEndpoint endpoint = new BackgroundTasksEndpoint(runtime,
					new Limits(5, Duration.ofSeconds(150), null, null, 0.9, Duration.ofSeconds(30)));
			List<TaskHandle<Boolean>> tasks = List.of(
					runtime.waitUntil(TaskOptions.named("slow-1").wallClock(Duration.ofMillis(300)), this::sleep),
					runtime.waitUntil(TaskOptions.named("slow-2").wallClock(Duration.ofMillis(300)), this::sleep));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> tasks.stream().allMatch((task) -> task.state() == TaskState.BUDGET_EXCEEDED));
			assertThat(events).hasSize(2).allMatch((event) -> event.reason() == UnloadReason.WALL_CLOCK);
			assertThat(endpoint.tasks(null, null).totals().byReason()).containsEntry("wall_clock", 2L);
		}
		finally {
			runtime.close();
		}
	}

	private boolean sleep() throws InterruptedException {
		return new CountDownLatch(1).await(1, TimeUnit.MINUTES);
	}

	@Test
	void tasksWithStateAndNameShouldFilter() throws Exception {
		TaskHandle<String> running = this.runtime.waitUntil(TaskOptions.named("slow"), this.work);
		assertThat(this.work.awaitStarted()).isTrue();
		TaskHandle<String> done = this.runtime.waitUntil(TaskOptions.named("fast"), () -> "ok");
		await().atMost(Duration.ofSeconds(30)).until(() -> done.state() == TaskState.SUCCEEDED);
		assertThat(ids(this.endpoint.tasks(TaskState.RUNNING, null).tasks())).containsExactly(running.id());
		assertThat(ids(this.endpoint.tasks(null, "fast").tasks())).containsExactly(done.id());
		assertThat(this.endpoint.tasks(TaskState.RUNNING, "fast").tasks()).isEmpty();
		assertThat(ids(this.endpoint.tasks(null, null).tasks())).containsExactly(done.id(), running.id());
	}

	@Test
	void cancelShouldDescribeOutcome() throws Exception {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("slow"), this.work);
		assertThat(this.work.awaitStarted()).isTrue();
		CancelDescriptor first = this.endpoint.cancel(task.id());
		assertThat(first).isNotNull();
		assertThat(first.cancelled()).isTrue();
		assertThat(first.task().state()).isEqualTo(TaskState.CANCELLED);
		CancelDescriptor second = this.endpoint.cancel(task.id());
		assertThat(second.cancelled()).isFalse();
		assertThat(this.endpoint.cancel(UUID.randomUUID())).isNull();
		assertThat(this.endpoint.task(UUID.randomUUID())).isNull();
	}

	@Test
	void cancelLineShouldCarryTheTasksIdAndNameInTheMdc() throws Exception {
		Logger endpointLogger = (Logger) LoggerFactory.getLogger(BackgroundTasksEndpoint.class);
		ListAppender<ILoggingEvent> lines = new ListAppender<>();
		lines.start();
		endpointLogger.addAppender(lines);
		try {
			TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("slow"), this.work);
			assertThat(this.work.awaitStarted()).isTrue();
			assertThat(this.endpoint.cancel(task.id()).cancelled()).isTrue();
			// logged on the request's thread, not the task's
			assertThat(lines.list).singleElement().satisfies((line) -> {
				assertThat(line.getFormattedMessage()).contains("was cancelled through the backgroundtasks endpoint");
				assertThat(line.getMDCPropertyMap()).containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString())
					.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "slow");
			});
			assertThat(MDC.get(MdcTaskLifecycleListener.TASK_ID)).isNull();
		}
		finally {
			endpointLogger.detachAppender(lines);
		}
	}

	@Test
	void durableTierDescriptorMadeAsBeforeItHadUnavailableShouldHaveNone() {
		DurableTierDescriptor descriptor = new DurableTierDescriptor(List.of(), List.of(), null, "down");
		assertThat(descriptor.unavailable()).isNull();
		assertThat(descriptor.queues()).isEmpty();
		assertThat(descriptor.error()).isEqualTo("down");
	}

	private static List<UUID> ids(List<TaskDescriptor> tasks) {
		return tasks.stream().map(TaskDescriptor::id).toList();
	}

}
