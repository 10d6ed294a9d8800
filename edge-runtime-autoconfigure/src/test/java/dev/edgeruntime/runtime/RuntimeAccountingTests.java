package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.EdgeRuntimeHealthIndicator;
import dev.edgeruntime.actuate.TaskMetricsListener;
import dev.edgeruntime.actuate.TaskObservationListener;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeHealthAutoConfiguration;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The runtime's accounting at its edges: health once it refuses tasks to shut down under memory pressure;
 * budgets too long to count in nanoseconds, which must not stop the watchdog or the endpoint; the
 * observation of a task cancelled while it starts; a task its executor refuses, counted as rejected.
 *
 * @author edge-runtime developers
 */
class RuntimeAccountingTests {

	@Test
	void healthWhenStoppedAcceptingUnderMemoryPressureShouldBeOutOfService() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
					EdgeRuntimeHealthAutoConfiguration.class))
			.withPropertyValues("edge-runtime.memory-pressure.threshold=0.000001")
			.run((context) -> {
				DefaultEdgeRuntime runtime = context.getBean(DefaultEdgeRuntime.class);
				await().untilAsserted(() -> {
					System.gc();
					assertThat(runtime.status().memoryPressure()).isTrue();
				});
				runtime.stopAccepting(); // what EdgeRuntimeLifecycle.stop(Runnable) does first at shutdown
				Health health = context.getBean(EdgeRuntimeHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			});
	}


	@Test
	void aHugeWallClockBudgetShouldNotStopTheWatchdogForEveryoneElse() throws Exception {
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).retention(1000, Duration.ofMillis(100)).memoryPressureThreshold(0).build();
		runtime.start();
		CountDownLatch release = new CountDownLatch(1);
		try {
			TaskHandle<String> done = runtime.waitUntil(TaskOptions.named("done"), () -> "ok");
			done.result().get(10, TimeUnit.SECONDS);
			UUID doneId = done.id();
			// "effectively unlimited": every task must have a wall-clock budget
			for (int i = 0; i < 20; i++) {
				runtime.waitUntil(TaskOptions.named("forever").wallClock(Duration.ofDays(200_000)),
						() -> release.await(1, TimeUnit.MINUTES));
			}
			TaskHandle<Boolean> shortTask = runtime.waitUntil(
					TaskOptions.named("short").wallClock(Duration.ofMillis(200)),
					() -> new CountDownLatch(1).await(1, TimeUnit.MINUTES));
			// the short task is stopped at 200 ms and the finished one forgotten after 100 ms
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(shortTask.state()).isEqualTo(TaskState.BUDGET_EXCEEDED);
				assertThat(runtime.find(doneId)).isEmpty();
			});
		}
		finally {
			release.countDown();
			runtime.close();
		}
	}


	@Test
	void theEndpointShouldListATaskWithAHugeWallClockBudget() throws Exception {
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).memoryPressureThreshold(0).build();
		runtime.start();
		try {
			runtime.waitUntil(TaskOptions.named("forever").wallClock(Duration.ofDays(200_000)), () -> "done")
				.result()
				.get(10, TimeUnit.SECONDS);
			dev.edgeruntime.actuate.BackgroundTasksEndpoint endpoint = new dev.edgeruntime.actuate.BackgroundTasksEndpoint(
					runtime, new dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits(5, Duration.ofSeconds(150), null,
							null, 0.9, Duration.ofSeconds(30)));
			assertThat(endpoint.tasks(null, null).tasks()).hasSize(1);
		}
		finally {
			runtime.close();
		}
	}

	@Test
	void observationOfATaskCancelledWhileItStartsShouldBeStopped() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		CountDownLatch inOnStart = new CountDownLatch(1);
		CountDownLatch cancelled = new CountDownLatch(1);
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {

			@Override
			public void onStart(Observation.Context context) {
				// a slow handler (a tracer creating its span) widens the window; here the cancel lands in it
				inOnStart.countDown();
				try {
					cancelled.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).listeners(List.of(new TaskObservationListener(observations))).memoryPressureThreshold(0).build();
		runtime.start();
		try {
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("raced"), () -> "done");
			assertThat(inOnStart.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(task.cancel()).isTrue();
			cancelled.countDown();
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
			LongTaskTimer active = meters.get("edge.runtime.task.active").longTaskTimer();
			assertThat(active.activeTasks()).as("tasks still active in edge.runtime.task.active").isZero();
		}
		finally {
			runtime.close();
		}
	}


	@Test
	void aTaskTheExecutorRefusesShouldBeCountedAsRejected() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).platformExecutor((runnable) -> {
			throw new RejectedExecutionException("shut down");
		}).listeners(List.of(new TaskMetricsListener(meters))).memoryPressureThreshold(0).build();
		runtime.start();
		try {
			assertThatExceptionOfType(TaskRejectedException.class)
				.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("refused"), () -> "never"));
			assertThat(runtime.status().rejected()).isEqualTo(1);
			assertThat(meters.get(TaskMetricsListener.REJECTED)
				.tags("reason", "termination", "cause", "shutdown")
				.counter()
				.count()).isEqualTo(1);
		}
		finally {
			runtime.close();
		}
	}

	@Test
	void memoryPressureShouldStillBeSeenWhenAnotherRuntimeInTheJvmWatchesAHigherThreshold() {
		// the old generation's collection-usage threshold is one for the whole JVM: the last runtime (or
		// library) to set it decides what its notification tells; each runtime looks for itself too
		DefaultEdgeRuntime sensitive = DefaultEdgeRuntime.builder((event) -> {
		}).memoryPressureThreshold(0.000001).build();
		DefaultEdgeRuntime other = DefaultEdgeRuntime.builder((event) -> {
		}).memoryPressureThreshold(1.0).build();
		sensitive.start();
		other.start();
		try {
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				System.gc();
				assertThat(sensitive.status().memoryPressure()).isTrue();
			});
			assertThat(other.status().memoryPressure()).isFalse();
		}
		finally {
			other.close();
			sensitive.close();
		}
	}

}
