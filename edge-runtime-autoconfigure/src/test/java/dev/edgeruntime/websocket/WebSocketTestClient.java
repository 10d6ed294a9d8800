package dev.edgeruntime.websocket;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * A real WebSocket client (Tomcat's, through {@link StandardWebSocketClient}) that keeps what it hears:
 * the text messages in order, and the close status.
 *
 * @author edge-runtime developers
 */
final class WebSocketTestClient extends TextWebSocketHandler {

	static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

	private final CompletableFuture<CloseStatus> closeStatus = new CompletableFuture<>();

	private @Nullable WebSocketSession session;

	static WebSocketTestClient connect(URI uri) throws Exception {
		WebSocketTestClient client = new WebSocketTestClient();
		client.session = new StandardWebSocketClient().execute(client, null, uri)
			.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		return client;
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) {
		this.messages.add(message.getPayload());
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		this.closeStatus.complete(status);
	}

	void send(String text) throws Exception {
		session().sendMessage(new TextMessage(text));
	}

	/** The next text message, or {@code null} when none came within the timeout. */
	@Nullable String next() throws InterruptedException {
		return this.messages.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

	CloseStatus awaitClose() throws Exception {
		return this.closeStatus.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

	boolean isOpen() {
		return session().isOpen();
	}

	void close() throws Exception {
		close(CloseStatus.NORMAL);
	}

	void close(CloseStatus status) throws Exception {
		session().close(status);
	}

	private WebSocketSession session() {
		WebSocketSession session = this.session;
		if (session == null) {
			throw new IllegalStateException("Not connected");
		}
		return session;
	}

}
