package dev.edgeruntime.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

	private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^Content-Length: *(\\d+)");

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
			out.write(("POST /reports?key=" + key + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String head = readHead(in);
			assertThat(head).startsWith("HTTP/1.1 202 ");
			assertThat(head.toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding");
			Matcher contentLength = CONTENT_LENGTH.matcher(head);
			assertThat(contentLength.find()).as("Content-Length in %s", head).isTrue();
			int length = Integer.parseInt(contentLength.group(1));
			byte[] body = in.readNBytes(length);
			assertThat(body).hasSize(length);
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

	/**
	 * Reads the status line and headers of a response, up to the empty line.
	 */
	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int last4 = 0;
		while (last4 != 0x0d0a0d0a) {
			int b = in.read();
			if (b == -1) {
				throw new EOFException("The connection closed in the response's head: " + head);
			}
			head.write(b);
			last4 = (last4 << 8) | b;
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

}
