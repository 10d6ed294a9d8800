package dev.edgeruntime.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * {@link DashboardAccess} with Spring Security: only an authenticated user with the configured authority
 * may cancel and requeue dead letters, and the page sends the request's CSRF token.
 *
 * @author edge-runtime developers
 */
public final class SecurityDashboardAccess implements DashboardAccess {

	private final String authority;

	private final boolean cancelEnabled;

	/**
	 * Creates a new instance.
	 * @param authority the authority a user needs to cancel, such as {@code ROLE_ADMIN}
	 * @param cancelEnabled whether cancelling is enabled at all
	 */
	public SecurityDashboardAccess(String authority, boolean cancelEnabled) {
		this.authority = authority;
		this.cancelEnabled = cancelEnabled;
	}

	@Override
	public boolean canCancel(HttpServletRequest request) {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!this.cancelEnabled || authentication == null || !authentication.isAuthenticated()
				|| authentication instanceof AnonymousAuthenticationToken) {
			return false;
		}
		for (GrantedAuthority granted : authentication.getAuthorities()) {
			if (this.authority.equals(granted.getAuthority())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whoever may cancel: both are write operations of the {@code backgroundtasks} endpoint, which grants them
	 * together.
	 */
	@Override
	public boolean canRequeue(HttpServletRequest request) {
		return canCancel(request);
	}

	@Override
	public @Nullable CsrfHeader csrfHeader(HttpServletRequest request) {
		// Spring Security's CsrfFilter puts the (deferred) token here when CSRF protection is on
		if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
			return new CsrfHeader(token.getHeaderName(), token.getToken());
		}
		return null;
	}

}
