package dev.edgeruntime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request body that does not fit in the task's storage is answered with 413 and the task is dropped.
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "edge-runtime.storage.quota=1KB")
class BackgroundTaskQuotaTests {

	@LocalServerPort
	private int port;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void requestBodyOverTheStorageQuotaShouldBeAnswered413AndTheTaskDropped() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/imports?key=big"))
			.header("Content-Type", "text/csv")
			.POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096)))
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(response.body()).contains("\"detail\":\"The request body would take the background task's storage "
				+ "over its quota of 1KB (edge-runtime.storage.quota)\"").contains("\"quotaBytes\":1024");
		assertThat(this.runtime.tasks()).filteredOn((task) -> task.name().equals("import"))
			.allSatisfy((task) -> assertThat(task.state()).isEqualTo(TaskState.DROPPED))
			.isNotEmpty();
		assertThat(this.runtime.status().inFlight()).isZero();
	}

	@Test
	void requestBodyReaderOverTheStorageQuotaShouldBeAnswered413AndTheTaskDropped() throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/reader-imports?key=big-reader"))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096)))
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("\"detail\":\"The request body would take the background task's storage "
				+ "over its quota of 1KB (edge-runtime.storage.quota)\"");
		assertThat(this.runtime.tasks()).filteredOn((task) -> task.name().equals("reader-import"))
			.allSatisfy((task) -> assertThat(task.state()).isEqualTo(TaskState.DROPPED))
			.isNotEmpty();
	}

	@Test
	void uploadOverTheStorageQuotaShouldBeAnswered413NamingTheUpload() throws Exception {
		String boundary = "edge-runtime-boundary";
		String body = "--" + boundary + "\r\n"
				+ "Content-Disposition: form-data; name=\"file\"; filename=\"photos.zip\"\r\n"
				+ "Content-Type: application/zip\r\n\r\n" + "x".repeat(4096) + "\r\n"
				+ "--" + boundary + "\r\n" + "Content-Disposition: form-data; name=\"key\"\r\n\r\nbig-upload\r\n"
				+ "--" + boundary + "--\r\n";
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/uploads"))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("\"detail\":\"The upload 'file' (photos.zip) would take the background "
				+ "task's storage over its quota of 1KB (edge-runtime.storage.quota)\"");
		assertThat(this.runtime.tasks()).filteredOn((task) -> task.name().equals("upload"))
			.allSatisfy((task) -> assertThat(task.state()).isEqualTo(TaskState.DROPPED))
			.isNotEmpty();
	}

}
