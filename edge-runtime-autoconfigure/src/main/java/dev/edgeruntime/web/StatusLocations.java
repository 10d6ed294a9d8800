package dev.edgeruntime.web;

import java.net.URI;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import org.jspecify.annotations.Nullable;

import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Builds the URL of a task's status resource from the request, as the links of the application's own
 * controllers are built: its scheme, host and port, the context path, the servlet path when the
 * {@code DispatcherServlet} is mapped to a path prefix ({@code spring.mvc.servlet.path}), the base path and
 * the task id.
 * <p>
 * All but the id is the same for nearly every request to an application, so the part before the id is
 * kept from the last request and reused while scheme, host, port, context path and servlet path match.
 *
 * @author edge-runtime developers
 */
final class StatusLocations {

	private final String basePath;

	private volatile @Nullable Prefix last;

	/**
	 * Creates a new instance.
	 * @param basePath the base path of the task status resource
	 */
	StatusLocations(String basePath) {
		this.basePath = basePath;
	}

	/**
	 * The status URL of a task, as a string, when it is all ASCII (then the {@code Location} header and the
	 * body say the same).
	 * @param request the request that started the task
	 * @param id the task id
	 * @return the URL, or {@code null} if it has characters other than ASCII ({@link #build} gives it then)
	 */
	@Nullable String ascii(HttpServletRequest request, String id) {
		String servletPath = servletPath(request);
		Prefix last = this.last;
		if (last != null && last.matches(request, servletPath)) {
			return last.prefix + id;
		}
		URI uri = build(request, servletPath, id);
		String location = uri.toASCIIString();
		if (!location.equals(uri.toString()) || !location.endsWith(id)) {
			return null;
		}
		this.last = new Prefix(request.getScheme(), request.getServerName(), request.getServerPort(),
				request.getContextPath(), servletPath, location.substring(0, location.length() - id.length()));
		return location;
	}

	/**
	 * The status URL of a task.
	 * @param request the request that started the task
	 * @param id the task id
	 * @return the URL
	 */
	URI build(HttpServletRequest request, String id) {
		return build(request, servletPath(request), id);
	}

	private URI build(HttpServletRequest request, String servletPath, String id) {
		return ServletUriComponentsBuilder.fromContextPath(request)
			.path(servletPath)
			.path(this.basePath)
			.pathSegment(id)
			.build()
			.toUri();
	}

	private static String servletPath(HttpServletRequest request) {
		HttpServletMapping mapping = request.getHttpServletMapping();
		return (mapping != null && mapping.getMappingMatch() == MappingMatch.PATH) ? request.getServletPath() : "";
	}

	/** The part of the status URL before the id, and what it was built from. */
	private record Prefix(String scheme, String host, int port, String contextPath, String servletPath,
			String prefix) {

		boolean matches(HttpServletRequest request, String servletPath) {
			return this.port == request.getServerPort() && this.scheme.equals(request.getScheme())
					&& this.host.equals(request.getServerName()) && this.contextPath.equals(request.getContextPath())
					&& this.servletPath.equals(servletPath);
		}

	}

}
