package dev.edgeruntime.dashboard;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.awaitility.Awaitility.await;

/**
 * A dashboard page that stops reading (a frozen tab, a lost network) blocks the writes to it once the
 * connection's buffers are full, until the connection times out. The other pages go on getting their
 * snapshots meanwhile.
 *
 * @author edge-runtime developers
 */
class DashboardStalledPageTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void pageThatStopsReadingShouldNotHoldUpTheOthers() throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(StreamingApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true",
					"edge-runtime.dashboard.refresh-interval=100ms", "edge-runtime.dashboard.page-size=1000",
					"edge-runtime.retention.max-count=2000")
			.run();
		Thread reader = null;
		try (Socket stalled = new Socket()) {
			int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			// about 1,000 retained tasks: each snapshot is a few hundred kilobytes
			for (int i = 0; i < 1000; i++) {
				runtime.waitUntil(TaskOptions.named("a-task-with-a-name-long-enough-to-fill-the-snapshot"), () -> "done");
			}
			await().atMost(WAIT).until(() -> runtime.status().inFlight() == 0);
			AtomicInteger snapshots = new AtomicInteger();
			HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/background-tasks-dashboard/events"))
					.build(), HttpResponse.BodyHandlers.ofLines());
			reader = new Thread(() -> response.body()
				.filter("event:snapshot"::equals)
				.forEach((line) -> snapshots.incrementAndGet()), "reading-page");
			reader.setDaemon(true);
			reader.start();
			// the page that never reads
			stalled.setReceiveBufferSize(4096);
			stalled.connect(new InetSocketAddress("localhost", port));
			OutputStream request = stalled.getOutputStream();
			request.write(("GET /background-tasks-dashboard/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			request.flush();
			// its buffers fill, and the write to it blocks: a dashboard thread stays in a write
			await().atMost(WAIT).during(Duration.ofSeconds(1)).until(DashboardStalledPageTests::writing);
			int before = snapshots.get();
			await().atMost(WAIT).until(() -> snapshots.get() >= before + 20);
		}
		finally {
			context.close();
			if (reader != null) {
				reader.interrupt();
			}
		}
	}

	/** Whether a dashboard thread is inside a socket write. */
	private static boolean writing() {
		for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
			if (thread.getKey().getName().startsWith("edge-runtime-dashboard") && Arrays.stream(thread.getValue())
				.anyMatch((frame) -> frame.getMethodName().equals("doWrite") || frame.getMethodName().contains("awaitWrite")
						|| frame.getClassName().contains("NioBlockingSelector"))) {
				return true;
			}
		}
		return false;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class StreamingApplication {

	}

}
