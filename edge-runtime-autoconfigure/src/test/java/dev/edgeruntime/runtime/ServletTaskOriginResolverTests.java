package dev.edgeruntime.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServletTaskOriginResolver#withoutPathParameters(String)}: a task's origin keeps no
 * {@code ;name=value} part of a path, which may carry a session id or a token.
 *
 * @author edge-runtime developers
 */
class ServletTaskOriginResolverTests {

	@Test
	void pathParametersShouldGoFromEverySegment() {
		assertThat(ServletTaskOriginResolver.withoutPathParameters("/jobs;jsessionid=ABC")).isEqualTo("/jobs");
		assertThat(ServletTaskOriginResolver.withoutPathParameters("/a;x=1/b;y=2;z=3/c")).isEqualTo("/a/b/c");
		assertThat(ServletTaskOriginResolver.withoutPathParameters("/a;x=1/")).isEqualTo("/a/");
		assertThat(ServletTaskOriginResolver.withoutPathParameters("/;x=1")).isEqualTo("/");
	}

	@Test
	void pathWithoutParametersShouldStayAsItIs() {
		assertThat(ServletTaskOriginResolver.withoutPathParameters("/reports/42")).isEqualTo("/reports/42");
		assertThat(ServletTaskOriginResolver.withoutPathParameters("")).isEmpty();
	}

}
