package dev.edgeruntime.web;

import dev.edgeruntime.web.AcceptedBodyShortcut.Accept;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applications whose 202 bodies must keep going through the message converters: every response, not only
 * the first, shows what the converters do.
 *
 * @author edge-runtime developers
 */
class AcceptedBodyConvertersTests {

	private static final int REQUESTS = 3;

	@Nested
	@SpringBootTest(classes = BackgroundTaskTestApplication.class)
	@AutoConfigureMockMvc
	@Import(HeaderAdvice.class)
	class WithResponseBodyAdvice {

		@Autowired
		private MockMvcTester mvc;

		@Autowired
		private RequestMappingHandlerAdapter adapter;

		@Test
		void everyResponseShouldBeAdvised() {
			for (int i = 0; i < REQUESTS; i++) {
				MvcTestResult result = this.mvc.post().uri("/counts").exchange();
				assertThat(result).hasStatus(HttpStatus.ACCEPTED).hasHeader("X-Advised", "202 for count");
				assertThat(result).bodyJson().extractingPath("$.name").isEqualTo("count");
			}
			assertThat(AcceptedBodies.shortcut(this.adapter).accept(new MockHttpServletRequest()))
				.isNull();
		}

	}

	@Nested
	@SpringBootTest(classes = BackgroundTaskTestApplication.class,
			properties = "spring.jackson.property-naming-strategy=SNAKE_CASE")
	@AutoConfigureMockMvc
	class WithJacksonSettings {

		@Autowired
		private MockMvcTester mvc;

		@Autowired
		private RequestMappingHandlerAdapter adapter;

		@Test
		void everyResponseShouldBeWrittenWithThem() {
			for (int i = 0; i < REQUESTS; i++) {
				MvcTestResult result = this.mvc.post().uri("/counts").exchange();
				assertThat(result).hasStatus(HttpStatus.ACCEPTED);
				assertThat(result).bodyJson().extractingPath("$.status_url")
					.isEqualTo(result.getResponse().getHeader("Location"));
				assertThat(result).bodyJson().doesNotHavePath("$.statusUrl");
			}
			AcceptedBodyShortcut shortcut = AcceptedBodies.shortcut(this.adapter);
			assertThat(shortcut.isUnknown(Accept.NONE)).isFalse();
			assertThat(shortcut.isVerified(Accept.NONE)).isFalse();
		}

	}

	@Nested
	@SpringBootTest(classes = BackgroundTaskTestApplication.class,
			properties = "edge-runtime.tasks.accepted-body-shortcut=false")
	@AutoConfigureMockMvc
	class WithTheShortcutOff {

		@Autowired
		private MockMvcTester mvc;

		@Autowired
		private RequestMappingHandlerAdapter adapter;

		@Test
		void everyResponseShouldBeWrittenByTheConverters() {
			for (int i = 0; i < REQUESTS; i++) {
				MvcTestResult result = this.mvc.post().uri("/counts").accept(MediaType.APPLICATION_JSON).exchange();
				assertThat(result).hasStatus(HttpStatus.ACCEPTED).hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
				assertThat(result).bodyJson().extractingPath("$.name").isEqualTo("count");
			}
			AcceptedBodyShortcut shortcut = AcceptedBodies.shortcut(this.adapter);
			assertThat(shortcut.isUnknown(Accept.JSON)).isTrue();
			assertThat(shortcut.accept(new MockHttpServletRequest())).isNull();
		}

	}

	@Nested
	@SpringBootTest(classes = BackgroundTaskTestApplication.class,
			properties = "spring.mvc.contentnegotiation.favor-parameter=true")
	@AutoConfigureMockMvc
	class WithAFormatParameter {

		@Autowired
		private MockMvcTester mvc;

		@Autowired
		private RequestMappingHandlerAdapter adapter;

		@Test
		void everyResponseShouldBeNegotiatedByTheConverters() {
			for (int i = 0; i < REQUESTS; i++) {
				MvcTestResult json = this.mvc.post().uri("/counts").exchange();
				assertThat(json).hasStatus(HttpStatus.ACCEPTED).hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
				// the parameter asks for what no converter writes, whatever the Accept header
				MvcTestResult png = this.mvc.post().uri("/counts").param("format", "png").exchange();
				assertThat(png).hasStatus(HttpStatus.NOT_ACCEPTABLE);
			}
			assertThat(AcceptedBodies.shortcut(this.adapter).accept(new MockHttpServletRequest())).isNull();
		}

	}

	/** Adds a header to every 202 body of a background task. */
	@ControllerAdvice
	static class HeaderAdvice implements ResponseBodyAdvice<Object> {

		@Override
		public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
			return true;
		}

		@Override
		public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType,
				MediaType selectedContentType, Class<? extends HttpMessageConverter<?>> selectedConverterType,
				ServerHttpRequest request, ServerHttpResponse response) {
			if (body instanceof TaskAccepted accepted) {
				response.getHeaders().add("X-Advised", "202 for " + accepted.name());
			}
			return body;
		}

	}

}
