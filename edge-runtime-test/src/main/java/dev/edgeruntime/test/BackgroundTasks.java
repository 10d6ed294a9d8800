package dev.edgeruntime.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.TaskState;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.util.StringUtils;

/**
 * Waits for the background tasks of an {@link EdgeRuntime} in tests, and for the durable work of an
 * application's queues with {@link #awaitSettled(ApplicationContext, Duration)}.
 *
 * <pre class="code">
 * mvc.post().uri("/orders").exchange();
 * BackgroundTasks.awaitSettled(runtime, Duration.ofSeconds(5));
 * assertThat(mailbox.received()).hasSize(1);
 * </pre>
 *
 * @author edge-runtime developers
 */
public final class BackgroundTasks {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private static final long DURABLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

	private BackgroundTasks() {
	}

	/**
	 * Waits until every task has settled: none is scheduled or running, and every task's place in
	 * {@code max-in-flight} is released. Durable work (a queue's messages) is not waited for: see
	 * {@link #awaitSettled(ApplicationContext, Duration)}.
	 * @param runtime the runtime
	 * @param timeout how long to wait at most
	 * @throws AssertionError if tasks are still unsettled after the timeout, listing each by id, name,
	 * state, origin and progress
	 */
	public static void awaitSettled(EdgeRuntime runtime, Duration timeout) {
		awaitSettled(runtime, null, timeout);
	}

	/**
	 * Waits until the application's background work has settled, in process and durable: every task of
	 * its {@link EdgeRuntime} has, as {@link #awaitSettled(EdgeRuntime, Duration)} says, and none of the
	 * queues its consumers read ({@code @QueueListener} methods, durable {@code @BackgroundTask} methods)
	 * holds a message, whether ready, being handled, or waiting for a retry's backoff or a delay. Work that
	 * passes from one to the other (a task that sends a message, a handler that starts a task) is followed
	 * until all of it has ended. A message dead-lettered after its last attempt has settled (assert on it
	 * with {@code MessageDeadLetteredEvent} or the task's status). Without the durable tier this is
	 * {@link #awaitSettled(EdgeRuntime, Duration)}.
	 * <pre class="code">
	 * mvc.post().uri("/receipts").param("order", "42").exchange();   // a durable &#64;BackgroundTask
	 * BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
	 * assertThat(mailbox.received()).hasSize(1);
	 * </pre>
	 * @param context the application context, such as the one a {@code @SpringBootTest} injects
	 * @param timeout how long to wait at most
	 * @throws AssertionError if work is still unsettled after the timeout, listing the tasks and the queues
	 * that still hold messages
	 */
	public static void awaitSettled(ApplicationContext context, Duration timeout) {
		awaitSettled(context.getBean(EdgeRuntime.class), DurableWork.of(context), timeout);
	}

	private static void awaitSettled(EdgeRuntime runtime, @Nullable DurableWork durable, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		// a poll of the durable work reads the database: not as often as one of the runtime alone
		long poll = (durable != null) ? DURABLE_POLL_NANOS : POLL_NANOS;
		while (true) {
			// the failure describes the tasks as the look that found them unsettled saw them: a task that
			// ends just after it is not reported as "all ended"
			InProcess tasks = InProcess.of(runtime);
			DurableWork.@Nullable Snapshot queues = null;
			if (tasks.settled()) {
				if (durable == null) {
					return;
				}
				// Each hand-over overlaps: a task ends after its send, a message is deleted after its handler
				// started its tasks. So work that hid from one look (a handler's task that ended after sending
				// again) shows in the next, or in the count of messages ever sent.
				queues = durable.snapshot();
				if (queues.empty()) {
					tasks = InProcess.of(runtime);
					if (tasks.settled()) {
						DurableWork.Snapshot again = durable.snapshot();
						if (again.empty() && again.sent() == queues.sent()) {
							return;
						}
						queues = again;
					}
				}
			}
			else if (durable != null) {
				queues = durable.snapshot();
			}
			if (System.nanoTime() - deadline >= 0) {
				throw new AssertionError(describe(tasks, durable, queues, timeout));
			}
			LockSupport.parkNanos(poll);
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				throw new AssertionError("Interrupted while waiting for background tasks to settle");
			}
		}
	}

	/**
	 * The tasks that have not reached a final state.
	 * @param runtime the runtime
	 * @return the scheduled and running tasks, newest first
	 */
	public static List<TaskInfo> unsettled(EdgeRuntime runtime) {
		return runtime.tasks().stream().filter((task) -> !task.state().isTerminal()).toList();
	}

	private static String describe(InProcess tasks, @Nullable DurableWork durable,
			DurableWork.@Nullable Snapshot queues, Duration timeout) {
		List<TaskInfo> unsettled = tasks.unsettled();
		int inFlight = tasks.inFlight();
		boolean inProcessSettled = tasks.settled();
		List<String> messages = (durable != null && queues != null) ? durable.describe(queues) : List.of();
		if (durable == null || (messages.isEmpty() && !inProcessSettled)) {
			return describe(unsettled, inFlight, timeout);
		}
		String durableWork = "Durable work did not settle within " + timeout + ": " + (messages.isEmpty()
				? "messages were still being sent to the queues while the tasks and queues were looked at"
				: messages.stream().collect(Collectors.joining("\n - ", "\n - ", "")));
		if (inProcessSettled) {
			return durableWork;
		}
		return describe(unsettled, inFlight, timeout) + "\n" + durableWork;
	}

	private static String describe(List<TaskInfo> unsettled, int inFlight, Duration timeout) {
		if (unsettled.isEmpty()) {
			return "Background tasks did not settle within " + timeout + ": all ended, but " + inFlight
					+ " still hold a place in max-in-flight";
		}
		return unsettled.size() + " background task" + ((unsettled.size() == 1) ? "" : "s")
				+ " did not settle within " + timeout + ":" + unsettled.stream()
					.map(BackgroundTasks::describe)
					.collect(Collectors.joining("\n - ", "\n - ", ""));
	}

	private static String describe(TaskInfo task) {
		StringBuilder description = new StringBuilder();
		description.append(task.id()).append(" (").append(task.name()).append(") ").append(task.state());
		if (task.startedAt() != null) {
			description.append(" since ").append(task.startedAt());
		}
		if (task.state() == TaskState.SCHEDULED) {
			description.append(" (not started: it waits for the transaction it was called in to commit, or for its "
					+ "request to end; the transaction of a @Transactional test ends after the test, and rolls back, "
					+ "which drops the task)");
		}
		TaskOrigin origin = task.origin();
		if (StringUtils.hasText(origin.method())) {
			description.append(", started by ").append(origin.method()).append(' ').append(origin.path());
		}
		TaskProgress progress = task.progress();
		if (progress != null) {
			description.append(", progress ").append(progress.done());
			if (progress.total() > 0) {
				description.append('/').append(progress.total());
			}
			if (progress.message() != null) {
				description.append(" '").append(progress.message()).append('\'');
			}
		}
		return description.toString();
	}

	/**
	 * One look at the runtime's tasks: those not ended yet, and the places still held in
	 * {@code max-in-flight}.
	 *
	 * @param unsettled the scheduled and running tasks
	 * @param inFlight the places held
	 */
	private record InProcess(List<TaskInfo> unsettled, int inFlight) {

		static InProcess of(EdgeRuntime runtime) {
			return new InProcess(BackgroundTasks.unsettled(runtime), runtime.status().inFlight());
		}

		boolean settled() {
			return this.unsettled.isEmpty() && this.inFlight == 0;
		}

	}

}
