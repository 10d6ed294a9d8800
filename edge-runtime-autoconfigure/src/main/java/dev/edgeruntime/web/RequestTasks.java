package dev.edgeruntime.web;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import dev.edgeruntime.runtime.DeferredTask;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The detached tasks waiting for one HTTP request to complete, kept as a request attribute by
 * {@link BackgroundTaskRequestFilter}.
 *
 * @author edge-runtime developers
 */
final class RequestTasks {

	/** The request attribute holding the {@link RequestTasks} of the request. */
	static final String ATTRIBUTE = RequestTasks.class.getName();

	private static final Log logger = LogFactory.getLog(RequestTasks.class);

	private final List<DeferredTask<?>> tasks = new ArrayList<>();

	/** What to undo when the request fails: the durable task a controller method sent, whose 202 is lost. */
	private final List<Consumer<String>> withdrawals = new ArrayList<>(1);

	private boolean released;

	/**
	 * Adds a task to start when the request completes.
	 * @param task the task
	 * @return {@code false} if the request has already completed, so the caller must start the task itself
	 */
	synchronized boolean add(DeferredTask<?> task) {
		if (this.released) {
			return false;
		}
		this.tasks.add(task);
		return true;
	}

	/**
	 * Adds something to undo if the request fails, as its tasks are dropped then.
	 * @param withdrawal called with the reason, for the log
	 */
	synchronized void onFailure(Consumer<String> withdrawal) {
		if (!this.released) {
			this.withdrawals.add(withdrawal);
		}
	}

	/**
	 * Whether tasks wait for the request.
	 * @return {@code true} if any task was added and not yet started or dropped
	 */
	synchronized boolean isPending() {
		return !this.tasks.isEmpty();
	}

	/**
	 * Starts now, in the order they were added, the tasks whose result something already waits on or is
	 * chained to ({@link DeferredTask#awaited()}); the others keep waiting for the request to complete. For
	 * a request gone asynchronous: its result may be one of these futures, which would otherwise only
	 * complete after it.
	 */
	void startAwaited() {
		List<DeferredTask<?>> awaited = new ArrayList<>();
		synchronized (this) {
			for (Iterator<DeferredTask<?>> pending = this.tasks.iterator(); pending.hasNext();) {
				DeferredTask<?> task = pending.next();
				if (task.awaited()) {
					awaited.add(task);
					pending.remove();
				}
			}
		}
		for (DeferredTask<?> task : awaited) {
			logger.debug("Background task " + task.handle().id() + " (" + task.handle().name() + ") starts before "
					+ "its asynchronous request completes: the request's result waits on it");
			try {
				task.start();
			}
			catch (RuntimeException ex) {
				logger.warn("Background task " + task.handle().id() + " (" + task.handle().name()
						+ ") could not start: " + ex.getMessage());
			}
		}
	}

	/**
	 * Starts every task, in the order they were added.
	 */
	void startAll() {
		for (DeferredTask<?> task : release()) {
			try {
				task.start();
			}
			catch (RuntimeException ex) {
				// the response is already sent: nobody is left to tell but the log
				logger.warn("Background task " + task.handle().id() + " (" + task.handle().name()
						+ ") could not start after the response: " + ex.getMessage());
			}
		}
	}

	/**
	 * Drops every task.
	 * @param why the reason, for the log and the tasks' error
	 */
	void dropAll(String why) {
		List<Consumer<String>> withdrawals;
		synchronized (this) {
			withdrawals = List.copyOf(this.withdrawals);
		}
		for (DeferredTask<?> task : release()) {
			task.drop(why);
		}
		for (Consumer<String> withdrawal : withdrawals) {
			try {
				withdrawal.accept(why);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not undo what the failed request sent: " + ex.getMessage());
			}
		}
	}

	private synchronized List<DeferredTask<?>> release() {
		this.released = true;
		this.withdrawals.clear();
		List<DeferredTask<?>> released = List.copyOf(this.tasks);
		this.tasks.clear();
		return released;
	}

}
