package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's answers to bad input over real HTTP: the same messages as the {@code backgroundtasks}
 * endpoint's, states read in any case, a page far past the end, and the event stream's headers and its
 * {@code 503} for a page too many.
 *
 * @author edge-runtime developers
 */
class DashboardBadRequestTests {

	private static ConfigurableApplicationContext context;

	private static int port;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void start() {
		context = new SpringApplicationBuilder(DashboardApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true")
			.run();
		port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	@AfterAll
	static void stop() {
		context.close();
	}

	@Test
	void cancelOfAnUnknownTaskShouldAnswer404WithTheEndpointsMessage() throws Exception {
		UUID id = UUID.randomUUID();
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/tasks/" + id)).DELETE());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("\"status\":404")
			.contains("\"message\":\"No task " + id + ": it is unknown, or finished longer ago than it is retained\"");
	}

	@Test
	void cancelOfSomethingThatIsNoTaskIdShouldAnswer400WithTheEndpointsMessage() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/tasks/not-a-task")).DELETE());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"message\":\"'not-a-task' is not a task id: task ids are UUIDs");
	}

	@Test
	void streamWithAnUnknownStateShouldAnswer400Saying() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/events?state=bogus")).GET());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).startsWith("Unknown task state 'bogus': the states are SCHEDULED, RUNNING")
			.endsWith(", or active for those not ended");
		// the reason quotes the input: plain text that a browser must not sniff as a page
		assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
	}

	@Test
	void streamShouldReadTheStateInAnyCaseAndAnswerAPageFarPastTheEndWithNoTasks() throws Exception {
		HttpResponse<java.util.stream.Stream<String>> response = this.http.send(
				HttpRequest.newBuilder(uri("/events?state=running&page=2147483647")).GET().build(),
				HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		String data = response.body().filter((line) -> line.startsWith("data:")).findFirst().orElseThrow();
		response.body().close();
		assertThat(data).contains("\"tasks\":[]").contains("\"number\":2147483647");
	}

	@Test
	void streamShouldBeAnEventStreamAndAPageTooManyShouldBeAnswered503() throws Exception {
		// a context of its own: one page at most, so that the second is refused
		try (ConfigurableApplicationContext small = new SpringApplicationBuilder(DashboardApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.max-clients=1")
			.run()) {
			int smallPort = small.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			URI events = URI.create("http://localhost:" + smallPort + "/background-tasks-dashboard/events");
			HttpResponse<java.util.stream.Stream<String>> open = this.http
				.send(HttpRequest.newBuilder(events).GET().build(), HttpResponse.BodyHandlers.ofLines());
			try {
				// what an EventSource needs, and what keeps proxies and caches from holding the events back
				assertThat(open.statusCode()).isEqualTo(200);
				assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(
						(type) -> assertThat(type).startsWith("text/event-stream"));
				assertThat(open.headers().firstValue("Cache-Control")).hasValue("no-store");
				assertThat(open.headers().firstValue("X-Accel-Buffering")).hasValue("no");
				HttpResponse<String> refused = send(HttpRequest.newBuilder(events).GET());
				assertThat(refused.statusCode()).isEqualTo(503);
				assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
				assertThat(refused.body()).isEmpty();
			}
			finally {
				open.body().close();
			}
		}
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(String path) {
		return URI.create("http://localhost:" + port + "/background-tasks-dashboard" + path);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class DashboardApplication {

		// anyone may cancel here, so that what is answered is about the id
		@Bean
		DashboardAccess dashboardAccess() {
			return (request) -> true;
		}

	}

}
