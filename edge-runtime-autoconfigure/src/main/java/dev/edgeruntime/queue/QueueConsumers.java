package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.edgeruntime.runtime.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Starts a consumer for each {@link QueueListener} method once the application has started, and stops them
 * in order at shutdown: stop reading, let running handlers finish within
 * {@code edge-runtime.queue.consumer.shutdown-max-wait}, then make the messages of those still running
 * visible again at once, the read taken back (a graceful stop is no attempt), and interrupt them. Nothing
 * is lost: a message is deleted only after its handler returned.
 *
 * <p>Runs in the phase of the runtime's own drain, after the web server's graceful shutdown and before the
 * {@code DataSource} closes. The runtime's {@code BeforeUnloadEvent(termination)}, published as the close
 * begins, reaches handlers that listen for it before this stop.
 *
 * @author edge-runtime developers
 */
public final class QueueConsumers implements SmartLifecycle, SmartInitializingSingleton {

	/** The phase: that of the runtime's drain ({@code DEFAULT_PHASE - 1536}). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

	private static final Log logger = LogFactory.getLog(QueueConsumers.class);

	private final QueueListenerAnnotationBeanPostProcessor listeners;

	private final PgmqTemplate pgmq;

	private final PgmqSchemaInitializer schema;

	private final ApplicationEventPublisher events;

	private final TransactionOperations transactions;

	private final QueueConsumerObserver observer;

	private final QueueConsumerDefaults defaults;

	private @Nullable QueueObservations observations;

	private final List<QueueConsumer> consumers = new ArrayList<>();

	private volatile boolean running;

	private int connectionPoolSize;

	private String connectionPoolProperty = "";

	/**
	 * Creates a new instance.
	 * @param listeners finds the listener methods
	 * @param pgmq the client
	 * @param schema installs the schema before the first read
	 * @param events publishes {@link MessageDeadLetteredEvent}
	 * @param transactions runs a dead-lettering's two statements in one transaction
	 * @param observer told of each outcome
	 * @param defaults settings for attributes left at their defaults
	 */
	public QueueConsumers(QueueListenerAnnotationBeanPostProcessor listeners, PgmqTemplate pgmq,
			PgmqSchemaInitializer schema, ApplicationEventPublisher events, TransactionOperations transactions,
			QueueConsumerObserver observer, QueueConsumerDefaults defaults) {
		this.listeners = listeners;
		this.pgmq = pgmq;
		this.schema = schema;
		this.events = events;
		this.transactions = transactions;
		this.observer = observer;
		this.defaults = defaults;
	}

	/**
	 * Observes each message's processing, continuing the trace its sender wrote into its headers; without
	 * (the default) a delivery observes nothing.
	 * @param observations the observations, or {@code null} for none
	 */
	public void setObservations(@Nullable QueueObservations observations) {
		this.observations = observations;
	}

	/**
	 * Tells how many connections the {@code DataSource}'s pool holds at most, so that start-up can warn when
	 * the consumers may need more at once.
	 * @param maxSize the pool's maximum size, 0 when unknown
	 * @param property the property that sets it, for the warning
	 */
	public void setConnectionPoolSize(int maxSize, String property) {
		this.connectionPoolSize = maxSize;
		this.connectionPoolProperty = property;
	}

	/**
	 * The connections the consumers need at once so that no lease runs out when each handler holds one (a
	 * {@code @Transactional} handler does): the handlers, one for the heartbeats of each listener (each has
	 * its own heartbeat thread, extending one lease at a time), and the notification connection, held for
	 * good. A reader's poll and a batch of deletes are brief statements that wait their turn for a connection
	 * when the pool is busy; a message waits no longer than that, and no lease runs out meanwhile, so they
	 * are not counted.
	 */
	static int connectionsNeeded(List<Integer> concurrencies) {
		int handlers = concurrencies.stream().mapToInt(Integer::intValue).sum();
		return handlers + concurrencies.size() + 1;
	}

	private void checkConnectionPool(List<QueueConsumer> consumers) {
		if (this.connectionPoolSize <= 0 || consumers.isEmpty()) {
			return;
		}
		List<Integer> concurrencies = consumers.stream().map((consumer) -> consumer.settings().concurrency()).toList();
		int needed = connectionsNeeded(concurrencies);
		if (needed > this.connectionPoolSize) {
			logger.warn("The DataSource's pool holds at most " + this.connectionPoolSize + " connections ("
					+ this.connectionPoolProperty + "); the queue consumers may need " + needed + " at once when their "
					+ "handlers each hold one, as a @Transactional handler does ("
					+ concurrencies.stream().mapToInt(Integer::intValue).sum() + " handlers, one for the heartbeats "
					+ "of each of the " + concurrencies.size() + " listeners, the notification connection). "
					+ "Heartbeats would then wait for a connection, and a running message's lease may run out, so "
					+ "that another instance handles it again: raise the pool's size to at least " + needed
					+ ", or lower the listeners' concurrency");
		}
	}

