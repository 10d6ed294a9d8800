package dev.edgeruntime.runtime;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.TaskObservationListener;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * What the runtime does when parts around it misbehave: a task's work that ignores interrupts, listeners
 * (application code behind an observation handler) that throw, and task storage used in ways its quota and
 * directory must still hold against (rewrites, streams open at once, symbolic links).
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class RuntimeRobustnessTests {

	@TempDir
	Path root;

	private DefaultEdgeRuntime.Builder builder() {
		return DefaultEdgeRuntime.builder((event) -> {
		}).storage(new TaskStorageArea(this.root, DataSize.ofKilobytes(1)));
	}

	private static void deaf(CountDownLatch letGo) {
		while (letGo.getCount() > 0) {
			try {
				letGo.await();
			}
			catch (InterruptedException ex) {
				// ignored on purpose
			}
		}
	}

	// A task that exceeded its budget (or was cancelled) and ignores the interrupt still holds its place: the drain
	// names it as abandoned rather than claiming every task finished.
	@Test
	void drainShouldNameATaskThatStillRunsAfterItsBudgetEnded(CapturedOutput output) {
		CountDownLatch letGo = new CountDownLatch(1);
		DefaultEdgeRuntime runtime = builder().build();
		runtime.start();
		try {
			TaskHandle<Void> deaf = runtime.waitUntil(TaskOptions.named("deaf").wallClock(Duration.ofMillis(200)),
					() -> deaf(letGo));
			await().untilAsserted(() -> assertThat(deaf.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
			assertThat(runtime.status().inFlight()).isEqualTo(1);
			runtime.drain(Duration.ofMillis(200));
			assertThat(runtime.status().inFlight()).isEqualTo(1); // still running
			assertThat(output).doesNotContain("every background task finished");
			assertThat(output).contains("1 background task that had ended before (a budget used up, a cancel) still "
					+ "runs, its work ignoring the interrupt, and is abandoned: " + deaf.id() + " (deaf, BUDGET_EXCEEDED)");
		}
		finally {
			letGo.countDown();
			runtime.close();
		}
	}

	// Rewriting a file does not count its old size: the write truncates it.
	@Test
	void rewritingAFileWithinTheQuotaShouldNotExceedIt() throws Exception {
		TaskStorageArea area = new TaskStorageArea(this.root, DataSize.ofBytes(1000));
		area.open();
		try {
			DefaultTaskStorage storage = area.forTask(UUID.randomUUID());
			try (OutputStream out = storage.newOutputStream("state.json")) {
				out.write(new byte[600]);
			}
			assertThatNoException().isThrownBy(() -> {
				try (OutputStream out = storage.newOutputStream("state.json")) {
					out.write(new byte[600]); // the file holds 600 bytes after this, as before
				}
			});
		}
		finally {
			area.close();
		}
	}

	// Streams open at once share the quota.
	@Test
	void twoStreamsOpenAtOnceShouldShareTheQuota() throws Exception {
		TaskStorageArea area = new TaskStorageArea(this.root, DataSize.ofBytes(1000));
		area.open();
		try {
			DefaultTaskStorage storage = area.forTask(UUID.randomUUID());
			boolean refused = false;
			try (OutputStream a = storage.newOutputStream("a"); OutputStream b = storage.newOutputStream("b")) {
				a.write(new byte[800]);
				b.write(new byte[800]);
			}
			catch (StorageQuotaExceededException ex) {
				refused = true;
			}
			assertThat(storage.usedBytes()).isLessThanOrEqualTo(1000);
			assertThat(refused).isTrue();
		}
		finally {
			area.close();
		}
	}

	// An ObservationHandler (application code) that fails in onStart: the task still ends and gives back its place.
	@Test
	void aFailingObservationHandlerShouldNotLeakTheTasksPlace() {
		TestObservationRegistry observations = TestObservationRegistry.create();
		observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {

			@Override
			public void onStart(Observation.Context context) {
				throw new IllegalStateException("handler failed");
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		DefaultEdgeRuntime runtime = builder().maxInFlight(1)
			.listeners(List.of(new TaskObservationListener(observations)))
			.budgets(Duration.ofMillis(300), null, null)
			.build();
		runtime.start();
		try {
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("first"), () -> "done");
			// whatever its final state, the task must end and give back its place
			await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(task.state()).isNotEqualTo(TaskState.RUNNING);
				assertThat(runtime.status().inFlight()).isZero();
			});
		}
		finally {
			runtime.close();
		}
	}

	// An ObservationHandler that fails in onStop: the task's result still completes.
	@Test
	void aFailingObservationHandlerShouldNotLeaveTheResultIncomplete() {
		TestObservationRegistry observations = TestObservationRegistry.create();
		observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {

			@Override
			public void onStop(Observation.Context context) {
				throw new IllegalStateException("handler failed");
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		DefaultEdgeRuntime runtime = builder().listeners(List.of(new TaskObservationListener(observations))).build();
		runtime.start();
		try {
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("task"), () -> "done");
			await().dontCatchUncaughtExceptions().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
			await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(task.result()).isDone());
		}
		finally {
			runtime.close();
		}
	}

	// A symbolic link inside the task's directory does not let a name leave it.
	@Test
	void namesThroughASymbolicLinkShouldNotLeaveTheTaskDirectory() throws Exception {
		TaskStorageArea area = new TaskStorageArea(this.root.resolve("area"), DataSize.ofBytes(1000));
		area.open();
		try {
			DefaultTaskStorage storage = area.forTask(UUID.randomUUID());
			Path outside = java.nio.file.Files.createDirectories(this.root.resolve("outside"));
			java.nio.file.Files.createSymbolicLink(storage.dir().resolve("link"), outside);
			for (int i = 0; i < 3; i++) {
				String name = "link/" + i;
				org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
					.isThrownBy(() -> storage.newOutputStream(name))
					.withMessage("Task storage name '" + name + "' leaves the task's directory through a symbolic link");
			}
			// a link as the file itself is not followed either
			java.nio.file.Files.createSymbolicLink(storage.dir().resolve("file"), outside.resolve("target"));
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> storage.newOutputStream("file"));
			assertThat(java.nio.file.Files.list(outside)).isEmpty();
		}
		finally {
			area.close();
		}
	}

	// The same failing ObservationHandler does not stop the drain at the first task it cancels.
	@Test
	void aFailingObservationHandlerShouldNotAbortTheDrain(CapturedOutput output) {
		TestObservationRegistry observations = TestObservationRegistry.create();
		observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {

			@Override
			public void onStop(Observation.Context context) {
				throw new IllegalStateException("handler failed");
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		DefaultEdgeRuntime runtime = builder().listeners(List.of(new TaskObservationListener(observations))).build();
		runtime.start();
		CountDownLatch never = new CountDownLatch(1);
		try {
			TaskHandle<Boolean> first = runtime.waitUntil(TaskOptions.named("first"), () -> never.await(1, java.util.concurrent.TimeUnit.MINUTES));
			TaskHandle<Boolean> second = runtime.waitUntil(TaskOptions.named("second"), () -> never.await(1, java.util.concurrent.TimeUnit.MINUTES));
			await().untilAsserted(() -> assertThat(List.of(first.state(), second.state())).containsOnly(TaskState.RUNNING));
			assertThatNoException().isThrownBy(() -> runtime.drain(Duration.ofMillis(100)));
			assertThat(List.of(first.state(), second.state())).containsOnly(TaskState.CANCELLED);
		}
		finally {
			never.countDown();
			runtime.close();
		}
	}

}
