package dev.edgeruntime.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The guide's {@code fetchAndLog}: the request answers at once, and the fetch of the URL runs in
 * {@code waitUntil}, its running {@code CompletableFuture} tracked like the guide's promise.
 *
 * <pre>
 * EdgeRuntime.waitUntil(fetchAndLog('https://httpbin.org/json'))
 * return new Response('ok')
 * </pre>
 *
 * Only allowlisted URLs are fetched ({@code demo.relay.allowed-urls}); anything else is refused with
 * 400 before a connection is made. The demo serves a sample document at {@code /samples/json}, so no
 * internet is needed.
 *
 * @author edge-runtime developers
 */
@RestController
class RelayController {

	private static final Logger logger = LoggerFactory.getLogger(RelayController.class);

	/** How much of an upstream's answer is read and logged. */
	private static final int MAX_LOGGED_BYTES = 512;

	private final EdgeRuntime runtime;

	private final RelayAllowlist allowlist;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	RelayController(EdgeRuntime runtime, DemoProperties properties) {
		this.runtime = runtime;
		this.allowlist = new RelayAllowlist(properties.getRelay().getAllowedUrls());
	}

	@PostMapping("/relay")
	ResponseEntity<Started> relay(@RequestParam(required = false) String url) {
		URI target = this.allowlist.check(url);
		TaskHandle<Integer> task = this.runtime.waitUntil(
				TaskOptions.named("fetchAndLog").wallClock(Duration.ofSeconds(30)), fetchAndLog(target));
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.body(new Started("ok", task.id(), "/background-tasks/" + task.id()));
	}

	private CompletableFuture<Integer> fetchAndLog(URI url) {
		HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).GET().build();
		// the body is read up to a bound and only its start is logged: an upstream may answer with anything
		CompletableFuture<Integer> fetched = this.client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
			.thenApply((response) -> {
				try (InputStream body = response.body()) {
					byte[] start = body.readNBytes(MAX_LOGGED_BYTES);
					// the upstream's text, line breaks and all: escaped, so that it cannot forge log lines
					logger.info("fetchAndLog {} -> {} {}", url, response.statusCode(),
							LogText.of(new String(start, StandardCharsets.UTF_8), MAX_LOGGED_BYTES)
									+ ((body.read() != -1) ? "..." : ""));
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				return response.statusCode();
			});
		// observed: a fetch that fails (a closed port, a timeout) is the task's FAILED state and one WARN line,
		// not an unhandled rejection with its stack trace
		fetched.whenComplete((status, failure) -> {
			if (failure != null) {
				logger.warn("fetchAndLog {} failed: {}", url, failure.getMessage());
			}
		});
		return fetched;
	}

	@GetMapping("/samples/json")
	Map<String, Object> sample() {
		return Map.of("slideshow", Map.of("author", "Yours Truly", "title", "Sample Slide Show", "slides",
				new Object[] { Map.of("title", "Wake up to WonderWidgets!", "type", "all") }));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<ProblemDetail> refused(IllegalArgumentException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("URL refused");
		return ResponseEntity.badRequest().body(problem);
	}

	/**
	 * The answer, its fields always in this order (as docs/demo.md shows them), which a {@code Map.of}
	 * changes from one start of the JVM to the next.
	 *
	 * @param status always {@code ok}
	 * @param task the task's id
	 * @param statusUrl where the task's status is read
	 */
	record Started(String status, UUID task, String statusUrl) {
	}

}
