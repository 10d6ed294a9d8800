package dev.edgeruntime.demo;

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
 * A real WebSocket client (Tomcat's, through {@link StandardWebSocketClient}) that keeps the text
 * messages it hears, in order, and the close status.
 *
 * @author edge-runtime developers
 */
final class RelayWebSocketClient extends TextWebSocketHandler {

	static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

	private final CompletableFuture<CloseStatus> closeStatus = new CompletableFuture<>();

	private @Nullable WebSocketSession session;

	/** Opens a session, failing with the server's refusal when there is one. */
	static RelayWebSocketClient connect(URI uri) throws Exception {
		RelayWebSocketClient client = new RelayWebSocketClient();
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
		return next(TIMEOUT);
	}

	@Nullable String next(Duration timeout) throws InterruptedException {
		return this.messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	CloseStatus awaitClose() throws Exception {
		return this.closeStatus.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

	void close() throws Exception {
		WebSocketSession session = session();
		if (session.isOpen()) {
			session.close(CloseStatus.NORMAL);
		}
	}

	private WebSocketSession session() {
		WebSocketSession session = this.session;
		if (session == null) {
			throw new IllegalStateException("Not connected");
		}
		return session;
	}

}
