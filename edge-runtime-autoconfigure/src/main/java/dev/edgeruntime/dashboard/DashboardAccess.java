package dev.edgeruntime.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a request may cancel tasks and requeue dead letters from the dashboard, and which CSRF
 * token the page must send with either. Define a bean of this type to replace the default:
 * {@link SecurityDashboardAccess} with Spring Security, {@link #withoutSecurity(boolean)} without it.
 *
 * @author edge-runtime developers
 */
public interface DashboardAccess {

	/**
	 * Whether the request may cancel tasks. The page shows cancel buttons only when it may, and the cancel
	 * route refuses with {@code 403 Forbidden} when it may not.
	 * @param request the request
	 * @return {@code true} to allow cancelling
	 */
	boolean canCancel(HttpServletRequest request);

	/**
	 * Whether the request may send a queue's dead letters back to be run again. The page shows its "Run
	 * again" buttons only when it may, and the requeue route refuses with {@code 403 Forbidden} when it may
	 * not. By default, whoever may cancel: both are write operations of the {@code backgroundtasks}
	 * endpoint, which grants them together.
	 * @param request the request
	 * @return {@code true} to allow requeueing dead letters
	 */
	default boolean canRequeue(HttpServletRequest request) {
		return canCancel(request);
	}

	/**
	 * The CSRF token the page must send with a cancel or a requeue, or {@code null} when there is none.
	 * @param request the request that loads the page
	 * @return the header and token, or {@code null}
	 */
	default @Nullable CsrfHeader csrfHeader(HttpServletRequest request) {
		return null;
	}

	/**
	 * The access of an application without Spring Security: anyone who can reach the page may cancel, when
	 * cancelling is enabled. A cancel is a {@code DELETE}, which a browser does not send across origins
	 * without a CORS pre-flight that the application would have to allow.
	 * @param cancelEnabled whether cancelling is enabled
	 * @return the access
	 */
	static DashboardAccess withoutSecurity(boolean cancelEnabled) {
		return (request) -> cancelEnabled;
	}

	/**
	 * A CSRF token and the header to send it in.
	 *
	 * @param name the header name
	 * @param token the token
	 */
	record CsrfHeader(String name, String token) {

	}

}
