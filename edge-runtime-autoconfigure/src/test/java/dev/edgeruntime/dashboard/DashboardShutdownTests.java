package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An open dashboard page does not hold up the web server's graceful shutdown: its stream is completed
 * before the server waits for the requests in progress.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class DashboardShutdownTests {

	@Test
	void openStreamShouldBeClosedBeforeGracefulShutdownWaits(CapturedOutput output) throws Exception {
		// if the stream were still open, graceful shutdown would give up after this phase timeout
		ConfigurableApplicationContext context = new SpringApplicationBuilder(StreamingApplication.class)
			.properties("server.port=0", "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=20s",
					"edge-runtime.dashboard.enabled=true")
			.run();
		try {
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/background-tasks-dashboard/events"))
					.build(), HttpResponse.BodyHandlers.ofLines());
			assertThat(response.statusCode()).isEqualTo(200);
			Iterator<String> lines = response.body().iterator();
			assertThat(lines.next()).isEqualTo("event:snapshot");
			DashboardEventStream stream = context.getBean(DashboardEventStream.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> stream.clientCount() == 1);
			context.close();
			assertThat(output).contains("Graceful shutdown complete")
				.doesNotContain("Graceful shutdown aborted with one or more requests still active")
				// the stream's end reached its request before the server paused: not dispatched to a server that no
				// longer finds the handler ("No static resource ...", logged as a warning at every close)
				.doesNotContain("NoResourceFoundException")
				.doesNotContain("response committed already");
			// the stream ended cleanly: the rest of it can be read to its end
			lines.forEachRemaining((line) -> {
			});
			assertThat(stream.clientCount()).isZero();
		}
		finally {
			context.close();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class StreamingApplication {

	}

}
