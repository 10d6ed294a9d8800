package dev.edgeruntime.websocket;

import java.time.Duration;

import dev.edgeruntime.TaskOptions;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The application the WebSocket tests run: an echo handler tracked with the default budget on
 * {@code /ws/echo}, and with a budget of {@link #SHORT_BUDGET} on {@code /ws/short}.
 *
 * @author edge-runtime developers
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
class WebSocketTestApplication {

	static final Duration SHORT_BUDGET = Duration.ofMillis(1500);

	@Bean
	WebSocketConfigurer echoEndpoints(WebSocketSessionTracker tracker) {
		return (registry) -> {
			registry.addHandler(tracker.track("echo", new EchoHandler()), "/ws/echo");
			registry.addHandler(new TrackedWebSocketHandler(new EchoHandler(), tracker,
					TaskOptions.named("short").wallClock(SHORT_BUDGET)), "/ws/short");
		};
	}

	/** Sends every text message back. */
	static final class EchoHandler extends TextWebSocketHandler {

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
			session.sendMessage(new TextMessage("echo: " + message.getPayload()));
		}

	}

}
