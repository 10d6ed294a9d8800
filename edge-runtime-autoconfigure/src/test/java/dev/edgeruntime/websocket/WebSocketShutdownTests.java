package dev.edgeruntime.websocket;

import java.net.URI;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the application with a tracked WebSocket session open: the client hears {@code beforeunload}
 * with reason {@code termination}, and is closed with 1001 when the grace period ends.
 *
 * @author edge-runtime developers
 */
class WebSocketShutdownTests {

	@Test
	void closingContextShouldWarnThenCloseOpenSessionsWithGoingAwayAndTermination() throws Exception {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WebSocketTestApplication.class)
			.properties("server.port=0", "edge-runtime.shutdown.grace-period=1s")
			.run();
		WebSocketTestClient client;
		try {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			client = WebSocketTestClient.connect(URI.create("ws://localhost:" + port + "/ws/echo"));
			client.send("before shutdown");
			assertThat(client.next()).isEqualTo("echo: before shutdown");
			assertThat(context.getBean(WebSocketSessionTracker.class).openSessions()).isOne();
		}
		finally {
			context.close();
		}
		String notice = client.next();
		assertThat(notice).isNotNull();
		Map<String, Object> message = JsonPath.parse(notice).read("$");
		assertThat(message).containsEntry("type", "beforeunload")
			.containsEntry("reason", "termination")
			.containsEntry("timeLeftMs", 1000);
		CloseStatus status = client.awaitClose();
		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
		assertThat(status.getReason()).isEqualTo("termination");
	}

}
