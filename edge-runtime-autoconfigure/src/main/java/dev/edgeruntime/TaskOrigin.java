package dev.edgeruntime;

import org.jspecify.annotations.Nullable;

/**
 * Where a task was started: the HTTP request being served, if any, and the trace it belongs to.
 *
 * @param method the HTTP method, or {@code null} outside a request
 * @param path the request path, or {@code null} outside a request
 * @param traceId the trace id found in the logging context, or {@code null}
 * @param principal the name of the authenticated user who started the task, or {@code null}
 * @param remoteAddress the address of the client whose request or connection started the task, or
 * {@code null} when unknown (tasks of plain HTTP requests leave it out, WebSocket sessions set it)
 * @author edge-runtime developers
 */
public record TaskOrigin(@Nullable String method, @Nullable String path, @Nullable String traceId,
		@Nullable String principal, @Nullable String remoteAddress) {

	private static final TaskOrigin NONE = new TaskOrigin(null, null, null, null, null);

	/**
	 * An origin without a remote address.
	 * @param method the HTTP method, or {@code null} outside a request
	 * @param path the request path, or {@code null} outside a request
	 * @param traceId the trace id found in the logging context, or {@code null}
	 * @param principal the name of the authenticated user who started the task, or {@code null}
	 */
	public TaskOrigin(@Nullable String method, @Nullable String path, @Nullable String traceId,
			@Nullable String principal) {
		this(method, path, traceId, principal, null);
	}

	/**
	 * The origin of a task started outside any request or trace.
	 * @return the empty origin
	 */
	public static TaskOrigin none() {
		return NONE;
	}

}
