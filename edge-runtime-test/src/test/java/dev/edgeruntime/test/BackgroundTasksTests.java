package dev.edgeruntime.test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.DeferredTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BackgroundTasks}.
 *
 * @author edge-runtime developers
 */
class BackgroundTasksTests {

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void startRuntime() {
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
		}).build();
		this.runtime.start();
	}

	@AfterEach
	void closeRuntime() {
		this.runtime.drain(Duration.ofSeconds(5));
		this.runtime.close();
	}

	@Test
	void awaitSettledWhenTasksAreDoneShouldReturn() {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("quick"), () -> "done");
		BackgroundTasks.awaitSettled(this.runtime, Duration.ofSeconds(20));
		assertThat(task.result()).isCompletedWithValue("done");
		assertThat(BackgroundTasks.unsettled(this.runtime)).isEmpty();
	}

	@Test
	void awaitSettledWhenATaskRunsOnShouldFailListingIt() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		TaskHandle<Boolean> task = this.runtime.waitUntil(TaskOptions.named("slow-export"), () -> {
			TaskContext.current().progress(3, 10, "exporting");
			started.countDown();
			return release.await(1, TimeUnit.MINUTES);
		});
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
		try {
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> BackgroundTasks.awaitSettled(this.runtime, Duration.ofMillis(50)))
				.withMessageContaining("1 background task did not settle within PT0.05S")
				.withMessageContaining(task.id() + " (slow-export) RUNNING since ")
				.withMessageContaining("progress 3/10 'exporting'");
		}
		finally {
			release.countDown();
		}
		BackgroundTasks.awaitSettled(this.runtime, Duration.ofSeconds(20));
	}

	@Test
	void awaitSettledWhenATaskWaitsToStartShouldSayWhatItWaitsFor() {
		// as a @BackgroundTask method called in a @Transactional @SpringBootTest: accepted, and started only at a
		// commit that does not come before the test ends; its origin is the empty request (no method, no path)
		// that Spring's test framework binds to the test's thread, which started nothing
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).originResolver(() -> new TaskOrigin("", "", null, null)).build();
		runtime.start();
		try {
			DeferredTask<String> task = runtime.prepare(TaskOptions.named("notify"), () -> "done");
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> BackgroundTasks.awaitSettled(runtime, Duration.ofMillis(50)))
				.withMessage("1 background task did not settle within PT0.05S:\n - " + task.handle().id()
						+ " (notify) SCHEDULED (not started: it waits for the transaction it was called in to commit, "
						+ "or for its request to end; the transaction of a @Transactional test ends after the test, "
						+ "and rolls back, which drops the task)");
			task.drop("the test ended");
			BackgroundTasks.awaitSettled(runtime, Duration.ofSeconds(20));
		}
		finally {
			runtime.drain(Duration.ofSeconds(5));
			runtime.close();
		}
	}

	@Test
	void awaitSettledWhenATaskEndsAfterTheLastLookShouldListItAsThatLookSawIt() throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		TaskHandle<Boolean> task = this.runtime.waitUntil(TaskOptions.named("export"), () -> {
			started.countDown();
			return release.await(1, TimeUnit.MINUTES);
		});
		assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
		EdgeRuntime endingAfterTheLook = new EndingAfterTheFirstLook(this.runtime, release);
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> BackgroundTasks.awaitSettled(endingAfterTheLook, Duration.ZERO))
			.withMessageStartingWith("1 background task did not settle within PT0S:")
			.withMessageContaining(task.id() + " (export) RUNNING since ");
	}

	/**
	 * The runtime as seen by a look that finds its task running, which then ends before the next look: as
	 * when a task ends just as the timeout is reached.
	 */
	private static final class EndingAfterTheFirstLook implements EdgeRuntime {

		private final DefaultEdgeRuntime runtime;

		private final CountDownLatch release;

		private boolean looked;

		EndingAfterTheFirstLook(DefaultEdgeRuntime runtime, CountDownLatch release) {
			this.runtime = runtime;
			this.release = release;
		}

		@Override
		public <T> TaskHandle<T> waitUntil(TaskOptions options, CompletionStage<T> work) {
			return this.runtime.waitUntil(options, work);
		}

		@Override
		public <T> TaskHandle<T> waitUntil(TaskOptions options, Callable<T> work) {
			return this.runtime.waitUntil(options, work);
		}

		@Override
		public Optional<TaskHandle<?>> find(UUID id) {
			return this.runtime.find(id);
		}

		@Override
		public List<TaskInfo> tasks() {
			List<TaskInfo> tasks = this.runtime.tasks();
			if (!this.looked) {
				this.looked = true;
				this.release.countDown();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> BackgroundTasks.unsettled(this.runtime).isEmpty() && this.runtime.status().inFlight() == 0);
			}
			return tasks;
		}

		@Override
		public RuntimeStatus status() {
			return this.runtime.status();
		}

	}

}
