package dev.edgeruntime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.edgeruntime.web.AcceptedBodyShortcut.Accept;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The 202 body over real HTTP, under a context path and a servlet path: the first response of each kind of
 * {@code Accept} header is written by the message converters, the later ones by the shortcut, and the
 * client cannot tell them apart.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.servlet.context-path=/app", "spring.mvc.servlet.path=/api" })
class AcceptedBodyShortcutHttpTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private RequestMappingHandlerAdapter adapter;

	@ParameterizedTest
	@EnumSource(Accept.class)
	void responsesBeforeAndAfterTheShortcutIsVerifiedShouldBeTheSame(Accept accept) throws Exception {
		AcceptedBodyShortcut shortcut = AcceptedBodies.shortcut(this.adapter);
		List<String> contentTypes = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			HttpResponse<byte[]> response = send(post("/app/api/counts", accept));
			assertThat(response.statusCode()).isEqualTo(202);
			String location = response.headers().firstValue("Location").orElseThrow();
			String prefix = "http://localhost:" + this.port + "/app/api/background-tasks/";
			assertThat(location).startsWith(prefix);
			String id = location.substring(prefix.length());
			assertThat(new String(response.body(), StandardCharsets.UTF_8))
				.isEqualTo(AcceptedBodies.expectedBody(id, "count", "SCHEDULED", location));
			assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length);
			assertThat(response.headers().firstValue("Transfer-Encoding")).isEmpty();
			contentTypes.add(response.headers().firstValue("Content-Type").orElseThrow());
			// the status resource is where the Location says
			assertThat(send(HttpRequest.newBuilder(URI.create(location)).GET().build()).statusCode()).isEqualTo(200);
			// the first response was written by the converters, and found to be what the shortcut writes
			// compared after the body went out complete: the client may have it before the comparison ends
			await().atMost(Duration.ofSeconds(20)).until(() -> shortcut.isVerified(accept));
		}
		assertThat(contentTypes).containsOnly("application/json");
	}

	@Test
	void acceptHeaderTheBodyCannotSatisfyShouldStillGet406WithoutALocation() throws Exception {
		send(post("/app/api/counts", Accept.ANY));
		await().atMost(Duration.ofSeconds(20)).until(() -> AcceptedBodies.shortcut(this.adapter).isVerified(Accept.ANY));
		HttpRequest xml = HttpRequest.newBuilder(uri("/app/api/counts"))
			.header("Accept", "application/xml")
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<byte[]> refused = send(xml);
		assertThat(refused.statusCode()).isEqualTo(406);
		// the task was dropped with the failed response: the 406 points at no task
		assertThat(refused.headers().firstValue("Location")).isEmpty();
		HttpRequest twoHeaders = HttpRequest.newBuilder(uri("/app/api/counts"))
			.header("Accept", "*/*")
			.header("Accept", "image/png")
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		// negotiated over both headers by the converters, which can write neither as image/png
		HttpResponse<byte[]> response = send(twoHeaders);
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
	}

	private HttpRequest post(String path, Accept accept) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
		switch (accept) {
			case ANY -> request.header("Accept", "*/*");
			case JSON -> request.header("Accept", "application/json");
			case NONE -> {
			}
		}
		return request.build();
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private HttpResponse<byte[]> send(HttpRequest request) throws Exception {
		return this.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
	}

}
