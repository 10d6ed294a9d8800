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

/**
 * Waits for the background tasks of an {@link EdgeRuntime} in tests.
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

	private BackgroundTasks() {
	}

	/**
	 * Waits until every task has settled: none is scheduled or running, and every task's place in
	 * {@code max-in-flight} is released.
	 * @param runtime the runtime
	 * @param timeout how long to wait at most
	 * @throws AssertionError if tasks are still unsettled after the timeout, listing each by id, name,
	 * state, origin and progress
	 */
	public static void awaitSettled(EdgeRuntime runtime, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isSettled(runtime)) {
			if (System.nanoTime() - deadline >= 0) {
				List<TaskInfo> unsettled = unsettled(runtime);
				throw new AssertionError(describe(unsettled, runtime.status().inFlight(), timeout));
			}
			LockSupport.parkNanos(POLL_NANOS);
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

	private static boolean isSettled(EdgeRuntime runtime) {
		return unsettled(runtime).isEmpty() && runtime.status().inFlight() == 0;
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
		TaskOrigin origin = task.origin();
		if (origin.method() != null) {
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

}
