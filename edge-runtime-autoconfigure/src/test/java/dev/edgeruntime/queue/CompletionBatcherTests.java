package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CompletionBatcher}: handlers that finish while a statement is on its way are completed
 * together by the next one, and none returns before its own message's statement has.
 *
 * @author edge-runtime developers
 */
class CompletionBatcherTests {

	private final List<List<Long>> sent = new CopyOnWriteArrayList<>();

	private final List<Thread> threads = new ArrayList<>();

	@AfterEach
	void stopThreads() throws InterruptedException {
		for (Thread thread : this.threads) {
			thread.interrupt();
			thread.join(5_000);
		}
	}

	@Test
	void aHandlerFinishingAloneSendsItsOwnStatementAtOnce() {
		CompletionBatcher batcher = new CompletionBatcher((ids) -> this.sent.add(List.copyOf(ids)));
		batcher.complete(1);
		batcher.complete(2);
		assertThat(this.sent).containsExactly(List.of(1L), List.of(2L));
	}

	@Test
	void handlersFinishingWhileAStatementIsOnItsWayAreCompletedTogetherByTheNextOne() throws Exception {
		CountDownLatch firstMayReturn = new CountDownLatch(1);
		CountDownLatch secondMayReturn = new CountDownLatch(1);
		CompletionBatcher batcher = new CompletionBatcher((ids) -> {
			this.sent.add(List.copyOf(ids));
			block(this.sent.size() == 1 ? firstMayReturn : secondMayReturn);
		});
		CompletableFuture<Void> first = completeOnThread(batcher, 1);
		await().until(() -> this.sent.size() == 1);
		CompletableFuture<Void> second = completeOnThread(batcher, 2);
		CompletableFuture<Void> third = completeOnThread(batcher, 3);
		awaitWaiting(1, 2);

		firstMayReturn.countDown();
		first.get(10, TimeUnit.SECONDS);
		await().until(() -> this.sent.size() == 2);
		assertThat(this.sent.get(1)).containsExactlyInAnyOrder(2L, 3L);
		// Both wait for the statement that holds their messages, not only for the one before it.
		assertThat(second).isNotDone();
		assertThat(third).isNotDone();

		secondMayReturn.countDown();
		second.get(10, TimeUnit.SECONDS);
		third.get(10, TimeUnit.SECONDS);
		assertThat(this.sent).hasSize(2);
	}

	@Test
	void theFailureOfAStatementIsEveryHandlerInItsGroupsAndNoOtherOnes() throws Exception {
		CountDownLatch firstMayReturn = new CountDownLatch(1);
		CompletionBatcher batcher = new CompletionBatcher((ids) -> {
			this.sent.add(List.copyOf(ids));
			if (this.sent.size() == 1) {
				block(firstMayReturn);
			}
			else {
				throw new IllegalStateException("database down");
			}
		});
		CompletableFuture<Void> first = completeOnThread(batcher, 1);
		await().until(() -> this.sent.size() == 1);
		CompletableFuture<Void> second = completeOnThread(batcher, 2);
		CompletableFuture<Void> third = completeOnThread(batcher, 3);
		awaitWaiting(1, 2);
		firstMayReturn.countDown();

		first.get(10, TimeUnit.SECONDS);
		await().until(() -> second.isDone() && third.isDone());
		assertThat(second).failsWithin(Duration.ZERO).withThrowableThat().havingCause().withMessage("database down");
		assertThat(third).failsWithin(Duration.ZERO).withThrowableThat().havingCause().withMessage("database down");

		// The batcher is not stuck: the next handler sends again.
		assertThatIllegalStateException().isThrownBy(() -> batcher.complete(4)).withMessage("database down");
		assertThat(this.sent.get(2)).containsExactly(4L);
	}

	@Test
	void anInterruptWhileWaitingDoesNotReturnBeforeTheStatementAndIsKept() throws Exception {
		CountDownLatch firstMayReturn = new CountDownLatch(1);
		CompletionBatcher batcher = new CompletionBatcher((ids) -> {
			this.sent.add(List.copyOf(ids));
			if (this.sent.size() == 1) {
				block(firstMayReturn);
			}
		});
		CompletableFuture<Void> first = completeOnThread(batcher, 1);
		await().until(() -> this.sent.size() == 1);
		AtomicBoolean interruptedAfter = new AtomicBoolean();
		CompletableFuture<Void> second = new CompletableFuture<>();
		Thread waiter = new Thread(() -> {
			batcher.complete(2);
			interruptedAfter.set(Thread.currentThread().isInterrupted());
			second.complete(null);
		});
		this.threads.add(waiter);
		waiter.start();
		await().until(() -> waiter.getState() == Thread.State.WAITING);
		waiter.interrupt();
		// Still waiting for the statement: its message is not deleted yet.
		await().until(() -> waiter.getState() == Thread.State.WAITING);
		assertThat(second).isNotDone();

		firstMayReturn.countDown();
		first.get(10, TimeUnit.SECONDS);
		second.get(10, TimeUnit.SECONDS);
		assertThat(this.sent).containsExactly(List.of(1L), List.of(2L));
		assertThat(interruptedAfter).isTrue();
	}

	private CompletableFuture<Void> completeOnThread(CompletionBatcher batcher, long id) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				batcher.complete(id);
				done.complete(null);
			}
			catch (RuntimeException ex) {
				done.completeExceptionally(ex);
			}
		}, "handler-" + id);
		this.threads.add(thread);
		thread.start();
		return done;
	}

	/** Waits until the handler threads at these positions wait inside the batcher. */
	private void awaitWaiting(int... positions) {
		for (int position : positions) {
			Thread thread = this.threads.get(position);
			await().until(() -> thread.getState() == Thread.State.WAITING);
		}
	}

	private static void block(CountDownLatch latch) {
		try {
			if (!latch.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("the test did not release the statement");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
