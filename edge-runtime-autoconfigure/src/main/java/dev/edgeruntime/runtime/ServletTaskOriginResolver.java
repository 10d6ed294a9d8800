package dev.edgeruntime.runtime;

import java.security.Principal;
import java.util.function.Supplier;

import dev.edgeruntime.TaskOrigin;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Finds a task's origin in the servlet request bound to the submitting thread.
 *
 * @author edge-runtime developers
 */
public final class ServletTaskOriginResolver implements TaskOriginResolver {

	private final Supplier<@Nullable String> traceId;

	/**
	 * Creates a new instance.
	 * @param traceId supplies the current trace id, or {@code null}
	 */
	public ServletTaskOriginResolver(Supplier<@Nullable String> traceId) {
		this.traceId = traceId;
	}

	@Override
	public TaskOrigin resolve() {
		String trace = this.traceId.get();
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (attributes instanceof ServletRequestAttributes servlet) {
			HttpServletRequest request = servlet.getRequest();
			Principal principal = request.getUserPrincipal();
			return new TaskOrigin(request.getMethod(), request.getRequestURI(), trace,
					(principal != null) ? principal.getName() : null);
		}
		return (trace != null) ? new TaskOrigin(null, null, trace, null) : TaskOrigin.none();
	}

}
