package dev.edgeruntime.websocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.queue.Printable;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import dev.edgeruntime.runtime.ServletTaskOriginResolver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.SessionLimitExceededException;

/**
 * Registers the sessions of {@link TrackedWebSocketHandler}s with the {@link EdgeRuntime}, one task per
 * session that ends when the session closes, and speaks for the runtime to the clients:
 * <ul>
 * <li>a {@link BeforeUnloadEvent} about a session's task, or about the whole runtime (shutdown, memory
 * pressure), reaches the client as {@code {"type":"beforeunload","reason":"wall_clock","timeLeftMs":1500}};</li>
 * <li>when the runtime ends the task (budget used up, cancelled, shutdown drain) the session is closed with
 * {@link CloseStatus#GOING_AWAY} (1001) and the reason ({@code wall_clock}, {@code cancelled},
 * {@code termination});</li>
 * <li>a session the runtime refuses (shutting down, {@code max-in-flight}, memory pressure) is closed at
 * once with {@link CloseStatus#GOING_AWAY} (1001) and the reason ({@code early_drop}, {@code termination}).
 * Not 1013 (try again later): Tomcat's WebSocket client reads 1012 to 1015 as a protocol error (1002).</li>
 * </ul>
 * Notices are sent on the tracker's own threads, one after the other for each session, so that a slow
 * client never holds up the runtime's watchdog. As a {@link SmartLifecycle} stopped right after the
 * runtime's drain, it waits for the last closes to be sent before the web server stops.
 *
 * @author edge-runtime developers
 */
