package dev.edgeruntime.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overload: 2,000 requests over real HTTP (loopback), each starting a {@code @BackgroundTask} that is held
 * until the burst is over, against {@code edge-runtime.max-in-flight=500}. Exactly 500 are accepted; the
 * others get 503 with {@code Retry-After} and a problem body whose reason is {@code early_drop}; every
 * accepted task completes once released, and nothing fails with an error such as an
 * {@link OutOfMemoryError}. Tomcat's pool (32 threads) and the client (200 requests on the wire, 4 threads)
 * are bounded so that a 2-core machine copes.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = OverloadReliabilityTests.BurstApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "edge-runtime.max-in-flight=500", "server.tomcat.threads.max=32", "server.address=127.0.0.1" })
class OverloadReliabilityTests {

	private static final int REQUESTS = 2000;

	private static final int MAX_IN_FLIGHT = 500;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private Burst burst;

	@Autowired
	private EdgeRuntime runtime;

	@Test
	void burstOverMaxInFlightShouldRefuseTheRestWith503AndCompleteEveryAcceptedTask() throws Exception {
		ExecutorService clientThreads = Executors.newFixedThreadPool(4);
		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.executor(clientThreads)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
		try {
			Semaphore onTheWire = new Semaphore(200);
			List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
			for (int n = 0; n < REQUESTS; n++) {
				onTheWire.acquire();
				HttpRequest request = HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/burst?n=" + n))
					.timeout(WAIT)
					.POST(HttpRequest.BodyPublishers.noBody())
					.build();
				responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
					.whenComplete((response, failure) -> onTheWire.release()));
			}
			CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			// every task accepted so far is still held: the burst is over
			Set<Integer> accepted = ConcurrentHashMap.newKeySet();
			int refused = 0;
			Set<String> retryAfter = new java.util.TreeSet<>();
			for (int n = 0; n < REQUESTS; n++) {
				HttpResponse<String> response = responses.get(n).get();
				assertThat(response.statusCode()).as("status of request %d", n).isIn(202, 503);
				if (response.statusCode() == 202) {
					accepted.add(n);
					continue;
				}
				refused++;
				String seconds = response.headers().firstValue("Retry-After").orElse(null);
				assertThat(seconds).as("Retry-After of request %d", n).isNotNull().matches("[1-9][0-9]*");
				retryAfter.add(seconds);
				assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
				JsonNode problem = this.json.readTree(response.body());
				assertThat(problem.get("status").asInt()).isEqualTo(503);
				assertThat(problem.get("reason").asString()).isEqualTo("early_drop");
				assertThat(problem.get("detail").asString()).contains("edge-runtime.max-in-flight");
			}
			System.out.printf("Reliability/overload: %d requests, max-in-flight %d: %d accepted (202), %d refused "
					+ "(503, Retry-After %s s, reason early_drop)%n", REQUESTS, MAX_IN_FLIGHT, accepted.size(), refused,
					retryAfter);
			assertThat(accepted.size() + refused).isEqualTo(REQUESTS);
			assertThat(accepted).hasSize(MAX_IN_FLIGHT);
			await().atMost(WAIT).until(() -> this.burst.running.get() == MAX_IN_FLIGHT);
			assertThat(this.runtime.status().inFlight()).isEqualTo(MAX_IN_FLIGHT);
			this.burst.release.countDown();
			await().atMost(WAIT).until(() -> this.burst.completed.size() == MAX_IN_FLIGHT);
			assertThat(this.burst.completed).isEqualTo(accepted);
			await().atMost(WAIT).until(() -> this.runtime.status().inFlight() == 0);
			assertThat(this.burst.errors).as("errors thrown in tasks").isEmpty();
		}
		finally {
			this.burst.release.countDown();
			clientThreads.shutdownNow();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Burst.class, BurstController.class })
	static class BurstApplication {

	}

	static class Burst {

		final CountDownLatch release = new CountDownLatch(1);

		final AtomicInteger running = new AtomicInteger();

		final Set<Integer> completed = ConcurrentHashMap.newKeySet();

		final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();

	}

	@RestController
	static class BurstController {

		private final Burst burst;

		BurstController(Burst burst) {
			this.burst = burst;
		}

		@BackgroundTask(name = "burst")
		@PostMapping("/burst")
		public String burst(@RequestParam int n) throws Exception {
			this.burst.running.incrementAndGet();
			try {
				if (!this.burst.release.await(2, TimeUnit.MINUTES)) {
					throw new IllegalStateException("task " + n + " was never released");
				}
				this.burst.completed.add(n);
				return "done " + n;
			}
			catch (Throwable ex) {
				this.burst.errors.put(n, ex);
				throw ex;
			}
		}

	}

}
