package dev.edgeruntime.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.AcceptedBodyShortcut.Accept;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AcceptedBodyShortcut}.
 *
 * @author edge-runtime developers
 */
class AcceptedBodyShortcutTests {

	private static final String ID = "0b6f2c0e-5d0c-4a4e-9a51-2f1f3c3f7a10";

	private static final String LOCATION = "http://localhost:8080/background-tasks/" + ID;

	private final AcceptedBodyShortcut shortcut = new AcceptedBodyShortcut(true);

	@Test
	void renderShouldWriteTheFieldsInOrderWithoutSpaces() {
		byte[] body = AcceptedBodyShortcut.render(ID, "report-2026.10_x", TaskState.SCHEDULED, LOCATION);
		assertThat(new String(body, StandardCharsets.US_ASCII))
			.isEqualTo(AcceptedBodies.expectedBody(ID, "report-2026.10_x", "SCHEDULED", LOCATION));
	}

	@ParameterizedTest
	@ValueSource(strings = { "say \"hi\"", "back\\slash", "line\nbreak", "tab\tname", "rapport-été", "emoji-\uD83D\uDE00",
			"nul\u0000", "del\u007f" })
	void renderShouldRefuseNamesThatJsonWouldEscape(String name) {
		assertThat(AcceptedBodyShortcut.render(ID, name, TaskState.SCHEDULED, LOCATION)).isNull();
	}

	@Test
	void renderShouldRefuseLocationsThatJsonWouldEscape() {
		assertThat(AcceptedBodyShortcut.render(ID, "report", TaskState.SCHEDULED, "http://h/\"x\"/" + ID)).isNull();
	}

	@Test
	void acceptShouldTellTheThreeKindsItServes() {
		assertThat(this.shortcut.accept(request())).isEqualTo(Accept.NONE);
		assertThat(this.shortcut.accept(request("*/*"))).isEqualTo(Accept.ANY);
		assertThat(this.shortcut.accept(request("application/json"))).isEqualTo(Accept.JSON);
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/xml", "application/json;q=0.9", "application/*", "text/html, */*",
			"application/problem+json", "" })
	void acceptShouldLeaveOtherHeadersToTheConverters(String accept) {
		assertThat(this.shortcut.accept(request(accept))).isNull();
	}

	@Test
	void acceptShouldLeaveSeveralAcceptHeadersToTheConverters() {
		assertThat(this.shortcut.accept(request("*/*", "image/png"))).isNull();
	}

	@Test
	void acceptShouldLeaveMappingsWithProducesToTheConverters() {
		MockHttpServletRequest request = request();
		request.setAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE, Set.of(MediaType.APPLICATION_XML));
		assertThat(this.shortcut.accept(request)).isNull();
	}

	@Test
	void acceptWhenDisabledShouldServeNothing() {
		assertThat(new AcceptedBodyShortcut(false).accept(request())).isNull();
	}

	@Test
	void compareWhenTheSameShouldVerifyThatKindOnlyAndWriteLikeTheConverters() throws Exception {
		byte[] own = own();
		this.shortcut.compare(Accept.JSON, 202, List.of("Location", "Content-Type"), "application/json", own.clone(),
				own);
		assertThat(this.shortcut.isVerified(Accept.JSON)).isTrue();
		assertThat(this.shortcut.isUnknown(Accept.NONE)).isTrue();
		assertThat(this.shortcut.isUnknown(Accept.ANY)).isTrue();
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.shortcut.write(Accept.JSON, response, LOCATION, own);
		assertThat(response.getStatus()).isEqualTo(202);
		assertThat(response.getHeader("Location")).isEqualTo(LOCATION);
		assertThat(response.getContentType()).isEqualTo("application/json");
		assertThat(response.getContentLength()).isEqualTo(own.length);
		assertThat(response.getContentAsByteArray()).isEqualTo(own);
	}

	@Test
	void compareWhenBodiesDifferShouldKeepTheConverters() {
		byte[] own = own();
		byte[] pretty = new String(own, StandardCharsets.US_ASCII).replace(",", ", ").getBytes(StandardCharsets.US_ASCII);
		this.shortcut.compare(Accept.NONE, 202, List.of("Location", "Content-Type"), "application/json", pretty, own);
		assertThat(this.shortcut.isVerified(Accept.NONE)).isFalse();
		assertThat(this.shortcut.isUnknown(Accept.NONE)).isFalse();
		// decided once: a later response alike does not turn the shortcut on
		this.shortcut.compare(Accept.NONE, 202, List.of("Location", "Content-Type"), "application/json", own.clone(),
				own);
		assertThat(this.shortcut.isVerified(Accept.NONE)).isFalse();
	}

	@Test
	void compareWhenOtherHeadersWereWrittenShouldKeepTheConverters() {
		byte[] own = own();
		this.shortcut.compare(Accept.ANY, 202, List.of("Location", "Content-Type", "Vary"), "application/json",
				own.clone(), own);
		assertThat(this.shortcut.isVerified(Accept.ANY)).isFalse();
	}

	@Test
	void compareWhenAnotherStatusWasWrittenShouldKeepTheConverters() {
		byte[] own = own();
		this.shortcut.compare(Accept.ANY, 200, List.of("Location", "Content-Type"), "application/json", own.clone(),
				own);
		assertThat(this.shortcut.isVerified(Accept.ANY)).isFalse();
	}

	private static byte[] own() {
		return AcceptedBodyShortcut.render(ID, "report", TaskState.SCHEDULED, LOCATION);
	}

	private static MockHttpServletRequest request(String... accept) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/reports");
		for (String value : accept) {
			request.addHeader("Accept", value);
		}
		return request;
	}

}
