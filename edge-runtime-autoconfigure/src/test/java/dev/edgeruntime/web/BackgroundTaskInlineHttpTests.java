package dev.edgeruntime.web;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @BackgroundTask} over real HTTP with {@code edge-runtime.tasks.inline=true}: the task of a
 * controller method runs on the request thread, which shows that it starts only once the client has the
 * whole 202 response.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "edge-runtime.tasks.inline=true")
class BackgroundTaskInlineHttpTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private Gates gates;

	@Test
	@SuppressWarnings("unchecked")
	void controllerMethodShouldStartOnlyAfterTheClientReceivedTheWholeResponse() throws Exception {
		String key = UUID.randomUUID().toString();
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			RawHttp.send(out, "POST /reports?key=" + key + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n");
			byte[] body = RawHttp.readAcceptedWithContentLength(in);
			// the whole response is here while the task holds the request thread at its gate
			assertThat(this.gates.gate(key).getCount()).isOne();
			Map<String, Object> accepted = this.json.readValue(body, Map.class);
			assertThat(accepted).containsEntry("name", "report").containsEntry("state", "SCHEDULED");
			this.gates.open(key);
			URI location = URI.create(accepted.get("statusUrl").toString().replace("//localhost/",
					"//localhost:" + this.port + "/"));
			HttpClient client = HttpClient.newHttpClient();
			await().atMost(TIMEOUT).untilAsserted(() -> {
				HttpResponse<String> status = client.send(HttpRequest.newBuilder(location).GET().build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(this.json.readValue(status.body(), Map.class)).containsEntry("state", "SUCCEEDED")
					.containsEntry("result", "report " + key);
			});
		}
		finally {
			this.gates.open(key);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void taskUsingARequestScopedBeanShouldFailAsItDoesOnATaskThread() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		HttpResponse<String> response = client.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/localized-reports"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		// run on the request thread, the task still must not see its request's scope: a test passing here
		// would fail in production
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Object> status = this.json.readValue(
					client.send(HttpRequest.newBuilder(location).GET().build(), HttpResponse.BodyHandlers.ofString())
						.body(),
					Map.class);
			assertThat(status).containsEntry("state", "FAILED");
			assertThat(status.get("error")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
				.extractingByKey("message")
				.asString()
				.startsWith("Background task 'localized-report' used bean 'scopedTarget.");
		});
	}

}
