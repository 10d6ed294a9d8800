package dev.edgeruntime.dashboard;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.DefaultCsrfToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SecurityDashboardAccess}.
 *
 * @author edge-runtime developers
 */
class SecurityDashboardAccessTests {

	private final SecurityDashboardAccess access = new SecurityDashboardAccess("ROLE_ADMIN", true);

	private final MockHttpServletRequest request = new MockHttpServletRequest();

	@AfterEach
	void clear() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void userWithTheAuthorityShouldCancel() {
		signIn(new TestingAuthenticationToken("ops", "pw", "ROLE_USER", "ROLE_ADMIN"));
		assertThat(this.access.canCancel(this.request)).isTrue();
		assertThat(this.access.canRequeue(this.request)).as("the same authority runs dead letters again").isTrue();
		assertThat(new SecurityDashboardAccess("ROLE_ADMIN", false).canCancel(this.request)).isFalse();
		assertThat(new SecurityDashboardAccess("ROLE_ADMIN", false).canRequeue(this.request)).isFalse();
	}

	@Test
	void userWithoutTheAuthorityShouldNotCancel() {
		signIn(new TestingAuthenticationToken("viewer", "pw", "ROLE_USER"));
		assertThat(this.access.canCancel(this.request)).isFalse();
		assertThat(this.access.canRequeue(this.request)).isFalse();
	}

	@Test
	void anonymousOrNobodyShouldNotCancel() {
		assertThat(this.access.canCancel(this.request)).isFalse();
		signIn(new AnonymousAuthenticationToken("key", "anonymous",
				AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS", "ROLE_ADMIN")));
		assertThat(this.access.canCancel(this.request)).isFalse();
	}

	@Test
	void csrfHeaderShouldBeTheRequestsToken() {
		assertThat(this.access.csrfHeader(this.request)).isNull();
		this.request.setAttribute(CsrfToken.class.getName(), new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "t0k3n"));
		assertThat(this.access.csrfHeader(this.request))
			.isEqualTo(new DashboardAccess.CsrfHeader("X-CSRF-TOKEN", "t0k3n"));
	}

	private static void signIn(org.springframework.security.core.Authentication authentication) {
		authentication.setAuthenticated(true);
		SecurityContextHolder.getContext().setAuthentication(authentication);
	}

}
