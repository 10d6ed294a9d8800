package dev.edgeruntime.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The blog's authenticated WebSocket relay over a real port, with a real WebSocket client: the token
 * checks before the upgrade, the round trip through the demo's echo upstream, and the sessions as
 * background tasks.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class WebSocketRelayTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	DemoProperties properties;

	@Autowired
	EdgeRuntime runtime;

	@Test
	void relayShouldCarryMessagesToTheUpstreamAndItsAnswersBack() throws Exception {
		RelayWebSocketClient client = connect(token("alice"));
		try {
			awaitUpstream(client);
			client.send("hello relay");
			assertThat(client.next()).isEqualTo("echo: hello relay");
			client.send("and again");
			assertThat(client.next()).isEqualTo("echo: and again");
		}
		finally {
			client.close();
		}
	}

	@Test
	void upgradeWithoutTokenShouldBeRefusedWith403() {
		assertThatException().isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/relay-ws")))
			.withStackTraceContaining("[403]");
	}

	@Test
	void upgradeWithTokenSignedWithAnotherKeyShouldBeRefusedWith403() {
		String forged = new RelayTokens("another-key-of-at-least-thirty-two-bytes")
			.issue("mallory", Instant.now().plusSeconds(600));
		assertThatException().isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/relay-ws?jwt=" + forged)))
			.withStackTraceContaining("[403]");
	}

	@Test
	void upgradeWithExpiredOrGarbledTokenShouldBeRefusedWith403() {
		String expired = tokens().issue("alice", Instant.now().minusSeconds(60));
		assertThatException().isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/relay-ws?jwt=" + expired)))
			.withStackTraceContaining("[403]");
		assertThatException().isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/relay-ws?jwt=not.a.token")))
			.withStackTraceContaining("[403]");
	}

	@Test
	void echoUpstreamWithoutTheRelaysKeyShouldBeRefusedWith403() {
		// Only the relay connects to the upstream, with a key of its own: a user's token is not that key, and
		// a direct session would skip the relay's checks and hold a place for the whole WebSocket budget.
		assertThatException().isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/echo-ws")))
			.withStackTraceContaining("[403]");
		assertThatException()
			.isThrownBy(() -> RelayWebSocketClient.connect(uri("ws", "/echo-ws?jwt=" + token("alice"))))
			.withStackTraceContaining("[403]");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> this.http.newWebSocketBuilder()
			.header("Authorization", "Bearer " + token("alice"))
			.buildAsync(uri("ws", "/echo-ws"), new WebSocket.Listener() {
			})
			.get(RelayWebSocketClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(WebSocketHandshakeException.class,
					(refused) -> assertThat(refused.getResponse().statusCode()).isEqualTo(403));
	}

	@Test
	void plainRequestShouldBeRefusedWith400() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("http", "/relay-ws?jwt=" + token("alice")))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("expects a WebSocket upgrade");
	}

	@Test
	void sessionShouldBeListedInEndpointWithPrincipalAndWithoutToken() throws Exception {
		String user = "bob-" + UUID.randomUUID();
		String token = token(user);
		RelayWebSocketClient client = connect(token);
		try {
			awaitUpstream(client);
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(uri("http", "/actuator/backgroundtasks?name=relay-ws&state=RUNNING")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			DocumentContext json = JsonPath.parse(response.body());
			String task = "$.tasks[?(@.origin.principal == '" + user + "')]";
			assertThat(json.<List<String>>read(task + ".origin.path")).containsExactly("/relay-ws");
			assertThat(json.<List<String>>read(task + ".origin.remoteAddress")).singleElement()
				.asString()
				.startsWith("127.0.0.1:");
			assertThat(response.body()).doesNotContain(token);
		}
		finally {
			client.close();
		}
	}

	@Test
	void clientClosingShouldCloseTheUpstream() throws Exception {
		awaitNoUpstreamOpen();
		RelayWebSocketClient client = connect(token("carol"));
		awaitUpstream(client);
		assertThat(running("echo-ws")).isNotEmpty();
		client.close();
		awaitNoUpstreamOpen();
	}

	@Test
	void upstreamClosingShouldCloseTheClient() throws Exception {
		awaitNoUpstreamOpen();
		RelayWebSocketClient client = connect(token("dave"));
		awaitUpstream(client);
		List<TaskInfo> upstreams = running("echo-ws");
		assertThat(upstreams).hasSize(1);
		// an operator cancels the upstream's session: the echo closes it with 1001, and the relay passes that on
		assertThat(this.runtime.find(upstreams.get(0).id()).orElseThrow().cancel()).isTrue();
		CloseStatus status = client.awaitClose();
		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
		assertThat(status.getReason()).isEqualTo("cancelled");
	}

	/** The relay answers with an error frame until its upstream is open; then the echo answers. */
	private static void awaitUpstream(RelayWebSocketClient client) {
		await().atMost(RelayWebSocketClient.TIMEOUT).until(() -> {
			client.send("ready?");
			String reply = client.next();
			return "echo: ready?".equals(reply);
		});
	}

	/** The sessions of the other tests close asynchronously: wait until their upstreams are gone. */
	private void awaitNoUpstreamOpen() {
		await().atMost(RelayWebSocketClient.TIMEOUT).untilAsserted(() -> assertThat(running("echo-ws")).isEmpty());
	}

	private List<TaskInfo> running(String name) {
		return this.runtime.tasks()
			.stream()
			.filter((task) -> task.name().equals(name) && task.state() == TaskState.RUNNING)
			.toList();
	}

	private RelayWebSocketClient connect(String token) throws Exception {
		return RelayWebSocketClient.connect(uri("ws", "/relay-ws?jwt=" + token));
	}

	private String token(String subject) {
		return tokens().issue(subject, Instant.now().plusSeconds(600));
	}

	private RelayTokens tokens() {
		return new RelayTokens(this.properties.getRelayWs().getJwtSecret());
	}

	private URI uri(String scheme, String path) {
		return URI.create(scheme + "://localhost:" + this.port + path);
	}

}
