package dev.edgeruntime.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.edgeruntime.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * The copy of a deferred task's result handed to its caller ({@link TrackedTask#watchedResult()}), and the
 * futures derived from it ({@code thenApply}, {@code thenCompose}, ...). It completes as the task's result
 * does. While the task waits for the thread that called it to get somewhere (its transaction to commit, its
 * response to be sent), an untimed {@link #get()} or {@link #join()} on that very thread would wait for
 * ever: it fails at once with an {@link IllegalStateException} that says so. Futures made by the static
 * {@code allOf} and {@code anyOf} are plain ones, and are not guarded.
 *
 * @param <T> the result type
 * @author edge-runtime developers
 */
final class WatchedResult<T> extends CompletableFuture<T> {

	private final Guard guard;

	private WatchedResult(Guard guard) {
		this.guard = guard;
	}

	static <T> WatchedResult<T> of(TrackedTask<T> task) {
		return new WatchedResult<>(new Guard(task));
	}

	/**
	 * Records that the task cannot start before a thread gets somewhere.
	 * @param thread the thread
	 * @param what what it has to do first, as in "starts only after {@code what}"
	 */
	void heldBy(Thread thread, String what) {
		this.guard.startsAfter = what;
		this.guard.holder = thread;
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		return new WatchedResult<>(this.guard);
	}

	@Override
	public T get() throws InterruptedException, ExecutionException {
		if (!isDone()) {
			this.guard.refuseWaitForEver();
		}
		return super.get();
	}

	@Override
	public T join() {
		if (!isDone()) {
			this.guard.refuseWaitForEver();
		}
		return super.join();
	}

	/**
	 * Which thread the task's start waits for, shared by the copy and the futures derived from it.
	 */
	private static final class Guard {

		private final TrackedTask<?> task;

		/** The thread the task's start waits for, or {@code null} once that no longer applies. */
		volatile @Nullable Thread holder;

		volatile String startsAfter = "";

		Guard(TrackedTask<?> task) {
			this.task = task;
		}

		void refuseWaitForEver() {
			Thread holder = this.holder;
			if (holder == null) {
				return;
			}
			if (this.task.submitted || this.task.state() != TaskState.SCHEDULED) {
				this.holder = null; // started (or ended): any thread may wait from now on
				return;
			}
			if (holder == Thread.currentThread()) {
				throw new IllegalStateException("Background task " + this.task.id() + " (" + this.task.name()
						+ ") starts only after " + this.startsAfter + ", and that is up to the thread now waiting "
						+ "for its result: the wait would never end. Return the future (a controller may return it: "
						+ "the request then waits for the task), or attach a callback to it (thenAccept, "
						+ "whenComplete), instead of waiting inside the transaction or request that called the task");
			}
		}

	}

}