	/**
	 * Checks the settings of every listener once all beans exist, before any consumer or the web server
	 * starts: a listener with invalid settings fails start-up with every such listener named (a
	 * {@link QueueListenerMisconfigurationException}, reported by a failure analyzer), and no
	 * consumer is left reading.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		List<String> problems = new ArrayList<>(this.listeners.problems());
		for (QueueListenerEndpoint endpoint : this.listeners.endpoints()) {
			try {
				settings(endpoint);
			}
			catch (IllegalStateException ex) {
				problems.add(ex.getMessage());
			}
		}
		if (!problems.isEmpty()) {
			throw new QueueListenerMisconfigurationException(problems);
		}
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		List<QueueConsumer> created = new ArrayList<>();
		for (QueueListenerEndpoint endpoint : this.listeners.endpoints()) {
			QueueConsumer consumer = new QueueConsumer(endpoint, settings(endpoint), this.pgmq, this.schema,
					this.events, this.transactions, this.observer);
			consumer.setObservations(this.observations);
			created.add(consumer);
		}
		checkConnectionPool(created);
		// No second wait for an unreachable database here: the readers wait for it, start-up does not.
		boolean databaseUp = this.schema.installed() != null;
		this.running = true;
		try {
			for (QueueConsumer consumer : created) {
				this.consumers.add(consumer);
				this.observer.consuming(consumer.queue());
				consumer.start(databaseUp);
			}
		}
		catch (RuntimeException | Error ex) {
			// a consumer that could not start must not leave the ones before it reading after start-up fails
			stop();
			throw ex;
		}
	}

	@Override
	public void stop() {
		List<QueueConsumer> stopping;
		synchronized (this) {
			if (!this.running) {
				return;
			}
			this.running = false;
			stopping = List.copyOf(this.consumers);
			this.consumers.clear();
		}
		stopping.forEach(QueueConsumer::stopReading);
		long deadline = System.nanoTime() + this.defaults.shutdownMaxWait().toNanos();
		try {
			for (QueueConsumer consumer : stopping) {
				Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
				if (!consumer.awaitHandlers(left)) {
					consumer.handBackUnfinished();
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stopping.forEach(QueueConsumer::handBackUnfinished);
		}
		finally {
			stopping.forEach(QueueConsumer::stopHeartbeats);
		}
		logger.debug("Queue consumers stopped");
	}

	@Override
	public void stop(Runnable callback) {
		Thread stopping = new Thread(() -> {
			try {
				stop();
			}
			finally {
				callback.run();
			}
		}, "queue-consumers-stop");
		stopping.start();
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
	 * Wakes the consumers of a queue, when a notification says a message was sent to it.
	 * @param queue the queue name
	 */
	public void wakeUp(String queue) {
		for (QueueConsumer consumer : consumersSnapshot()) {
			if (consumer.queue().equalsIgnoreCase(queue)) {
				consumer.wakeUp();
			}
		}
	}

	/**
	 * The queues consumed now.
	 * @return the queue names, each once
	 */
	public Set<String> queues() {
		Set<String> queues = new LinkedHashSet<>();
		for (QueueConsumer consumer : consumersSnapshot()) {
			queues.add(consumer.queue());
		}
		return queues;
	}

	/**
	 * Wakes every consumer, as after a lost notification connection.
	 */
	public void wakeUpAll() {
		consumersSnapshot().forEach(QueueConsumer::wakeUp);
	}

	/**
	 * What each consumer is doing.
	 * @return the consumers' status
	 */
	public List<QueueConsumerStatus> status() {
		return consumersSnapshot().stream().map(QueueConsumer::status).toList();
	}

	private synchronized List<QueueConsumer> consumersSnapshot() {
		return List.copyOf(this.consumers);
	}

