package dev.edgeruntime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Uploads bound in the other shapes Spring MVC offers ({@code Optional<MultipartFile>},
 * {@code Map<String, MultipartFile>}, {@code MultiValueMap<String, MultipartFile>}) are copied for the task
 * as a lone {@code MultipartFile} is: the task reads them after the container deleted its own.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = { BackgroundTaskTestApplication.class, BackgroundTaskUploadShapesHttpTests.UploadController.class },
		webEnvironment = WebEnvironment.RANDOM_PORT)
class BackgroundTaskUploadShapesHttpTests {

	private final HttpClient client = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@org.springframework.beans.factory.annotation.Autowired
	private Gates gates;

	@Test
	void optionalUploadShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		assertUploadReadable("/optional-uploads");
	}

	@Test
	void mapOfUploadsShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		assertUploadReadable("/map-uploads");
	}

	@Test
	void multiValueMapOfUploadsShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		assertUploadReadable("/multi-value-map-uploads");
	}

	private void assertUploadReadable(String path) throws Exception {
		String key = UUID.randomUUID().toString();
		String boundary = "boundary-" + UUID.randomUUID();
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"g.txt\"\r\n"
				+ "Content-Type: text/plain\r\n\r\nhello " + key + "\r\n--" + boundary + "--\r\n";
		HttpResponse<String> response = this.client.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + path + "?key=" + key))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(read(location)).containsEntry("state", "RUNNING"));
		this.gates.open(key);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(read(location).get("state")).isIn("SUCCEEDED", "FAILED"));
		Map<String, Object> status = read(location);
		assertThat(status).as(status.toString()).containsEntry("state", "SUCCEEDED").containsEntry("result", "hello " + key);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> read(URI location) throws Exception {
		return this.json.readValue(this.client.send(HttpRequest.newBuilder(location).GET().build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body(), Map.class);
	}

	@RestController
	static class UploadController {

		private final Gates gates;

		UploadController(Gates gates) {
			this.gates = gates;
		}

		@BackgroundTask(name = "optional-upload")
		@PostMapping("/optional-uploads")
		public String optionalUpload(@RequestParam Optional<MultipartFile> file, @RequestParam String key)
				throws Exception {
			this.gates.await(key);
			return new String(file.orElseThrow().getBytes(), StandardCharsets.UTF_8);
		}

		@BackgroundTask(name = "map-upload")
		@PostMapping("/map-uploads")
		public String mapUpload(@RequestParam Map<String, MultipartFile> files, @RequestParam String key)
				throws Exception {
			this.gates.await(key);
			return new String(files.get("file").getBytes(), StandardCharsets.UTF_8);
		}

		@BackgroundTask(name = "multi-value-map-upload")
		@PostMapping("/multi-value-map-uploads")
		public String multiValueMapUpload(@RequestParam MultiValueMap<String, MultipartFile> files,
				@RequestParam String key) throws Exception {
			this.gates.await(key);
			return new String(files.getFirst("file").getBytes(), StandardCharsets.UTF_8);
		}

	}

}
