package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link CompletionBatcher}: handled messages are sent on the batcher's thread, those handed over
 * while a statement is on its way together by the next one, and each is reported only once its statement
 * returned.
 *
 * @author edge-runtime developers
 */
class CompletionBatcherTests {

	private final List<List<Long>> sent = new CopyOnWriteArrayList<>();

	private final List<List<Long>> completed = new CopyOnWriteArrayList<>();

	private final List<String> failed = new CopyOnWriteArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	private CompletionBatcher batcher;

	@AfterEach
	void stopBatcher() throws InterruptedException {
		this.release.countDown();
		if (this.batcher != null) {
			this.batcher.stop(Duration.ofSeconds(10));
		}
	}

	@Test
	void aMessageHandledAloneIsSentAloneAtOnce() {
		start((ids) -> this.sent.add(ids));
		this.batcher.complete(1);
		await().until(() -> this.completed.size() == 1);
		this.batcher.complete(2);
		await().until(() -> this.completed.size() == 2);
		assertThat(this.sent).containsExactly(List.of(1L), List.of(2L));
		assertThat(this.completed).containsExactly(List.of(1L), List.of(2L));
	}

	@Test
	void messagesHandedOverWhileAStatementIsOnItsWayAreSentTogetherByTheNextOne() {
		start((ids) -> {
			this.sent.add(ids);
			if (this.sent.size() == 1) {
				block(this.release);
			}
		});
		this.batcher.complete(1);
		await().until(() -> this.sent.size() == 1);
		// Handing over never waits for the statement on its way.
		this.batcher.complete(2);
		this.batcher.complete(3);
		assertThat(this.completed).isEmpty();

		this.release.countDown();
		await().until(() -> this.completed.size() == 2);
		assertThat(this.sent).containsExactly(List.of(1L), List.of(2L, 3L));
		assertThat(this.completed).containsExactly(List.of(1L), List.of(2L, 3L));
	}

	@Test
	void aFailedStatementReportsItsMessagesFailedAndTheNextMessagesAreSentAgain() {
		start((ids) -> {
			this.sent.add(ids);
			if (ids.contains(1L)) {
				block(this.release);
			}
			else if (ids.contains(2L)) {
				throw new IllegalStateException("database down");
			}
		});
		this.batcher.complete(1);
		await().until(() -> this.sent.size() == 1);
		this.batcher.complete(2);
		this.batcher.complete(3);
		this.release.countDown();
		await().until(() -> this.failed.size() == 1);
		assertThat(this.failed).containsExactly("[2, 3]: database down");
		assertThat(this.completed).containsExactly(List.of(1L));

		this.batcher.complete(4);
		await().until(() -> this.completed.size() == 2);
		assertThat(this.completed).containsExactly(List.of(1L), List.of(4L));
	}

	@Test
	void anErrorInAStatementIsReportedAsItsFailureAndTheBatcherGoesOn() {
		start((ids) -> {
			this.sent.add(ids);
			if (ids.contains(1L)) {
				throw new StackOverflowError("deep");
			}
		});
		this.batcher.complete(1);
		await().until(() -> this.failed.size() == 1);
		assertThat(this.failed).containsExactly("[1]: Completing messages [1] failed");
		this.batcher.complete(2);
		await().until(() -> this.completed.size() == 1);
		assertThat(this.completed).containsExactly(List.of(2L));
	}

	@Test
	void stopSendsWhatWasHandedOverAndAfterItTheCallerSends() throws Exception {
		start((ids) -> {
			this.sent.add(ids);
			if (ids.contains(1L)) {
				block(this.release);
			}
		});
		this.batcher.complete(1);
		await().until(() -> this.sent.size() == 1);
		this.batcher.complete(2);
		CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
			try {
				return this.batcher.stop(Duration.ofSeconds(30));
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(stopped).isNotDone();
		this.release.countDown();
		assertThat(stopped.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(this.completed).containsExactly(List.of(1L), List.of(2L));

		// Stopped: a late handler's message is sent on its own thread before complete returns.
		this.batcher.complete(5);
		assertThat(this.completed).containsExactly(List.of(1L), List.of(2L), List.of(5L));
	}

	@Test
	void stopGivesUpWaitingForAHungStatement() throws Exception {
		start((ids) -> {
			this.sent.add(ids);
			block(this.release);
		});
		this.batcher.complete(1);
		await().until(() -> this.sent.size() == 1);
		assertThat(this.batcher.stop(Duration.ofMillis(50))).isFalse();
		assertThat(this.completed).isEmpty();
	}

	@Test
	void aStatementWaitingForTheDatabaseGivesUpOnceTheStopRunsOutOfTime() throws InterruptedException {
		// a statement that tries again while the database is away, as the consumer's does, until told to stop
		start((ids) -> {
			this.sent.add(ids);
			while (this.batcher.mayRetry()) {
				Thread.onSpinWait();
			}
			throw new IllegalStateException("database unreachable");
		});
		this.batcher.complete(1);
		await().until(() -> this.sent.size() == 1);
		assertThat(this.batcher.mayRetry()).isTrue();
		// the statement ends as the stop's wait does, so the stop may or may not see it end
		this.batcher.stop(Duration.ofMillis(200));
		await().until(() -> !this.failed.isEmpty());
		assertThat(this.failed).containsExactly("[1]: database unreachable");
		assertThat(this.batcher.mayRetry()).isFalse();
	}

	private void start(Consumer<List<Long>> statement) {
		this.batcher = new CompletionBatcher("completer", statement, new CompletionBatcher.Outcome() {

			@Override
			public void completed(List<Long> ids) {
				CompletionBatcherTests.this.completed.add(ids);
			}

			@Override
			public void failed(List<Long> ids, RuntimeException failure) {
				CompletionBatcherTests.this.failed.add(ids + ": " + failure.getMessage());
			}

		});
		this.batcher.start();
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
