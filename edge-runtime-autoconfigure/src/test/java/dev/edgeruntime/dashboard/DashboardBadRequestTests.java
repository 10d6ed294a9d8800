package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The dashboard's answers to bad input over real HTTP: the same messages as the {@code backgroundtasks}
 * endpoint's, states read in any case, a page far past the end, the event stream's headers and its
 * {@code 503} for a page too many, and the {@code 403} of a cancel or a requeue nobody may send, saying what
 * allows them.
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
				assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
						(type) -> assertThat(type).startsWith("text/plain"));
				assertThat(refused.body()).isEqualTo("The dashboard already streams to its most pages "
						+ "(edge-runtime.dashboard.max-clients=1). Close a page or raise the limit; a page retries by "
						+ "itself.");
			}
			finally {
				open.body().close();
			}
		}
	}

	@Test
	void cancelAndRequeueNotAllowedShouldAnswer403SayingWhatAllowsThem() throws Exception {
		// the endpoint's access is read-only: nobody may, whatever the application's DashboardAccess says
		try (ConfigurableApplicationContext readOnly = new SpringApplicationBuilder(DashboardApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true",
					"management.endpoint.backgroundtasks.access=read-only")
			.run()) {
			String root = "http://localhost:"
					+ readOnly.getEnvironment().getRequiredProperty("local.server.port", Integer.class)
					+ "/background-tasks-dashboard";
			String task = "/tasks/" + UUID.randomUUID();
			String requeue = "/queues/orders/dead-letters/requeue";
			String rules = " from the dashboard is not allowed for this request: it takes the backgroundtasks "
					+ "endpoint's access unrestricted, and then the authority named by "
					+ "edge-runtime.dashboard.cancel-authority (with Spring Security) and "
					+ "edge-runtime.dashboard.cancel-enabled=true, or the consent of the application's own "
					+ "DashboardAccess bean in their place";
			HttpResponse<String> cancel = send(HttpRequest.newBuilder(URI.create(root + task)).DELETE());
			assertThat(cancel.statusCode()).isEqualTo(403);
			assertThat(JsonPath.parse(cancel.body()).<Map<String, Object>>read("$")).containsOnly(entry("status", 403),
					entry("message", "Cancelling tasks" + rules));
			HttpResponse<String> requeued = send(HttpRequest.newBuilder(URI.create(root + requeue))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{}")));
			assertThat(requeued.statusCode()).isEqualTo(403);
			assertThat(JsonPath.parse(requeued.body()).<Map<String, Object>>read("$"))
				.containsOnly(entry("status", 403), entry("message", "Running dead letters again" + rules));
			MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) readOnly).build();
			mvc.perform(delete("/background-tasks-dashboard" + task))
				.andExpect(status().isForbidden())
				.andExpect(jsonPath("$.message").value("Cancelling tasks" + rules));
			mvc.perform(post("/background-tasks-dashboard" + requeue).contentType(MediaType.APPLICATION_JSON)
				.content("{}")).andExpect(status().isForbidden())
				.andExpect(jsonPath("$.message").value("Running dead letters again" + rules));
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
