package dev.edgeruntime.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.testsupport.LogCapture;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions of a {@link TrackedWebSocketHandler} over a real port, with a real WebSocket client: listed
 * in the endpoint, cancelled there, and ended by their budget.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = WebSocketTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "management.endpoints.web.exposure.include=backgroundtasks")
class TrackedWebSocketHandlerTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void sessionShouldBeListedInEndpointWithItsOriginWhileOpen() throws Exception {
		WebSocketTestClient client = connect("/ws/echo?jwt=secret-token");
		client.send("hello");
		assertThat(client.next()).isEqualTo("echo: hello");
		DocumentContext json = JsonPath.parse(get("/actuator/backgroundtasks?name=echo&state=RUNNING").body());
		assertThat(json.<List<String>>read("$.tasks[*].name")).containsExactly("echo");
		assertThat(json.<String>read("$.tasks[0].origin.method")).isEqualTo("GET");
		assertThat(json.<String>read("$.tasks[0].origin.path")).isEqualTo("/ws/echo");
		assertThat(json.<String>read("$.tasks[0].origin.remoteAddress")).startsWith("127.0.0.1:");
		assertThat(json.jsonString()).doesNotContain("secret-token");
		String id = json.read("$.tasks[0].id");
		client.close();
		await().atMost(WebSocketTestClient.TIMEOUT)
			.untilAsserted(() -> assertThat(JsonPath.parse(get("/actuator/backgroundtasks/" + id).body())
				.<String>read("$.state")).isEqualTo("SUCCEEDED"));
	}

	@Test
	void sessionEndedByTheClientShouldSucceedAndLogItsCloseCodeAndPrintableReason() throws Exception {
		try (LogCapture log = LogCapture.of(WebSocketSessionTracker.class)) {
			WebSocketTestClient client = connect("/ws/echo");
			client.send("hello");
			assertThat(client.next()).isEqualTo("echo: hello");
			String id = JsonPath.parse(get("/actuator/backgroundtasks?name=echo&state=RUNNING").body())
				.read("$.tasks[0].id");
			// a policy violation, with a reason (the client's own text) that tries to start a log line
			client.close(CloseStatus.POLICY_VIOLATION.withReason("quota\nINFO forged"));
			await().atMost(WebSocketTestClient.TIMEOUT)
				.untilAsserted(() -> assertThat(JsonPath.parse(get("/actuator/backgroundtasks/" + id).body())
					.<String>read("$.state")).isEqualTo("SUCCEEDED"));
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.anySatisfy((line) -> assertThat(line).startsWith("WebSocket session ")
					.endsWith(" of task " + id + " (echo) closed with 1008 (quota\\nINFO forged)"));
		}
	}

	@Test
	void sessionOriginShouldHoldNoPathParameters() throws Exception {
		WebSocketTestClient client = connect("/ws/echo;jsessionid=SECRETSESSION");
		client.send("hello");
		assertThat(client.next()).isEqualTo("echo: hello");
		String body = get("/actuator/backgroundtasks?name=echo&state=RUNNING").body();
		client.close();
		assertThat(body).doesNotContain("SECRETSESSION");
		assertThat(JsonPath.parse(body).<List<String>>read("$.tasks[*].origin.path")).contains("/ws/echo");
	}

	@Test
	void cancelThroughEndpointShouldCloseClientWithGoingAway() throws Exception {
		WebSocketTestClient client = connect("/ws/echo");
		client.send("ping");
		assertThat(client.next()).isEqualTo("echo: ping");
		String id = JsonPath.parse(get("/actuator/backgroundtasks?name=echo&state=RUNNING").body())
			.read("$.tasks[0].id");
		HttpResponse<String> cancel = this.http.send(HttpRequest.newBuilder(uri("http", "/actuator/backgroundtasks/" + id))
			.DELETE()
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(cancel.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(cancel.body()).<Boolean>read("$.cancelled")).isTrue();
		CloseStatus status = client.awaitClose();
		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
		assertThat(status.getReason()).isEqualTo("cancelled");
		assertThat(JsonPath.parse(get("/actuator/backgroundtasks/" + id).body()).<String>read("$.state"))
			.isEqualTo("CANCELLED");
	}

	@Test
	void shortBudgetShouldSendBeforeUnloadThenCloseWithGoingAway() throws Exception {
		WebSocketTestClient client = connect("/ws/short");
		String notice = client.next();
		assertThat(notice).isNotNull();
		Map<String, Object> message = JsonPath.parse(notice).read("$");
		assertThat(message).containsEntry("type", "beforeunload").containsEntry("reason", "wall_clock");
		assertThat(((Number) message.get("timeLeftMs")).longValue()).isBetween(0L,
				WebSocketTestApplication.SHORT_BUDGET.toMillis());
		CloseStatus status = client.awaitClose();
		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
		assertThat(status.getReason()).isEqualTo("wall_clock");
		DocumentContext json = JsonPath.parse(get("/actuator/backgroundtasks?name=short").body());
		assertThat(json.<List<String>>read("$.tasks[*].state")).contains("BUDGET_EXCEEDED");
	}

	private WebSocketTestClient connect(String path) throws Exception {
		return WebSocketTestClient.connect(uri("ws", path));
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri("http", path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String scheme, String path) {
		return URI.create(scheme + "://localhost:" + this.port + path);
	}

}
