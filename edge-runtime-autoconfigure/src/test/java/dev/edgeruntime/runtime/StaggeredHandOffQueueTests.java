package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StaggeredHandOffQueue}.
 *
 * @author edge-runtime developers
 */
class StaggeredHandOffQueueTests {

	@Test
	void aWaitLastsItsTimePlusTheRandomPart() {
		StaggeredHandOffQueue queue = new StaggeredHandOffQueue((nanos) -> nanos / 2);
		assertThat(queue.waitNanos(1_000)).isEqualTo(1_500);
	}

	@Test
	void aWaitThatWouldOverflowWaitsForever() {
		StaggeredHandOffQueue queue = new StaggeredHandOffQueue((nanos) -> nanos);
		assertThat(queue.waitNanos(Long.MAX_VALUE - 10)).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void noWaitStaysNoWait() {
		StaggeredHandOffQueue queue = new StaggeredHandOffQueue((nanos) -> {
			throw new AssertionError("not asked for a wait of " + nanos);
		});
		assertThat(queue.waitNanos(0)).isZero();
		assertThat(queue.waitNanos(-1)).isEqualTo(-1);
	}

	@Test
	void theRandomPartSpreadsWaitsOverOneMoreKeepAlive() {
		StaggeredHandOffQueue queue = new StaggeredHandOffQueue();
		long keepAlive = TimeUnit.SECONDS.toNanos(60);
		Set<Long> waits = new HashSet<>();
		long shortest = Long.MAX_VALUE;
		long longest = 0;
		for (int i = 0; i < 10_000; i++) {
			long wait = queue.waitNanos(keepAlive);
			assertThat(wait).isBetween(keepAlive, 2 * keepAlive - 1);
			waits.add(wait);
			shortest = Math.min(shortest, wait);
			longest = Math.max(longest, wait);
		}
		assertThat(waits).hasSizeGreaterThan(9_900);
		assertThat(shortest).isLessThan(keepAlive + keepAlive / 10);
		assertThat(longest).isGreaterThan(2 * keepAlive - keepAlive / 10);
	}

	@Test
	void aTimedPollTakesWhatIsHandedOff() throws Exception {
		StaggeredHandOffQueue queue = new StaggeredHandOffQueue();
		CompletableFuture<Runnable> taken = CompletableFuture.supplyAsync(() -> {
			try {
				return queue.poll(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		Runnable task = () -> { };
		// an offer succeeds only while a poll waits for it
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		boolean handedOff = false;
		while (!handedOff && System.nanoTime() < deadline) {
			handedOff = queue.offer(task);
			Thread.onSpinWait();
		}
		assertThat(handedOff).isTrue();
		assertThat(taken.get(30, TimeUnit.SECONDS)).isSameAs(task);
	}

	@Test
	void threadsOfABurstRetireAtDifferentTimes() throws Exception {
		int threads = 100;
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS,
				new StaggeredHandOffQueue());
		try {
			CountDownLatch started = new CountDownLatch(threads);
			CountDownLatch release = new CountDownLatch(1);
			for (int i = 0; i < threads; i++) {
				pool.execute(() -> {
					started.countDown();
					try {
						release.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				});
			}
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			release.countDown(); // all fall idle together
			// each retires after 1 to 2 s: watch the pool shrink one thread after another
			Set<Integer> sizes = new HashSet<>();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			int size;
			while ((size = pool.getPoolSize()) > 0 && System.nanoTime() < deadline) {
				sizes.add(size);
				LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
			}
			assertThat(size).as("threads left").isZero();
			// ending together, the pool would go from 100 to 0 in a few sizes
			assertThat(sizes).as("pool sizes seen while the threads retired").hasSizeGreaterThan(20);
		}
		finally {
			pool.shutdownNow();
		}
	}

}
