package dev.edgeruntime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The running task, seen from inside it: its id and name, time left, whether it is being unloaded, a
 * place to report progress, and its ephemeral storage.
 *
 * <pre class="code">
 * runtime.waitUntil(() -&gt; {
 *     TaskContext task = TaskContext.current();
 *     for (int i = 0; i &lt; files.size() &amp;&amp; !task.isUnloading(); i++) {
 *         process(files.get(i), task.tempDir());
 *         task.progress(i + 1, files.size(), "processed " + files.get(i));
 *     }
 * });
 * </pre>
 *
 * @author edge-runtime developers
 */
public interface TaskContext {

	/**
	 * The task running on this thread.
	 * @return the task's context
	 * @throws IllegalStateException when called outside a background task
	 */
	static TaskContext current() {
		TaskContext context = TaskContextHolder.get();
		if (context == null) {
			throw new IllegalStateException(
					"No background task is running on thread '" + Thread.currentThread().getName() + "'");
		}
		return context;
	}

	/**
	 * The task running on this thread, if any.
	 * @return the task's context, or empty outside a background task
	 */
	static Optional<TaskContext> find() {
		return Optional.ofNullable(TaskContextHolder.get());
	}

	/**
	 * The task's id.
	 * @return the id
	 */
	UUID id();

	/**
	 * The task's name.
	 * @return the name
	 */
	String name();

	/**
	 * The wall-clock time left before the task's budget runs out, never negative.
	 * @return the time left
	 */
	Duration remaining();

	/**
	 * Whether a {@code beforeunload} announced to this task is in force: a budget is nearly used up, the
	 * application is shutting down, or the instance is under memory pressure. A well-behaved task saves its
	 * state and stops soon after. A budget or the shutdown holds until the task ends, except the wall clock's
	 * when a {@link BeforeUnloadEvent} listener grants an extension: the task is not about to be stopped any
	 * more, and is unloading again at the ratio of its new budget. Memory pressure holds only while it lasts: a
	 * task that goes on through it is no longer unloading once it is over.
	 * @return {@code true} while unloading is announced
	 */
	boolean isUnloading();

	/**
	 * The reason of the last {@code beforeunload} announced to this task that is still in force: once memory
	 * pressure is over, or the wall clock extended, the reason before it (or {@code null}).
	 * @return the reason, or {@code null}
	 */
	@Nullable UnloadReason unloadReason();

	/**
	 * Whether the task was cancelled or stopped; the same as the thread's interrupt flag for thread-bound
	 * tasks, but not cleared by reading it.
	 * @return {@code true} once the task should stop
	 */
	boolean isCancelled();

	/**
	 * Reports progress, shown in the task status resource and the actuator endpoint.
	 * @param done units done
	 * @param total units in all, or {@code 0} when unknown
	 * @param message what the task is doing, or {@code null}
	 */
	void progress(long done, long total, @Nullable String message);

	/**
	 * The task's ephemeral storage.
	 * @return the storage
	 */
	TaskStorage storage();

	/**
	 * The task's ephemeral directory, created on first use and deleted when the task ends.
	 * @return the directory
	 */
	default Path tempDir() {
		return storage().dir();
	}

}
