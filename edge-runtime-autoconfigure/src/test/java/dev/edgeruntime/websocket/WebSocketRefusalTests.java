package dev.edgeruntime.websocket;

import java.net.URI;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session the runtime refuses is closed at once with 1001 (going away) and the reason.
 *
 * @author edge-runtime developers
 */
class WebSocketRefusalTests {

	@Test
	void sessionOverMaxInFlightShouldBeClosedWithGoingAwayAndEarlyDrop() throws Exception {
		// a short grace period: the first session is still open when the context closes
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WebSocketTestApplication.class)
			.properties("server.port=0", "edge-runtime.max-in-flight=1", "edge-runtime.shutdown.grace-period=1s")
			.run()) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			URI uri = URI.create("ws://localhost:" + port + "/ws/echo");
			WebSocketTestClient first = WebSocketTestClient.connect(uri);
			first.send("one");
			assertThat(first.next()).isEqualTo("echo: one");
			WebSocketTestClient second = WebSocketTestClient.connect(uri);
			CloseStatus status = second.awaitClose();
			assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
			assertThat(status.getReason()).isEqualTo("early_drop");
			assertThat(context.getBean(WebSocketSessionTracker.class).openSessions()).isOne();
			first.close();
		}
	}

}
