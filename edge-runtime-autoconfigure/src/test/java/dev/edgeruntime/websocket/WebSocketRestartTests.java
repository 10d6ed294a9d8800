package dev.edgeruntime.websocket;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.websocket.WebSocketSessionLimitTests.StalledSession;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A context stopped and started again (what a checkpoint of the JVM and its restore do): the sessions open
 * at the stop are closed as at shutdown, and after the start sessions are tracked as before, their notices
 * sent on the tracker's own threads.
 *
 * @author edge-runtime developers
 */
class WebSocketRestartTests {

	@Test
	void sessionsAfterStopAndStartShouldBeTrackedAsBefore() throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WebSocketTestApplication.class)
			.properties("server.port=0", "edge-runtime.shutdown.grace-period=1s")
			.run();
		try {
			WebSocketSessionTracker tracker = context.getBean(WebSocketSessionTracker.class);
			WebSocketTestClient before = WebSocketTestClient.connect(uri(context, "/ws/echo"));
			before.send("before the stop");
			assertThat(before.next()).isEqualTo("echo: before the stop");
			context.stop();
			CloseStatus stopped = before.awaitClose();
			assertThat(stopped.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
			assertThat(stopped.getReason()).isEqualTo("termination");
			context.start();
			WebSocketTestClient after = WebSocketTestClient.connect(uri(context, "/ws/short"));
			after.send("after the start");
			assertThat(after.next()).isEqualTo("echo: after the start");
			assertThat(tracker.openSessions()).isOne();
			// the watchdog runs again: the short budget is announced to the client, then closes its session
			Map<String, Object> notice = JsonPath.parse(after.next()).read("$");
			assertThat(notice).containsEntry("type", "beforeunload").containsEntry("reason", "wall_clock");
			CloseStatus ended = after.awaitClose();
			assertThat(ended.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
			assertThat(ended.getReason()).isEqualTo("wall_clock");
			await().untilAsserted(() -> assertThat(tracker.openSessions()).isZero());
			// a notice to a client that reads nothing is sent on the tracker's threads, not the publisher's
			// (the watchdog's, for a budget): the stop must not have left the tracker without them
			StalledSession stalled = new StalledSession();
			AtomicReference<WebSocketSession> seen = new AtomicReference<>();
			tracker.track("stalled", new AbstractWebSocketHandler() {

				@Override
				public void afterConnectionEstablished(WebSocketSession session) {
					seen.set(session);
				}

			}).afterConnectionEstablished(stalled);
			assertThat(seen.get()).isNotNull();
			context.publishEvent(new BeforeUnloadEvent(this, UnloadReason.MEMORY, null, Duration.ZERO, null));
			assertThat(stalled.sending.await(WebSocketTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			assertThat(stalled.sender).isNotSameAs(Thread.currentThread());
			assertThat(stalled.sender.getName()).startsWith("edge-websocket-");
			stalled.release.countDown();
		}
		finally {
			context.close();
		}
	}

	private static URI uri(ConfigurableApplicationContext context, String path) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return URI.create("ws://localhost:" + port + path);
	}

}
