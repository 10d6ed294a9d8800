package dev.edgeruntime.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.then;

/**
 * A test's {@code @MockitoSpyBean EdgeRuntime}, over a real server: the code under test's calls to the
 * runtime can be verified, its tasks, {@code @BackgroundTask} methods' included, still run, and the shutdown
 * drain still waits for the tasks in flight.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MockitoSpyBeanEdgeRuntimeTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@MockitoSpyBean
	private EdgeRuntime runtime;

	@Autowired
	private Notifier notifier;

	@Autowired
	private Mailer mailer;

	@Autowired
	private ConfigurableApplicationContext context;

	@LocalServerPort
	private int port;

	@Test
	void callsToTheRuntimeShouldBeVerifiableAndTheirTasksShouldRun() {
		TaskHandle<String> handle = this.notifier.notifyLater();
		then(this.runtime).should().waitUntil(any(CompletableFuture.class));
		await().atMost(TIMEOUT).until(() -> handle.state() == TaskState.SUCCEEDED);
	}

	@Test
	void backgroundTaskMethodShouldRunWithASpiedRuntime() throws Exception {
		this.mailer.send();
		assertThat(this.mailer.awaitSent(TIMEOUT)).isTrue();
	}

	@Test
	@SuppressWarnings("unchecked")
	void backgroundTaskControllerMethodShouldAnswerAcceptedAndRunWithASpiedRuntime() throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		HttpResponse<String> response = client.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/reports"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create("http://localhost:" + this.port)
			.resolve(response.headers().firstValue("Location").orElseThrow());
		JsonMapper json = JsonMapper.builder().build();
		await().atMost(TIMEOUT).untilAsserted(() -> {
			HttpResponse<String> status = client.send(HttpRequest.newBuilder(location).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(json.readValue(status.body(), Map.class)).containsEntry("state", "SUCCEEDED")
				.containsEntry("result", "report");
		});
	}

	@Test
	@DirtiesContext
	void shutdownDrainShouldWaitForTasksInFlightAsWithoutTheSpy() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		TaskHandle<String> inFlight = this.runtime.waitUntil(TaskOptions.named("in-flight"), () -> {
			release.await();
			return "done";
		});
		DefaultEdgeRuntime starters = this.context.getBean(DefaultEdgeRuntime.class);
		// what the context's close runs at the lifecycle's phase (a test's context cannot be closed mid-test)
		CountDownLatch stopped = new CountDownLatch(1);
		Thread stopper = new Thread(() -> this.context.getBean(EdgeRuntimeLifecycle.class).stop(stopped::countDown));
		stopper.start();
		try {
			await().atMost(TIMEOUT).until(starters::isDraining);
			assertThat(stopped.getCount()).isOne();
			assertThat(inFlight.state()).isEqualTo(TaskState.RUNNING);
		}
		finally {
			release.countDown();
		}
		assertThat(stopped.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(inFlight.state()).isEqualTo(TaskState.SUCCEEDED);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Notifier notifier(EdgeRuntime runtime) {
			return new Notifier(runtime);
		}

		@Bean
		Mailer mailer() {
			return new Mailer();
		}

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

	record Notifier(EdgeRuntime runtime) {

		TaskHandle<String> notifyLater() {
			return this.runtime.waitUntil(CompletableFuture.completedFuture("sent"));
		}

	}

	static class Mailer {

		private final CountDownLatch sent = new CountDownLatch(1);

		@BackgroundTask
		public void send() {
			this.sent.countDown();
		}

		boolean awaitSent(Duration timeout) throws InterruptedException {
			return this.sent.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

	}

	@RestController
	static class Reports {

		@BackgroundTask
		@PostMapping("/reports")
		public String create() {
			return "report";
		}

	}

}
