package dev.edgeruntime.queue;

import java.lang.reflect.InvocationTargetException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.runtime.TaskLogContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Runs one {@link QueueListener} method: a reader thread leases up to as many messages as there are free
 * handler threads plus the prefetch (under a backlog waiting a few milliseconds for a full batch's worth),
 * each message's lease is extended by a heartbeat from the moment it is read (while it waits for a handler
 * and while it runs), and the outcome deletes, archives, retries or dead-letters the message. At shutdown
 * messages still waiting for a handler are handed back at once and never run.
 *
 * @author edge-runtime developers
 */
final class QueueConsumer {

	/** Why an outcome is not written: the message is another consumer's now. */
	static final String LEASE_LOST = "it was read again after its lease ran out (its visibility timeout passed "
			+ "without a heartbeat reaching the database), or it is gone";

	/** Why a handled message is not there to delete. */
	static final String GONE_WHEN_HANDLED = "its lease ran out (its visibility timeout passed without a heartbeat "
			+ "reaching the database) and another consumer read it, then handled it or dead-lettered it, or it was "
			+ "cancelled or purged meanwhile";

	private static final Log logger = LogFactory.getLog(QueueConsumer.class);

	private static final Duration FIRST_ERROR_BACKOFF = Duration.ofMillis(500);

	/**
	 * Longest wait, under a backlog, for enough free handlers to read a full batch.
	 */
	private static final Duration BATCH_FILL_WAIT = Duration.ofMillis(5);

	/**
	 * How long the shutdown, once out of time, still waits for the handled messages to be deleted.
	 */
	private static final Duration LAST_COMPLETION_WAIT = Duration.ofSeconds(5);

	/**
	 * How long the shutdown tries to hand back a message whose row a handler's transaction holds.
	 */
	private static final Duration HAND_BACK_WAIT = Duration.ofMillis(500);

	private static final Duration HAND_BACK_RETRY = Duration.ofMillis(50);

	/**
	 * First and longest wait between tries of a handled message's delete that failed for want of the
	 * database: one statement a second at most, for all the consumer's handled messages, while it is away.
	 */
	private static final Duration COMPLETION_RETRY = Duration.ofMillis(100);

	private static final Duration COMPLETION_RETRY_MAX = Duration.ofSeconds(1);

	private static final String COMPLETING = "delete (or archive) its handled messages (written once it can, unless "
			+ "they are read again by another consumer meanwhile)";

	/**
	 * How long after a retry's message is visible again the idle reader reads it.
	 */
	private static final long RETRY_READ_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	/** The most characters of an error the headers keep ({@code x-last-error}, {@code x-error}). */
	static final int MAX_ERROR_HEADER_LENGTH = 16 * 1024;

	private final QueueListenerEndpoint endpoint;

	private final Settings settings;

	private final PgmqTemplate pgmq;

	private final PgmqSchemaInitializer schema;

	private final ApplicationEventPublisher events;

	private final TransactionOperations transactions;

	private final QueueConsumerObserver observer;

	private @Nullable QueueObservations observations;

	/**
	 * This consumer's own heartbeat thread: a heartbeat that waits (for a pool connection, a row lock, a slow
	 * database) delays only the heartbeats of this queue, never the leases of other queues' running messages.
	 */
	private final ScheduledExecutorService heartbeats;

	/**
	 * Threads that wait for the row of a message whose heartbeat found it held by another transaction (its
	 * handler's own, say), and extend its lease as soon as that transaction ends: passing over it until the
	 * next heartbeat would leave the message visible meanwhile, its lease having run out while the row was
	 * held, for another read to take while its handler still runs. One at most per message; none at all
	 * unless a row is found busy.
	 */
	private final ExecutorService rowWaits;

	private final ExecutorService handlers;

	/**
	 * Messages this consumer may still lease: {@code concurrency + prefetch} less those read and not yet
	 * settled (waiting for a handler or being handled).
	 */
	private final Semaphore freeLeases;

	private final AtomicInteger handling = new AtomicInteger();

	private final LinkedBlockingQueue<Boolean> wakeUps = new LinkedBlockingQueue<>(1);

	/**
	 * When the retries this consumer's handlers set come due ({@link System#nanoTime()}): an idle reader
	 * wakes then, since a message becoming visible again sends no notification and would otherwise wait
	 * for the next poll.
	 */
	private final PriorityQueue<Long> retriesDue = new PriorityQueue<>();

	private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();

	private final CompletionBatcher completions;

	/**
	 * Handled messages not yet deleted (or archived), as the read that leased them saw them (its id, read count
	 * and enqueued_at, without the payload and headers, which are not kept while a delete waits for the
	 * database): their delete is of that message, not of a dead letter requeued since under its id, and when
	 * written again, after the database was unreachable, only while the lease is still this consumer's.
	 */
	private final Map<Long, QueueMessage<?>> completing = new ConcurrentHashMap<>();

	private final Thread reader;

	private volatile boolean running;

	private volatile boolean healthy;

	private volatile boolean ready;

	private volatile @Nullable String lastError = "not started";

	QueueConsumer(QueueListenerEndpoint endpoint, Settings settings, PgmqTemplate pgmq, PgmqSchemaInitializer schema,
			ApplicationEventPublisher events, TransactionOperations transactions, QueueConsumerObserver observer) {
		this.endpoint = endpoint;
		this.settings = settings;
		this.pgmq = pgmq;
		this.schema = schema;
		this.events = events;
		this.transactions = transactions;
		this.observer = observer;
		this.heartbeats = heartbeatScheduler(endpoint.queue());
		CustomizableThreadFactory rowWaitThreads = new CustomizableThreadFactory(
				"queue-" + endpoint.queue() + "-heartbeat-wait-");
		rowWaitThreads.setDaemon(true);
		this.rowWaits = Executors.newCachedThreadPool(rowWaitThreads);
		this.handlers = Executors.newFixedThreadPool(settings.concurrency(),
				new CustomizableThreadFactory("queue-" + endpoint.queue() + "-"));
		// The pool's queue holds the prefetched messages: at most prefetch wait, as the permits bound them.
		this.freeLeases = new Semaphore(settings.leases());
		// Not a daemon: an application whose only work is consuming stays up, as with other listener containers.
		this.reader = new Thread(this::readLoop, "queue-" + endpoint.queue() + "-reader");
		this.completions = new CompletionBatcher("queue-" + endpoint.queue() + "-completer", this::complete,
				new Completions());
	}

