package dev.edgeruntime.autoconfigure;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.testsupport.TestDatabase;
import dev.edgeruntime.websocket.WebSocketSessionTracker;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A whole application (web server, {@code @BackgroundTask} controller, actuator endpoint, dashboard stream,
 * tracked WebSocket session, durable tier with a {@code @QueueListener} fed by an in-app {@code @CronJob})
 * started, used and closed several times in one JVM, as DevTools restarts do and as test suites with many cached
 * contexts do: a closed context leaves none of our threads running (the WebSocket senders among them), no
 * WebSocket session open, no listener on the memory MXBean, no connection open on the database, and the JVM's
 * thread count does not grow from round to round.
 *
 * @author edge-runtime developers
 */
class RepeatedContextTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int ROUNDS = 4;

	// Every thread the library names; a thread left by a closed context keeps its class loader alive.
	private static final List<String> OUR_THREAD_PREFIXES = List.of("edge-task", "edge-runtime-", "edge-websocket-",
			"queue-");

	private final HttpClient http = HttpClient.newHttpClient();

	// one client for every round: its container's threads live as long as it does, not as long as a round
	private final StandardWebSocketClient webSocketClient = new StandardWebSocketClient();

	private final JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());

	private final String applicationName = TestDatabase.uniqueName("restart_");

	@Test
	void closedContextsShouldLeaveNothingRunning() throws Exception {
		MemoryPoolMXBean oldGeneration = findOldGeneration();
		long thresholdBefore = (oldGeneration != null) ? oldGeneration.getCollectionUsageThreshold() : -1;
		List<Integer> threadCounts = new ArrayList<>();
		for (int i = 1; i <= ROUNDS; i++) {
			int round = i;
			NotificationListener memoryListener;
			ConfigurableApplicationContext context = start();
			WebSocketSessionTracker tracker = context.getBean(WebSocketSessionTracker.class);
			Client client;
			try {
				client = exercise(context);
				assertThat(tracker.openSessions()).isOne();
				// the application's connections are seen (pool, LISTEN): their absence after the close means something
				assertThat(connectionsOfTheApplication()).isPositive();
				memoryListener = memoryListenerOf(context.getBean(EdgeRuntime.class));
			}
			finally {
				context.close();
			}
			// the close ended the session's task: the client heard why, from one of the tracker's sender threads
			assertThat(client.closeStatus.get(WAIT.toSeconds(), TimeUnit.SECONDS))
				.isEqualTo(CloseStatus.GOING_AWAY.withReason("termination"));
			assertThat(client.messages).anySatisfy((message) -> assertThat(message)
				.startsWith("{\"type\":\"beforeunload\",\"reason\":\"termination\""));
			assertThat(tracker.openSessions()).as("WebSocket sessions after round %d", round).isZero();
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(ourThreads()).as("our threads after round %d", round).isEmpty());
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(connectionsOfTheApplication()).as("connections after round %d", round)
					.isZero());
			if (memoryListener != null) {
				assertThatExceptionOfType(ListenerNotFoundException.class)
					.as("the memory MXBean's listener after round %d", round)
					.isThrownBy(() -> ((NotificationEmitter) ManagementFactory.getMemoryMXBean())
						.removeNotificationListener(memoryListener));
			}
			if (oldGeneration != null) {
				assertThat(oldGeneration.getCollectionUsageThreshold()).isEqualTo(thresholdBefore);
			}
			threadCounts.add(settledThreadCount());
		}
		// The first round starts what lives as long as the JVM (the HTTP client's selector, JDBC driver's timer):
		// later rounds add nothing that stays.
		assertThat(threadCounts.get(ROUNDS - 1)).as("thread counts after each round: %s", threadCounts)
			.isLessThanOrEqualTo(threadCounts.get(0) + 3);
	}

	private ConfigurableApplicationContext start() {
		List<String> properties = new ArrayList<>();
		for (String property : TestDatabase.get().springProperties()) {
			if (property.startsWith("spring.datasource.url=")) {
				// marks the application's connections in pg_stat_activity
				property += (property.contains("?") ? "&" : "?") + "ApplicationName=" + this.applicationName;
			}
			properties.add(property);
		}
		properties.addAll(List.of("spring.autoconfigure.exclude=", "server.port=0",
				"management.endpoints.web.exposure.include=backgroundtasks", "edge-runtime.dashboard.enabled=true",
				"edge-runtime.dashboard.refresh-interval=200ms", "edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.cron.mode=in-app", "edge-runtime.cron.job-name-prefix=" + this.applicationName + ":",
				"edge-runtime.cron.in-app.poll-interval=200ms", "test.queue=" + this.applicationName,
				// the WebSocket session left open holds the close's drain for the grace period
				"edge-runtime.shutdown.grace-period=1s"));
		// as arguments: they are to win over the test resources' application.properties
		return new SpringApplicationBuilder(RestartedApplication.class)
			.run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
	}

	/**
	 * Makes every part work once: a background task over HTTP, the endpoint, the dashboard's stream, a
	 * WebSocket session (left open), and a cron tick consumed by the listener (the consumer, its notifications
	 * and its completions).
	 * @return the WebSocket client, whose session the context's close is to end
	 */
	private Client exercise(ConfigurableApplicationContext context) throws Exception {
		String base = "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpResponse<String> accepted = this.http.send(
				HttpRequest.newBuilder(URI.create(base + "/work")).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(context.getBean(Work.class).awaitDone()).isTrue();
		assertThat(get(base + "/actuator/backgroundtasks").statusCode()).isEqualTo(200);
		// left open: the context's close is to complete it
		HttpResponse<java.io.InputStream> events = this.http.send(
				HttpRequest.newBuilder(URI.create(base + "/background-tasks-dashboard/events")).build(),
				HttpResponse.BodyHandlers.ofInputStream());
		assertThat(events.statusCode()).isEqualTo(200);
		// left open too: the close is to end its task, tell the client and close it
		Client client = new Client();
		WebSocketSession session = this.webSocketClient
			.execute(client, null, URI.create(base.replace("http:", "ws:") + "/ws/echo"))
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		session.sendMessage(new TextMessage("ping"));
		assertThat(client.messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("echo: ping");
		assertThat(context.getBean(Ticks.class).awaitReceived()).isTrue();
		return client;
	}

	private HttpResponse<String> get(String uri) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static List<String> ourThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> OUR_THREAD_PREFIXES.stream().anyMatch(name::startsWith))
			.toList();
	}

	private int connectionsOfTheApplication() {
		Integer count = this.jdbc.queryForObject(
				"SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()",
				Integer.class, this.applicationName);
		return (count != null) ? count : 0;
	}

	/**
	 * The JVM's thread count once the threads that end a little after a close (the web server's, the HTTP
	 * client's idle connections') have ended: two equal readings in a row.
	 */
	private static int settledThreadCount() {
		int[] previous = { -1 };
		return await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
			int now = ManagementFactory.getThreadMXBean().getThreadCount();
			int before = previous[0];
			previous[0] = now;
			return (before == now) ? now : null;
		}, (count) -> count != null);
	}

	private static @Nullable NotificationListener memoryListenerOf(EdgeRuntime runtime) {
		Object monitor = ReflectionTestUtils.getField(runtime, "memoryMonitor");
		return (monitor != null) ? (NotificationListener) ReflectionTestUtils.getField(monitor, "listener") : null;
	}

	private static @Nullable MemoryPoolMXBean findOldGeneration() {
		return ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.isCollectionUsageThresholdSupported()
					&& (pool.getName().contains("Old") || pool.getName().contains("Tenured")))
			.findFirst()
			.orElse(null);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableWebSocket
	@Import({ Work.class, Ticks.class })
	static class RestartedApplication {

		@Bean
		WebSocketConfigurer echoEndpoint(WebSocketSessionTracker tracker) {
			return (registry) -> registry.addHandler(tracker.track("restart-echo", new TextWebSocketHandler() {

				@Override
				protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
					session.sendMessage(new TextMessage("echo: " + message.getPayload()));
				}

			}), "/ws/echo");
		}

	}

	/** The client side of the WebSocket session: what it hears, and how it was closed. */
	static final class Client extends TextWebSocketHandler {

		final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

		final CompletableFuture<CloseStatus> closeStatus = new CompletableFuture<>();

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) {
			this.messages.add(message.getPayload());
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.closeStatus.complete(status);
		}

	}

	@RestController
	static class Work {

		private final CountDownLatch done = new CountDownLatch(1);

		@BackgroundTask(name = "restart-work")
		@PostMapping("/work")
		public String work() {
			this.done.countDown();
			return "done";
		}

		// public: the bean is a proxy (its method runs as a background task), which calls through
		public boolean awaitDone() throws InterruptedException {
			return this.done.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		}

	}

	static class Ticks {

		private final CountDownLatch received = new CountDownLatch(1);

		@CronJob(name = "beat", schedule = "1 seconds", queue = "${test.queue}")
		Map<String, Object> beat() {
			return Map.of("beat", true);
		}

		@QueueListener(queue = "${test.queue}")
		void handle(Map<String, Object> message) {
			this.received.countDown();
		}

		public boolean awaitReceived() throws InterruptedException {
			return this.received.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		}

	}

}
