package dev.edgeruntime.demo;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * The blog's authenticated relay: each client session (already authenticated by
 * {@link RelayHandshakeInterceptor}) opens its own outbound WebSocket to the upstream and messages flow
 * both ways. A message that arrives before the upstream is open is answered with an error frame,
 * {@code {"type":"error","msg":"upstream connection not ready"}}, as the blog does, rather than dropped;
 * when either side closes, the other is closed too.
 *
 * @author edge-runtime developers
 */
final class WebSocketRelayHandler extends AbstractWebSocketHandler {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketRelayHandler.class);

	private static final String UPSTREAM = WebSocketRelayHandler.class.getName() + ".upstream";

	static final String NOT_READY = "{\"type\":\"error\",\"msg\":\"upstream connection not ready\"}";

	static final String UNAVAILABLE = "{\"type\":\"error\",\"msg\":\"upstream connection failed\"}";

	private final WebSocketClient client;

	private final @Nullable URI upstream;

	private final String upstreamKey;

	/**
	 * Creates a new instance.
	 * @param client opens the upstream connections
	 * @param upstream the upstream, or {@code null} for the demo's own echo
	 * @param upstreamKey the key sent to the upstream as a bearer token
	 */
	WebSocketRelayHandler(WebSocketClient client, @Nullable URI upstream, String upstreamKey) {
		this.client = client;
		this.upstream = upstream;
		this.upstreamKey = upstreamKey;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		URI target = upstreamFor(session);
		Upstream upstream = new Upstream(session);
		session.getAttributes().put(UPSTREAM, upstream);
		logger.info("Relay for {} connecting to {}", session.getPrincipal(), target);
		// the upstream's credential is the relay's, added here on the server: the client never holds it
		WebSocketHttpHeaders headers = new WebSocketHttpHeaders();
		headers.setBearerAuth(this.upstreamKey);
		CompletableFuture<WebSocketSession> connecting = this.client.execute(upstream, headers, target);
		connecting.whenComplete((opened, failure) -> {
			if (failure != null) {
				logger.warn("Relay could not reach {}: {}", target, failure.getMessage());
				send(session, new TextMessage(UNAVAILABLE));
				close(session, CloseStatus.SERVER_ERROR.withReason("upstream unavailable"));
			}
		});
	}

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
		Upstream upstream = (Upstream) session.getAttributes().get(UPSTREAM);
		WebSocketSession target = (upstream != null) ? upstream.session : null;
		if (target != null && target.isOpen()) {
			target.sendMessage(message);
		}
		else {
			session.sendMessage(new TextMessage(NOT_READY));
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		logger.debug("Relay client {} errored: {}", session.getId(), exception.getMessage());
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		Upstream upstream = (Upstream) session.getAttributes().remove(UPSTREAM);
		if (upstream == null) {
			return;
		}
		upstream.clientClosed = true; // an upstream still connecting closes itself when it opens
		WebSocketSession target = upstream.session;
		if (target != null) {
			close(target, sendable(status));
		}
	}

	private URI upstreamFor(WebSocketSession session) {
		if (this.upstream != null) {
			return this.upstream;
		}
		InetSocketAddress local = session.getLocalAddress();
		return URI.create("ws://localhost:" + ((local != null) ? local.getPort() : 8080) + "/echo-ws");
	}

	/** Codes that only describe a close and may not be sent in one. */
	private static CloseStatus sendable(CloseStatus status) {
		int code = status.getCode();
		return (code == 1005 || code == 1006 || code == 1015) ? CloseStatus.NORMAL : status;
	}

	private static void send(WebSocketSession session, TextMessage message) {
		try {
			if (session.isOpen()) {
				session.sendMessage(message);
			}
		}
		catch (Exception ex) {
			logger.debug("Relay could not send to {}: {}", session.getId(), ex.getMessage());
		}
	}

	private static void close(WebSocketSession session, CloseStatus status) {
		try {
			if (session.isOpen()) {
				session.close(status);
			}
		}
		catch (Exception ex) {
			logger.debug("Relay could not close {}: {}", session.getId(), ex.getMessage());
		}
	}

	/** The outbound side of one client's relay: forwards what the upstream says to the client. */
	private static final class Upstream extends AbstractWebSocketHandler {

		private final WebSocketSession client;

		volatile @Nullable WebSocketSession session;

		volatile boolean clientClosed;

		Upstream(WebSocketSession client) {
			this.client = client;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) throws Exception {
			// the relay may send to the upstream while the upstream's own thread delivers to it
			WebSocketSession concurrent = new ConcurrentWebSocketSessionDecorator(session, 10_000, 512 * 1024);
			this.session = concurrent;
			if (this.clientClosed || !this.client.isOpen()) {
				concurrent.close(CloseStatus.NORMAL);
			}
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
			this.client.sendMessage(message);
		}

		@Override
		protected void handleBinaryMessage(WebSocketSession session,
				org.springframework.web.socket.BinaryMessage message) throws Exception {
			this.client.sendMessage(message);
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			close(this.client, sendable(status));
		}

	}

}
