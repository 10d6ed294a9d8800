package dev.edgeruntime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @BackgroundTask} on a controller method with the task status resource switched off: the 202 links to
 * nothing that would answer 404.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "edge-runtime.tasks.enabled=false")
@AutoConfigureMockMvc
class BackgroundTaskWithoutStatusResourceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient client = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private Gates gates;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void acceptedShouldHaveNoLocationAndNoStatusUrlOverHttp() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = this.client.send(
				HttpRequest.newBuilder(uri("/reports?key=" + key)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.headers().firstValue("Location")).isEmpty();
		@SuppressWarnings("unchecked")
		Map<String, Object> body = this.json.readValue(response.body(), Map.class);
		assertThat(body).containsEntry("name", "report").containsEntry("statusUrl", null);
		UUID id = UUID.fromString((String) body.get("id"));
		HttpResponse<String> status = this.client.send(HttpRequest.newBuilder(uri("/background-tasks/" + id)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(status.statusCode()).isEqualTo(404);
		this.gates.open(key);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.runtime.find(id)).map(TaskHandle::state).contains(TaskState.SUCCEEDED));
	}

	@Test
	void acceptedShouldHaveNoLocationAndNoStatusUrlWithMockMvc() throws Exception {
		String key = UUID.randomUUID().toString();
		MvcTestResult result = this.mvc.post().uri("/reports").param("key", key).exchange();
		assertThat(result).hasStatus(HttpStatus.ACCEPTED).doesNotContainHeader("Location");
		assertThat(result).bodyJson().extractingPath("$.statusUrl").isNull();
		assertThat(result).bodyJson().extractingPath("$.name").isEqualTo("report");
		String id = this.json.readTree(result.getResponse().getContentAsString()).get("id").asString();
		this.gates.open(key);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.runtime.find(UUID.fromString(id))).map(TaskHandle::state)
				.contains(TaskState.SUCCEEDED));
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