public final class WebSocketSessionTracker implements ApplicationListener<BeforeUnloadEvent>, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(WebSocketSessionTracker.class);

	/** The close reason of a session whose task a caller cancelled, such as through the endpoint. */
	public static final String CANCELLED = "cancelled";

	private static final int SENDER_THREADS = 8;

	/** Stopped after the runtime's drain (which closes the sessions left) and before the web server. */
	private static final int PHASE = EdgeRuntimeLifecycle.PHASE - 1;

	private final EdgeRuntime runtime;

	private final @Nullable Duration defaultWallClock;

	private final int sendTimeLimit;

	private final int bufferSizeLimit;

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	private final Map<UUID, Session> byTask = new ConcurrentHashMap<>();

	/** Shut down when the tracker stops, and a new one made when it starts again. */
	private volatile ExecutorService senders;

	private volatile boolean running;

	/**
	 * Creates a new instance.
	 * @param runtime the runtime the sessions are registered with
	 * @param defaultWallClock the budget of sessions whose handler sets none, or {@code null} for the
	 * runtime's default
	 * @param sendTimeLimit how long one send to a client may take before the session is closed
	 * @param bufferSizeLimit how much may be buffered for a slow client before the session is closed
	 */
	public WebSocketSessionTracker(EdgeRuntime runtime, @Nullable Duration defaultWallClock, Duration sendTimeLimit,
			DataSize bufferSizeLimit) {
		Assert.notNull(runtime, "Runtime must not be null");
		this.runtime = runtime;
		this.defaultWallClock = defaultWallClock;
		this.sendTimeLimit = (int) Math.min(Integer.MAX_VALUE, sendTimeLimit.toMillis());
		this.bufferSizeLimit = (int) Math.min(Integer.MAX_VALUE, bufferSizeLimit.toBytes());
		this.senders = newSenders();
	}

	private static ExecutorService newSenders() {
		// Bounded: at shutdown every session hears a notice at once; a few stuck clients only slow the rest.
		ThreadPoolExecutor executor = new ThreadPoolExecutor(SENDER_THREADS, SENDER_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), daemonThreads());
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	private static CustomizableThreadFactory daemonThreads() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("edge-websocket-");
		threads.setDaemon(true);
		return threads;
	}

	/**
	 * Wraps a handler so that its sessions are tracked under the given name.
	 * @param name the task name of each session, shown in the endpoint, logs and metrics
	 * @param handler the handler
	 * @return the tracking handler
	 */
	public TrackedWebSocketHandler track(String name, WebSocketHandler handler) {
		return new TrackedWebSocketHandler(handler, this, TaskOptions.named(name));
	}

	/**
	 * Registers a new session as a task.
	 * @param session the session the container opened
	 * @param options the task's name and budget
	 * @return the session to hand to the application's handler, or {@code null} when the runtime refused
	 * the session and it was closed
	 */
	@Nullable WebSocketSession open(WebSocketSession session, TaskOptions options) {
		LimitedSession concurrent = new LimitedSession(session, this.sendTimeLimit, this.bufferSizeLimit);
		TaskOptions taskOptions = options.origin(originOf(session));
		if (taskOptions.wallClock() == null && this.defaultWallClock != null) {
			taskOptions = taskOptions.wallClock(this.defaultWallClock);
		}
		CompletableFuture<Void> closed = new CompletableFuture<>();
		Session tracked = new Session(concurrent, closed);
		concurrent.tracked = tracked;
		this.sessions.put(session.getId(), tracked);
		TaskHandle<Void> task;
		try {
			task = this.runtime.waitUntil(taskOptions, closed);
		}
		catch (TaskRejectedException ex) {
			this.sessions.remove(session.getId());
			logger.info("WebSocket session " + session.getId() + " refused: " + ex.getMessage());
			close(concurrent, CloseStatus.GOING_AWAY.withReason(ex.getReason().value()));
			return null;
		}
		tracked.task = task;
		this.byTask.put(task.id(), tracked);
		// Completed by the runtime only when it ends the task: budget, cancel, shutdown drain.
		closed.whenComplete((result, failure) -> {
			if (failure != null) {
				String reason = reasonFor(task);
				send(tracked, () -> close(concurrent, CloseStatus.GOING_AWAY.withReason(reason)));
			}
		});
		return concurrent;
	}

	/**
	 * The session a tracked handler hands to the application for a session of the container.
	 * @param session the container's session
	 * @return the tracked session, or {@code null} when it is not tracked (refused, or already closed)
	 */
	@Nullable WebSocketSession sessionFor(WebSocketSession session) {
		Session tracked = this.sessions.get(session.getId());
		return (tracked != null) ? tracked.session : null;
	}

	/**
	 * Ends a session's task: the session closed.
	 * @param session the container's session
	 * @param status how it closed
	 */
	void closed(WebSocketSession session, CloseStatus status) {
		Session tracked = this.sessions.remove(session.getId());
		if (tracked != null) {
			TaskHandle<Void> task = tracked.task;
			if (task != null) {
				this.byTask.remove(task.id());
				// the task succeeds however the session ended (a handler that threw, a protocol error): the
				// close code says why, at DEBUG since every session ends so; the reason may be the client's
				if (logger.isDebugEnabled()) {
					String reason = status.getReason();
					logger.debug("WebSocket session " + session.getId() + " of task " + task.id() + " ("
							+ task.name() + ") closed with " + status.getCode()
							+ ((reason != null && !reason.isEmpty()) ? " (" + Printable.of(reason) + ")" : ""));
				}
			}
			tracked.closed.complete(null);
		}
	}

	/**
	 * How many tracked sessions are open now.
	 * @return the count
	 */
	public int openSessions() {
		return this.sessions.size();
	}

	@Override
	public void onApplicationEvent(BeforeUnloadEvent event) {
		TaskInfo task = event.task().orElse(null);
		TextMessage notice = notice(event.reason(), event.timeLeft());
		if (task != null) {
			Session tracked = this.byTask.get(task.id());
			if (tracked != null) {
				send(tracked, () -> tracked.session.sendMessage(notice));
			}
			return;
		}
		for (Session tracked : List.copyOf(this.sessions.values())) {
			send(tracked, () -> tracked.session.sendMessage(notice));
		}
	}

	private static TextMessage notice(UnloadReason reason, Duration timeLeft) {
		return new TextMessage("{\"type\":\"beforeunload\",\"reason\":\"" + reason.value() + "\",\"timeLeftMs\":"
				+ Math.max(0, timeLeft.toMillis()) + "}");
	}

	private static String reasonFor(TaskHandle<?> task) {
		TaskInfo info = task.info();
		UnloadReason reason = info.unloadReason();
		if (info.state() == TaskState.BUDGET_EXCEEDED && reason != null) {
			return reason.value();
		}
		// The shutdown drain is the one cancel by the runtime itself; it marks the task with its reason.
		if (info.state() == TaskState.CANCELLED && reason == UnloadReason.TERMINATION) {
			return reason.value();
		}
		return CANCELLED;
	}

	private static TaskOrigin originOf(WebSocketSession session) {
		URI uri = session.getUri();
		Principal principal = session.getPrincipal();
		InetSocketAddress remote = session.getRemoteAddress();
		// The path only: a query string may carry a token (browsers cannot send headers with an upgrade).
		return new TaskOrigin("GET",
				(uri != null && uri.getRawPath() != null) ? ServletTaskOriginResolver.withoutPathParameters(uri.getRawPath())
						: null,
				null,
				(principal != null) ? principal.getName() : null,
				(remote != null) ? address(remote) : null);
	}

	/** {@code host:port}, an IPv6 host in brackets ({@code [::1]:44686}), as in a URL. */
	static String address(InetSocketAddress remote) {
		String host = remote.getHostString();
		return ((host.indexOf(':') >= 0) ? "[" + host + "]" : host) + ":" + remote.getPort();
	}

	private void send(Session tracked, IoAction action) {
		Runnable job = () -> {
			if (!tracked.session.isOpen()) {
				return;
			}
			try {
				action.run();
			}
			catch (SessionLimitExceededException ex) {
				// the session's close is on its way (LimitedSession)
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Could not reach WebSocket session " + tracked.session.getId(), ex);
			}
		};
		synchronized (tracked) {
			tracked.outbox = tracked.outbox.thenRunAsync(job, this::execute).exceptionally((ex) -> null);
		}
	}

	/**
	 * Runs a send on the tracker's threads or, once they are shut down, on this thread rather than not at all.
	 * Not left to the future a send is chained to: it would take the refusal for the send's failure, and drop it.
	 */
	private void execute(Runnable send) {
		try {
			this.senders.execute(send);
		}
		catch (RejectedExecutionException ex) {
			send.run();
		}
	}

	private static void close(WebSocketSession session, CloseStatus status) {
		try {
			session.close(status);
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Could not close WebSocket session " + session.getId(), ex);
		}
	}

	@Override
	public synchronized void start() {
		// started again after a stop (a checkpoint of the JVM and its restore): the stop shut the senders down
		if (this.senders.isShutdown()) {
			this.senders = newSenders();
		}
		this.running = true;
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		// The drain has closed (or is closing) the sessions it cancelled; let those closes reach the clients.
		ExecutorService senders = this.senders;
		senders.shutdown();
		try {
			if (!senders.awaitTermination(this.sendTimeLimit, TimeUnit.MILLISECONDS)) {
				senders.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Closes a session whose limits a send exceeded. Spring's decorator fails that one send and then drops
	 * every later send without a word, so an open session would look alive to the application and to the
	 * runtime (its task {@code RUNNING}) while nothing reaches its client. Closed on one of the tracker's
	 * threads, since the close may wait for the send that is stuck and the thread that found the limit
	 * exceeded is the application's (or a notice's); not behind the session's queued notices, which are
	 * dropped now anyway.
	 */
	private void limitExceeded(Session tracked, SessionLimitExceededException ex) {
		logger.info("WebSocket session " + tracked.session.getId() + " closed with "
				+ CloseStatus.SESSION_NOT_RELIABLE.getCode() + " (session not reliable): " + ex.getMessage());
		execute(() -> close(tracked.session, CloseStatus.SESSION_NOT_RELIABLE));
	}

	/** A session several threads may send on, closed as soon as one send exceeds its limits. */
	private final class LimitedSession extends ConcurrentWebSocketSessionDecorator {

		volatile @Nullable Session tracked;

		LimitedSession(WebSocketSession delegate, int sendTimeLimit, int bufferSizeLimit) {
			super(delegate, sendTimeLimit, bufferSizeLimit);
		}

		@Override
		public void sendMessage(WebSocketMessage<?> message) throws IOException {
			try {
				super.sendMessage(message);
			}
			catch (SessionLimitExceededException ex) {
				Session session = this.tracked;
				if (session != null) {
					limitExceeded(session, ex);
				}
				throw ex;
			}
		}

	}

	/** Something sent to a client, which may fail. */
	@FunctionalInterface
	private interface IoAction {

		void run() throws IOException;

	}

	/** A tracked session, its task and its queue of notices. */
	private static final class Session {

		final WebSocketSession session;

		final CompletableFuture<Void> closed;

		volatile @Nullable TaskHandle<Void> task;

		CompletableFuture<Void> outbox = CompletableFuture.completedFuture(null);

		Session(WebSocketSession session, CompletableFuture<Void> closed) {
			this.session = session;
			this.closed = closed;
		}

	}

}
