package dev.edgeruntime.queue;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.TaskCancelledEvent;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.runtime.MdcTaskLifecycleListener;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Durable {@code @BackgroundTask(durable = true)} methods on the durable tier, against the real PostgreSQL.
 *
 * @author edge-runtime developers
 */
class DurableBackgroundTaskTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("dur_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("edge-runtime.queue.tasks.queue=" + this.queue,
				"edge-runtime.queue.consumer.polling-interval=200ms", "edge-runtime.queue.consumer.backoff.initial=0s")
		.withUserConfiguration(ReportsConfiguration.class);

	@Test
	void callInACommittedTransactionRunsTheMethodOnTheQueuesConsumer() {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			TaskHandle<?> handle = transactions(context).execute((status) -> reports.build(new Report("q3", 7)));
			assertThat(handle).isInstanceOf(DurableTaskHandle.class);
			assertThat(handle.state()).isEqualTo(TaskState.SCHEDULED);
			assertThat(((DurableTaskHandle) handle).queue()).isEqualTo(this.queue);
			await().atMost(WAIT).until(() -> log.received.size() == 1);
			assertThat(log.received).containsExactly(new Report("q3", 7));
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT)
				.until(() -> dispatcher.find(handle.id()).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
			TaskInfo info = dispatcher.find(handle.id()).orElseThrow();
			assertThat(info.name()).isEqualTo("report");
			assertThat(info.attempt()).isEqualTo(1);
			assertThat(info.finishedAt()).isNotNull();
			// written by the consumer as the attempt started, from the database's clock as the others are
			assertThat(info.startedAt()).isNotNull()
				.isAfterOrEqualTo(info.submittedAt())
				.isBeforeOrEqualTo(info.finishedAt());
			Map<String, Object> archived = jdbc(context).queryForMap(
					"SELECT msg_id, headers->>'x-max-attempts' AS max FROM pgmq.a_" + this.queue);
			assertThat(archived).containsEntry("msg_id", ((DurableTaskHandle) handle).messageId())
				.containsEntry("max", "3");
		});
	}

	@Test
	void bodyLogsWithItsTaskIdAndNameInTheMdc() {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			TaskHandle<?> first = transactions(context).execute((status) -> reports.build(new Report("q1", 1)));
			TaskHandle<?> second = transactions(context).execute((status) -> reports.build(new Report("q2", 2)));
			await().atMost(WAIT).until(() -> log.mdc.size() == 2);
			assertThat(log.mdc).containsExactlyInAnyOrder(first.id() + " report", second.id() + " report");
		});
	}

	@Test
	void callInARolledBackTransactionNeverHappens() {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			TransactionTemplate transactions = transactions(context);
			TaskHandle<?> rolledBack = transactions.execute((status) -> {
				TaskHandle<?> handle = reports.build(new Report("rolled-back", 1));
				status.setRollbackOnly();
				return handle;
			});
			assertThat(rolledBack.state()).isEqualTo(TaskState.DROPPED);
			assertThat(rolledBack.result()).isCompletedExceptionally();
			// A later call in a committed transaction runs; the rolled-back one, sent before it, does not.
			transactions.execute((status) -> reports.build(new Report("committed", 2)));
			await().atMost(WAIT).until(() -> log.received.size() == 1);
			assertThat(log.received).containsExactly(new Report("committed", 2));
			assertThat(context.getBean(DurableTaskDispatcher.class).find(rolledBack.id())).isEmpty();
			await().atMost(WAIT).until(() -> rows(context, "a") == 1);
			assertThat(rows(context, "q")).isZero();
		});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void failingTaskIsRetriedThenDeadLettered(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			log.failWith = "printer on fire";
			TaskHandle<?> handle = reports.build(new Report("doomed", 1));
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT)
				.until(() -> dispatcher.find(handle.id()).map(TaskInfo::state).orElse(null) == TaskState.FAILED);
			// maxAttempts = 3 on the annotation, below the consumers' default of 5
			assertThat(log.received).hasSize(3);
			TaskInfo info = dispatcher.find(handle.id()).orElseThrow();
			assertThat(info.attempt()).isEqualTo(3);
			assertThat(info.error()).isNotNull();
			assertThat(info.error().type()).isEqualTo(IllegalStateException.class.getName());
			assertThat(info.error().message()).isEqualTo("printer on fire");
			assertThat(context.getBean(PgmqTemplate.class).statistics(this.queue).deadLettered()).isEqualTo(1);
			// the line names the task by the id its status, its retry and its cancel take, and says how to retry it
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(output).contains("Dead-lettered message "
						+ ((DurableTaskHandle) handle).messageId() + " of queue '" + this.queue + "' (durable task "
						+ handle.id() + " (report)) after 3 attempt(s): java.lang.IllegalStateException: printer on fire"
						+ "; once its cause is mended, run it again with POST .../backgroundtasks/" + handle.id()
						+ " (the actuator endpoint)"));
		});
	}

	@Test
	void deadLetterLineCarriesTheTasksIdAndNameInTheMdc() {
		Logger consumerLogger = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
		ListAppender<ILoggingEvent> lines = new ListAppender<>();
		lines.start();
		consumerLogger.addAppender(lines);
		try {
			this.contextRunner.run((context) -> {
				context.getBean(ReportLog.class).failWith = "printer on fire";
				TaskHandle<?> handle = context.getBean(Reports.class).build(new Report("doomed", 1));
				await().atMost(WAIT).until(() -> deadLetterLine(lines) != null);
				// the consumer's thread logs it after the body's run, which had them: a search by taskId finds it
				assertThat(deadLetterLine(lines).getMDCPropertyMap())
					.containsEntry(MdcTaskLifecycleListener.TASK_ID, handle.id().toString())
					.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "report");
			});
		}
		finally {
			consumerLogger.detachAppender(lines);
		}
	}

	@Test
	void prefetchedTaskHandedBackAtShutdownIsLoggedWithItsIdAndNameInTheMdc() {
		Logger consumerLogger = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
		ListAppender<ILoggingEvent> lines = new ListAppender<>();
		lines.start();
		consumerLogger.addAppender(lines);
		try {
			this.contextRunner
				.withPropertyValues("edge-runtime.queue.tasks.concurrency=1", "edge-runtime.queue.tasks.prefetch=1",
						"edge-runtime.queue.consumer.shutdown-max-wait=30s")
				.run((context) -> {
					Reports reports = context.getBean(Reports.class);
					ReportLog log = context.getBean(ReportLog.class);
					log.started = new CountDownLatch(1);
					log.blockUntil = new CountDownLatch(1);
					reports.build(new Report("running", 1));
					assertThat(log.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					TaskHandle<?> prefetched = reports.build(new Report("prefetched", 2));
					long messageId = ((DurableTaskHandle) prefetched).messageId();
					// read ahead of the busy handler: leased by this instance
					await().atMost(WAIT)
						.until(() -> jdbc(context).queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue
								+ " WHERE vt > clock_timestamp()", Long.class) == 2);
					CountDownLatch stopped = new CountDownLatch(1);
					context.getBean(QueueConsumers.class).stop(stopped::countDown);
					String handedBack = "Handed message " + messageId + " of queue '" + this.queue + "' (durable task "
							+ prefetched.id() + " (report)) back at shutdown; no handler had started it";
					await().atMost(WAIT).until(() -> line(lines, handedBack) != null);
					log.blockUntil.countDown();
					assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					// logged by the thread that stops the consumers, which runs no task: a search by taskId finds it
					assertThat(line(lines, handedBack).getMDCPropertyMap())
						.containsEntry(MdcTaskLifecycleListener.TASK_ID, prefetched.id().toString())
						.containsEntry(MdcTaskLifecycleListener.TASK_NAME, "report");
				});
		}
		finally {
			consumerLogger.detachAppender(lines);
		}
	}

	private static ILoggingEvent deadLetterLine(ListAppender<ILoggingEvent> lines) {
		return line(lines, "Dead-lettered message ");
	}

	private static ILoggingEvent line(ListAppender<ILoggingEvent> lines, String start) {
		List<ILoggingEvent> logged;
		synchronized (lines) {
			// the appender adds under this lock, on the consumer's thread
			logged = List.copyOf(lines.list);
		}
		return logged.stream()
			.filter((line) -> line.getFormattedMessage().startsWith(start))
			.findFirst()
			.orElse(null);
	}

	@Test
	void failedTaskWaitingForItsRetryIsScheduledWithTheLastError() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.backoff.initial=1h",
					"edge-runtime.queue.consumer.backoff.max=1h")
			.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				ReportLog log = context.getBean(ReportLog.class);
				log.failWith = "paper jam";
				TaskHandle<?> handle = reports.build(new Report("jammed", 1));
				await().atMost(WAIT).until(() -> log.received.size() == 1);
				DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
				await().atMost(WAIT)
					.until(() -> dispatcher.find(handle.id()).map(TaskInfo::error).isPresent());
				TaskInfo info = dispatcher.find(handle.id()).orElseThrow();
				assertThat(info.state()).isEqualTo(TaskState.SCHEDULED);
				assertThat(info.attempt()).isEqualTo(1);
				assertThat(info.error().message()).isEqualTo("paper jam");
				assertThat(info.finishedAt()).isNull();
				// waiting, as a task not started yet: its failed attempt's start stays in the message
				assertThat(info.startedAt()).isNull();
				assertThat(jdbc(context).queryForObject("SELECT headers->>'x-started-at' FROM pgmq.q_" + this.queue,
						String.class)).isNotNull();
			});
	}

	@Test
	void cancelTakesATaskNoConsumerHoldsOutOfTheQueueAndLeavesARunningOneAlone() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		// one handler, and durable tasks read no task ahead (the default, whatever the consumers' default): a
		// second task stays in the queue, leased by no one, while the first runs
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.tasks.concurrency=1", "edge-runtime.queue.consumer.prefetch=3")
			.withUserConfiguration(CancelledEvents.class)
			.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				ReportLog log = context.getBean(ReportLog.class);
				log.blockUntil = new CountDownLatch(1);
				log.started = started;
				DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
				TaskHandle<?> running = reports.build(new Report("running", 1));
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				// the only handler is busy: this one waits in the queue, held by no consumer
				TaskHandle<?> waiting = reports.build(new Report("waiting", 2));
				assertThat(dispatcher.find(waiting.id()).orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);
				DurableTaskDispatcher.Cancellation notCancelled = dispatcher.cancel(running.id()).orElseThrow();
				assertThat(notCancelled.cancelled()).isFalse();
				assertThat(notCancelled.task().state()).isEqualTo(TaskState.RUNNING);
				assertThat(notCancelled.task().startedAt()).isNotNull();
				assertThat(dispatcher.find(waiting.id()).orElseThrow().startedAt()).isNull();
				assertThat(waiting.cancel()).isTrue();
				assertThat(waiting.state()).isEqualTo(TaskState.CANCELLED);
				assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> waiting.result().get())
					.withMessageContaining("was cancelled");
				assertThat(waiting.cancel()).isFalse();
				TaskInfo cancelled = dispatcher.find(waiting.id()).orElseThrow();
				assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
				assertThat(cancelled.finishedAt()).isNotNull();
				assertThat(cancelled.error().type()).isEqualTo(CancellationException.class.getName());
				assertThat(dispatcher.cancel(waiting.id()).orElseThrow().cancelled()).isFalse();
				assertThat(context.getBean(CancelledEvents.class).ids).containsExactly(waiting.id());
				Map<String, Object> archived = jdbc(context).queryForMap("SELECT msg_id, headers->>'x-cancelled' AS "
						+ "cancelled FROM pgmq.a_" + this.queue + " WHERE headers->>'x-task-id' = ?",
						waiting.id().toString());
				assertThat(archived).containsEntry("msg_id", ((DurableTaskHandle) waiting).messageId())
					.containsEntry("cancelled", "true");
				// the running one finishes; the cancelled one is no longer in the queue for anyone to run
				log.blockUntil.countDown();
				await().atMost(WAIT)
					.until(() -> dispatcher.find(running.id()).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
				assertThat(rows(context, "q")).isZero();
				assertThat(log.received).containsExactly(new Report("running", 1));
				DurableTaskDispatcher.Cancellation ended = dispatcher.cancel(running.id()).orElseThrow();
				assertThat(ended.cancelled()).isFalse();
				assertThat(ended.task().state()).isEqualTo(TaskState.SUCCEEDED);
				assertThat(dispatcher.cancel(UUID.randomUUID())).isEmpty();
			});
	}

	@Test
	void cancelRacingTheConsumersEitherCancelsATaskOrLetsItRunNeverBothAndLosesNone() {
		// with tasks read ahead too, so that cancels also race leases of tasks that wait in a consumer
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.tasks.concurrency=4", "edge-runtime.queue.tasks.prefetch=4")
			.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				ReportLog log = context.getBean(ReportLog.class);
				DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
				// slow enough that the consumers are still at work when the cancels start
				log.workMillis = 10;
				int count = 200;
				List<TaskHandle<?>> handles = new java.util.ArrayList<>();
				for (int i = 0; i < count; i++) {
					handles.add(reports.build(new Report("r" + i, i)));
				}
				// newest first, while the four handlers work through the oldest
				Map<UUID, Integer> pages = new java.util.HashMap<>();
				java.util.Set<UUID> cancelled = new java.util.HashSet<>();
				for (int i = count - 1; i >= 0; i--) {
					TaskHandle<?> handle = handles.get(i);
					pages.put(handle.id(), i);
					if (handle.cancel()) {
						cancelled.add(handle.id());
					}
				}
				await().atMost(WAIT).until(() -> handles.stream()
					.allMatch((handle) -> dispatcher.find(handle.id()).map(TaskInfo::state).orElse(TaskState.SCHEDULED)
						.isTerminal()));
				java.util.Set<Integer> ran = new java.util.HashSet<>();
				for (Report report : log.received) {
					assertThat(ran.add(report.getPages())).as("%s ran once", report).isTrue();
				}
				for (TaskHandle<?> handle : handles) {
					int page = pages.get(handle.id());
					TaskState state = dispatcher.find(handle.id()).orElseThrow().state();
					if (cancelled.contains(handle.id())) {
						assertThat(state).as("task %d, cancelled", page).isEqualTo(TaskState.CANCELLED);
						assertThat(ran).as("task %d, cancelled", page).doesNotContain(page);
					}
					else {
						assertThat(state).as("task %d, not cancelled", page).isEqualTo(TaskState.SUCCEEDED);
						assertThat(ran).as("task %d, not cancelled", page).contains(page);
					}
				}
				assertThat(cancelled.size() + ran.size()).isEqualTo(count);
				assertThat(rows(context, "q")).isZero();
				System.out.println("Cancel racing the consumers: " + cancelled.size() + " of " + count
						+ " tasks cancelled, " + ran.size() + " ran, none both, none lost");
			});
	}

	@Test
	void durableTasksAreReadOnlyForAFreeHandlerUnlessTheirPrefetchIsSet() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.prefetch=3")
			.run((context) -> assertThat(durableTaskPrefetch(context)).isZero());
		this.contextRunner.withPropertyValues("edge-runtime.queue.tasks.prefetch=2")
			.run((context) -> assertThat(durableTaskPrefetch(context)).isEqualTo(2));
	}

	private static int durableTaskPrefetch(ApplicationContext context) {
		QueueConsumers consumers = context.getBean(QueueConsumers.class);
		return context.getBean(QueueListenerAnnotationBeanPostProcessor.class)
			.endpoints()
			.stream()
			.filter((endpoint) -> endpoint.beanName().startsWith("durableTasks["))
			.map((endpoint) -> consumers.settings(endpoint).prefetch())
			.reduce((a, b) -> {
				throw new AssertionError("more than one consumer of durable tasks");
			})
			.orElseThrow();
	}

	@Test
	void aFailedTaskRetriedOnceTheFaultIsMendedRunsAgainWithAllItsAttempts() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.backoff.initial=100ms").run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			log.failWith = "paper jam";
			TaskHandle<?> handle = reports.build(new Report("jammed", 1));
			await().atMost(WAIT)
				.until(() -> dispatcher.find(handle.id()).map(TaskInfo::state).orElse(null) == TaskState.FAILED);
			assertThat(dispatcher.find(handle.id()).orElseThrow().error().message()).contains("paper jam");
			assertThat(dispatcher.retry(UUID.randomUUID())).isEmpty();
			// the fault is mended; the failed task runs again, from its first attempt
			log.failWith = null;
			DurableTaskDispatcher.Retry retry = dispatcher.retry(handle.id()).orElseThrow();
			assertThat(retry.retried()).isTrue();
			assertThat(retry.task().state()).isNotEqualTo(TaskState.FAILED);
			assertThat(retry.task().error()).isNull();
			await().atMost(WAIT)
				.until(() -> dispatcher.find(handle.id()).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
			assertThat(dispatcher.find(handle.id()).orElseThrow().attempt()).isEqualTo(1);
			assertThat(log.received).hasSize(4).allMatch(new Report("jammed", 1)::equals);
			DurableTaskDispatcher.Retry again = dispatcher.retry(handle.id()).orElseThrow();
			assertThat(again.retried()).isFalse();
			assertThat(again.task().state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(rows(context, "q")).isZero();
		});
	}

	@Test
	void cancelTakesATaskWaitingForItsRetry() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.backoff.initial=1h",
					"edge-runtime.queue.consumer.backoff.max=1h")
			.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				ReportLog log = context.getBean(ReportLog.class);
				log.failWith = "paper jam";
				TaskHandle<?> handle = reports.build(new Report("jammed", 1));
				DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
				await().atMost(WAIT).until(() -> dispatcher.find(handle.id()).map(TaskInfo::error).isPresent());
				assertThat(dispatcher.find(handle.id()).orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);
				DurableTaskDispatcher.Cancellation outcome = dispatcher.cancel(handle.id()).orElseThrow();
				assertThat(outcome.cancelled()).isTrue();
				assertThat(outcome.task().state()).isEqualTo(TaskState.CANCELLED);
				assertThat(outcome.task().attempt()).isEqualTo(1);
				assertThat(rows(context, "q")).isZero();
				assertThat(log.received).hasSize(1);
			});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void callsSurviveARestartOfTheApplication(CapturedOutput output) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		UUID[] ids = new UUID[2];
		long[] messageIds = new long[1];
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.tasks.concurrency=1",
					"edge-runtime.queue.consumer.shutdown-max-wait=200ms", "edge-runtime.shutdown.grace-period=200ms")
			.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				ReportLog log = context.getBean(ReportLog.class);
				log.blockUntil = new CountDownLatch(1);
				log.started = started;
				TransactionTemplate transactions = transactions(context);
				TaskHandle<?> running = transactions.execute((status) -> reports.build(new Report("started", 1)));
				ids[0] = running.id();
				messageIds[0] = ((DurableTaskHandle) running).messageId();
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				// the only handler is busy and nothing is read ahead: the second call waits in the queue, leased by
				// no one, until this context is closed
				ids[1] = transactions.execute((status) -> reports.build(new Report("waiting", 2))).id();
				assertThat(context.getBean(DurableTaskDispatcher.class).find(ids[1]).orElseThrow().state())
					.isEqualTo(TaskState.SCHEDULED);
			});
		// closed with the first call still running (handed back to the queue) and the second never started
		assertThat(rows("q")).isEqualTo(2);
		// the line names the task by the id its status takes, as the dead letter's does
		assertThat(output).contains("Handed message " + messageIds[0] + " of queue '" + this.queue + "' (durable task "
				+ ids[0] + " (report)) back at shutdown; its handler did not finish in time");
		this.contextRunner.run((context) -> {
			ReportLog log = context.getBean(ReportLog.class);
			await().atMost(WAIT).until(() -> log.received.size() == 2);
			assertThat(log.received).containsExactlyInAnyOrder(new Report("started", 1), new Report("waiting", 2));
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			for (UUID id : ids) {
				await().atMost(WAIT)
					.until(() -> dispatcher.find(id).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
			}
			// the first was cut short by the graceful close, which is no attempt: it ran to the end at its first
			assertThat(dispatcher.find(ids[0]).orElseThrow().attempt()).isEqualTo(1);
			assertThat(dispatcher.find(ids[1]).orElseThrow().attempt()).isEqualTo(1);
		});
	}

	@Test
	void callsRunAgainOnceTheContextIsStoppedAndStartedAgain() {
		// what a checkpoint of the JVM (CRaC) does to the context: its lifecycle beans stop, then start again
		this.contextRunner.run((context) -> {
			ConfigurableApplicationContext application = context
				.getSourceApplicationContext(ConfigurableApplicationContext.class);
			Reports reports = context.getBean(Reports.class);
			ReportLog log = context.getBean(ReportLog.class);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			UUID before = transactions(context).execute((status) -> reports.build(new Report("before", 1))).id();
			await().atMost(WAIT)
				.until(() -> dispatcher.find(before).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
			application.stop();
			application.start();
			UUID after = transactions(context).execute((status) -> reports.build(new Report("after", 2))).id();
			await().atMost(WAIT)
				.until(() -> dispatcher.find(after).map(TaskInfo::state).orElse(null) == TaskState.SUCCEEDED);
			assertThat(log.received).containsExactly(new Report("before", 1), new Report("after", 2));
			assertThat(dispatcher.find(after).orElseThrow().attempt()).isEqualTo(1);
		});
	}

	@Test
	void taskDeliveredMaxAttemptsTimesWithoutAnOutcomeShowsAsManyAttemptsAsItsDeadLetterAndEvent() {
		// Two deliveries of a task allowed two ended without an outcome (the instances running it were killed):
		// its status, its dead letter's headers and the event all say 2, though the read that dead-letters it
		// is its third.
		PgmqSchemaInitializer schema = new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO);
		assertThat(schema.install()).isTrue();
		JsonMapper json = new JsonMapper();
		PgmqTemplate direct = new PgmqTemplate(new JdbcTemplate(TestDatabase.get().dataSource()), json, 1024 * 1024,
				Duration.ofHours(1), null);
		direct.createQueue(this.queue);
		UUID id = UUID.randomUUID();
		direct.send(this.queue,
				new DurableTaskMessage("reports", Reports.class.getName(), "build", List.of(Report.class.getName()),
						List.of(json.valueToTree(new Report("killer", 1)))),
				Map.of(QueueHeaders.TASK_ID, id.toString(), QueueHeaders.TASK_NAME, "report", QueueHeaders.MAX_ATTEMPTS,
						2),
				Duration.ZERO);
		for (int delivery = 1; delivery <= 2; delivery++) {
			assertThat(direct.readJson(this.queue, Duration.ZERO, 1, null)).hasSize(1);
		}
		this.contextRunner.withBean(QueueListenerTests.DeadLetters.class).run((context) -> {
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT)
				.until(() -> dispatcher.find(id).map(TaskInfo::state).orElse(null) == TaskState.FAILED);
			assertThat(context.getBean(ReportLog.class).received).as("runs past its maximum attempts").isEmpty();
			assertThat(dispatcher.find(id).orElseThrow().attempt()).isEqualTo(2);
			assertThat(jdbc(context).queryForObject("SELECT headers->>'x-attempts' FROM pgmq.a_" + this.queue,
					String.class)).isEqualTo("2");
			QueueListenerTests.DeadLetters deadLetters = context.getBean(QueueListenerTests.DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events.get(0).attempts()).isEqualTo(2);
		});
	}

	@Test
	void messageNamingAnUnknownMethodIsDeadLetteredAfterItsAttempts() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			String taskId = UUID.randomUUID().toString();
			pgmq.send(this.queue, new DurableTaskMessage("reports", Reports.class.getName(), "gone", List.of(),
					List.of()), Map.of(QueueHeaders.TASK_ID, taskId, QueueHeaders.MAX_ATTEMPTS, 2), Duration.ZERO);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT).until(() -> dispatcher.find(UUID.fromString(taskId)).isPresent()
					&& dispatcher.find(UUID.fromString(taskId)).get().state() == TaskState.FAILED);
			TaskInfo info = dispatcher.find(UUID.fromString(taskId)).orElseThrow();
			assertThat(info.attempt()).isEqualTo(2);
			assertThat(info.error().message()).contains("no durable @BackgroundTask method gone()");
		});
	}

	@Test
	void forgedCallOfAnythingButADurableMethodCallsNothing() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			ReportLog log = context.getBean(ReportLog.class);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			JsonNode command = pgmq.objectMapper().valueToTree("touch /tmp/pwned");
			// a class it names, a bean that has no durable method, a method of the durable bean that is not
			// durable, the durable method under other parameter types: a message is matched against the durable
			// methods found at start-up, by bean and signature, and nothing it names is loaded or looked up
			List<DurableTaskMessage> forged = List.of(
					new DurableTaskMessage("java.lang.Runtime", "java.lang.Runtime", "exec",
							List.of(String.class.getName()), List.of(command)),
					new DurableTaskMessage("reportLog", ReportLog.class.getName(), "toString", List.of(), List.of()),
					new DurableTaskMessage("reports", Reports.class.getName(), "hashCode", List.of(), List.of()),
					new DurableTaskMessage("reports", Reports.class.getName(), "build",
							List.of("com.example.Gadget"), List.of(command)));
			List<UUID> ids = new ArrayList<>();
			for (DurableTaskMessage message : forged) {
				UUID taskId = UUID.randomUUID();
				ids.add(taskId);
				pgmq.send(this.queue, message, Map.of(QueueHeaders.TASK_ID, taskId.toString(),
						QueueHeaders.MAX_ATTEMPTS, 1), Duration.ZERO);
			}
			for (UUID taskId : ids) {
				await().atMost(WAIT).until(() -> dispatcher.find(taskId).map(TaskInfo::state).orElse(null)
						== TaskState.FAILED);
				assertThat(dispatcher.find(taskId).orElseThrow().error().message())
					.contains("this instance has no durable @BackgroundTask method");
			}
			assertThat(log.received).isEmpty();
		});
	}

	@Test
	void textAForgedMessageBringsCannotForgeLogLines() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			ReportLog log = context.getBean(ReportLog.class);
			// a call of a method this instance has, with headers another writer of the queue forged: they go
			// into the MDC of every line the body logs
			JsonNode report = pgmq.objectMapper().valueToTree(new Report("q5", 1));
			pgmq.send(this.queue, new DurableTaskMessage("reports", Reports.class.getName(), "build",
					List.of(Report.class.getName()), List.of(report)),
					Map.of(QueueHeaders.TASK_ID, "x\r\n2026-11-24 ERROR forged", QueueHeaders.TASK_NAME,
							"report\n2026-11-24 ERROR forged"),
					Duration.ZERO);
			await().atMost(WAIT).until(() -> log.mdc.size() == 1);
			assertThat(log.mdc).containsExactly("null report\\n2026-11-24 ERROR forged");
			// a call of a method no instance has, named with line breaks and at length: its error is logged
			String taskId = UUID.randomUUID().toString();
			pgmq.send(this.queue, new DurableTaskMessage("reports\r\n2026-11-24 ERROR forged", "x",
					"gone\n" + "g".repeat(10_000), List.of(), List.of()),
					Map.of(QueueHeaders.TASK_ID, taskId, QueueHeaders.MAX_ATTEMPTS, 1), Duration.ZERO);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT).until(() -> dispatcher.find(UUID.fromString(taskId)).map(TaskInfo::state)
				.orElse(null) == TaskState.FAILED);
			String error = dispatcher.find(UUID.fromString(taskId)).orElseThrow().error().message();
			assertThat(error).doesNotContain("\n", "\r")
				.contains("no durable @BackgroundTask method gone\\ngggg")
				.contains("... (10005 characters)")
				.contains("on bean 'reports\\r\\n2026-11-24 ERROR forged'")
				.hasSizeLessThan(1000);
		});
	}

	@Test
	void messageNamingAMethodOnlyAnotherVersionHasIsLeftToAnInstanceThatHasIt() {
		// A rolling deploy: the instances of the version before share the queue, without the new method.
		String taskId = UUID.randomUUID().toString();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
					EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties())
			.withPropertyValues("edge-runtime.queue.tasks.queue=" + this.queue, "test.placeholder-queue=" + this.queue,
					"edge-runtime.queue.consumer.polling-interval=200ms",
					"edge-runtime.queue.consumer.backoff.initial=30s")
			.withUserConfiguration(PlaceholderConfiguration.class)
			.run((older) -> {
				PgmqTemplate pgmq = older.getBean(PgmqTemplate.class);
				JsonNode report = pgmq.objectMapper().valueToTree(new Report("q4", 2));
				pgmq.send(this.queue, new DurableTaskMessage("reports", Reports.class.getName(), "build",
						List.of(Report.class.getName()), List.of(report)),
						Map.of(QueueHeaders.TASK_ID, taskId, QueueHeaders.TASK_NAME, "report"), Duration.ZERO);
				// the older instance tries it once, then it waits for its retry, or it is dead-lettered
				await().atMost(WAIT).until(() -> jdbc(older).queryForObject("SELECT (SELECT count(*) FROM pgmq.q_"
						+ this.queue + " WHERE headers ? 'x-last-error') + (SELECT count(*) FROM pgmq.a_" + this.queue
						+ ")", Long.class) > 0);
				assertThat(jdbc(older).queryForObject("SELECT count(*) FROM pgmq.a_" + this.queue, Long.class))
					.as("dead-lettered by an instance without the method").isZero();
				assertThat(jdbc(older).queryForObject("SELECT headers->>'x-last-error' FROM pgmq.q_" + this.queue,
						String.class)).contains("no durable @BackgroundTask method build(");
			});
		// the older instance has stopped; its retry's backoff ends
		new JdbcTemplate(TestDatabase.get().dataSource())
			.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp()");
		this.contextRunner.run((newer) -> {
			DurableTaskDispatcher dispatcher = newer.getBean(DurableTaskDispatcher.class);
			await().atMost(WAIT).until(() -> dispatcher.find(UUID.fromString(taskId)).map(TaskInfo::state)
				.orElse(null) == TaskState.SUCCEEDED);
			assertThat(newer.getBean(ReportLog.class).received).containsExactly(new Report("q4", 2));
			assertThat(dispatcher.find(UUID.fromString(taskId)).orElseThrow().attempt()).isEqualTo(2);
		});
	}

	@Test
	void messageThatIsNoCallIsDeadLetteredAtOnceSayingWhatItLacks() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			Map<String, String> payloads = Map.of(
					"{\"a\":1}", "it has no bean, method, parameterTypes, arguments",
					"{\"bean\":\"reports\",\"method\":\"report\",\"parameterTypes\":[\"java.lang.String\"]}",
					"it has no arguments",
					"{\"bean\":\"reports\",\"method\":\"report\",\"arguments\":[]}", "it has no parameterTypes",
					"null", "it has no content (it is null)");
			Map<UUID, String> expected = new HashMap<>();
			for (Map.Entry<String, String> payload : payloads.entrySet()) {
				UUID taskId = UUID.randomUUID();
				expected.put(taskId, payload.getValue());
				pgmq.send(this.queue, pgmq.objectMapper().readTree(payload.getKey()),
						Map.of(QueueHeaders.TASK_ID, taskId.toString(), QueueHeaders.MAX_ATTEMPTS, 5), Duration.ZERO);
			}
			for (Map.Entry<UUID, String> task : expected.entrySet()) {
				await().atMost(WAIT).until(() -> dispatcher.find(task.getKey()).map(TaskInfo::state).orElse(null)
						== TaskState.FAILED);
				TaskInfo info = dispatcher.find(task.getKey()).orElseThrow();
				assertThat(info.attempt()).as(task.getValue()).isEqualTo(1);
				assertThat(info.error().message()).as(task.getValue())
					.contains("the payload is not a durable @BackgroundTask call: " + task.getValue());
			}
		});
	}

	@Test
	void durableMethodTakingAStreamFailsStartUp() {
		this.contextRunner.withUserConfiguration(StreamConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("StreamTasks.upload(InputStream) is misused: parameter 0 of type "
						+ "java.io.InputStream cannot be written to JSON");
		});
	}

	@Test
	void durableMethodsWithAnInvalidQueueFailStartUpInOneReportWithTheOtherMisuses() {
		this.contextRunner.withPropertyValues("test.bad-queue=new-orders")
			.withUserConfiguration(BadQueueConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(dev.edgeruntime.web.BackgroundTaskMisuseException.class)
					.hasMessageContaining("4 @BackgroundTask methods are misused")
					.hasMessageContaining("BadQueueTasks.badQueue(long) is misused: Invalid queue name 'bad-queue': only "
							+ "ASCII letters, digits and underscores are allowed, starting with a letter or underscore "
							+ "(bean")
					// a name from a placeholder says where it came from: the property to correct
					.hasMessageContaining("BadQueueTasks.placeholderQueue(long) is misused: Invalid queue name 'new-orders': "
							+ "only ASCII letters, digits and underscores are allowed, starting with a letter or underscore; "
							+ "the name comes from queue = \"${test.bad-queue}\" (bean")
					.hasMessageContaining("BadQueueTasks.unresolvedQueue(long) is misused: its queue '${no.such.queue}' "
							+ "has a placeholder that cannot be resolved")
					.hasMessageContaining("BadQueueTasks.upload(InputStream) is misused: parameter 0");
			});
	}

	@Test
	void durableMethodWithABudgetFailsStartUp() {
		this.contextRunner.withUserConfiguration(BudgetConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("BudgetTasks.run() is misused: wallClock, cpuTime and memory budget "
						+ "in-process tasks");
		});
	}

	@Test
	void queueWithAPlaceholderIsResolvedForTheSendAndTheConsumer() {
		this.contextRunner.withPropertyValues("test.placeholder-queue=" + this.queue + "_ph")
			.withUserConfiguration(PlaceholderConfiguration.class)
			.run((context) -> {
				PlaceholderTasks tasks = context.getBean(PlaceholderTasks.class);
				List<String> received = context.getBean(PlaceholderConfiguration.class).received;
				TaskHandle<?> handle = transactions(context).execute((status) -> tasks.run("hello"));
				assertThat(((DurableTaskHandle) handle).queue()).isEqualTo(this.queue + "_ph");
				await().atMost(WAIT).until(() -> received.contains("hello"));
			});
	}

	@Test
	void queueWithAPlaceholderThatCannotBeResolvedFailsStartUpNamingTheMethod() {
		this.contextRunner.withUserConfiguration(PlaceholderConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasMessageContaining(PlaceholderTasks.class.getName() + ".run(String) is misused: its queue "
						+ "'${test.placeholder-queue}' has a placeholder that cannot be resolved");
		});
	}

	@Test
	void argumentThatCannotBeWrittenToJsonFailsTheCall() {
		this.contextRunner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> reports.build(new Report("x", 1) {

				@SuppressWarnings("unused")
				public Object getSelf() {
					return this;
				}

			}))).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("Cannot enqueue durable task 'report': argument 0 of @BackgroundTask method "
						+ Reports.class.getName() + ".build(" + Report.class.getName() + ")");
			assertThat(rows(context, "q")).isZero();
		});
	}

	private static TransactionTemplate transactions(AssertableApplicationContext context) {
		return new TransactionTemplate(new DataSourceTransactionManager(context.getBean(DataSource.class)));
	}

	private static JdbcTemplate jdbc(AssertableApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class));
	}

	private long rows(AssertableApplicationContext context, String table) {
		return rows(jdbc(context), table);
	}

	private long rows(String table) {
		return rows(new JdbcTemplate(TestDatabase.get().dataSource()), table);
	}

	private long rows(JdbcTemplate jdbc, String table) {
		Long count = jdbc.queryForObject("SELECT count(*) FROM pgmq." + table + "_" + this.queue, Long.class);
		return (count != null) ? count : 0;
	}

	public static class Report {

		private String name;

		private int pages;

		public Report() {
		}

		public Report(String name, int pages) {
			this.name = name;
			this.pages = pages;
		}

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public int getPages() {
			return this.pages;
		}

		public void setPages(int pages) {
			this.pages = pages;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Report report && report.name.equals(this.name) && report.pages == this.pages;
		}

		@Override
		public int hashCode() {
			return this.name.hashCode();
		}

		@Override
		public String toString() {
			return "Report[" + this.name + ", " + this.pages + "]";
		}

	}

	/** What the durable method saw and how it behaves; the method's bean is a proxy without state. */
	static class ReportLog {

		final List<Report> received = new CopyOnWriteArrayList<>();

		/** {@code taskId taskName} of the MDC in the body. */
		final List<String> mdc = new CopyOnWriteArrayList<>();

		volatile String failWith;

		volatile CountDownLatch started;

		volatile CountDownLatch blockUntil;

		volatile long workMillis;

	}

	public static class Reports {

		private final ReportLog log;

		public Reports(ReportLog log) {
			this.log = log;
		}

		@BackgroundTask(name = "report", durable = true, maxAttempts = 3)
		public TaskHandle<?> build(Report report) {
			ReportLog log = this.log;
			log.mdc.add(MDC.get("taskId") + " " + MDC.get("taskName"));
			CountDownLatch start = log.started;
			if (start != null) {
				start.countDown();
			}
			CountDownLatch block = log.blockUntil;
			if (block != null) {
				try {
					block.await();
				}
				catch (InterruptedException ex) {
					// the shutdown gave up on this run; the message goes back to the queue
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted", ex);
				}
			}
			if (log.workMillis > 0) {
				try {
					Thread.sleep(log.workMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted", ex);
				}
			}
			log.received.add(report);
			if (log.failWith != null) {
				throw new IllegalStateException(log.failWith);
			}
			return null;
		}

	}

	static class CancelledEvents implements ApplicationListener<TaskCancelledEvent> {

		final List<UUID> ids = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(TaskCancelledEvent event) {
			this.ids.add(event.task().id());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReportsConfiguration {

		@Bean
		ReportLog reportLog() {
			return new ReportLog();
		}

		@Bean
		Reports reports(ReportLog log) {
			return new Reports(log);
		}

	}

	public static class StreamTasks {

		@BackgroundTask(durable = true)
		public void upload(InputStream content) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StreamConfiguration {

		@Bean
		StreamTasks streamTasks() {
			return new StreamTasks();
		}

	}

	public static class BadQueueTasks {

		@BackgroundTask(durable = true, queue = "bad-queue")
		public void badQueue(long id) {
		}

		@BackgroundTask(durable = true, queue = "${no.such.queue}")
		public void unresolvedQueue(long id) {
		}

		@BackgroundTask(durable = true, queue = "${test.bad-queue}")
		public void placeholderQueue(long id) {
		}

		@BackgroundTask(durable = true)
		public void upload(InputStream content) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadQueueConfiguration {

		@Bean
		BadQueueTasks badQueueTasks() {
			return new BadQueueTasks();
		}

	}

	public static class PlaceholderTasks {

		private final List<String> received;

		public PlaceholderTasks(List<String> received) {
			this.received = received;
		}

		@BackgroundTask(durable = true, queue = "${test.placeholder-queue}")
		public TaskHandle<?> run(String text) {
			this.received.add(text);
			return null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderConfiguration {

		final List<String> received = new CopyOnWriteArrayList<>();

		@Bean
		PlaceholderTasks placeholderTasks() {
			return new PlaceholderTasks(this.received);
		}

	}

	public static class BudgetTasks {

		@BackgroundTask(durable = true, wallClock = "10s")
		public void run() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BudgetConfiguration {

		@Bean
		BudgetTasks budgetTasks() {
			return new BudgetTasks();
		}

	}

}
