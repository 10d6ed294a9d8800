package dev.edgeruntime.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A copy of a deferred task's result handed out before the task starts (to the caller of a
 * {@code @BackgroundTask} method, {@link TrackedTask#watchedResult()}, or through {@link TrackedTask#result()}),
 * and the futures derived from it ({@code thenApply}, {@code thenCompose}, ...). It completes as the task's
 * result does. While the task waits for the thread that called it to get somewhere (its transaction to
 * commit, its response to be sent), an untimed {@link #get()} or {@link #join()} on that very thread would
 * wait for ever: it fails at once with an {@link IllegalStateException} that says so.
 * <p>
 * Futures made by the static {@code allOf} and {@code anyOf} are plain ones, and are not guarded: those
 * methods make their future with {@code new CompletableFuture<>()} and tie it to their inputs without
 * calling any method a subclass could override, and a thread waiting on a plain future cannot be told from
 * one waiting on an unrelated future that will complete. The documentation warns of it.
 *
 * @param <T> the result type
 * @author edge-runtime developers
 */
final class WatchedResult<T> extends CompletableFuture<T> {

	private final TrackedTask<?> task;

	WatchedResult(TrackedTask<?> task) {
		this.task = task;
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		return new WatchedResult<>(this.task);
	}

	@Override
	public T get() throws InterruptedException, ExecutionException {
		if (!isDone()) {
			this.task.refuseWaitForEver();
		}
		return super.get();
	}

	@Override
	public T join() {
		if (!isDone()) {
			this.task.refuseWaitForEver();
		}
		return super.join();
	}

}
