package dev.edgeruntime.runtime;

import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.TaskRejectedException.RejectionCause;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.actuate.EdgeRuntimeMeterBinder;
import dev.edgeruntime.actuate.TaskMetricsListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests that instance memory pressure is a passing state for the tasks that go on through it: they are
 * unloading while it lasts, and no longer once it is over; and that operators see it, and its refusals apart
 * from those of capacity. The old generation is a stand-in whose usage
 * after collection the test sets, so that the pressure can end, which a real heap does not do on cue.
 *
 * @author edge-runtime developers
 */
class MemoryPressureTests {

	private static final long MAX = 1000;

	private volatile long usedAfterCollection;

	private final List<BeforeUnloadEvent> events = new CopyOnWriteArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void setUp() {
		// a long check interval: the test runs each check itself
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
			if (event instanceof BeforeUnloadEvent beforeUnload) {
				this.events.add(beforeUnload);
			}
		})
			.memoryPool(oldGeneration())
			.memoryPressureThreshold(0.5)
			.checkInterval(Duration.ofMinutes(1))
			.maxInFlight(2)
			.listeners(List.of(new TaskMetricsListener(this.meters)))
			.build();
		new EdgeRuntimeMeterBinder(this.runtime).bindTo(this.meters);
		this.runtime.start();
	}

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.runtime.close();
	}

	@Test
	void aTaskThatGoesOnThroughMemoryPressureShouldNoLongerBeUnloadingOnceItIsOver() throws Exception {
		TaskContext task = startBlockedTask("goes-on");
		pressure(true);
		assertThat(task.isUnloading()).isTrue();
		assertThat(task.unloadReason()).isEqualTo(UnloadReason.MEMORY);
		assertThat(this.events).extracting(BeforeUnloadEvent::reason).containsExactly(UnloadReason.MEMORY);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> this.runtime.waitUntil(TaskOptions.named("refused"), () -> "refused"));
		pressure(false);
		assertThat(task.isUnloading()).isFalse();
		assertThat(task.unloadReason()).isNull();
		assertThat(((TaskHandle<?>) task).info().unloadReason()).isNull();
		assertThat(this.runtime.waitUntil(TaskOptions.named("accepted"), () -> "accepted").result()
			.get(10, TimeUnit.SECONDS)).isEqualTo("accepted");
		// a second bout is announced again, and ends again
		pressure(true);
		assertThat(task.isUnloading()).isTrue();
		assertThat(this.events).extracting(BeforeUnloadEvent::reason)
			.containsExactly(UnloadReason.MEMORY, UnloadReason.MEMORY);
		pressure(false);
		assertThat(task.isUnloading()).isFalse();
	}

	@Test
	void aTaskToldOfTheShutdownDuringMemoryPressureShouldStayUnloadingOnceItIsOver() throws Exception {
		TaskContext task = startBlockedTask("shut-down");
		pressure(true);
		this.runtime.announceTermination(Duration.ofSeconds(30));
		pressure(false);
		assertThat(task.isUnloading()).isTrue();
		assertThat(task.unloadReason()).isEqualTo(UnloadReason.TERMINATION);
	}

	@Test
	void aTaskToldOfTheShutdownBeforeMemoryPressureShouldStayUnloadingOnceItIsOver() throws Exception {
		TaskContext task = startBlockedTask("shut-down");
		this.runtime.announceTermination(Duration.ofSeconds(30));
		pressure(true);
		assertThat(task.unloadReason()).isEqualTo(UnloadReason.MEMORY);
		pressure(false);
		assertThat(task.isUnloading()).isTrue();
		assertThat(task.unloadReason()).isEqualTo(UnloadReason.TERMINATION);
	}

	@Test
	void refusalsForMemoryPressureShouldBeCountedApartFromThoseForCapacity() throws Exception {
		assertThat(this.meters.get(EdgeRuntimeMeterBinder.MEMORY_PRESSURE).gauge().value()).isZero();
		startBlockedTask("first");
		pressure(true);
		assertThat(this.meters.get(EdgeRuntimeMeterBinder.MEMORY_PRESSURE).gauge().value()).isEqualTo(1);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> this.runtime.waitUntil(TaskOptions.named("refused"), () -> "refused"))
			.satisfies((ex) -> assertThat(ex.getRejectionCause()).isEqualTo(RejectionCause.MEMORY_PRESSURE));
		pressure(false);
		assertThat(this.meters.get(EdgeRuntimeMeterBinder.MEMORY_PRESSURE).gauge().value()).isZero();
		startBlockedTask("second");
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> this.runtime.waitUntil(TaskOptions.named("refused"), () -> "refused"))
			.satisfies((ex) -> assertThat(ex.getRejectionCause()).isEqualTo(RejectionCause.MAX_IN_FLIGHT));
		// both are early_drop, as the reason says; the cause tells them apart
		assertThat(this.meters.get(TaskMetricsListener.REJECTED)
			.tag("reason", "early_drop")
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum()).isEqualTo(2);
		assertThat(rejections("early_drop", "memory_pressure")).isEqualTo(1);
		assertThat(rejections("early_drop", "max_in_flight")).isEqualTo(1);
		assertThat(rejections("termination", "shutdown")).isZero();
	}

	@Test
	void pressureShouldStillBeWatchedAfterAStopAndAStart() {
		pressure(true);
		// what a context stopped for a checkpoint of the JVM, then restored, does to the runtime
		this.runtime.drain(Duration.ZERO);
		this.runtime.suspend();
		this.runtime.start();
		pressure(false);
		assertThat(this.meters.get(EdgeRuntimeMeterBinder.DRAINING).gauge().value()).isZero();
		assertThat(this.runtime.waitUntil(TaskOptions.named("accepted"), () -> "accepted").result())
			.succeedsWithin(Duration.ofSeconds(10))
			.isEqualTo("accepted");
		pressure(true);
		assertThat(this.events).extracting(BeforeUnloadEvent::reason)
			.containsExactly(UnloadReason.MEMORY, UnloadReason.MEMORY);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> this.runtime.waitUntil(TaskOptions.named("refused"), () -> "refused"))
			.satisfies((ex) -> assertThat(ex.getRejectionCause()).isEqualTo(RejectionCause.MEMORY_PRESSURE));
	}

	private double rejections(String reason, String cause) {
		return this.meters.get(TaskMetricsListener.REJECTED).tags("reason", reason, "cause", cause).counter().count();
	}

	private TaskContext startBlockedTask(String name) throws InterruptedException {
		AtomicReference<TaskContext> context = new AtomicReference<>();
		CountDownLatch started = new CountDownLatch(1);
		this.runtime.waitUntil(TaskOptions.named(name), () -> {
			context.set(TaskContext.current());
			started.countDown();
			return this.release.await(1, TimeUnit.MINUTES);
		});
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		return context.get();
	}

	/** Sets what the old generation holds after collection to above or below the threshold, and checks. */
	private void pressure(boolean above) {
		this.usedAfterCollection = above ? MAX * 3 / 4 : MAX / 4;
		this.runtime.checkBudgets();
		assertThat(this.runtime.status().memoryPressure()).isEqualTo(above);
	}

	private MemoryPoolMXBean oldGeneration() {
		return (MemoryPoolMXBean) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { MemoryPoolMXBean.class }, (proxy, method, args) -> switch (method.getName()) {
					case "getName" -> "Test Old Gen";
					case "getType" -> MemoryType.HEAP;
					case "isCollectionUsageThresholdSupported", "isValid" -> true;
					case "getUsage" -> new MemoryUsage(0, this.usedAfterCollection, MAX, MAX);
					case "getCollectionUsage" -> new MemoryUsage(0, this.usedAfterCollection, MAX, MAX);
					case "getCollectionUsageThreshold" -> 0L;
					case "setCollectionUsageThreshold" -> null;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> "Test Old Gen";
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

}