	private static ScheduledExecutorService heartbeatScheduler(String queue) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("queue-" + queue + "-heartbeat-");
		threads.setDaemon(true);
		// Its thread starts with the first message read, so a consumer that never starts holds none.
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, threads);
		// A heartbeat is cancelled when its message settles; without this it stays queued until it is due.
		scheduler.setRemoveOnCancelPolicy(true);
		return scheduler;
	}

	/** The consumer's settings. */
	Settings settings() {
		return this.settings;
	}

	String queue() {
		return this.endpoint.queue();
	}

	/**
	 * Starts reading.
	 * @param databaseUp whether the schema is in place; when it is not, the reader (not start-up) waits for
	 * the database
	 */
	void start(boolean databaseUp) {
		this.running = true;
		try {
			// Created before start-up completes, so the application can send at once; the reader retries.
			this.ready = databaseUp && createQueue();
		}
		catch (RuntimeException ex) {
			markUnhealthy(ex);
		}
		this.completions.start();
		this.reader.start();
	}

	private boolean createQueue() {
		this.pgmq.createQueue(queue());
		return true;
	}

	/**
	 * Wakes the reader: a message was sent to the queue.
	 */
	void wakeUp() {
		this.wakeUps.offer(Boolean.TRUE);
	}

	/**
	 * Stops reading and hands back at once the messages still waiting for a handler; handlers already
	 * running go on.
	 */
	void stopReading() {
		boolean wasRunning = this.running;
		this.running = false;
		wakeUp();
		// A reader waiting for a free lease (every one held by a handler or a prefetched message) waits up to the
		// polling interval, which the stop would wait for (awaitHandlers joins the reader): one more permit ends
		// that wait at once, and the reader, stopped, reads nothing with it. Once only, so that the permits stay
		// within an int however many leases there are (see Settings.leases()).
		if (wasRunning) {
			this.freeLeases.release();
		}
		this.handlers.shutdown();
		// Their handler tasks, still queued in the pool, find them handed back and skip them.
		for (InFlight waiting : this.inFlight.values()) {
			handBackIfWaiting(waiting);
		}
	}

	/**
	 * Waits for running handlers to finish, and then for their messages to be deleted (or archived).
	 * @param maxWait the longest wait
	 * @return whether all finished and their messages' last statement returned
	 */
	boolean awaitHandlers(Duration maxWait) throws InterruptedException {
		long deadline = System.nanoTime() + maxWait.toNanos();
		boolean finished = this.handlers.awaitTermination(Math.max(0, maxWait.toMillis()), TimeUnit.MILLISECONDS);
		this.reader.join(Math.max(1, this.settings.pollingInterval().toMillis()));
		if (finished) {
			// The handled messages still to delete: the last statement.
			finished = this.completions.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
		}
		return finished;
	}

	/**
	 * Interrupts the handlers still running and makes their messages (and those of any still waiting for one)
	 * visible again at once, their reads taken back (not counted as attempts) unless the handler is ending
	 * the application.
	 */
	void handBackUnfinished() {
		List<Unfinished> handBacks = new ArrayList<>();
		for (InFlight unfinished : this.inFlight.values()) {
			unfinished.stopHeartbeat();
			Thread handler;
			synchronized (unfinished.lease) {
				if (unfinished.settled) {
					continue;
				}
				unfinished.settled = true;
				unfinished.handedBack = true;
				handler = unfinished.thread;
			}
			// A graceful stop cut the run short, not the message: the read is taken back, so that a long task cut
			// short by a few rolling deploys is not dead-lettered without ever failing. A handler that is itself
			// ending the application (System.exit, a close of the context) is a crash, and its read counts, as
			// a message that ends every instance running it must reach its maximum attempts.
			boolean exiting = handler != null && endingTheApplication(handler);
			if (handler != null) {
				// Interrupted before the hand-back: a handler whose transaction wrote its own message's row holds
				// that row until the transaction ends, which the interrupt makes it end (rolled back).
				handler.interrupt();
			}
			handBacks.add(new Unfinished(unfinished.message, handler != null, exiting));
		}
		// A row a handler's transaction still holds (a handler deaf to its interrupt) is passed over and tried
		// again for a moment; then its message returns after its visibility timeout, as after a crash.
		long deadline = System.nanoTime() + HAND_BACK_WAIT.toNanos();
		List<Unfinished> busy = handBackUnfinished(handBacks);
		while (!busy.isEmpty() && System.nanoTime() - deadline < 0) {
			try {
				Thread.sleep(HAND_BACK_RETRY.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			busy = handBackUnfinished(busy);
		}
		for (Unfinished unfinished : busy) {
			logger.warn("Could not hand message " + unfinished.message().id() + " of queue '" + queue() + "' back at "
					+ "shutdown: its handler did not stop when interrupted, and a transaction of its holds the "
					+ "message's row; it returns after its visibility timeout");
		}
		this.handlers.shutdownNow();
		try {
			// Deletes what the handlers finished: otherwise those messages would be delivered again.
			this.completions.stop(LAST_COMPLETION_WAIT);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Hands messages back, and answers those whose row another transaction holds.
	 */
	private List<Unfinished> handBackUnfinished(List<Unfinished> messages) {
		List<Unfinished> busy = new ArrayList<>();
		for (Unfinished unfinished : messages) {
			QueueMessage<JsonNode> message = unfinished.message();
			try {
				PgmqTemplate.HandBack outcome = this.pgmq.handBack(queue(), message, !unfinished.exiting());
				switch (outcome) {
					case HANDED_BACK -> aboutTask(message, () -> logger.info("Handed message " + message.id()
							+ " of queue '" + queue() + "'" + durableTask(message) + " back at shutdown; "
							+ (!unfinished.started() ? "no handler had started it"
									: unfinished.exiting()
											? "its handler is ending the application, which counts as an attempt"
											: "its handler did not finish in time")));
					case ROW_BUSY -> busy.add(unfinished);
					case LEASE_LOST -> aboutTask(message, () -> logger.info("Message " + message.id() + " of queue '"
							+ queue() + "'" + durableTask(message) + " was not handed back at shutdown: " + LEASE_LOST));
				}
			}
			catch (RuntimeException ex) {
				aboutTask(message, () -> logger.warn("Could not hand message " + message.id() + " of queue '" + queue()
						+ "'" + durableTask(message) + " back; it returns after its visibility timeout", ex));
			}
		}
		return busy;
	}

	/**
	 * Whether a handler is the thread that is ending the application: in {@code System.exit} (which waits for
	 * the shutdown hooks, this stop among them) or closing the application context ({@code SpringApplication.exit},
	 * say). Its message is no message a graceful stop of the instance cut short: it ends every instance that
	 * runs it.
	 */
	static boolean endingTheApplication(Thread handler) {
		for (StackTraceElement frame : handler.getStackTrace()) {
			String type = frame.getClassName();
			String method = frame.getMethodName();
			if ("java.lang.Shutdown".equals(type) || ("java.lang.Runtime".equals(type) && "exit".equals(method))
					|| ("org.springframework.context.support.AbstractApplicationContext".equals(type)
							&& "close".equals(method))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Stops the heartbeats, once the consumer's messages are settled or handed back.
	 */
	void stopHeartbeats() {
		this.heartbeats.shutdownNow();
		this.rowWaits.shutdownNow();
	}

	/**
	 * The consumer's status; {@code inFlight} counts the messages being handled, not those prefetched and
	 * waiting for a handler.
	 * @return the status
	 */
	QueueConsumerStatus status() {
		return new QueueConsumerStatus(queue(), this.endpoint.description(), this.running, this.healthy,
				this.lastError, this.handling.get(), this.settings.concurrency());
	}

	private void readLoop() {
		Duration errorBackoff = FIRST_ERROR_BACKOFF;
		// Whether the last read returned all it asked for: more messages are most likely waiting.
		boolean backlog = false;
		while (this.running) {
			try {
				if (!this.ready) {
					if (!this.schema.install()) {
						throw new IllegalStateException("queue database unavailable");
					}
					this.ready = createQueue();
				}
				if (!this.freeLeases.tryAcquire(this.settings.pollingInterval().toMillis(), TimeUnit.MILLISECONDS)) {
					continue;
				}
				int free = 1 + (backlog ? awaitMoreFreeLeases() : 0) + this.freeLeases.drainPermits();
				if (!this.running) {
					// Stopped while waiting: a read now would only be handed back.
					this.freeLeases.release(free);
					break;
				}
				int quantity = Math.min(this.settings.batchSize(), free);
				long readAt = System.nanoTime();
				List<PgmqTemplate.Leased> batch;
				try {
					batch = this.pgmq.lease(queue(), this.settings.visibilityTimeout(), quantity);
				}
				catch (RuntimeException ex) {
					this.freeLeases.release(free);
					throw ex;
				}
				// Permits of messages not read go back; those read are released by their handlers.
				this.freeLeases.release(free - batch.size());
				backlog = batch.size() == quantity;
				markHealthy();
				errorBackoff = FIRST_ERROR_BACKOFF;
				for (PgmqTemplate.Leased message : batch) {
					dispatch(message);
				}
				if (batch.size() < quantity && this.running) {
					this.wakeUps.poll(idleWaitNanos(readAt), TimeUnit.NANOSECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				backlog = false;
				if (this.ready && DatabaseFailures.isMissingTable(ex)) {
					// Dropped while consumed (pgmq.drop_queue, a restore): created again, as a start would.
					this.ready = false;
					logger.warn("Queue '" + queue() + "' no longer exists in the database (dropped while consumed); "
							+ "its consumer creates it again");
				}
				markUnhealthy(ex);
				try {
					this.wakeUps.poll(errorBackoff.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
				errorBackoff = min(errorBackoff.multipliedBy(2), this.settings.maxErrorBackoff());
			}
		}
	}

	/**
	 * How long an idle reader waits for a notification: the polling interval, or less when a retry set by
	 * this consumer comes due sooner. Retries due before the last read began were taken by it.
	 */
	private long idleWaitNanos(long lastReadAt) {
		long polling = this.settings.pollingInterval().toNanos();
		synchronized (this.retriesDue) {
			Long due = dropRetriesDueBy(lastReadAt);
			return (due != null) ? Math.max(0, Math.min(polling, due - System.nanoTime())) : polling;
		}
	}

	/** Drops the retries due by a time (holding the queue's lock), and answers when the next one is due. */
	private @Nullable Long dropRetriesDueBy(long time) {
		Long due;
		while ((due = this.retriesDue.peek()) != null && due - time <= 0) {
			this.retriesDue.poll();
		}
		return due;
	}

	/**
	 * Under a backlog, waits briefly for more leases (handlers, or room for prefetched messages) to become
	 * free, so that one read fetches a full batch rather than as many messages as handlers happened to
	 * finish since the last read. Handlers finish one at a time, and {@code pgmq.read} is the dearest
	 * statement a message costs. The wait is short and bounded, so handlers that take long (or never
	 * finish) delay the others little; with a quiet queue there is no backlog and the reader reads as soon
	 * as one lease is free. With a prefetch the full batch is mostly there at once: the reader reads while
	 * the handlers work through the messages read before.
	 * @return the further permits taken, none when the wait ran out (those free then are drained by the
	 * caller)
	 */
	private int awaitMoreFreeLeases() throws InterruptedException {
		int leases = this.settings.leases();
		int wanted = Math.min(this.settings.batchSize(), leases) - 1;
		if (wanted <= 0) {
			return 0;
		}
		return this.freeLeases.tryAcquire(wanted, BATCH_FILL_WAIT.toNanos(), TimeUnit.NANOSECONDS) ? wanted : 0;
	}

	private void dispatch(PgmqTemplate.Leased read) {
		QueueMessage<JsonNode> message = read.message();
		if (!this.running) {
			// read as the stop began: the stop did not find it among those waiting for a handler
			handBackAtShutdown(message);
			this.freeLeases.release();
			return;
		}
		// Leased from now on: heartbeated while it waits for a handler (prefetched), not only while it runs.
		InFlight leased = new InFlight(message, read.unreadable());
		this.inFlight.put(message.id(), leased);
		long heartbeat = this.settings.heartbeatInterval().toMillis();
		leased.heartbeat = this.heartbeats.scheduleAtFixedRate(() -> extend(leased), heartbeat, heartbeat,
				TimeUnit.MILLISECONDS);
		boolean queued = false;
		if (this.running) {
			try {
				this.handlers.execute(() -> handle(leased));
				queued = true;
			}
			catch (RuntimeException ex) {
				// Shutting down: the handler pool refuses new work.
			}
		}
		if (!queued) {
			handBackIfWaiting(leased);
			this.inFlight.remove(message.id());
			this.freeLeases.release();
		}
		else if (!this.running) {
			// Stopped between the check and the execute: the stop may not have seen this message.
			handBackIfWaiting(leased);
		}
	}

	/**
	 * Hands a message back at once unless a handler started it (or its outcome is decided); it then never
	 * runs on this instance.
	 * @param leased the message
	 */
	private void handBackIfWaiting(InFlight leased) {
		synchronized (leased.lease) {
			if (leased.settled || leased.thread != null) {
				return;
			}
			leased.settled = true;
			leased.handedBack = true;
		}
		leased.stopHeartbeat();
		handBackAtShutdown(leased.message);
	}

	/**
	 * Hands back at shutdown a message no handler started, and logs it at INFO (with a durable task's id and name
	 * in the MDC), as the hand-back of a message whose handler ran out of time: the lines account for every lease
	 * the stop gave back.
	 */
	private void handBackAtShutdown(QueueMessage<JsonNode> message) {
		if (handBack(message)) {
			aboutTask(message, () -> logger.info("Handed message " + message.id() + " of queue '" + queue() + "'"
					+ durableTask(message) + " back at shutdown; no handler had started it"));
		}
	}

	/**
	 * Hands back a message no handler started, without counting the read as a delivery.
	 * @param message the message as read
	 * @return whether it was handed back (not when its lease was lost, or the database failed)
	 */
	private boolean handBack(QueueMessage<JsonNode> message) {
		try {
			return this.pgmq.returnUnhandled(queue(), message);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not hand back message " + message.id() + "; it returns after its visibility timeout",
					ex);
			return false;
		}
	}

	private void handle(InFlight current) {
		QueueMessage<JsonNode> message = current.message;
		if (!current.start(Thread.currentThread())) {
			// Handed back while it waited (shutdown): visible again, another consumer takes it.
			this.inFlight.remove(message.id());
			this.freeLeases.release();
			return;
		}
		this.handling.incrementAndGet();
		// Until a handled message is deleted, its lease stays taken: released by the completions' outcome.
		boolean leaseHandedOver = false;
		try {
			int maxAttempts = maxAttempts(message);
			if (message.readCount() > maxAttempts) {
				// Every attempt allowed was delivered and none wrote an outcome: the instances running it died
				// (a handler that takes the JVM down would take down every instance in turn) or lost the lease.
				if (current.settle()) {
					deadLetter(message, pastMaxAttempts(message, maxAttempts), false, message.readCount() - 1);
				}
				return;
			}
			Object argument;
			try {
				MessageConversionException unreadable = current.unreadable;
				if (unreadable != null) {
					// the payload does not even parse: it will never succeed
					throw new MessageConversionException(message.id(), this.endpoint.payloadType(),
							(unreadable.getCause() != null) ? unreadable.getCause() : unreadable);
				}
				QueueMessage<?> converted = this.pgmq.convert(message, this.endpoint.payloadType());
				if (converted.payload() == null && this.endpoint.payloadType() != JsonNode.class) {
					// JSON null is no payload of the listener's type: it would fail every attempt alike
					throw new MessageConversionException(message.id(), this.endpoint.payloadType(),
							new IllegalArgumentException("the payload is null"));
				}
				argument = this.endpoint.wantsMessage() ? converted : converted.payload();
			}
			catch (MessageConversionException ex) {
				if (current.settle()) {
					deadLetter(message, ex, true, message.readCount());
				}
				return;
			}
			if (invoke(current, argument, maxAttempts) != null) {
				return;
			}
			current.settle();
			// From here the completions release the lease, once the message is deleted.
			leaseHandedOver = true;
			this.completing.put(message.id(), new QueueMessage<>(message.id(), message.readCount(),
					message.enqueuedAt(), message.visibleAt(), MissingNode.getInstance(), Map.of()));
			this.completions.complete(message.id());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not complete message " + message.id() + " of queue '" + queue()
					+ "'; it returns after its visibility timeout", ex);
		}
		finally {
			current.stopHeartbeat();
			this.inFlight.remove(message.id());
			this.handling.decrementAndGet();
			if (!leaseHandedOver) {
				this.freeLeases.release();
			}
		}
	}

	/**
	 * Calls the listener, in its process observation when there is one, and deals with its failure (a retry or a
	 * dead letter) in that observation too: the lines it logs carry the delivery's trace, as the handler's do.
	 * @return the handler's error, if any
	 */
	private @Nullable Throwable invoke(InFlight current, @Nullable Object argument, int maxAttempts) {
		QueueObservations observations = this.observations;
		if (observations == null) {
			Throwable failure = invokeListener(argument);
			if (failure != null) {
				failed(current, failure, maxAttempts);
			}
			return failure;
		}
		// a durable task's name, so that its metrics tell which durable task fails
		String taskName = (this.endpoint.bean() instanceof DurableTaskExecutor executor)
				? executor.observedTaskName(current.message) : null;
		try (QueueObservations.Processing processing = observations.process(queue(), this.endpoint.description(),
				current.message, taskName)) {
			Throwable failure = invokeListener(argument);
			if (failure != null) {
				processing.error(failure);
				failed(current, failure, maxAttempts);
			}
			return failure;
		}
	}

	private @Nullable Throwable invokeListener(@Nullable Object argument) {
		try {
			this.endpoint.method().invoke(this.endpoint.bean(), argument);
			return null;
		}
		catch (InvocationTargetException ex) {
			return (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (IllegalAccessException ex) {
			return ex;
		}
	}

	/**
	 * Observes each handler's call: set before the consumer starts.
	 * @param observations the observations, or {@code null} for none
	 */
	void setObservations(@Nullable QueueObservations observations) {
		this.observations = observations;
	}

	/**
	 * Deletes or archives handled messages: alone, or with those handled while the previous statement was on
	 * its way.
	 * @param ids the messages
	 */
	private void complete(List<Long> ids) {
		try {
			completeNow(ids);
		}
		catch (RuntimeException ex) {
			if (!DatabaseFailures.isConnectionFailure(ex)) {
				throw ex;
			}
			completeOnceReachable(ids, ex);
		}
	}

	private void completeNow(List<Long> ids) {
		List<Long> found = this.pgmq.completeHandled(queue(), handled(ids), this.settings.archiveOnSuccess());
		if (found.size() < ids.size()) {
			List<Long> gone = new ArrayList<>(ids);
			gone.removeAll(found);
			for (Long id : withoutUnrunDeadLetters(gone)) {
				// Handled, yet gone: most likely its lease ran out and another consumer took it.
				logger.warn("Handled message " + id + " of queue '" + queue() + "' was no longer in the queue to "
						+ (this.settings.archiveOnSuccess() ? "archive" : "delete") + ": " + GONE_WHEN_HANDLED);
			}
		}
	}

	/** Handled messages not yet deleted, as read, of those ids. */
	private List<QueueMessage<?>> handled(List<Long> ids) {
		List<QueueMessage<?>> handled = new ArrayList<>(ids.size());
		for (Long id : ids) {
			QueueMessage<?> message = this.completing.get(id);
			if (message != null) {
				handled.add(message);
			}
		}
		return handled;
	}

	/**
	 * Takes back the dead letters of handled messages that the read after their handler's dead-lettered unrun
	 * (their leases ran out, and that read was past their maximum attempts, counting the handler's delivery as
	 * one without an outcome): the handler's success is its outcome, so a message handled is not left failed,
	 * to be run again by a requeue. One statement, only for messages a delete did not find.
	 * @param gone the handled messages that were no longer in the queue
	 * @return those of them that are not such dead letters
	 */
	private List<Long> withoutUnrunDeadLetters(List<Long> gone) {
		List<Long> takenBack;
		try {
			takenBack = this.pgmq.takeBackUnrunDeadLetters(queue(), handled(gone), this.settings.archiveOnSuccess());
		}
		catch (RuntimeException ex) {
			logger.debug("Could not look for dead letters of handled messages " + gone + " of queue '" + queue() + "'",
					ex);
			return gone;
		}
		for (Long id : takenBack) {
			logger.warn("Handled message " + id + " of queue '" + queue() + "' had been dead-lettered while its handler "
					+ "ran, unrun, by the read after its lease ran out (past its maximum attempts, counting this "
					+ "delivery as one without an outcome); its handler succeeded, so the dead letter is "
					+ (this.settings.archiveOnSuccess() ? "archived as handled" : "deleted")
					+ " (its MessageDeadLetteredEvent was published all the same)");
		}
		List<Long> remaining = new ArrayList<>(gone);
		remaining.removeAll(takenBack);
		return remaining;
	}

	/**
	 * Writes the deletes (or archives) of handled messages once the database answers again, rather than let
	 * the messages come back after their visibility timeout to be handled a second time. Each is written
	 * only while its lease is still this consumer's: a message read again by another consumer (its lease ran
	 * out) is that consumer's now, and left alone. Gives up when the consumer's stop runs out of time.
	 */
	private void completeOnceReachable(List<Long> ids, RuntimeException failure) {
		logger.warn("Could not complete message" + ((ids.size() == 1) ? " " + ids.get(0) : "s " + ids) + " of queue '"
				+ queue() + "' yet: " + failure.getMessage() + "; the delete is written once the database answers, "
				+ "unless the message is read again meanwhile");
		// With all its leases held by messages waiting for their delete, the reader reads nothing: the deletes
		// are what finds the database gone, and the health says so.
		markUnhealthy(failure, COMPLETING);
		List<QueueMessage<?>> held = handled(ids);
		RuntimeException last = failure;
		Duration wait = COMPLETION_RETRY;
		while (this.completions.mayRetry()) {
			try {
				Thread.sleep(wait.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			List<Long> remaining = new ArrayList<>(held.stream().map(QueueMessage::id).toList());
			try {
				remaining.removeAll(this.pgmq.completeIfHeld(queue(), held, this.settings.archiveOnSuccess()));
			}
			catch (RuntimeException ex) {
				if (!DatabaseFailures.isConnectionFailure(ex)) {
					throw ex;
				}
				last = ex;
				markUnhealthy(ex, COMPLETING);
				wait = min(wait.multipliedBy(2), COMPLETION_RETRY_MAX);
				continue;
			}
			markHealthy();
			// Those left were read again since (their leases ran out) or are gone: not this consumer's to delete.
			for (Long id : withoutUnrunDeadLetters(remaining)) {
				logger.info("Handled message " + id + " of queue '" + queue() + "' was not deleted once the database "
						+ "answered again: " + LEASE_LOST);
			}
			return;
		}
		throw last;
	}

	private void failed(InFlight current, Throwable error, int maxAttempts) {
		if (!current.settle()) {
			// Handed back at shutdown already: visible again, this failure is the interrupt.
			return;
		}
		QueueMessage<JsonNode> message = current.message;
		if (error instanceof MessageConversionException) {
			// the handler found the payload unreadable: it will never succeed
			deadLetter(message, error, true, message.readCount());
			return;
		}
		if (message.readCount() >= maxAttempts) {
			deadLetter(message, error, false, message.readCount());
			return;
		}
		Duration delay = backoff(message.readCount());
		logger.debug("Message " + message.id() + " of queue '" + queue() + "' failed (attempt " + message.readCount()
				+ " of " + maxAttempts + "), retrying in " + delay, error);
		// Said in the message, so that whoever reads the queue sees why it waits (and a durable task's status).
		if (!this.pgmq.retryIfHeld(queue(), message, Map.of(QueueHeaders.LAST_ERROR,
				errorHeader(error.getClass().getName() + ": " + error.getMessage()), QueueHeaders.FAILED_ATTEMPT,
				message.readCount()),
				delay)) {
			logger.warn("Message " + message.id() + " of queue '" + queue() + "' failed (attempt " + message.readCount()
					+ " of " + maxAttempts + ") and is left as it is: " + LEASE_LOST, error);
			return;
		}
		long now = System.nanoTime();
		synchronized (this.retriesDue) {
			// those already due are visible: the next read takes them (so the queue holds only pending retries)
			dropRetriesDueBy(now);
			this.retriesDue.add(retryDue(now, delay));
		}
		// an idle reader sleeping until its next poll reads once more, then sleeps until the retry is due
		wakeUp();
		this.observer.retried(queue());
	}

	/**
	 * When the idle reader reads a retry: its message is visible again after the delay (to the millisecond, as
	 * the retry's statement set it), counted from the database's clock at the statement, which was before
	 * now; a little more, so that the read comes after.
	 * @param now the {@link System#nanoTime()} just after the retry's statement
	 * @param delay the retry's delay
	 * @return the {@link System#nanoTime()} to read at
	 */
	static long retryDue(long now, Duration delay) {
		return now + TimeUnit.MILLISECONDS.toNanos(delay.toMillis()) + RETRY_READ_MARGIN_NANOS;
	}

	/**
	 * Why a message read more often than its maximum attempts allow is not run again: every delivery ended
	 * without an outcome, or (the maximum lowered since, by a deploy or the message's header) some wrote a
	 * failure, which is said with the attempt that wrote it.
	 */
	private static IllegalStateException pastMaxAttempts(QueueMessage<JsonNode> message, int maxAttempts) {
		int deliveries = message.readCount() - 1;
		Object lastError = message.headers().get(QueueHeaders.LAST_ERROR);
		Object failedAttempt = message.headers().get(QueueHeaders.FAILED_ATTEMPT);
		if (lastError != null && failedAttempt instanceof Number failed) {
			int later = deliveries - failed.intValue();
			// as many deliveries as the maximum when the deliveries after the failure ended without an outcome,
			// more when the maximum was lowered since
			return new IllegalStateException("delivered " + deliveries + " times, "
					+ ((deliveries > maxAttempts) ? "more than its" : "its") + " maximum attempts (" + maxAttempts
					+ "): not run again; attempt " + failed.intValue() + " failed with " + lastError
					+ ((later > 0) ? " and the " + ((later == 1) ? "delivery" : later + " deliveries")
							+ " after it ended without an outcome" : ""));
		}
		return new IllegalStateException("delivered " + deliveries + " times without an outcome (the instance "
				+ "running it stopped, or lost its lease, each time): not run again past its maximum attempts ("
				+ maxAttempts + ")");
	}

	/**
	 * An error as the headers keep it: cut after {@value #MAX_ERROR_HEADER_LENGTH} characters, so that an
	 * exception with a huge message (a payload quoted whole) cannot make the message's headers larger than
	 * a read parses.
	 */
	static String errorHeader(String description) {
		return (description.length() <= MAX_ERROR_HEADER_LENGTH) ? description
				: description.substring(0, MAX_ERROR_HEADER_LENGTH) + "... (" + description.length() + " characters)";
	}

	/**
	 * The message's maximum attempts: its {@link QueueHeaders#MAX_ATTEMPTS} header when that is a number of
	 * attempts, else the listener's. A header that is none (written by another writer of the queue: zero,
	 * negative, a fraction, text, or beyond an int, which was cut to its low bits) is said at WARN, once per
	 * delivery, and not taken.
	 */
	private int maxAttempts(QueueMessage<JsonNode> message) {
		Object own = message.headers().get(QueueHeaders.MAX_ATTEMPTS);
		if (own == null) {
			return this.settings.maxAttempts();
		}
		Integer attempts = maxAttemptsHeader(own);
		if (attempts != null) {
			return attempts;
		}
		aboutTask(message, () -> logger.warn("Message " + message.id() + " of queue '" + queue() + "'"
				+ durableTask(message) + " has an " + QueueHeaders.MAX_ATTEMPTS + " header that is no number of "
				+ "attempts (" + Printable.of(String.valueOf(own), 100) + "): it must be a whole number from 1 to "
				+ Integer.MAX_VALUE + "; the listener's maxAttempts (" + this.settings.maxAttempts() + ") applies"));
		return this.settings.maxAttempts();
	}

	/**
	 * A {@link QueueHeaders#MAX_ATTEMPTS} header's number of attempts: a whole JSON number from 1 to
	 * {@link Integer#MAX_VALUE}, as the listener's {@code maxAttempts} takes.
	 * @param header the header's value as read
	 * @return the attempts, or {@code null} when the header is no such number
	 */
	static @Nullable Integer maxAttemptsHeader(Object header) {
		if (header instanceof Integer || header instanceof Long || header instanceof Short || header instanceof Byte) {
			long attempts = ((Number) header).longValue();
			return (attempts >= 1 && attempts <= Integer.MAX_VALUE) ? (int) attempts : null;
		}
		// BigInteger (beyond a long), fractions, text, booleans, arrays and objects
		return null;
	}

	/**
	 * Archives a message as dead-lettered, once its outcome is settled.
	 * @param attempts the attempts it had: its deliveries, but for one past its maximum (not run)
	 */
	private void deadLetter(QueueMessage<JsonNode> message, Throwable error, boolean poison, int attempts) {
		String description = error.getClass().getName() + ": " + error.getMessage();
		Map<String, Object> headers = new LinkedHashMap<>();
		headers.put(QueueHeaders.DEAD_LETTERED, true);
		headers.put(QueueHeaders.ERROR, errorHeader(description));
		headers.put(QueueHeaders.ATTEMPTS, attempts);
		headers.put(QueueHeaders.DEAD_LETTERED_AT, Instant.now().toString());
		Boolean archived = this.transactions
			.execute((status) -> this.pgmq.archiveWithHeadersIfHeld(queue(), message, headers,
					List.of(QueueHeaders.LAST_ERROR, QueueHeaders.FAILED_ATTEMPT)));
		if (!Boolean.TRUE.equals(archived)) {
			logger.warn("Message " + message.id() + " of queue '" + queue() + "' was not dead-lettered after "
					+ attempts + " attempt(s) (" + Printable.of(description) + "): " + LEASE_LOST);
			return;
		}
		// one line, whatever the error quotes: a mapping error quotes the payload, which the queue's writer chose
		aboutTask(message, () -> logger.warn("Dead-lettered message " + message.id() + " of queue '" + queue() + "'"
				+ durableTask(message) + " after " + attempts + " attempt(s)" + (poison ? " (payload cannot be read)" : "")
				+ ": " + Printable.of(description) + "; " + runAgain(message)));
		this.observer.deadLettered(queue());
		this.events.publishEvent(
				new MessageDeadLetteredEvent(this, queue(), message.id(), attempts, description, poison));
	}

	/**
	 * The durable task a message carries, for a line about it: its id is what the task's status, its retry
	 * and its cancel take; empty for a message of a {@code @QueueListener}, or whose task id is no UUID.
	 */
	private static String durableTask(QueueMessage<JsonNode> message) {
		String id = DurableTaskExecutor.taskId(message.headers().get(QueueHeaders.TASK_ID));
		if (id == null) {
			return "";
		}
		String name = DurableTaskExecutor.taskName(message.headers().get(QueueHeaders.TASK_NAME));
		return " (durable task " + id + ((name != null) ? " (" + name + ")" : "") + ")";
	}

	/**
	 * Logs a line about a message, with the task id and name in the MDC when it carries a durable task: the
	 * consumer's thread logs it outside the task's run, where they are not.
	 */
	private static void aboutTask(QueueMessage<JsonNode> message, Runnable line) {
		String id = DurableTaskExecutor.taskId(message.headers().get(QueueHeaders.TASK_ID));
		if (id != null) {
			TaskLogContext.log(id, DurableTaskExecutor.taskName(message.headers().get(QueueHeaders.TASK_NAME)), line);
		}
		else {
			line.run();
		}
	}

	/**
	 * How an operator runs a dead-lettered message again once the cause of its failure is mended: a durable
	 * task through the {@code backgroundtasks} endpoint, by the id its status takes; a listener's message by
	 * requeueing it.
	 */
	private String runAgain(QueueMessage<JsonNode> message) {
		String id = DurableTaskExecutor.taskId(message.headers().get(QueueHeaders.TASK_ID));
		return "once its cause is mended, " + ((id != null)
				? "run it again with POST .../backgroundtasks/" + id + " (the actuator endpoint)"
				: "send it back with PgmqTemplate.requeueDeadLetters(\"" + queue() + "\", List.of(" + message.id()
						+ "L)) (or the dashboard's requeue)");
	}

	private Duration backoff(int attempt) {
		return backoff(this.settings, attempt, ThreadLocalRandom.current().nextDouble());
	}

	/**
	 * The delay before the retry after a failed delivery: exponential, capped, with jitter taken off. However
	 * many the attempts, it is at most the maximum, never negative.
	 * @param settings the consumer's settings
	 * @param attempt the delivery that failed, 1 for the first
	 * @param random a number in [0, 1)
	 * @return the delay
	 */
	static Duration backoff(Settings settings, int attempt, double random) {
		long initial = settings.backoff().toMillis();
		long max = settings.maxBackoff().toMillis();
		// multiplier^attempt grows to Infinity after enough attempts (and 0 times Infinity is NaN): a delay that
		// is not below the maximum, or no number at all, is the maximum
		double grown = initial * Math.pow(settings.backoffMultiplier(), Math.max(0, attempt - 1));
		double capped = (initial <= 0) ? 0 : (grown < max) ? grown : max;
		double jittered = capped * (1 - settings.jitter() * random);
		return Duration.ofMillis(Math.max(0, Math.min(max, (long) jittered)));
	}

	private void extend(InFlight current) {
		if (current.awaitingRow) {
			// a thread waits for its row, and extends the lease once the row is free
			return;
		}
		// Under the lease's lock, so no heartbeat lands after the outcome's own set_vt.
		synchronized (current.lease) {
			if (current.settled) {
				return;
			}
			try {
				PgmqTemplate.Heartbeat beat = this.pgmq.heartbeat(queue(), current.message,
						this.settings.visibilityTimeout());
				markHealthy(); // the database answered
				if (beat == PgmqTemplate.Heartbeat.ROW_BUSY) {
					// its row is held by another transaction (its handler's own, say), which no reader passes
					// either: a thread of its own waits for the row, the heartbeats of other messages go on
					logger.debug("Heartbeat of message " + current.message.id() + " of queue '" + queue()
							+ "' waits apart: another transaction holds its row");
					awaitRow(current);
				}
				else if (beat == PgmqTemplate.Heartbeat.LEASE_LOST) {
					current.stopHeartbeat();
					logger.warn("Heartbeat of message " + current.message.id() + " of queue '" + queue()
							+ "' found its lease gone; its handler runs on, and what it ends with is left alone: "
							+ LEASE_LOST);
				}
			}
			catch (RuntimeException ex) {
				// a consumer whose handlers are all busy does not read: its heartbeats are what finds the database
				// gone, and the health says so (logged once, as for a failed read)
				markUnhealthy(ex, "extend the leases of its running messages (their leases run out at the "
						+ "visibility timeout unless a later heartbeat succeeds)");
				logger.debug("Heartbeat of message " + current.message.id() + " of queue '" + queue() + "' failed", ex);
			}
		}
	}

	/**
	 * Extends a message's lease as soon as the transaction holding its row ends, on a thread of its own: once
	 * that transaction ends, a lease that ran out meanwhile would leave the message to any reader until the
	 * next heartbeat.
	 */
	private void awaitRow(InFlight current) {
		current.awaitingRow = true;
		try {
			this.rowWaits.execute(() -> extendOnceRowIsFree(current));
		}
		catch (RejectedExecutionException ex) {
			// stopping: the heartbeats end too
			current.awaitingRow = false;
		}
	}

	private void extendOnceRowIsFree(InFlight current) {
		try {
			// Not under the lease's lock, which a hand-back holds while it writes the row: this transaction
			// holds the row once it has it. An outcome decided before then is seen here (it is decided before
			// its statement runs); one decided after waits for the row, and its statement lands last.
			Boolean held = this.transactions.execute((status) -> {
				boolean locked = this.pgmq.lockIfHeld(queue(), current.message);
				if (current.settled) {
					return null; // its outcome decides its lease now
				}
				return locked && this.pgmq.setVisibilityTimeoutIfHeld(queue(), current.message,
						this.settings.visibilityTimeout());
			});
			markHealthy();
			if (Boolean.FALSE.equals(held)) {
				current.stopHeartbeat();
				logger.warn("Heartbeat of message " + current.message.id() + " of queue '" + queue()
						+ "' found its lease gone; its handler runs on, and what it ends with is left alone: "
						+ LEASE_LOST);
			}
		}
		catch (RuntimeException ex) {
			markUnhealthy(ex, "extend the leases of its running messages (their leases run out at the "
					+ "visibility timeout unless a later heartbeat succeeds)");
			logger.debug("Heartbeat of message " + current.message.id() + " of queue '" + queue() + "' failed", ex);
		}
		finally {
			current.awaitingRow = false;
		}
	}

	private void markHealthy() {
		if (!this.healthy) {
			if (this.lastError != null && !"not started".equals(this.lastError)) {
				logger.info("Queue consumer of '" + queue() + "' reaches the database again");
			}
			this.healthy = true;
			this.lastError = null;
		}
	}

	private void markUnhealthy(RuntimeException ex) {
		markUnhealthy(ex, "read, retrying with backoff");
	}

	private void markUnhealthy(RuntimeException ex, String what) {
		String message = describe(ex);
		if (this.healthy || "not started".equals(this.lastError)) {
			logger.warn("Queue consumer of '" + queue() + "' cannot " + what + ": " + message);
		}
		this.healthy = false;
		this.lastError = ex.getClass().getSimpleName() + ": " + message;
	}

	/**
	 * The failure's message with PostgreSQL's, which Spring's leaves out of some ({@code bad SQL grammar
	 * [...]} for a statement refused with {@code permission denied for table q_orders}).
	 */
	private static String describe(RuntimeException ex) {
		String message = String.valueOf(ex.getMessage());
		if (ex instanceof DataAccessException data && data.getMostSpecificCause() instanceof SQLException sql
				&& sql.getMessage() != null && !message.contains(sql.getMessage())) {
			return message + ": " + sql.getMessage();
		}
		return message;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	/**
	 * Frees the leases of handled messages once their statement returned.
	 */
	private final class Completions implements CompletionBatcher.Outcome {

		@Override
		public void completed(List<Long> ids) {
			ids.forEach(QueueConsumer.this.completing::remove);
			QueueConsumer.this.freeLeases.release(ids.size());
			for (int i = 0; i < ids.size(); i++) {
				QueueConsumer.this.observer.succeeded(queue());
			}
		}

		@Override
		public void failed(List<Long> ids, RuntimeException failure) {
			ids.forEach(QueueConsumer.this.completing::remove);
			QueueConsumer.this.freeLeases.release(ids.size());
			if (DatabaseFailures.isMissingTable(failure)) {
				// Dropped with its messages while they were handled: nothing returns.
				logger.warn("Could not complete message" + ((ids.size() == 1) ? " " + ids.get(0) : "s " + ids)
						+ " of queue '" + queue() + "': the queue no longer exists (dropped while "
						+ ((ids.size() == 1) ? "it was" : "they were") + " handled); " + failure.getMessage());
				return;
			}
			logger.warn("Could not complete message" + ((ids.size() == 1) ? " " + ids.get(0) : "s " + ids)
					+ " of queue '" + queue() + "'; " + ((ids.size() == 1) ? "it returns" : "they return")
					+ " after the visibility timeout", failure);
		}

	}

	/**
	 * A consumer's resolved settings.
	 */
	record Settings(int concurrency, int batchSize, int prefetch, Duration visibilityTimeout,
			Duration heartbeatInterval, int maxAttempts, Duration backoff, double backoffMultiplier,
			Duration maxBackoff, double jitter, boolean archiveOnSuccess, Duration pollingInterval,
			Duration maxErrorBackoff) {

		/**
		 * Messages the consumer may lease at once, handled or prefetched: {@code concurrency + prefetch}, or
		 * {@code Integer.MAX_VALUE - 1} when the sum is larger (it went negative in an int, and the consumer then
		 * never read); one below the largest int, as the stop releases one permit more than there are leases.
		 */
		int leases() {
			return (int) Math.min(Integer.MAX_VALUE - 1, (long) this.concurrency + this.prefetch);
		}

	}

	/** A message handed back at shutdown: whether a handler started it, and whether it is ending the application. */
	private record Unfinished(QueueMessage<JsonNode> message, boolean started, boolean exiting) {

	}

	private static final class InFlight {

		private final QueueMessage<JsonNode> message;

		// Why its payload cannot be parsed, null when it can.
		private final @Nullable MessageConversionException unreadable;

		private final Object lease = new Object();

		// Guarded by lease: the handler running it, null while it waits for one (prefetched).
		private @Nullable Thread thread;

		// Written under lease: whether the outcome (success, failure, hand-back) has been decided. Volatile for
		// the wait for a busy row, which reads it without the lock.
		private volatile boolean settled;

		// Guarded by lease.
		private boolean handedBack;

		private volatile @Nullable ScheduledFuture<?> heartbeat;

		// Whether a thread waits for its row, held by another transaction, to extend its lease.
		private volatile boolean awaitingRow;

		InFlight(QueueMessage<JsonNode> message, @Nullable MessageConversionException unreadable) {
			this.message = message;
			this.unreadable = unreadable;
		}

		/**
		 * Attaches the handler that starts the message, unless it was handed back while it waited.
		 * @param handler the handler's thread
		 * @return whether the handler may run it
		 */
		boolean start(Thread handler) {
			synchronized (this.lease) {
				if (this.settled) {
					return false;
				}
				this.thread = handler;
				return true;
			}
		}

		/**
		 * Decides the outcome, once: no heartbeat extends the lease afterwards.
		 * @return whether this call decided it, {@code false} when it was handed back already
		 */
		boolean settle() {
			stopHeartbeat();
			synchronized (this.lease) {
				if (this.settled) {
					return !this.handedBack;
				}
				this.settled = true;
				return true;
			}
		}

		void stopHeartbeat() {
			ScheduledFuture<?> scheduled = this.heartbeat;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
