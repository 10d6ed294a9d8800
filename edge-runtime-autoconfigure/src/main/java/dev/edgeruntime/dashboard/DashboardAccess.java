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
	 * not. The accesses of the starter ({@link SecurityDashboardAccess}, {@link #withoutSecurity(boolean)})
	 * allow it to whoever may cancel. An access of the application's own allows it to nobody unless it
	 * overrides this method: one written to say who may stop work does not, unseen, also let them run failed
	 * work again.
	 * @param request the request
	 * @return {@code true} to allow requeueing dead letters
	 */
	default boolean canRequeue(HttpServletRequest request) {
		return false;
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
	 * The access of an application without Spring Security: anyone who can reach the page may cancel and
	 * requeue dead letters, when cancelling is enabled. A cancel is a {@code DELETE} and a requeue a
	 * {@code POST} of JSON, which a browser does not send across origins without a CORS pre-flight that the
	 * application would have to allow; the dashboard's routes also refuse what the browser marks as sent from
	 * another origin ({@code Sec-Fetch-Site}).
	 * @param cancelEnabled whether cancelling (and requeueing) is enabled
	 * @return the access
	 */
	static DashboardAccess withoutSecurity(boolean cancelEnabled) {
		return new DashboardAccess() {

			@Override
			public boolean canCancel(HttpServletRequest request) {
				return cancelEnabled;
			}

			@Override
			public boolean canRequeue(HttpServletRequest request) {
				return cancelEnabled;
			}

		};
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
