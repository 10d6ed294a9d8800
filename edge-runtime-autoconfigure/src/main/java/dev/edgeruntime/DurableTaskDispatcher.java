package dev.edgeruntime;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Hands {@code @BackgroundTask(durable = true)} calls to the durable tier (a queue) instead of running
 * them in process. Without a bean of this type, a durable {@link BackgroundTask} fails start-up.
 *
 * @author edge-runtime developers
 */
@FunctionalInterface
public interface DurableTaskDispatcher {

	/**
	 * Enqueues one call. Called on the caller's thread, inside its transaction if any.
	 * @param invocation the call
	 * @return a handle of the durable task
	 */
	TaskHandle<?> dispatch(DurableInvocation invocation);

	/**
	 * A durable task by the id of the handle {@link #dispatch} returned, for the task status resource.
	 * @param id the task id
	 * @return the task, or empty when unknown (or not kept)
	 * @throws DurableTaskUnreadableException when the task exists but its record cannot be read (its headers
	 * too large or unparseable)
	 */
	default Optional<TaskInfo> find(UUID id) {
		return Optional.empty();
	}

	/**
	 * Cancels a durable task that no consumer holds: one not read yet, or waiting for a retry. Its message
	 * leaves the queue, so no consumer on any instance runs it, and its status reads
	 * {@link TaskState#CANCELLED}. A task a consumer has read (running, or prefetched for a handler) and a
	 * task that has ended are not cancelled.
	 * @param id the task id
	 * @return whether this call cancelled the task, and the task as it is now; empty when unknown
	 * @throws DurableTaskUnreadableException when the task's record cannot be read (its headers too large or
	 * unparseable): it is left as it is
	 */
	default Optional<Cancellation> cancel(UUID id) {
		return Optional.empty();
	}

	/**
	 * The outcome of {@link #cancel(UUID)}.
	 *
	 * @param cancelled whether this call cancelled the task
	 * @param task the task as it is after the call
	 */
	record Cancellation(boolean cancelled, TaskInfo task) {

	}

	/**
	 * Runs a durable task that failed ({@link TaskState#FAILED}: dead-lettered after its last attempt) again,
	 * for example once the fault is mended: its message goes back to its queue with all its attempts, and
	 * its status reads {@link TaskState#SCHEDULED} until a consumer takes it. A task in any other state is
	 * left as it is.
	 * @param id the task id
	 * @return whether this call sent the task back, and the task as it is now; empty when unknown
	 * @throws DurableTaskUnreadableException when the task's record cannot be read (its headers too large or
	 * unparseable): it is left as it is
	 */
	default Optional<Retry> retry(UUID id) {
		return Optional.empty();
	}

	/**
	 * The outcome of {@link #retry(UUID)}.
	 *
	 * @param retried whether this call sent the task back to its queue
	 * @param task the task as it is after the call
	 */
	record Retry(boolean retried, TaskInfo task) {

	}

	/**
	 * One call of a durable {@code @BackgroundTask} method.
	 *
	 * @param targetClass the class of the bean whose method was called
	 * @param method the annotated method
	 * @param arguments the arguments
	 * @param name the task name
	 * @param queue the queue, or {@code null} for the default
	 * @param maxAttempts the maximum number of attempts, or {@code 0} for the default
	 * @param options the task's name and budgets
	 */
	record DurableInvocation(Class<?> targetClass, Method method, List<@Nullable Object> arguments, String name,
			@Nullable String queue, int maxAttempts, TaskOptions options) {

	}

}
