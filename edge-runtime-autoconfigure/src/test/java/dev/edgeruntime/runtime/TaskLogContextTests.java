package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TaskLogContext}: the runtime's lines about a task that are logged off the task's thread (by
 * the watchdog, by the shutdown drain) carry the task's id and name in the MDC, as its own lines do, so that
 * structured logs searched by {@code taskId} find them; and the thread's MDC is given back.
 *
 * @author edge-runtime developers
 */
class TaskLogContextTests {

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final Logger runtimeLogger = (Logger) LoggerFactory.getLogger(EdgeRuntime.class);

	private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

	private final CountDownLatch never = new CountDownLatch(1);

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void setUp() {
		this.lines.start();
		this.runtimeLogger.addAppender(this.lines);
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
		}).platformExecutor(this.executor).checkInterval(Duration.ofMillis(20)).build();
		this.runtime.start();
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.never.countDown();
		this.runtime.close();
		this.runtimeLogger.detachAppender(this.lines);
		this.executor.shutdownNow();
		this.executor.awaitTermination(10, TimeUnit.SECONDS);
		MDC.clear();
	}

	@Test
	void budgetLineOfTheWatchdogShouldCarryTheTasksIdAndName() {
		TaskHandle<Object> task = this.runtime.waitUntil(TaskOptions.named("slow").wallClock(Duration.ofMillis(100)),
				this::blockForever);
		await().atMost(Duration.ofSeconds(30)).until(() -> line("used up its wall-clock budget") != null);
		assertThat(line("used up its wall-clock budget").getMDCPropertyMap())
			.containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString())
			.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "slow");
	}

	@Test
	void drainLineShouldCarryTheTasksIdAndNameAndGiveTheThreadsMdcBack() {
		TaskHandle<Object> task = this.runtime.waitUntil(TaskOptions.named("stuck"), this::blockForever);
		await().atMost(Duration.ofSeconds(30)).until(() -> task.info().startedAt() != null);
		MDC.put(MdcTaskLifecycleListener.TASK_ID, "the-thread-s-own");
		this.runtime.drain(Duration.ofMillis(50));
		assertThat(line("did not finish within the shutdown grace period").getMDCPropertyMap())
			.containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString())
			.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "stuck");
		assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of(MdcTaskLifecycleListener.TASK_ID, "the-thread-s-own"));
	}

	@Test
	void contextShouldPutBothEntriesAndRemoveThoseTheThreadDidNotHave() {
		try (TaskLogContext context = TaskLogContext.open("3f1c2a9e-5b7d-4e2a-9c61-0d8f4b2e7a15", "report")) {
			assertThat(MDC.get(MdcTaskLifecycleListener.TASK_ID)).isEqualTo("3f1c2a9e-5b7d-4e2a-9c61-0d8f4b2e7a15");
			assertThat(MDC.get(MdcTaskLifecycleListener.TASK_NAME)).isEqualTo("report");
		}
		Map<String, String> after = MDC.getCopyOfContextMap();
		assertThat((after != null) ? after : Map.of()).doesNotContainKeys(MdcTaskLifecycleListener.TASK_ID,
				MdcTaskLifecycleListener.TASK_NAME);
	}

	private Object blockForever() throws InterruptedException {
		this.never.await();
		return "never";
	}

	private ILoggingEvent line(String text) {
		List<ILoggingEvent> logged;
		synchronized (this.lines) {
			// the appender adds under this lock, on the watchdog's thread
			logged = List.copyOf(this.lines.list);
		}
		List<ILoggingEvent> matching = logged.stream()
			.filter((line) -> line.getFormattedMessage().contains(text))
			.toList();
		return matching.isEmpty() ? null : matching.get(0);
	}

}
