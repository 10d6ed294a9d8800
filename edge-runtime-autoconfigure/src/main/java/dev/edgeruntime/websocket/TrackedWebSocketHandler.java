package dev.edgeruntime.websocket;

import dev.edgeruntime.TaskOptions;

import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * Runs every session of a {@link WebSocketHandler} as a background task: the session shows in the
 * {@code backgroundtasks} endpoint (and can be cancelled there), lives under a wall-clock budget, hears
 * {@code beforeunload} as a text message, and is closed with {@link CloseStatus#GOING_AWAY} (1001) when
 * its budget ends, when it is cancelled, and at shutdown.
 *
 * <pre class="code">
 * &#064;Override
 * public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
 *     registry.addHandler(new TrackedWebSocketHandler(new ChatHandler(), tracker,
 *             TaskOptions.named("chat").wallClock(Duration.ofMinutes(10))), "/chat");
 * }
 * </pre>
 *
 * The delegate sees a session that several threads may send on at once (a
 * {@link org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator}), since the runtime
 * sends its notices from its own threads.
 *
 * @author edge-runtime developers
 */
public class TrackedWebSocketHandler extends WebSocketHandlerDecorator {

	private final WebSocketSessionTracker tracker;

	private final TaskOptions options;

	/**
	 * Creates a new instance.
	 * @param delegate the handler whose sessions are tracked
	 * @param tracker the tracker that registers the sessions with the runtime
	 * @param options the task name and wall-clock budget of each session; a budget left {@code null} is
	 * {@code edge-runtime.websocket.wall-clock}, else {@code edge-runtime.budget.wall-clock}
	 */
	public TrackedWebSocketHandler(WebSocketHandler delegate, WebSocketSessionTracker tracker, TaskOptions options) {
		super(delegate);
		Assert.notNull(tracker, "Tracker must not be null");
		Assert.notNull(options, "Options must not be null");
		Assert.isTrue(options.cpuTime() == null && options.memory() == null,
				"A WebSocket session can only have a wall-clock budget");
		this.tracker = tracker;
		this.options = options;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		WebSocketSession tracked = this.tracker.open(session, this.options);
		if (tracked != null) {
			super.afterConnectionEstablished(tracked);
		}
	}

	// A session the runtime refused was closed before the delegate saw it, so the delegate hears nothing of it.

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
		WebSocketSession tracked = this.tracker.sessionFor(session);
		if (tracked != null) {
			super.handleMessage(tracked, message);
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) throws Exception {
		WebSocketSession tracked = this.tracker.sessionFor(session);
		if (tracked != null) {
			super.handleTransportError(tracked, exception);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		WebSocketSession tracked = this.tracker.sessionFor(session);
		try {
			if (tracked != null) {
				super.afterConnectionClosed(tracked, closeStatus);
			}
		}
		finally {
			this.tracker.closed(session, closeStatus);
		}
	}

}
