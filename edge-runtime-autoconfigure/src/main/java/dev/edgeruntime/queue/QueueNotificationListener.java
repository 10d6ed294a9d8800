package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import org.springframework.context.SmartLifecycle;

/**
 * Holds one connection that {@code LISTEN}s on {@link QueueNotifier#CHANNEL} and wakes the consumers of each
 * queue a notification names, so that a message sent to an idle consumer is read in milliseconds rather
 * than at the next poll. It listens as well on the channel of pgmq's own insert trigger for each consumed
 * queue ({@code pgmq.q_<queue>.INSERT}), which {@code pgmq.enable_notify_insert} switches on. When the connection is lost, it reconnects with backoff and wakes every consumer
 * once connected again; polling goes on meanwhile.
 *
 * @author edge-runtime developers
 */
public final class QueueNotificationListener implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(QueueNotificationListener.class);

	private static final int WAIT_MILLIS = 500;

	// pgmq's insert trigger notifies 'pgmq.' || table || '.' || operation
	private static final String PGMQ_INSERT_CHANNEL_PREFIX = "pgmq.q_";

	private static final String PGMQ_INSERT_CHANNEL_SUFFIX = ".INSERT";

	private final DataSource dataSource;

	private final QueueConsumers consumers;

	private final Duration maxReconnectBackoff;

	/** How long the connection may stay quiet before a query checks it is still there. */
	private final Duration probeInterval;

	/** How long a read on the connection may wait for the database before the connection counts as lost. */
	private final Duration networkTimeout;

	private volatile boolean running;

	private volatile @Nullable Thread thread;

	/**
	 * Held while a start replaces the thread and while a thread says what it listens on, so that a replaced
	 * thread that checked it was current just before the start cannot write over the start's reset.
	 */
	private final Object threadLock = new Object();

	private volatile boolean listening;

	/**
	 * The pgmq insert channels the connection of the current thread listens on: a set of each connection's
	 * own, so that a thread a restart replaced, still in a {@code LISTEN} on its own connection, records that
	 * channel in its own set rather than in the new connection's, which would then never listen there.
	 */
	private volatile Set<String> pgmqChannels = Set.of();

	/** What the listening threads tell of their steps: nothing but to a test that sets it. */
	volatile Steps steps = new Steps() {
	};

	/** Counted down by {@link #stop()}; a new one for each {@link #start()}, so that a restart listens again. */
	private volatile CountDownLatch stopped = new CountDownLatch(1);

	/**
	 * Creates a new instance.
	 * @param dataSource the queue's database; one of its connections is held while running
	 * @param consumers the consumers to wake
	 * @param maxReconnectBackoff longest wait between attempts to reconnect
	 */
	public QueueNotificationListener(DataSource dataSource, QueueConsumers consumers, Duration maxReconnectBackoff) {
		this(dataSource, consumers, maxReconnectBackoff, Duration.ofSeconds(30), Duration.ofSeconds(10));
	}

	QueueNotificationListener(DataSource dataSource, QueueConsumers consumers, Duration maxReconnectBackoff,
			Duration probeInterval, Duration networkTimeout) {
		this.dataSource = dataSource;
		this.consumers = consumers;
		this.maxReconnectBackoff = maxReconnectBackoff;
		this.probeInterval = probeInterval;
		this.networkTimeout = networkTimeout;
	}

	@Override
	public void start() {
		CountDownLatch stopped = new CountDownLatch(1);
		this.stopped = stopped;
		this.running = true;
		Thread listener = new Thread(() -> listen(stopped), "queue-listen");
		listener.setDaemon(true);
		synchronized (this.threadLock) {
			this.thread = listener;
			// the new thread has listened on nothing yet, whatever a thread it replaces says
			this.listening = false;
			this.pgmqChannels = Set.of();
		}
		listener.start();
	}

	@Override
	public void stop() {
		this.running = false;
		this.stopped.countDown();
		Thread listener = this.thread;
		if (listener != null) {
			try {
				listener.join(WAIT_MILLIS * 4L);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return QueueConsumers.PHASE;
	}

	/**
	 * Whether the connection listens now.
	 * @return whether notifications are received
	 */
	public boolean isListening() {
		return this.listening;
	}

	/**
	 * Listens also on the channel of pgmq's own insert trigger ({@code pgmq.enable_notify_insert}) for each
	 * consumed queue not listened to yet, and wakes that queue's consumers once (a message sent before the
	 * {@code LISTEN} is read then). With the trigger enabled, sends by other pgmq clients wake the consumers.
	 */
	private void listenToPgmqInserts(Connection connection, Set<String> channels) throws SQLException {
		for (String queue : this.consumers.queues()) {
			String channel = pgmqInsertChannel(queue);
			if (!channels.contains(channel)) {
				try (Statement statement = connection.createStatement()) {
					// the queue name is validated (letters, digits, underscores), so it cannot end the identifier
					statement.execute("LISTEN \"" + channel + "\"");
				}
				this.steps.listened(channel);
				channels.add(channel);
				this.consumers.wakeUp(queue);
			}
		}
	}

	private static String pgmqInsertChannel(String queue) {
		return PGMQ_INSERT_CHANNEL_PREFIX + queue.toLowerCase(Locale.ROOT) + PGMQ_INSERT_CHANNEL_SUFFIX;
	}

	/**
	 * Whether the connection listens now on the channel of pgmq's insert trigger for a queue.
	 * @param queue the queue name
	 * @return whether that trigger's notifications are received
	 */
	public boolean isListeningToPgmqInserts(String queue) {
		return this.listening && this.pgmqChannels.contains(pgmqInsertChannel(queue));
	}

	/**
	 * The queue a notification is about: the payload of edge-runtime's own, the table in the channel of
	 * pgmq's insert trigger ({@code pgmq.q_<queue>.INSERT}, no payload).
	 */
	static @Nullable String queueOf(PGNotification notification) {
		String name = notification.getName();
		if (QueueNotifier.CHANNEL.equals(name)) {
			return notification.getParameter();
		}
		if (name.startsWith(PGMQ_INSERT_CHANNEL_PREFIX) && name.endsWith(PGMQ_INSERT_CHANNEL_SUFFIX)
				&& name.length() > PGMQ_INSERT_CHANNEL_PREFIX.length() + PGMQ_INSERT_CHANNEL_SUFFIX.length()) {
			return name.substring(PGMQ_INSERT_CHANNEL_PREFIX.length(),
					name.length() - PGMQ_INSERT_CHANNEL_SUFFIX.length());
		}
		return null;
	}

	private void listen(CountDownLatch stopped) {
		long backoff = 500;
		// whether their loss was logged, so that their return is too
		boolean lost = false;
		while (this.running && stopped.getCount() > 0) {
			try (Connection connection = this.dataSource.getConnection()) {
				try {
					connection.setAutoCommit(true);
					// a link that dies without a word (no reset reaches this side) must not leave this thread
					// waiting for ever: reads give up after the network timeout, and a quiet connection is probed
					connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE,
							this.networkTimeout.toMillis()));
					if (stopped.getCount() == 0) {
						// stopped while this waited for its connection (longer than the stop waited for it): a start
						// since has a thread of its own, whose listening this must leave alone
						return;
					}
					try (Statement statement = connection.createStatement()) {
						statement.execute("LISTEN " + QueueNotifier.CHANNEL);
					}
					long lastHeard = System.nanoTime();
					PGConnection pg = connection.unwrap(PGConnection.class);
					Set<String> channels = ConcurrentHashMap.newKeySet();
					listeningOn(channels);
					backoff = 500;
					if (lost) {
						logger.info("Queue notifications available again: consumers are woken by sends at once");
						lost = false;
					}
					// Messages sent while nobody listened are found by reading now.
					this.consumers.wakeUpAll();
					this.steps.connected();
					while (this.running && stopped.getCount() > 0) {
						listenToPgmqInserts(connection, channels);
						PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
						if (notifications != null && notifications.length > 0) {
							lastHeard = System.nanoTime();
						}
						else if (System.nanoTime() - lastHeard >= this.probeInterval.toNanos()) {
							try (Statement probe = connection.createStatement()) {
								probe.execute("SELECT 1");
							}
							lastHeard = System.nanoTime();
						}
						if (notifications != null) {
							for (PGNotification notification : notifications) {
								String queue = queueOf(notification);
								if (queue != null) {
									this.steps.notified(queue);
									this.consumers.wakeUp(queue);
								}
							}
						}
					}
				}
				finally {
					unlistenBeforeReturning(connection);
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (this.listening || backoff == 500) {
					logger.warn("Queue notifications unavailable, consumers poll until reconnected: " + ex.getMessage());
					lost = true;
				}
				listening(false);
				try {
					if (stopped.await(backoff, TimeUnit.MILLISECONDS)) {
						return;
					}
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
				backoff = Math.min(backoff * 2, this.maxReconnectBackoff.toMillis());
			}
		}
		listening(false);
	}

	/**
	 * Steps of a listening thread, told on that thread, for tests to hold a thread at a step.
	 */
	interface Steps {

		/** The thread's connection listens on edge-runtime's channel, before it listens on pgmq's. */
		default void connected() {
		}

		/**
		 * The connection has just listened on the channel of pgmq's insert trigger for a queue.
		 * @param channel the channel
		 */
		default void listened(String channel) {
		}

		/**
		 * A notification named a queue, whose consumers are woken next.
		 * @param queue the queue
		 */
		default void notified(String queue) {
		}

	}

	/**
	 * Says whether the connection listens, unless the calling thread is one a restart has replaced.
	 */
	private void listening(boolean listening) {
		synchronized (this.threadLock) {
			if (this.thread == Thread.currentThread()) {
				this.listening = listening;
			}
		}
	}

	/**
	 * Says the connection listens, with the set of the pgmq insert channels it listens on, unless the calling
	 * thread is one a restart has replaced.
	 */
	private void listeningOn(Set<String> channels) {
		synchronized (this.threadLock) {
			if (this.thread == Thread.currentThread()) {
				this.pgmqChannels = channels;
				this.listening = true;
			}
		}
	}

	/**
	 * The connection goes back to the application's pool: it must not go on collecting every queue's
	 * notifications for whoever borrows it next. A connection that is broken is left to the pool to discard.
	 */
	private static void unlistenBeforeReturning(Connection connection) {
		try (Statement statement = connection.createStatement()) {
			statement.execute("UNLISTEN *");
			// and what had arrived already, which the driver keeps until asked
			connection.unwrap(PGConnection.class).getNotifications();
		}
		catch (SQLException | RuntimeException ex) {
			logger.debug("Could not stop listening on the connection handed back to the pool", ex);
		}
	}

}
