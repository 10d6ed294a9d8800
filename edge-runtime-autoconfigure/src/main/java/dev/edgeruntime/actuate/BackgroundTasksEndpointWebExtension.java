package dev.edgeruntime.actuate;

import java.util.UUID;

import dev.edgeruntime.DurableTaskUnreadableException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.CancelDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.RetryDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TaskDescriptor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link BackgroundTasksEndpoint}: a read or a
 * cancel answers {@code 404 Not Found} for an unknown task, and a cancel {@code 409 Conflict} for a task that
 * has already ended; a retry, {@code 404} for an unknown task and {@code 409} for one that is not a failed
 * durable task. A malformed id, or a {@code state} filter that is no {@link TaskState} (nor {@code active}),
 * answers {@code 400 Bad Request}; a durable task whose record cannot be read
 * ({@link DurableTaskUnreadableException}: its headers too large or unparseable, written by another writer of its
 * queue), {@code 404 Not Found} (a record that cannot be read is no task this endpoint can show or act on;
 * nothing of this application failed), and a cancel or retry of it changes nothing. Each of these answers
 * carries an {@link ErrorDescriptor} that says why: for an unreadable task, its message, queue and what stops
 * the read.
 *
 * @author edge-runtime developers
 */
@EndpointWebExtension(endpoint = BackgroundTasksEndpoint.class)
public class BackgroundTasksEndpointWebExtension {

	static final int STATUS_CONFLICT = 409;

	/**
	 * The {@code state} filter for the tasks not yet ended (scheduled or running), as the dashboard has it.
	 */
	static final String ACTIVE = "active";

	private final BackgroundTasksEndpoint delegate;

	/**
	 * Creates a new instance.
	 * @param delegate the endpoint
	 */
	public BackgroundTasksEndpointWebExtension(BackgroundTasksEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * The report of {@link BackgroundTasksEndpoint#tasks(TaskState, String)}.
	 * @param state only tasks in this state (any {@link TaskState}, in any case, with or without its
	 * {@code _}), {@code active} for those not yet ended, or {@code null} or empty for all
	 * @param name only tasks with this name, or {@code null} or empty for all
	 * @return {@code 200} with the report, {@code 400} when {@code state} is neither a {@link TaskState} nor
	 * {@code active}
	 */
	@ReadOperation
	public WebEndpointResponse<Object> tasks(@Nullable String state, @Nullable String name) {
		// an empty filter (?state=) filters nothing, as the actuator's own conversion had it
		if (state == null || state.isBlank()) {
			return new WebEndpointResponse<>(this.delegate.tasks(null, name));
		}
		if (ACTIVE.equalsIgnoreCase(state.strip())) {
			return new WebEndpointResponse<>(this.delegate.tasksWhere((candidate) -> !candidate.isTerminal(), name));
		}
		TaskState wanted = TaskRequests.state(state);
		if (wanted == null) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST,
					TaskRequests.unknownState(state) + ", or " + ACTIVE + " for those not ended");
		}
		return new WebEndpointResponse<>(this.delegate.tasks(wanted, name));
	}

	/**
	 * One task, as {@link BackgroundTasksEndpoint#task(UUID)} finds it.
	 * @param id the task id
	 * @return {@code 200} with the task, {@code 404} when unknown, {@code 400} when {@code id} is no task id
	 */
	@ReadOperation
	public WebEndpointResponse<Object> task(@Selector String id) {
		UUID taskId = TaskRequests.id(id);
		if (taskId == null) {
			return malformed(id);
		}
		TaskDescriptor task;
		try {
			task = this.delegate.task(taskId);
		}
		catch (DurableTaskUnreadableException ex) {
			return unreadable(ex);
		}
		return (task != null) ? new WebEndpointResponse<>(task) : unknown(taskId);
	}

	/**
	 * Cancels a task.
	 * @param id the task id
	 * @return {@code 200} with the cancelled task, {@code 404} when unknown, {@code 409} with the task when
	 * it has already ended, {@code 400} when {@code id} is no task id
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> cancel(@Selector String id) {
		UUID taskId = TaskRequests.id(id);
		if (taskId == null) {
			return malformed(id);
		}
		CancelDescriptor outcome;
		try {
			outcome = this.delegate.cancel(taskId);
		}
		catch (DurableTaskUnreadableException ex) {
			return unreadable(ex);
		}
		if (outcome == null) {
			return unknown(taskId);
		}
		return new WebEndpointResponse<>(outcome,
				outcome.cancelled() ? WebEndpointResponse.STATUS_OK : STATUS_CONFLICT);
	}

	/**
	 * Runs a failed durable task again.
	 * @param id the task id
	 * @return {@code 200} with the task sent back to its queue, {@code 404} when unknown, {@code 409} with
	 * the task when it is not a failed durable task, {@code 400} when {@code id} is no task id
	 */
	@WriteOperation
	public WebEndpointResponse<Object> retry(@Selector String id) {
		UUID taskId = TaskRequests.id(id);
		if (taskId == null) {
			return malformed(id);
		}
		RetryDescriptor outcome;
		try {
			outcome = this.delegate.retry(taskId);
		}
		catch (DurableTaskUnreadableException ex) {
			return unreadable(ex);
		}
		if (outcome == null) {
			return unknown(taskId);
		}
		return new WebEndpointResponse<>(outcome, outcome.retried() ? WebEndpointResponse.STATUS_OK : STATUS_CONFLICT);
	}

	private static WebEndpointResponse<Object> malformed(String id) {
		return error(WebEndpointResponse.STATUS_BAD_REQUEST, TaskRequests.malformedId(id));
	}

	private static WebEndpointResponse<Object> unknown(UUID id) {
		return error(WebEndpointResponse.STATUS_NOT_FOUND, TaskRequests.unknownTask(id));
	}

	/**
	 * A durable task whose record cannot be read: no task to show or act on, and the operator is told why, in
	 * full. Not a server error: the record is another writer's, and nothing here failed.
	 */
	private static WebEndpointResponse<Object> unreadable(DurableTaskUnreadableException ex) {
		return error(WebEndpointResponse.STATUS_NOT_FOUND, ex.getMessage());
	}

	private static WebEndpointResponse<Object> error(int status, String message) {
		return new WebEndpointResponse<>(new ErrorDescriptor(status, message), status);
	}

	/**
	 * Why a request of the endpoint was not answered with a task or a report.
	 *
	 * @param status the HTTP status
	 * @param message what was wrong, for a person
	 */
	public record ErrorDescriptor(int status, String message) implements OperationResponseBody {

	}

}
