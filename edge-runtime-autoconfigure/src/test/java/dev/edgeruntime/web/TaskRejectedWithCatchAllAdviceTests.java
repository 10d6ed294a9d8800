package dev.edgeruntime.web;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's catch-all {@code @ExceptionHandler(Exception.class)} in an advice without an order does
 * not turn the 503 of a refused task into its 500.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = TaskRejectedWithCatchAllAdviceTests.App.class, properties = "edge-runtime.max-in-flight=1")
@AutoConfigureMockMvc
class TaskRejectedWithCatchAllAdviceTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void refusedTaskShouldStillBe503WithRetryAfter() {
		assertThat(this.mvc.post().uri("/slow").exchange()).hasStatus(HttpStatus.ACCEPTED);
		try {
			MvcTestResult refused = this.mvc.post().uri("/slow").exchange();
			assertThat(refused).hasStatus(HttpStatus.SERVICE_UNAVAILABLE).containsHeader("Retry-After");
		}
		finally {
			Slow.GATE.countDown();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.runtime.status().inFlight() == 0);
		}
	}

	@RestController
	static class Slow {

		static final CountDownLatch GATE = new CountDownLatch(1);

		@BackgroundTask(name = "slow")
		@PostMapping("/slow")
		public String slow() throws InterruptedException {
			GATE.await(30, TimeUnit.SECONDS);
			return "done";
		}

	}

	/** The usual application-wide fallback. */
	@ControllerAdvice
	static class Fallback {

		@ExceptionHandler(Exception.class)
		ResponseEntity<String> anything(Exception ex) {
			return ResponseEntity.internalServerError().body("Something went wrong");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Slow.class, Fallback.class })
	static class App {

	}

}
