package dev.edgeruntime.websocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeWebSocketAutoConfiguration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.SessionLimitExceededException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A tracked session whose client cannot keep up: the send that exceeds
 * {@code edge-runtime.websocket.buffer-size-limit} fails, and the session is closed with 4500
 * ({@code SESSION_NOT_RELIABLE}) rather than left open with every later send dropped.
 *
 * @author edge-runtime developers
 */
class WebSocketSessionLimitTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class, EdgeRuntimeWebSocketAutoConfiguration.class))
		.withPropertyValues("edge-runtime.websocket.buffer-size-limit=1KB",
				"edge-runtime.websocket.send-time-limit=1m");

	@Test
	void sendOverBufferLimitShouldFailAndCloseSessionAsNotReliable() {
		this.contextRunner.run((context) -> {
			WebSocketSessionTracker tracker = context.getBean(WebSocketSessionTracker.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			StalledSession container = new StalledSession();
			AtomicReference<WebSocketSession> seen = new AtomicReference<>();
			TrackedWebSocketHandler handler = tracker.track("stalled", new AbstractWebSocketHandler() {

				@Override
				public void afterConnectionEstablished(WebSocketSession session) {
					seen.set(session);
				}

			});
			handler.afterConnectionEstablished(container);
			WebSocketSession session = seen.get();
			assertThat(session).isNotNull();
			// one send the client does not take: it holds the session's send in progress
			Thread stuck = new Thread(() -> {
				try {
					session.sendMessage(new TextMessage("first"));
				}
				catch (IOException ex) {
					// not expected: the assertions below tell
				}
			});
			stuck.start();
			assertThat(container.sending.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// what piles up behind it
			assertThatExceptionOfType(SessionLimitExceededException.class)
				.isThrownBy(() -> session.sendMessage(new TextMessage("x".repeat(2048))));
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(container.closes)
				.containsExactly(CloseStatus.SESSION_NOT_RELIABLE));
			container.release.countDown();
			stuck.join(TIMEOUT.toMillis());
			// the container reports the close; the session's task ends with it
			handler.afterConnectionClosed(container, CloseStatus.SESSION_NOT_RELIABLE);
			TaskInfo task = runtime.tasks().stream().filter((info) -> "stalled".equals(info.name())).findFirst()
				.orElseThrow();
			await().atMost(TIMEOUT).until(() -> runtime.find(task.id()).orElseThrow().info().state(),
					(state) -> state != TaskState.RUNNING);
			assertThat(container.sent).containsExactly("first");
		});
	}

	@Test
	void sessionWithinBufferLimitShouldStayOpen() {
		this.contextRunner.run((context) -> {
			WebSocketSessionTracker tracker = context.getBean(WebSocketSessionTracker.class);
			StalledSession container = new StalledSession();
			container.release.countDown();
			AtomicReference<WebSocketSession> seen = new AtomicReference<>();
			TrackedWebSocketHandler handler = tracker.track("fine", new AbstractWebSocketHandler() {

				@Override
				public void afterConnectionEstablished(WebSocketSession session) {
					seen.set(session);
				}

			});
			handler.afterConnectionEstablished(container);
			for (int i = 0; i < 10; i++) {
				seen.get().sendMessage(new TextMessage("x".repeat(512)));
			}
			assertThat(container.sent).hasSize(10);
			assertThat(container.closes).isEmpty();
			assertThat(seen.get().isOpen()).isTrue();
			handler.afterConnectionClosed(container, CloseStatus.NORMAL);
			assertThat(tracker.openSessions()).isZero();
		});
	}

	/** A container's session whose sends wait until {@link #release} opens, as a client that reads nothing. */
	static final class StalledSession implements WebSocketSession {

		final CountDownLatch sending = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final List<String> sent = new CopyOnWriteArrayList<>();

		final List<CloseStatus> closes = new CopyOnWriteArrayList<>();

		/** The thread of the latest send. */
		volatile @Nullable Thread sender;

		private final Map<String, Object> attributes = new ConcurrentHashMap<>();

		private volatile boolean open = true;

		@Override
		public void sendMessage(WebSocketMessage<?> message) throws IOException {
			this.sender = Thread.currentThread();
			this.sending.countDown();
			try {
				if (!this.release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
					throw new IOException("never released");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
			this.sent.add(((TextMessage) message).getPayload());
		}

		@Override
		public void close(CloseStatus status) {
			this.closes.add(status);
			this.open = false;
		}

		@Override
		public void close() {
			close(CloseStatus.NORMAL);
		}

		@Override
		public boolean isOpen() {
			return this.open;
		}

		@Override
		public String getId() {
			return "stalled-1";
		}

		@Override
		public @Nullable URI getUri() {
			return URI.create("ws://localhost/ws/stalled");
		}

		@Override
		public HttpHeaders getHandshakeHeaders() {
			return new HttpHeaders();
		}

		@Override
		public Map<String, Object> getAttributes() {
			return this.attributes;
		}

		@Override
		public @Nullable Principal getPrincipal() {
			return null;
		}

		@Override
		public @Nullable InetSocketAddress getLocalAddress() {
			return null;
		}

		@Override
		public @Nullable InetSocketAddress getRemoteAddress() {
			return null;
		}

		@Override
		public @Nullable String getAcceptedProtocol() {
			return null;
		}

		@Override
		public void setTextMessageSizeLimit(int messageSizeLimit) {
		}

		@Override
		public int getTextMessageSizeLimit() {
			return 65536;
		}

		@Override
		public void setBinaryMessageSizeLimit(int messageSizeLimit) {
		}

		@Override
		public int getBinaryMessageSizeLimit() {
			return 65536;
		}

		@Override
		public List<WebSocketExtension> getExtensions() {
			return List.of();
		}

	}

}
