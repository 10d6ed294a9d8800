package dev.edgeruntime.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Deletes (or archives) the messages of handlers that finish together in one statement, as a database
 * commits the transactions that wait for the same flush together. A handler that finishes while no other
 * handler's statement is on its way sends its own at once, with nothing added and no wait; one that finishes
 * while a statement is on its way waits for it to return and then sends, in one statement, its message and
 * those of all handlers that finished meanwhile.
 * <p>
 * Every handler returns only once its own message's statement has returned, and gets that statement's
 * failure: a message is never reported as completed before it was deleted, and a handler's lease is held
 * until then, so the messages waiting here are at most the consumer's handlers. Under load this turns one
 * {@code pgmq.delete} per message into one per group of handlers, the dearest part of a message's cost to
 * the database.
 *
 * @author edge-runtime developers
 */
final class CompletionBatcher {

	private final Consumer<List<Long>> statement;

	private final Object lock = new Object();

	// Guarded by lock: the group that handlers finishing now join.
	private Group open = new Group();

	// Guarded by lock: whether a group's statement is on its way.
	private boolean sending;

	/**
	 * A batcher.
	 * @param statement deletes or archives the given message ids, in one statement; its exception is every
	 * handler's of the group
	 */
	CompletionBatcher(Consumer<List<Long>> statement) {
		this.statement = statement;
	}

	/**
	 * Deletes (or archives) a handled message, with those of the handlers that finish meanwhile.
	 * Uninterruptible, as the statement itself is: an interrupt while waiting is kept for the caller.
	 * @param id the message id
	 * @throws RuntimeException the statement's failure: the message was not deleted
	 */
	void complete(long id) {
		Group mine;
		boolean sender = false;
		boolean interrupted = false;
		synchronized (this.lock) {
			mine = this.open;
			mine.ids.add(id);
			while (this.sending && !mine.done) {
				try {
					this.lock.wait();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (!mine.done) {
				// Nobody is sending and this group is not sent yet: this handler sends it.
				this.sending = true;
				this.open = new Group();
				sender = true;
			}
		}
		try {
			if (sender) {
				send(mine);
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		RuntimeException failure = mine.failure;
		if (failure != null) {
			throw failure;
		}
	}

	private void send(Group group) {
		RuntimeException failure = null;
		try {
			this.statement.accept(group.ids);
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		catch (Error err) {
			failure = new IllegalStateException("Completing messages " + group.ids + " failed", err);
			throw err;
		}
		finally {
			synchronized (this.lock) {
				group.failure = failure;
				group.done = true;
				this.sending = false;
				// Wakes this group's handlers, and those of the next group, one of which sends it.
				this.lock.notifyAll();
			}
		}
	}

	private static final class Group {

		private final List<Long> ids = new ArrayList<>();

		// Written before done under the lock, read after seeing done under it.
		private @Nullable RuntimeException failure;

		private boolean done;

	}

}