	QueueConsumer.Settings settings(QueueListenerEndpoint endpoint) {
		QueueListener annotation = endpoint.annotation();
		QueueConsumerDefaults d = this.defaults;
		// every problem of the listener is named, not only the first
		List<String> problems = new ArrayList<>();
		Duration visibilityTimeout = duration(problems, "visibilityTimeout",
				"edge-runtime.queue.consumer.visibility-timeout", annotation.visibilityTimeout(), d.visibilityTimeout());
		String visibilitySource = annotation.visibilityTimeout().isEmpty()
				? "edge-runtime.queue.consumer.visibility-timeout (" + Durations.text(visibilityTimeout) + ")"
				: "its visibilityTimeout ('" + annotation.visibilityTimeout() + "')";
		Duration heartbeat = d.heartbeatInterval();
		if (visibilityTimeout.isNegative() || visibilityTimeout.isZero()) {
			problems.add("visibilityTimeout '" + annotation.visibilityTimeout() + "' must be positive");
		}
		else if (visibilityTimeout.compareTo(PgmqTemplate.MAX_DURATION) > 0) {
			problems.add("visibilityTimeout '" + annotation.visibilityTimeout() + "' " + PgmqTemplate.MAX_DURATION_RULE);
		}
		else if (heartbeat != null) {
			if (heartbeat.compareTo(visibilityTimeout) >= 0) {
				problems.add("edge-runtime.queue.consumer.heartbeat-interval (" + Durations.text(heartbeat)
						+ ") must be shorter than " + visibilitySource
						+ ", or a running message loses its lease between two heartbeats");
			}
		}
		else {
			heartbeat = visibilityTimeout.dividedBy(3);
			if (heartbeat.toMillis() < 100) {
				problems.add(visibilitySource + " must be at least 300ms: a running message's lease is extended "
						+ "every third of it, at least 100ms apart (or set "
						+ "edge-runtime.queue.consumer.heartbeat-interval)");
			}
		}
		if (d.heartbeatInterval() != null && d.heartbeatInterval().toMillis() < 100) {
			problems.add("edge-runtime.queue.consumer.heartbeat-interval (" + Durations.text(d.heartbeatInterval())
					+ ") must be at least 100ms");
		}
		boolean archive = switch (annotation.onSuccess()) {
			case DEFAULT -> d.archiveOnSuccess();
			case ARCHIVE -> true;
			case DELETE -> false;
		};
		int concurrency = orDefault(problems, "concurrency", "edge-runtime.queue.consumer.concurrency",
				annotation.concurrency(), d.concurrency());
		int batchSize = orDefault(problems, "batchSize", "edge-runtime.queue.consumer.batch-size",
				annotation.batchSize(), d.batchSize());
		int maxAttempts = orDefault(problems, "maxAttempts", "edge-runtime.queue.consumer.max-attempts",
				annotation.maxAttempts(), d.maxAttempts());
		Duration backoff = duration(problems, "backoff", "edge-runtime.queue.consumer.backoff.initial",
				annotation.backoff(), d.backoff());
		if (backoff.isNegative()) {
			problems.add("backoff '" + annotation.backoff() + "' must not be negative");
		}
		else if (backoff.compareTo(PgmqTemplate.MAX_DURATION) > 0) {
			problems.add("backoff '" + annotation.backoff() + "' " + PgmqTemplate.MAX_DURATION_RULE);
		}
		else if (!annotation.backoff().isEmpty() && backoff.compareTo(d.maxBackoff()) > 0) {
			// every retry's delay is cut to the maximum, so the first would not wait the backoff written
			problems.add("backoff '" + annotation.backoff() + "' must be at most "
					+ "edge-runtime.queue.consumer.backoff.max (" + Durations.text(d.maxBackoff())
					+ "), the longest delay between retries: raise it, or shorten the backoff");
		}
		int prefetch = prefetch(problems, endpoint, concurrency, batchSize);
		if (!problems.isEmpty()) {
			throw new IllegalStateException("@QueueListener on " + endpoint.description() + ": "
					+ String.join("; ", problems));
		}
		return new QueueConsumer.Settings(concurrency, batchSize, prefetch, visibilityTimeout,
				Objects.requireNonNull(heartbeat), maxAttempts, backoff, d.backoffMultiplier(), d.maxBackoff(),
				d.jitter(), archive, d.pollingInterval(), d.maxErrorBackoff());
	}

	private int prefetch(List<String> problems, QueueListenerEndpoint endpoint, int concurrency, int batchSize) {
		int prefetch = endpoint.annotation().prefetch();
		if (prefetch < -1) {
			problems.add("prefetch (" + prefetch + ") must be at least 0, or -1 for edge-runtime.queue.consumer.prefetch");
		}
		if (prefetch >= 0) {
			return prefetch;
		}
		Integer configured = this.defaults.prefetch();
		// By default as many as one read fetches while all handlers are busy, at most as many as they handle.
		return (configured != null) ? configured : Math.min(concurrency, batchSize);
	}

	/**
	 * An attribute's value, or the property's when it is 0 (the attribute's default).
	 */
	private static int orDefault(List<String> problems, String attribute, String property, int value, int fallback) {
		if (value < 0) {
			problems.add(attribute + " (" + value + ") must be at least 1, or 0 for " + property);
		}
		return (value > 0) ? value : fallback;
	}

	private static Duration duration(List<String> problems, String attribute, String property, String value,
			Duration fallback) {
		if (value.isEmpty()) {
			return fallback;
		}
		try {
			return DurationStyle.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			// @CronJob resolves placeholders in every attribute, a listener in its queue name only: say so, as
			// "not a duration" alone leaves one looking for what is wrong with the property
			problems.add(attribute + " '" + value + "' is not a duration such as \"30s\""
					+ (value.contains("${") ? ": placeholders are resolved in the queue name only; write the duration "
							+ "itself, or leave " + attribute + " empty for " + property : ""));
			return fallback;
		}
	}

}
