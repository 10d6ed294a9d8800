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
			return new TaskOrigin(request.getMethod(), withoutPathParameters(request.getRequestURI()), trace,
					(principal != null) ? principal.getName() : null);
		}
		return (trace != null) ? new TaskOrigin(null, null, trace, null) : TaskOrigin.none();
	}

	/**
	 * A request path as a task's origin shows it: without the {@code ;name=value} parameters of its segments
	 * ({@code /jobs;jsessionid=...} is {@code /jobs}), which may carry a session id or a token and which
	 * Spring MVC does not match on either. The query string is never part of it.
	 * @param path the raw path
	 * @return the path without its segments' parameters
	 */
	public static String withoutPathParameters(String path) {
		int semicolon = path.indexOf(';');
		if (semicolon < 0) {
			return path;
		}
		StringBuilder kept = new StringBuilder(path.length());
		int i = 0;
		while (i < path.length()) {
			int parameters = path.indexOf(';', i);
			if (parameters < 0) {
				kept.append(path, i, path.length());
				break;
			}
			kept.append(path, i, parameters);
			int nextSegment = path.indexOf('/', parameters);
			if (nextSegment < 0) {
				break;
			}
			i = nextSegment;
		}
		return kept.toString();
	}

}
