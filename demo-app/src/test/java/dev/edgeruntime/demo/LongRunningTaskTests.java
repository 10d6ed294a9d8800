package dev.edgeruntime.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The background-task guide's first example over real HTTP: the response arrives at once, the work finishes later.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class LongRunningTaskTests {

	private static final Pattern TASK_ID = Pattern.compile("\"task\":\"([0-9a-f-]{36})\"");

	@LocalServerPort
	int port;

	@Autowired
	EdgeRuntime runtime;

	@Test
	void postShouldAnswerOkAtOnceAndFinishTheWorkInTheBackground(CapturedOutput output) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/long-running-task?seconds=1"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		// its fields in the order docs/demo.md shows, on every start of the JVM
		assertThat(response.body()).matches("\\{\"status\":\"ok\",\"task\":\"[0-9a-f-]{36}\"}");
		Matcher matcher = TASK_ID.matcher(response.body());
		assertThat(matcher.find()).isTrue();
		UUID id = UUID.fromString(matcher.group(1));
		TaskHandle<?> task = this.runtime.find(id).orElseThrow();
		assertThat(task.name()).isEqualTo("longRunningTask");
		assertThat(task.info().origin().method()).isEqualTo("POST");
		assertThat(task.info().origin().path()).isEqualTo("/long-running-task");
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
		assertThat(output).contains("longRunningTask finished after 1s (task " + id + ")");
	}

}
