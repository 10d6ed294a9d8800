package dev.edgeruntime;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * Tracks work that outlives the request that started it, like {@code EdgeRuntime.waitUntil} in Supabase
 * Edge Functions: the work runs under budgets, hears {@code beforeunload}, shows in the actuator
 * endpoint, and the application does not finish shutting down while it runs (up to
 * {@code edge-runtime.shutdown.grace-period}).
 *
 * <pre class="code">
 * &#064;PostMapping("/relay")
 * String relay(&#064;RequestBody String url) {
 *     runtime.waitUntil(() -&gt; fetchAndLog(url));   // does not block
 *     return "ok";
 * }
 * </pre>
 *
 * None of the {@code waitUntil} methods blocks. Each throws {@link TaskRejectedException} when the task
 * is refused (shutdown, {@code max-in-flight}, memory pressure).
 *
 * @author edge-runtime developers
 */
public interface EdgeRuntime {

	/**
	 * Tracks work that is already running, such as a {@code CompletableFuture} from an HTTP client.
	 * Only its wall clock can be budgeted: at the end of the budget the stage is cancelled if it is a
	 * {@code CompletableFuture}, and the task ends either way.
	 * @param <T> the result type
	 * @param work the running work
	 * @return the task's handle
	 */
	default <T> TaskHandle<T> waitUntil(CompletionStage<T> work) {
		return waitUntil(TaskOptions.defaults(), work);
	}

	/**
	 * Runs work in the background and tracks it.
	 * @param <T> the result type
	 * @param work the work
	 * @return the task's handle
	 */
	default <T> TaskHandle<T> waitUntil(Callable<T> work) {
		return waitUntil(TaskOptions.defaults(), work);
	}

	/**
	 * Runs work in the background and tracks it.
	 * @param work the work
	 * @return the task's handle
	 */
	default TaskHandle<Void> waitUntil(Runnable work) {
		return waitUntil(TaskOptions.defaults(), work);
	}

	/**
	 * Tracks work that is already running, with a name and budgets.
	 * @param <T> the result type
	 * @param options the task's name and budgets
	 * @param work the running work
	 * @return the task's handle
	 */
	<T> TaskHandle<T> waitUntil(TaskOptions options, CompletionStage<T> work);

	/**
	 * Runs work in the background with a name and budgets.
	 * @param <T> the result type
	 * @param options the task's name and budgets
	 * @param work the work
	 * @return the task's handle
	 */
	<T> TaskHandle<T> waitUntil(TaskOptions options, Callable<T> work);

	/**
	 * Runs work in the background with a name and budgets.
	 * @param options the task's name and budgets
	 * @param work the work
	 * @return the task's handle
	 */
	default TaskHandle<Void> waitUntil(TaskOptions options, Runnable work) {
		return waitUntil(options, () -> {
			work.run();
			return null;
		});
	}

	/**
	 * A task by id, in flight or recently finished.
	 * @param id the task id
	 * @return the task's handle, or empty when unknown or no longer retained
	 */
	Optional<TaskHandle<?>> find(UUID id);

	/**
	 * Snapshots of the tasks in flight and the recently finished ones still retained, newest first.
	 * @return the tasks
	 */
	List<TaskInfo> tasks();

	/**
	 * The runtime's status: capacity, counts and whether it accepts new tasks.
	 * @return the status
	 */
	RuntimeStatus status();

}
