package dev.edgeruntime.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A durable {@code @BackgroundTask} controller method called over real HTTP with a W3C {@code traceparent}:
 * its body, run by a queue consumer against the real PostgreSQL, is in the caller's trace, as are its log
 * lines, with Spring Boot's Brave tracer.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "edge-runtime.queue.consumer.polling-interval=200ms" })
class DurableTaskTracingHttpTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	static final String QUEUE = TestDatabase.uniqueName("htr_");

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private TracedController controller;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		for (String property : TestDatabase.get().springProperties()) {
			int equals = property.indexOf('=');
			registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
		}
		registry.add("edge-runtime.queue.tasks.queue", () -> QUEUE);
	}

	@Test
	void durableTaskBodyContinuesTheTraceOfTheRequest() throws Exception {
		HttpResponse<String> accepted = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/traced-exports/7"))
					.header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(accepted.statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> this.controller.runs().size() == 1);
		assertThat(this.controller.runs()).containsExactly(TRACE_ID + " " + TRACE_ID);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TracedController.class)
	static class TestApplication {

	}

	@RestController
	static class TracedController {

		private final List<String> runs = new CopyOnWriteArrayList<>();

		private final Tracer tracer;

		TracedController(Tracer tracer) {
			this.tracer = tracer;
		}

		// a method, not the field: the bean is a proxy
		public List<String> runs() {
			return this.runs;
		}

		@BackgroundTask(name = "tracedExport", durable = true)
		@PostMapping("/traced-exports/{id}")
		public void export(@PathVariable int id) {
			Span span = this.tracer.currentSpan();
			// the span's trace, and the one the log lines carry
			this.runs.add(((span != null) ? span.context().traceId() : "none") + " " + MDC.get("traceId"));
		}

	}

}
