package dev.edgeruntime.web.slice;

import java.time.Duration;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @BackgroundTask} on a controller in a {@code @WebMvcTest} slice: the slice brings the runtime and
 * the advisor, so the method answers {@code 202 Accepted} and runs as a task, as in the application, rather
 * than on the request thread with the method's own answer.
 *
 * @author edge-runtime developers
 */
@WebMvcTest(BackgroundTaskWebMvcSliceTests.ReportController.class)
class BackgroundTaskWebMvcSliceTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void controllerMethodInASliceShouldBeAcceptedAndRunAsATask() {
		MvcTestResult accepted = this.mvc.post().uri("/reports").param("month", "2026-10").exchange();
		assertThat(accepted).hasStatus(HttpStatus.ACCEPTED);
		assertThat(accepted).bodyJson().extractingPath("$.name").isEqualTo("report");
		String location = accepted.getResponse().getHeader("Location");
		assertThat(location).startsWith("http://localhost/background-tasks/");
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.runtime.tasks()).singleElement()
				.satisfies((task) -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED)));
		MvcTestResult status = this.mvc.get().uri(location).exchange();
		assertThat(status).hasStatusOk();
		assertThat(status).bodyJson().extractingPath("$.state").isEqualTo("SUCCEEDED");
		assertThat(status).bodyJson().extractingPath("$.result").isEqualTo("report of 2026-10");
	}

	@SpringBootConfiguration
	@Import(ReportController.class)
	static class Config {

	}

	@RestController
	static class ReportController {

		@BackgroundTask(name = "report")
		@PostMapping("/reports")
		public String report(@RequestParam String month) {
			return "report of " + month;
		}

	}

}
