package dev.edgeruntime.web;

import java.time.Duration;
import java.util.UUID;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @BackgroundTask} through MockMvc with {@code edge-runtime.tasks.inline=true}, the way an
 * application's tests run it: a task run on the request thread behaves as it does on a thread of its own.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, properties = "edge-runtime.tasks.inline=true")
@AutoConfigureMockMvc
class BackgroundTaskInlineMockMvcTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void taskUsingARequestScopedBeanShouldFailAsItDoesOnATaskThread() {
		MvcTestResult result = this.mvc.post().uri("/localized-reports").exchange();
		assertThat(result).hasStatus(HttpStatus.ACCEPTED);
		String location = result.getResponse().getHeader("Location");
		assertThat(location).isNotNull();
		// MockMvc keeps the request's attributes on its thread until exchange() returns, and the inline task
		// runs before that: it must not use the request scope there, which it cannot have in production
		MvcTestResult status = this.mvc.get().uri(location).exchange();
		assertThat(status).bodyJson().extractingPath("$.state").isEqualTo("FAILED");
		assertThat(status).bodyJson()
			.extractingPath("$.error.message")
			.asString()
			.startsWith("Background task 'localized-report' used bean 'scopedTarget.")
			.contains("whose scope is not active on the task's thread");
	}

	@Test
	void waitUntilTaskUsingARequestScopedBeanShouldFailAsItDoesOnATaskThread() throws Exception {
		// waitUntil starts its task at once: inline, that is inside the handler, whose request scope is active
		MvcTestResult result = this.mvc.post().uri("/localized-waits").exchange();
		assertThat(result).hasStatusOk();
		TaskHandle<?> task = this.runtime.find(UUID.fromString(result.getResponse().getContentAsString()))
			.orElseThrow();
		assertThat(task.state()).isEqualTo(TaskState.FAILED);
		assertThat(task.result()).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingRootCause()
			.withMessageContaining("No thread-bound request found");
	}

}
