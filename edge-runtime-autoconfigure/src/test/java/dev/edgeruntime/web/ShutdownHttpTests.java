package dev.edgeruntime.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Shutdown as Kubernetes drives it, over real HTTP: the context closes (what {@code SIGTERM} does) while a
 * task runs, a request is still being served and clients keep sending requests.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownHttpTests {

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private ConfigurableApplicationContext context;

	private Thread closer;

	@AfterEach
	void closeContext() throws InterruptedException {
		Gates.openAll();
		if (this.closer != null) {
			this.closer.join(TimeUnit.MINUTES.toMillis(1));
		}
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void closeWhileARequestIsServedShouldAcceptItsTaskAndDrainEveryTaskAcceptedBefore(CapturedOutput output)
			throws Exception {
		this.context = start("server.shutdown=graceful");
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		DefaultEdgeRuntime runtime = this.context.getBean(DefaultEdgeRuntime.class);
		assertThat(post(port, "/reports?key=before").statusCode()).isEqualTo(202);
		CompletableFuture<HttpResponse<String>> slow = this.http.sendAsync(request(port, "/slow?key=slow"),
				HttpResponse.BodyHandlers.ofString());
		await().until(() -> Gates.waiting.containsKey("slow-request"));
		closeInBackground();
		ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
		await().until(() -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
		// the web server's graceful shutdown waits for the request in flight, whose task is still accepted
		await().until(() -> output.toString().contains("Commencing graceful shutdown"));
		Gates.open("slow-request");
		HttpResponse<String> slowResponse = slow.get(30, TimeUnit.SECONDS);
		assertThat(slowResponse.statusCode()).isEqualTo(200);
		await().until(runtime::isDraining);
		assertThat(runtime.tasks()).extracting(TaskInfo::name, TaskInfo::state)
			.containsExactlyInAnyOrder(tuple("report", TaskState.RUNNING), tuple("slow", TaskState.RUNNING));
		assertThat(this.closer.isAlive()).isTrue();
		Gates.open("before");
		Gates.open("slow");
		this.closer.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(this.closer.isAlive()).isFalse();
		assertThat(runtime.tasks()).extracting(TaskInfo::state).containsOnly(TaskState.SUCCEEDED).hasSize(2);
	}

	@Test
	void requestsThatStartATaskDuringTheDrainShouldGetServiceUnavailableWithRetryAfter() throws Exception {
		// an immediate shutdown leaves the web server serving until the drain is over
		this.context = start("server.shutdown=immediate");
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		DefaultEdgeRuntime runtime = this.context.getBean(DefaultEdgeRuntime.class);
		assertThat(post(port, "/reports?key=before").statusCode()).isEqualTo(202);
		Gates.open("slow-request");
		closeInBackground();
		await().until(runtime::isDraining);
		for (String path : new String[] { "/reports?key=late", "/slow?key=late" }) {
			HttpResponse<String> refused = post(port, path);
			assertThat(refused.statusCode()).as(path).isEqualTo(503);
			assertThat(refused.headers().firstValue("Retry-After")).as(path).hasValue("5");
			assertThat(refused.body()).as(path)
				.contains("\"reason\":\"termination\"")
				.contains("refused: the application is shutting down");
		}
		Gates.open("before");
		this.closer.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(this.closer.isAlive()).isFalse();
		assertThat(runtime.tasks()).extracting(TaskInfo::name, TaskInfo::state)
			.containsExactly(tuple("report", TaskState.SUCCEEDED));
	}

	private ConfigurableApplicationContext start(String shutdown) {
		return new SpringApplicationBuilder(TestApplication.class)
			.properties("server.port=0", shutdown, "edge-runtime.shutdown.grace-period=1m",
					"spring.lifecycle.timeout-per-shutdown-phase=2m")
			.run();
	}

	private void closeInBackground() {
		this.closer = new Thread(this.context::close, "test-context-closer");
		this.closer.start();
	}

	private HttpRequest request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
	}

	private HttpResponse<String> post(int port, String path) throws Exception {
		return this.http.send(request(port, path), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(TasksController.class)
	static class TestApplication {

	}

	/**
	 * Latches by key that the test opens.
	 */
	static final class Gates {

		static final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

		static final Map<String, Boolean> waiting = new ConcurrentHashMap<>();

		static void await(String key) throws InterruptedException {
			waiting.put(key, true);
			latches.computeIfAbsent(key, (k) -> new CountDownLatch(1)).await(1, TimeUnit.MINUTES);
		}

		static void open(String key) {
			latches.computeIfAbsent(key, (k) -> new CountDownLatch(1)).countDown();
		}

		static void openAll() {
			latches.values().forEach(CountDownLatch::countDown);
			latches.clear();
			waiting.clear();
		}

	}

	@RestController
	static class TasksController {

		private final EdgeRuntime runtime;

		TasksController(EdgeRuntime runtime) {
			this.runtime = runtime;
		}

		@BackgroundTask(name = "report")
		@PostMapping("/reports")
		public String report(@RequestParam String key) throws InterruptedException {
			Gates.await(key);
			return "report " + key;
		}

		@PostMapping("/slow")
		public UUID slow(@RequestParam String key) throws InterruptedException {
			Gates.await("slow-request");
			TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("slow"), () -> {
				Gates.await(key);
				return key;
			});
			return task.id();
		}

	}

}
