package dev.edgeruntime.actuate;

import java.util.UUID;

import dev.edgeruntime.actuate.BackgroundTasksEndpoint.CancelDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.RetryDescriptor;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link BackgroundTasksEndpoint}: a cancel
 * answers {@code 404 Not Found} for an unknown task and {@code 409 Conflict} for a task that has already
 * ended; a retry, {@code 404} for an unknown task and {@code 409} for one that is not a failed durable task.
 *
 * @author edge-runtime developers
 */
@EndpointWebExtension(endpoint = BackgroundTasksEndpoint.class)
public class BackgroundTasksEndpointWebExtension {

	static final int STATUS_CONFLICT = 409;

	private final BackgroundTasksEndpoint delegate;

	/**
	 * Creates a new instance.
	 * @param delegate the endpoint
	 */
	public BackgroundTasksEndpointWebExtension(BackgroundTasksEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Cancels a task.
	 * @param id the task id
	 * @return {@code 200} with the cancelled task, {@code 404} when unknown, {@code 409} with the task when
	 * it has already ended
	 */
	@DeleteOperation
	public WebEndpointResponse<CancelDescriptor> cancel(@Selector UUID id) {
		CancelDescriptor outcome = this.delegate.cancel(id);
		if (outcome == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		return new WebEndpointResponse<>(outcome,
				outcome.cancelled() ? WebEndpointResponse.STATUS_OK : STATUS_CONFLICT);
	}

	/**
	 * Runs a failed durable task again.
	 * @param id the task id
	 * @return {@code 200} with the task sent back to its queue, {@code 404} when unknown, {@code 409} with
	 * the task when it is not a failed durable task
	 */
	@WriteOperation
	public WebEndpointResponse<RetryDescriptor> retry(@Selector UUID id) {
		RetryDescriptor outcome = this.delegate.retry(id);
		if (outcome == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		return new WebEndpointResponse<>(outcome, outcome.retried() ? WebEndpointResponse.STATUS_OK : STATUS_CONFLICT);
	}

}
