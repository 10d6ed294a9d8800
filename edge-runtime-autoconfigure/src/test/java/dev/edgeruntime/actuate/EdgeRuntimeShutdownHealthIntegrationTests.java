package dev.edgeruntime.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health and readiness of a real web application while it closes with a task in flight.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeShutdownHealthIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	private ConfigurableApplicationContext context;

	private Thread closer;

	@AfterEach
	void closeContext() throws InterruptedException {
		if (this.closer != null) {
			this.closer.join(TimeUnit.MINUTES.toMillis(1));
		}
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void healthWhenContextClosesWithTaskInFlightShouldBeOutOfServiceAndReadinessRefusingTraffic() throws Exception {
		this.context = start("server.shutdown=graceful");
		BlockingWork work = new BlockingWork();
		TaskHandle<String> task = this.context.getBean(EdgeRuntime.class).waitUntil(TaskOptions.named("report"), work);
		assertThat(work.awaitStarted()).isTrue();
		HealthEndpoint health = this.context.getBean(HealthEndpoint.class);
		ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
		assertThat(health.healthForPath("edgeRuntime").getStatus()).isEqualTo(Status.UP);
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		ReadinessAtTermination atTermination = this.context.getBean(ReadinessAtTermination.class);
		closeInBackground();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(health.healthForPath("edgeRuntime").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		});
		assertThat(atTermination.state).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		assertThat(task.state()).isEqualTo(TaskState.RUNNING);
		assertThat(this.context.isActive()).isTrue();
		work.release();
		this.closer.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(this.closer.isAlive()).isFalse();
		assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
	}

	@Test
	void healthOverHttpWhenServerShutdownIsImmediateShouldAnswerOutOfServiceWhileDraining() throws Exception {
		this.context = start("server.shutdown=immediate");
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		BlockingWork work = new BlockingWork();
		TaskHandle<String> task = this.context.getBean(EdgeRuntime.class).waitUntil(TaskOptions.named("report"), work);
		assertThat(work.awaitStarted()).isTrue();
		assertThat(get(port, "/actuator/health/readiness").statusCode()).isEqualTo(200);
		closeInBackground();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
			assertThat(readiness.statusCode()).isEqualTo(503);
			assertThat(readiness.body()).contains("OUT_OF_SERVICE");
			HttpResponse<String> runtime = get(port, "/actuator/health/edgeRuntime");
			assertThat(runtime.statusCode()).isEqualTo(503);
			assertThat(runtime.body()).contains("\"status\":\"OUT_OF_SERVICE\"").contains("\"draining\":true");
		});
		work.release();
		this.closer.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
	}

	private ConfigurableApplicationContext start(String shutdown) {
		return new SpringApplicationBuilder(TestApplication.class).properties("server.port=0", shutdown,
				"management.endpoints.web.exposure.include=health", "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.show-details=always", "edge-runtime.shutdown.grace-period=1m",
				"spring.lifecycle.timeout-per-shutdown-phase=2m")
			.run();
	}

	private void closeInBackground() {
		this.closer = new Thread(this.context::close, "test-context-closer");
		this.closer.start();
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(ReadinessAtTermination.class)
	static class TestApplication {

	}

	/**
	 * Records the readiness state when the runtime announces termination, before it drains.
	 */
	static class ReadinessAtTermination {

		private final ApplicationAvailability availability;

		volatile @Nullable ReadinessState state;

		ReadinessAtTermination(ApplicationAvailability availability) {
			this.availability = availability;
		}

		@EventListener
		void onBeforeUnload(BeforeUnloadEvent event) {
			if (event.reason() == UnloadReason.TERMINATION) {
				this.state = this.availability.getReadinessState();
			}
		}

	}

}
