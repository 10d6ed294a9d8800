package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.runtime.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes a {@link DashboardSnapshot} to every open dashboard page over Server-Sent Events: every refresh
 * interval, and soon after a task starts or ends. One thread reads the report once per push; each page is
 * written to by a sender of its own, so that a page that stops reading (its writes block until the
 * connection times out) holds up no other page. A page whose sender is still busy skips the snapshots in
 * between and gets the latest one next. The number of pages is bounded.
 * <p>
 * It stops before the web server's graceful shutdown ({@code DEFAULT_PHASE - 512}, before its
 * {@code DEFAULT_PHASE - 1024}), completing every stream, because an open stream is a request in progress
 * that graceful shutdown would wait for. It does not wait for a page's sender that is stuck in a write.
 * Its senders' threads end with the context, not an idle timeout later.
 *
 * @author edge-runtime developers
 */
public final class DashboardEventStream implements SmartLifecycle, DisposableBean {

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

	/** Whether a page was refused since the last one was let in (guarded by {@link #clients}). */
	private boolean refusing;

	private final AtomicBoolean changePending = new AtomicBoolean();

	private final Ticker ticker;

	/** Runs the pages' senders: at most one busy per page, so about max-clients threads at most. */
	private final ExecutorService senders;

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
		CustomizableThreadFactory threads = new CustomizableThreadFactory("edge-runtime-dashboard-send-");
		threads.setDaemon(true);
		ThreadPoolExecutor senders = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
				new SynchronousQueue<>(), threads);
		this.senders = senders;
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
				if (!this.refusing) {
					// once per time the limit is reached, not once per page's retry
					this.refusing = true;
					logger.warn("Dashboard: " + this.maxClients + " pages are connected, the most "
							+ "edge-runtime.dashboard.max-clients allows; further pages are answered 503 until one "
							+ "closes (each retries every 5 s)");
				}
				return null;
			}
			this.refusing = false;
			this.clients.add(client);
		}
		if (!this.ticker.isRunning()) {
			// stopped meanwhile, after the stop completed the streams it found: nothing would complete this one
			this.clients.remove(client);
			return null;
		}
		emitter.onCompletion(() -> this.clients.remove(client));
		emitter.onTimeout(() -> {
			// completed here, the stream ends as the page expects (it reconnects), not as a failed request
			this.clients.remove(client);
			emitter.complete();
		});
		emitter.onError((ex) -> this.clients.remove(client));
		this.ticker.runOnce(() -> {
			if (this.clients.contains(client)) {
				offer(client, this.reports.get(), true);
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
			offer(client, report, false);
		}
	}

	/** Hands a page its next snapshot; the page's sender writes it, or a later one if it is still busy. */
	private void offer(Client client, BackgroundTasksDescriptor report, boolean first) {
		SseEmitter.SseEventBuilder event = SseEmitter.event()
			.name("snapshot")
			.data(DashboardSnapshot.of(report, client.view(), client.canCancel()), MediaType.APPLICATION_JSON);
		if (first) {
			event.reconnectTime(RECONNECT_MILLIS);
		}
		client.next.set(event);
		wake(client);
	}

	private void wake(Client client) {
		if (client.sending.compareAndSet(false, true)) {
			try {
				this.senders.execute(() -> sendPending(client));
			}
			catch (RejectedExecutionException ex) {
				client.sending.set(false); // no thread for it: the next offer tries again
			}
		}
	}

	/** A page's sender: writes the latest snapshot until none is left, then completes the stream if asked. */
	private void sendPending(Client client) {
		while (true) {
			SseEmitter.SseEventBuilder event = client.next.getAndSet(null);
			if (event != null) {
				send(client, event);
				continue;
			}
			if (client.closing.get()) {
				client.emitter().complete();
				return;
			}
			client.sending.set(false);
			// an offer or a close that came after the last look, and found the sender still busy
			if ((client.next.get() == null && !client.closing.get()) || !client.sending.compareAndSet(false, true)) {
				return;
			}
		}
	}

	private void send(Client client, SseEmitter.SseEventBuilder event) {
		try {
			client.emitter().send(event);
		}
		catch (IOException | IllegalStateException ex) {
			// the page went away (or its stream already completed): forget it
			this.clients.remove(client);
			client.next.set(null);
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
		// a change's push still due is cancelled with the ticker: left pending, it would hold back every change
		// after a start again (a context stopped for a checkpoint of the JVM, and restored)
		this.changePending.set(false);
		for (Client client : this.clients) {
			this.clients.remove(client);
			// completed by its sender, after the write in progress: a page stuck in a write waits for it alone
			client.next.set(null);
			client.closing.set(true);
			wake(client);
		}
	}

	/**
	 * Lets the senders' threads end once their last write is done: left to their idle timeout, each would
	 * outlive the context (and keep its class loader, after a DevTools restart) by that much. Not in
	 * {@link #stop()}, which a {@link #start()} may follow.
	 */
	@Override
	public void destroy() {
		this.senders.shutdown();
	}

	/**
	 * The most pages connected at once.
	 * @return {@code edge-runtime.dashboard.max-clients}
	 */
	public int maxClients() {
		return this.maxClients;
	}

	@Override
	public boolean isRunning() {
		return this.ticker.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private record Client(SseEmitter emitter, DashboardView view, boolean canCancel,
			AtomicReference<SseEmitter.@Nullable SseEventBuilder> next, AtomicBoolean sending, AtomicBoolean closing) {

		Client(SseEmitter emitter, DashboardView view, boolean canCancel) {
			this(emitter, view, canCancel, new AtomicReference<>(), new AtomicBoolean(), new AtomicBoolean());
		}

	}

}
