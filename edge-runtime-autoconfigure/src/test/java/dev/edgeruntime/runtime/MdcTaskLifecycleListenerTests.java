package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link MdcTaskLifecycleListener}: every line a task logs carries its id and name.
 *
 * @author edge-runtime developers
 */
class MdcTaskLifecycleListenerTests {

	private final ExecutorService executor = Executors.newSingleThreadExecutor();

	private final Logger logger = (Logger) LoggerFactory.getLogger(MdcTaskLifecycleListenerTests.class);

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void setUp() {
		this.appender.start();
		this.logger.addAppender(this.appender);
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
		})
			.platformExecutor(this.executor)
			.decorator(new MdcTaskDecorator())
			.listeners(List.of(new MdcTaskLifecycleListener()))
			.build();
		this.runtime.start();
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.runtime.close();
		this.logger.detachAppender(this.appender);
		this.executor.shutdownNow();
		this.executor.awaitTermination(10, TimeUnit.SECONDS);
		MDC.clear();
	}

	@Test
	void logLineOfTaskShouldCarryTaskIdAndNameAndTheSubmittersMdc() throws Exception {
		MDC.put("requestId", "r-42");
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("mailer"), () -> {
			this.logger.info("sending");
			return "sent";
		});
		MDC.remove("requestId");
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
		assertThat(this.appender.list).singleElement().satisfies((event) -> {
			Map<String, String> mdc = event.getMDCPropertyMap();
			assertThat(mdc).containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString())
				.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "mailer")
				.containsEntry("requestId", "r-42");
		});
	}

	@Test
	void taskThreadAfterTheTaskShouldNotCarryItsMdc() throws Exception {
		// no MdcTaskDecorator here: it would restore the thread's MDC and hide a listener that leaks
		DefaultEdgeRuntime undecorated = DefaultEdgeRuntime.builder((event) -> {
		}).platformExecutor(this.executor).listeners(List.of(new MdcTaskLifecycleListener())).build();
		TaskHandle<String> task = undecorated.waitUntil(TaskOptions.named("mailer"),
				() -> MDC.get(MdcTaskLifecycleListener.TASK_NAME));
		assertThat(task.result().get(30, TimeUnit.SECONDS)).isEqualTo("mailer");
		Map<String, String> after = this.executor.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
		assertThat((after != null) ? after : Map.of()).doesNotContainKeys(MdcTaskLifecycleListener.TASK_ID,
				MdcTaskLifecycleListener.TASK_NAME);
	}

	@Test
	void unhandledRejectionListenerAndTheRuntimesErrorLineShouldCarryTheTasksMdc() throws Exception {
		Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
		DefaultEdgeRuntime published = DefaultEdgeRuntime.builder((event) -> {
			if (event instanceof dev.edgeruntime.UnhandledRejectionEvent) {
				Map<String, String> mdc = MDC.getCopyOfContextMap();
				seen.putAll((mdc != null) ? mdc : Map.of());
				seen.put("listened", "yes");
			}
		}).platformExecutor(this.executor).listeners(List.of(new MdcTaskLifecycleListener())).build();
		Logger runtimeLogger = (Logger) LoggerFactory.getLogger(dev.edgeruntime.EdgeRuntime.class);
		ListAppender<ILoggingEvent> runtimeLines = new ListAppender<>();
		runtimeLines.start();
		runtimeLogger.addAppender(runtimeLines);
		try {
			TaskHandle<Object> task = published.waitUntil(TaskOptions.named("failing"), () -> {
				throw new IllegalStateException("boom");
			});
			await().atMost(Duration.ofSeconds(30)).until(() -> "yes".equals(seen.get("listened")));
			assertThat(seen).containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString())
				.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "failing");
			await().atMost(Duration.ofSeconds(30)).until(() -> published.status().inFlight() == 0);
			assertThat(runtimeLines.list).filteredOn((line) -> line.getFormattedMessage().contains("nobody observed"))
				.singleElement()
				.satisfies((line) -> assertThat(line.getMDCPropertyMap())
					.containsEntry(MdcTaskLifecycleListener.TASK_ID, task.id().toString()));
			// and the thread does not keep them for what it runs next
			Map<String, String> after = this.executor.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
			assertThat((after != null) ? after : Map.of()).doesNotContainKeys(MdcTaskLifecycleListener.TASK_ID,
					MdcTaskLifecycleListener.TASK_NAME);
		}
		finally {
			runtimeLogger.detachAppender(runtimeLines);
			published.close();
		}
	}

	@Test
	void taskRunInlineInsideAnotherShouldGiveTheOuterTasksMdcBack() throws Exception {
		DefaultEdgeRuntime inline = DefaultEdgeRuntime.builder((event) -> {
		}).platformExecutor(Runnable::run).listeners(List.of(new MdcTaskLifecycleListener())).build();
		try {
			TaskHandle<String> outer = inline.waitUntil(TaskOptions.named("outer"), () -> {
				inline.waitUntil(TaskOptions.named("inner"), () -> MDC.get(MdcTaskLifecycleListener.TASK_NAME));
				return MDC.get(MdcTaskLifecycleListener.TASK_NAME);
			});
			assertThat(outer.result().get(30, TimeUnit.SECONDS)).isEqualTo("outer");
			assertThat(MDC.get(MdcTaskLifecycleListener.TASK_ID)).isNull();
		}
		finally {
			inline.close();
		}
	}

	@Test
	void submittingThreadShouldNotGetTheMdcOfATaskTrackingACompletionStage() {
		java.util.concurrent.CompletableFuture<String> work = new java.util.concurrent.CompletableFuture<>();
		this.runtime.waitUntil(TaskOptions.named("stage"), work);
		assertThat(MDC.get(MdcTaskLifecycleListener.TASK_ID)).isNull();
		work.complete("ok");
	}

}
