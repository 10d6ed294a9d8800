package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A context stopped and started again (what a checkpoint of the JVM and its restore do): the pages' streams
 * are completed at the stop, as at shutdown, and after the start a page streams snapshots again, pushed as
 * tasks start and at every refresh interval.
 *
 * @author edge-runtime developers
 */
class DashboardRestartTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void streamAfterStopAndStartShouldPushSnapshotsAgain() throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(StreamingApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true",
					"edge-runtime.dashboard.refresh-interval=1h")
			.run();
		CountDownLatch release = new CountDownLatch(1);
		try {
			DashboardEventStream stream = context.getBean(DashboardEventStream.class);
			Iterator<String> before = open(context);
			await().atMost(TIMEOUT).until(() -> stream.clientCount() == 1);
			// a change the page is to hear of shortly, cut off by the stop
			context.getBean(EdgeRuntime.class).waitUntil(TaskOptions.named("before-stop"), () -> "done");
			context.stop();
			// completed by the stop: the rest of the stream can be read to its end
			CompletableFuture.runAsync(() -> before.forEachRemaining((line) -> {
			})).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(stream.clientCount()).isZero();
			context.start();
			Iterator<String> after = open(context);
			await().atMost(TIMEOUT).until(() -> stream.clientCount() == 1);
			// a task that starts now is pushed to the page (the refresh interval is far off)
			context.getBean(EdgeRuntime.class)
				.waitUntil(TaskOptions.named("after-restart"), () -> release.await(1, TimeUnit.MINUTES));
			assertThat(CompletableFuture.supplyAsync(() -> {
				while (after.hasNext()) {
					String line = after.next();
					if (line.startsWith("data:") && line.contains("after-restart")) {
						return line;
					}
				}
				return null;
			}).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).contains("\"RUNNING\"");
		}
		finally {
			release.countDown();
			context.close();
		}
	}

	private Iterator<String> open(ConfigurableApplicationContext context) throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpResponse<Stream<String>> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/background-tasks-dashboard/events"))
					.build(),
				HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		Iterator<String> lines = response.body().iterator();
		assertThat(lines.next()).isEqualTo("event:snapshot");
		return lines;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class StreamingApplication {

	}

}
