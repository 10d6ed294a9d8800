package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.runtime.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes a {@link DashboardSnapshot} to every open dashboard page over Server-Sent Events: every refresh
 * interval, and soon after a task starts or ends. One thread reads the report once per push and writes
 * to all pages; the number of pages is bounded.
 * <p>
 * It stops before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}), completing every
 * stream, because an open stream is a request in progress that graceful shutdown would wait for.
 *
 * @author edge-runtime developers
 */
public final class DashboardEventStream implements SmartLifecycle {

	/** The phase: before the web server's graceful shutdown. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	// A page reconnects after this (EventSource does so by itself); it bounds a stream nobody reads.
	private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(5);

	private static final Duration CHANGE_DELAY = Duration.ofMillis(100);

	private static final long RECONNECT_MILLIS = 2000;

	private static final Log logger = LogFactory.getLog(DashboardEventStream.class);

	private final Supplier<BackgroundTasksDescriptor> reports;

	private final int maxClients;

	private final Set<Client> clients = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean changePending = new AtomicBoolean();

	private final Ticker ticker;

	/**
	 * Creates a new instance.
	 * @param reports supplies the {@code backgroundtasks} report with all its tasks
	 * @param refreshInterval how often a snapshot is pushed
	 * @param maxClients the most pages connected at once
	 */
	public DashboardEventStream(Supplier<BackgroundTasksDescriptor> reports, Duration refreshInterval,
			int maxClients) {
		this.reports = reports;
		this.maxClients = maxClients;
		this.ticker = new Ticker("edge-runtime-dashboard", refreshInterval, this::push, logger,
				"Could not push the dashboard snapshot");
	}

	/**
	 * Opens a stream for a page. Its first snapshot is sent at once.
	 * @param view what the page lists
	 * @param canCancel whether the viewer may cancel tasks
	 * @return the stream, or {@code null} when too many pages are connected or the application is stopping
	 */
	public @Nullable SseEmitter subscribe(DashboardView view, boolean canCancel) {
		if (!this.ticker.isRunning()) {
			return null;
		}
		SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
		Client client = new Client(emitter, view, canCancel);
		synchronized (this.clients) {
			if (this.clients.size() >= this.maxClients) {
				return null;
			}
			this.clients.add(client);
		}
		emitter.onCompletion(() -> this.clients.remove(client));
		emitter.onTimeout(() -> this.clients.remove(client));
		emitter.onError((ex) -> this.clients.remove(client));
		this.ticker.runOnce(() -> {
			if (this.clients.contains(client)) {
				send(client, this.reports.get(), true);
			}
		}, Duration.ZERO);
		return emitter;
	}

	/**
	 * Pushes a snapshot soon to every page, because a task started or ended. Calls close together make one
	 * push. Quick: it may be called on a task's thread.
	 */
	public void changed() {
		if (!this.clients.isEmpty() && this.changePending.compareAndSet(false, true)) {
			boolean scheduled = this.ticker.runOnce(() -> {
				this.changePending.set(false);
				push();
			}, CHANGE_DELAY);
			if (!scheduled) {
				// stopping: nobody is left to push to
				this.changePending.set(false);
			}
		}
	}

	/**
	 * The pages connected now.
	 * @return the number of open streams
	 */
	public int clientCount() {
		return this.clients.size();
	}

	private void push() {
		if (this.clients.isEmpty()) {
			return;
		}
		BackgroundTasksDescriptor report;
		try {
			report = this.reports.get();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read the background tasks for the dashboard", ex);
			return;
		}
		for (Client client : this.clients) {
			send(client, report, false);
		}
	}

	private void send(Client client, BackgroundTasksDescriptor report, boolean first) {
		try {
			SseEmitter.SseEventBuilder event = SseEmitter.event()
				.name("snapshot")
				.data(DashboardSnapshot.of(report, client.view(), client.canCancel()), MediaType.APPLICATION_JSON);
			if (first) {
				event.reconnectTime(RECONNECT_MILLIS);
			}
			client.emitter().send(event);
		}
		catch (IOException | IllegalStateException ex) {
			// the page went away (or its stream already completed): forget it
			this.clients.remove(client);
			client.emitter().completeWithError(ex);
		}
	}

	@Override
	public void start() {
		this.ticker.start();
	}

	@Override
	public void stop() {
		// no wait for a push in progress: a stuck page must not hold up shutdown
		this.ticker.stop(Duration.ZERO);
		for (Client client : this.clients) {
			this.clients.remove(client);
			client.emitter().complete();
		}
	}

	@Override
	public boolean isRunning() {
		return this.ticker.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private record Client(SseEmitter emitter, DashboardView view, boolean canCancel) {

	}

}
