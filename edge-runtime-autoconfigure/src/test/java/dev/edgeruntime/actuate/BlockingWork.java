package dev.edgeruntime.actuate;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Work that runs until it is released or interrupted, and remembers which of the two happened.
 */
final class BlockingWork implements Callable<String> {

	private final CountDownLatch started = new CountDownLatch(1);

	private final CountDownLatch release = new CountDownLatch(1);

	private final CountDownLatch interrupted = new CountDownLatch(1);

	@Override
	public String call() throws InterruptedException {
		this.started.countDown();
		try {
			// bounded so that a broken test cannot leave a thread behind forever
			if (!this.release.await(1, TimeUnit.MINUTES)) {
				throw new IllegalStateException("Never released");
			}
			return "done";
		}
		catch (InterruptedException ex) {
			this.interrupted.countDown();
			throw ex;
		}
	}

	void release() {
		this.release.countDown();
	}

	boolean awaitStarted() throws InterruptedException {
		return this.started.await(30, TimeUnit.SECONDS);
	}

	boolean awaitInterrupted() throws InterruptedException {
		return this.interrupted.await(30, TimeUnit.SECONDS);
	}

}
