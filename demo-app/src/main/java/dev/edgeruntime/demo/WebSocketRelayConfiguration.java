package dev.edgeruntime.demo;

import java.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import dev.edgeruntime.websocket.WebSocketSessionTracker;
import org.jspecify.annotations.Nullable;

import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * The blog's WebSocket example: {@code /relay-ws}, the authenticated relay, and {@code /echo-ws}, the
 * upstream it relays to, which takes only the relay's connections (with {@code demo.relay-ws.upstream-key},
 * or a key made at start). Both are tracked: each session is a background task under
 * {@code edge-runtime.websocket.wall-clock}, listed in {@code /actuator/backgroundtasks}.
 *
 * @author edge-runtime developers
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketRelayConfiguration {

	/** The key application.yml falls back to: published with the demo, so it signs nothing private. */
	static final String PUBLIC_DEMO_SECRET = "edge-runtime-demo-relay-secret-change-me";

	@Bean
	WebSocketConfigurer relayEndpoints(WebSocketSessionTracker tracker, DemoProperties properties) {
		DemoProperties.RelayWs relay = properties.getRelayWs();
		if (PUBLIC_DEMO_SECRET.equals(relay.getJwtSecret())) {
			// fine for trying the demo on a laptop; anyone can sign tokens with a key published in the repository
			LoggerFactory.getLogger(WebSocketRelayConfiguration.class)
				.warn("demo.relay-ws.jwt-secret is the demo's published default: anyone can sign tokens for "
						+ "/relay-ws; set DEMO_RELAY_JWT_SECRET (or the property) to a secret of your own");
		}
		RelayTokens tokens = new RelayTokens(relay.getJwtSecret());
		// a key made here opens nothing but this process's echo, wherever demo.relay-ws.upstream points
		String upstreamKey = relay.getUpstreamKey().isEmpty() ? randomKey() : relay.getUpstreamKey();
		WebSocketRelayHandler handler = new WebSocketRelayHandler(new StandardWebSocketClient(), relay.getUpstream(),
				upstreamKey);
		return (registry) -> {
			registry.addHandler(tracker.track("relay-ws", handler), "/relay-ws")
				.addInterceptors(new RelayHandshakeInterceptor(tokens))
				.setHandshakeHandler(new SubjectHandshakeHandler());
			registry.addHandler(tracker.track("echo-ws", new WebSocketEchoHandler()), "/echo-ws")
				.addInterceptors(new UpstreamKeyInterceptor(upstreamKey));
		};
	}

	private static String randomKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
	}

	/** Makes the token's subject the session's principal. */
	private static final class SubjectHandshakeHandler extends DefaultHandshakeHandler {

		@Override
		protected @Nullable Principal determineUser(ServerHttpRequest request, WebSocketHandler wsHandler,
				Map<String, Object> attributes) {
			Object subject = attributes.get(RelayHandshakeInterceptor.SUBJECT);
			return (subject != null) ? new RelayPrincipal(subject.toString())
					: super.determineUser(request, wsHandler, attributes);
		}

	}

	/** The authenticated user of a relay session. */
	private record RelayPrincipal(String name) implements Principal {

		@Override
		public String getName() {
			return this.name;
		}

	}

}
