package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Deletes (or archives) a consumer's handled messages on a thread of its own, in one statement for all the
 * messages handled while the previous statement was on its way, as a database commits the transactions
 * that wait for the same flush together. A handler hands its message over and goes on with the next one at
 * once; the consumer keeps the message's lease until its statement has returned, so the messages waiting
 * here count against the consumer's leases (at most its handlers plus its prefetch).
 * <p>
 * Under load this turns one {@code pgmq.delete} per message into one per group, the dearest part of a
 * message's cost to the database after the read, and takes the statement's round trip off the handlers. On a
 * quiet queue a handled message is sent alone, at once.
 * <p>
 * A message is reported completed only once its statement has returned; when the statement fails, its
 * messages are reported failed (they return after their visibility timeout and are delivered again).
 *
 * @author edge-runtime developers
 */
final class CompletionBatcher {

	/** Queued by {@link #stop}: the messages before it are the last ones the thread sends. */
	private static final Long STOP = Long.MIN_VALUE;

	private final Consumer<List<Long>> statement;

	private final Outcome outcome;

	private final LinkedBlockingQueue<Long> pending = new LinkedBlockingQueue<>();

	private final Thread thread;

	private volatile boolean stopped;

	private volatile boolean stopping;

	// When the wait of the last stop() runs out (System.nanoTime()).
	private volatile long stopDeadline;

	/**
	 * A batcher; {@link #start()} starts its thread.
	 * @param threadName the name of its thread
	 * @param statement deletes or archives the given message ids in one statement, throwing when it fails
	 * @param outcome told of each statement's outcome, on the batcher's thread
	 */
	CompletionBatcher(String threadName, Consumer<List<Long>> statement, Outcome outcome) {
		this.statement = statement;
		this.outcome = outcome;
		this.thread = new Thread(this::run, threadName);
		// Its work is bounded by the consumer's leases and flushed by stop(); a hung database must not keep
		// the JVM up.
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	/**
	 * Hands over a handled message, to be deleted (or archived) with those handled meanwhile. Never blocks;
	 * once the batcher is stopped the statement runs on the caller's thread.
	 * @param id the message id
	 */
	void complete(long id) {
		this.pending.add(id);
		if (this.stopped) {
			sendPending();
		}
	}

	/**
	 * Sends what was handed over so far and stops the thread.
	 * @param maxWait how long to wait for the last statement
	 * @return whether everything handed over was sent (successfully or not) within the wait
	 */
	boolean stop(Duration maxWait) throws InterruptedException {
		this.stopDeadline = System.nanoTime() + maxWait.toNanos();
		this.stopping = true;
		if (!this.thread.isAlive()) {
			this.stopped = true;
			sendPending();
			return true;
		}
		this.pending.add(STOP);
		this.thread.join(Math.max(1, maxWait.toMillis()));
		return !this.thread.isAlive();
	}

	/**
	 * Whether a statement that failed for want of the database may be tried again: until a stop's wait runs
	 * out.
	 * @return {@code false} once the wait of the last {@link #stop} has run out
	 */
	boolean mayRetry() {
		return !this.stopping || System.nanoTime() - this.stopDeadline < 0;
	}

	private void run() {
		List<Long> group = new ArrayList<>();
		boolean stopping = false;
		while (!stopping) {
			try {
				group.add(this.pending.take());
			}
			catch (InterruptedException ex) {
				// Only stop() is meant to end this thread; an interrupt ends it as well, after one last statement.
				stopping = true;
			}
			this.pending.drainTo(group);
			stopping |= group.removeIf(STOP::equals);
			send(group);
			group.clear();
		}
		this.stopped = true;
		// Handed over after the last drain, before stopped was seen: sent here or by their caller.
		sendPending();
	}

	private void sendPending() {
		List<Long> group = new ArrayList<>();
		this.pending.drainTo(group);
		group.removeIf(STOP::equals);
		send(group);
	}

	private void send(List<Long> ids) {
		if (ids.isEmpty()) {
			return;
		}
		List<Long> group = List.copyOf(ids);
		try {
			this.statement.accept(group);
		}
		catch (RuntimeException ex) {
			this.outcome.failed(group, ex);
			return;
		}
		catch (Error err) {
			// Reported, not rethrown: without this thread the consumer's leases would never come back.
			this.outcome.failed(group, new IllegalStateException("Completing messages " + group + " failed", err));
			return;
		}
		this.outcome.completed(group);
	}

	/**
	 * What the consumer learns of each statement.
	 */
	interface Outcome {

		/**
		 * The messages were deleted (or archived).
		 * @param ids the messages
		 */
		void completed(List<Long> ids);

		/**
		 * The statement failed: the messages were not deleted and return after their visibility timeout.
		 * @param ids the messages
		 * @param failure why
		 */
		void failed(List<Long> ids, RuntimeException failure);

	}

}
