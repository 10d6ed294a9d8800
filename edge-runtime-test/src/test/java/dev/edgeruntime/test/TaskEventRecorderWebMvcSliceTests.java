package dev.edgeruntime.test;

import java.time.Duration;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test support in a {@code @WebMvcTest} slice: the recorder is there, and sees the unhandled rejection of
 * a controller method's task.
 *
 * @author edge-runtime developers
 */
@WebMvcTest(TaskEventRecorderWebMvcSliceTests.ReportController.class)
class TaskEventRecorderWebMvcSliceTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private EdgeRuntime runtime;

	@Autowired
	private TaskEventRecorder events;

	@Test
	void recorderInASliceShouldSeeTheFailureOfAControllerMethodsTask() {
		assertThat(this.mvc.post().uri("/reports").exchange()).hasStatus(HttpStatus.ACCEPTED);
		BackgroundTasks.awaitSettled(this.runtime, Duration.ofSeconds(20));
		assertThat(this.events.unhandledRejections()).singleElement()
			.satisfies((event) -> assertThat(event.error()).hasMessage("no such month"));
	}

	@SpringBootConfiguration
	@Import(ReportController.class)
	static class Config {

	}

	@RestController
	static class ReportController {

		@BackgroundTask(name = "report")
		@PostMapping("/reports")
		public String report() {
			throw new IllegalArgumentException("no such month");
		}

	}

}
