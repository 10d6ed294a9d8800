package dev.edgeruntime.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code access: read-only} the {@code backgroundtasks} endpoint can be read but not used to cancel,
 * as the operations guide says.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=backgroundtasks",
				"management.endpoint.backgroundtasks.access=read-only" })
class BackgroundTasksEndpointReadOnlyIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void deleteWhenEndpointIsReadOnlyShouldNotCancel() throws Exception {
		BlockingWork work = new BlockingWork();
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("blocking"), work);
		try {
			assertThat(work.awaitStarted()).isTrue();
			URI uri = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + task.id());
			assertThat(this.http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
				.statusCode()).isEqualTo(200);
			int deleteStatus = this.http
				.send(HttpRequest.newBuilder(uri).DELETE().build(), HttpResponse.BodyHandlers.discarding())
				.statusCode();
			assertThat(deleteStatus).isEqualTo(405);
			int retryStatus = this.http
				.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
			assertThat(retryStatus).isEqualTo(405);
			assertThat(task.state()).isEqualTo(TaskState.RUNNING);
		}
		finally {
			work.release();
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
