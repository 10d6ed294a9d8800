package dev.edgeruntime.autoconfigure;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.UnloadReason;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for backpressure: {@code max-in-flight} and instance memory pressure.
 */
class RuntimeLimitsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
		.withBean(EventRecorder.class);

	@Test
	void waitUntilBeyondMaxInFlightShouldBeRefusedUntilATaskFinishes() {
		this.contextRunner.withPropertyValues("edge-runtime.max-in-flight=2").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			CountDownLatch release = new CountDownLatch(1);
			TaskHandle<Boolean> first = runtime.waitUntil(() -> release.await(1, TimeUnit.MINUTES));
			TaskHandle<Boolean> second = runtime.waitUntil(() -> release.await(1, TimeUnit.MINUTES));
			assertThatExceptionOfType(TaskRejectedException.class)
				.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("third"), () -> "refused"))
				.withMessage("Background task 'third' refused: 2 tasks are already in flight (edge-runtime.max-in-flight)")
				.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(UnloadReason.EARLY_DROP));
			assertThat(runtime.status().rejected()).isEqualTo(1);
			assertThat(runtime.status().inFlight()).isEqualTo(2);
			release.countDown();
			assertThat(first.result().get(10, TimeUnit.SECONDS)).isTrue();
			assertThat(second.result().get(10, TimeUnit.SECONDS)).isTrue();
			await().untilAsserted(() -> assertThat(runtime.status().inFlight()).isZero());
			assertThat(runtime.waitUntil(() -> "accepted again").result().get(10, TimeUnit.SECONDS))
				.isEqualTo("accepted again");
		});
	}

	@Test
	void memoryPressureShouldAnnounceMemoryAndRefuseNewTasks() {
		// a threshold so low that what survives any full collection is above it
		this.contextRunner.withPropertyValues("edge-runtime.memory-pressure.threshold=0.000001").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			EventRecorder recorder = context.getBean(EventRecorder.class);
			await().untilAsserted(() -> {
				System.gc();
				assertThat(runtime.status().memoryPressure()).isTrue();
			});
			// the JVM's notification thread publishes the event just after it sets the pressure flag
			await().untilAsserted(() -> assertThat(recorder.beforeUnload()).extracting(BeforeUnloadEvent::reason)
				.contains(UnloadReason.MEMORY));
			assertThat(recorder.beforeUnload()).filteredOn((event) -> event.reason() == UnloadReason.MEMORY)
				.allSatisfy((event) -> assertThat(event.task()).isEmpty());
			assertThatExceptionOfType(TaskRejectedException.class)
				.isThrownBy(() -> runtime.waitUntil(TaskOptions.named("under-pressure"), () -> "refused"))
				.withMessageContaining("memory pressure")
				.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(UnloadReason.EARLY_DROP));
			assertThat(runtime.status().accepting()).isFalse();
		});
	}

	@Test
	void memoryPressureWhenDisabledShouldNotRefuse() {
		this.contextRunner
			.withPropertyValues("edge-runtime.memory-pressure.threshold=0.000001",
					"edge-runtime.memory-pressure.enabled=false")
			.run((context) -> {
				EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
				System.gc();
				assertThat(runtime.waitUntil(() -> "accepted").result().get(10, TimeUnit.SECONDS)).isEqualTo("accepted");
				assertThat(runtime.status().memoryPressure()).isFalse();
			});
	}

}
