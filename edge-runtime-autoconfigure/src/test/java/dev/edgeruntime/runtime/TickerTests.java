package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link Ticker}.
 *
 * @author edge-runtime developers
 */
class TickerTests {

	private static final Duration INTERVAL = Duration.ofMillis(10);

	private final Log log = mock(Log.class);

	private Ticker ticker = new Ticker("test-ticker", INTERVAL, () -> { }, this.log, "unused");

	@AfterEach
	void stopTicker() {
		this.ticker.stop();
	}

	@Test
	void ticksRepeatedlyOnADaemonThreadOfItsName() {
		AtomicInteger ticks = new AtomicInteger();
		AtomicReference<Thread> thread = new AtomicReference<>();
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			thread.set(Thread.currentThread());
			ticks.incrementAndGet();
		}, this.log, "unused");
		assertThat(this.ticker.isRunning()).isFalse();
		this.ticker.start();
		assertThat(this.ticker.isRunning()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);
		assertThat(thread.get().getName()).isEqualTo("test-ticker");
		assertThat(thread.get().isDaemon()).isTrue();
	}

	@Test
	void aTickThatThrowsIsLoggedAndTheNextOneStillRuns() {
		AtomicInteger ticks = new AtomicInteger();
		IllegalStateException failure = new IllegalStateException("boom");
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			if (ticks.incrementAndGet() == 1) {
				throw failure;
			}
		}, this.log, "Test tick failed");
		this.ticker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);
		verify(this.log).error("Test tick failed", failure);
	}

	@Test
	void aTickWhoseFailureCannotBeReportedStillDoesNotEndTheSchedule() {
		// as when the heap is exhausted: the tick fails, and so does the report of it
		AtomicInteger ticks = new AtomicInteger();
		doThrow(new OutOfMemoryError("Java heap space")).when(this.log).error(anyString(), any(Throwable.class));
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			if (ticks.incrementAndGet() == 1) {
				throw new OutOfMemoryError("Java heap space");
			}
		}, this.log, "Test tick failed");
		this.ticker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);
	}

	@Test
	void anErrorDoesNotEndTheScheduleEither() {
		AtomicInteger ticks = new AtomicInteger();
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			if (ticks.incrementAndGet() == 1) {
				throw new AssertionError("an Error, not an exception");
			}
		}, this.log, "Test tick failed");
		this.ticker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 3);
		verify(this.log, atLeastOnce()).error(eq("Test tick failed"), any(AssertionError.class));
	}

	@Test
	void startingTwiceKeepsOneSchedule() {
		AtomicInteger concurrent = new AtomicInteger();
		AtomicBoolean overlapped = new AtomicBoolean();
		AtomicInteger ticks = new AtomicInteger();
		this.ticker = new Ticker("test-ticker-started-twice", INTERVAL, () -> {
			if (concurrent.incrementAndGet() > 1) {
				overlapped.set(true);
			}
			ticks.incrementAndGet();
			concurrent.decrementAndGet();
		}, this.log, "unused");
		this.ticker.start();
		this.ticker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 5);
		assertThat(overlapped).isFalse();
		assertThat(Thread.getAllStackTraces().keySet())
			.filteredOn((thread) -> thread.getName().equals("test-ticker-started-twice"))
			.hasSize(1);
	}

	@Test
	void stopWaitsForATickInProgress() throws Exception {
		CountDownLatch inTick = new CountDownLatch(1);
		AtomicBoolean tickEnded = new AtomicBoolean();
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			inTick.countDown();
			// ignores the interrupt for a while, as a tick in the middle of a database call would
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
			while (System.nanoTime() < until) {
				Thread.onSpinWait();
			}
			tickEnded.set(true);
		}, this.log, "unused");
		this.ticker.start();
		assertThat(inTick.await(10, TimeUnit.SECONDS)).isTrue();
		this.ticker.stop();
		assertThat(tickEnded).isTrue();
		assertThat(this.ticker.isRunning()).isFalse();
	}

	@Test
	void stopWithoutWaitReturnsWhileATickIsInProgress() throws Exception {
		CountDownLatch inTick = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean tickEnded = new AtomicBoolean();
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			inTick.countDown();
			awaitUninterruptibly(release);
			tickEnded.set(true);
		}, this.log, "unused");
		this.ticker.start();
		assertThat(inTick.await(10, TimeUnit.SECONDS)).isTrue();
		this.ticker.stop(Duration.ZERO);
		assertThat(tickEnded).isFalse();
		release.countDown();
		await().atMost(Duration.ofSeconds(10)).untilTrue(tickEnded);
	}

	@Test
	void stopCalledFromATickDoesNotWaitForItself() throws Exception {
		CompletableFuture<Boolean> stoppedFromTick = new CompletableFuture<>();
		AtomicReference<Ticker> self = new AtomicReference<>();
		this.ticker = new Ticker("test-ticker", INTERVAL, () -> {
			self.get().stop();
			stoppedFromTick.complete(!self.get().isRunning());
		}, this.log, "unused");
		self.set(this.ticker);
		this.ticker.start();
		// with a wait on itself this would take the full ten seconds and then some
		assertThat(stoppedFromTick.get(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void stopEndsTheTicks() {
		AtomicInteger ticks = new AtomicInteger();
		this.ticker = new Ticker("test-ticker", INTERVAL, ticks::incrementAndGet, this.log, "unused");
		this.ticker.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= 1);
		this.ticker.stop();
		int afterStop = ticks.get();
		await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> true);
		assertThat(ticks.get()).isEqualTo(afterStop);
	}

	@Test
	void runOnceRunsOnTheTickersThreadWhileRunningOnly() throws Exception {
		this.ticker = new Ticker("test-ticker", Duration.ofHours(1), () -> { }, this.log, "unused");
		assertThat(this.ticker.runOnce(() -> { }, Duration.ZERO)).isFalse();
		this.ticker.start();
		CompletableFuture<String> thread = new CompletableFuture<>();
		assertThat(this.ticker.runOnce(() -> thread.complete(Thread.currentThread().getName()), Duration.ZERO))
			.isTrue();
		assertThat(thread.get(10, TimeUnit.SECONDS)).isEqualTo("test-ticker");
		this.ticker.stop();
		assertThat(this.ticker.runOnce(() -> { }, Duration.ZERO)).isFalse();
	}

	@Test
	void runOnceFailuresAreLoggedLikeTicks() {
		this.ticker = new Ticker("test-ticker", Duration.ofHours(1), () -> { }, this.log, "Test work failed");
		this.ticker.start();
		IllegalStateException failure = new IllegalStateException("boom");
		this.ticker.runOnce(() -> {
			throw failure;
		}, Duration.ZERO);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> verify(this.log).error("Test work failed", failure));
	}

	@Test
	void daemonSchedulerHasOneNamedDaemonThreadAndDropsCancelledTasks() throws Exception {
		var scheduler = Ticker.daemonScheduler("test-scheduler");
		try {
			assertThat(scheduler.getRemoveOnCancelPolicy()).isTrue();
			var later = scheduler.schedule(() -> { }, 1, TimeUnit.HOURS);
			later.cancel(false);
			assertThat(scheduler.getQueue()).isEmpty();
			Thread thread = scheduler.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
			assertThat(thread.getName()).isEqualTo("test-scheduler");
			assertThat(thread.isDaemon()).isTrue();
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (true) {
			try {
				latch.await();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

}
