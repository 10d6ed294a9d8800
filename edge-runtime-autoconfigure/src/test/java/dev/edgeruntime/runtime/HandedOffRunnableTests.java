package dev.edgeruntime.runtime;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that what {@link DefaultEdgeRuntime} hands its executor lets go of the task once it ran. An
 * executor may keep a runnable reachable after running it (a thread pool's hand-off node that another
 * waiting thread's node still points at); the task's work and handle must not live on with it.
 *
 * @author edge-runtime developers
 */
class HandedOffRunnableTests {

	/** Every runnable the executor was given, kept for good, as a hand-off node may keep it. */
	private final List<Runnable> kept = new CopyOnWriteArrayList<>();

	private final DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
	}).platformExecutor(keepingExecutor()).decorator(new CompositeTaskDecorator(List.of(new MdcTaskDecorator())))
		.retention(0, Duration.ofMinutes(15))
		.build();

	@AfterEach
	void close() {
		this.runtime.close();
	}

	@Test
	void aRunTasksWorkAndHandleShouldNotStayReachableFromTheRunnableTheExecutorKept() throws Exception {
		this.runtime.start();
		WeakReference<?>[] refs = runOneTask();
		assertThat(this.kept).hasSize(1);
		this.runtime.tasks(); // evicts the finished task: retention max-count 0
		await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
			System.gc();
			assertThat(refs[0].get()).as("the task's work").isNull();
			assertThat(refs[1].get()).as("the task's handle").isNull();
		});
		assertThat(this.kept).hasSize(1);
	}

	@Test
	void whatTheDecoratorsCarriedForARunTaskShouldNotStayReachableEither() throws Exception {
		this.runtime.start();
		WeakReference<?> carried = runOneTaskWithMdc();
		await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
			System.gc();
			assertThat(carried.get()).as("a value of the submitter's MDC").isNull();
		});
		assertThat(this.kept).hasSize(1);
	}

	@Test
	void theKeptRunnableShouldRunTheTaskOnceAtMost() throws Exception {
		this.runtime.start();
		int[] runs = new int[1];
		TaskHandle<Void> task = this.runtime.waitUntil(TaskOptions.named("counted"), () -> {
			runs[0]++;
		});
		assertThat(task.result().get(10, TimeUnit.SECONDS)).isNull();
		this.kept.get(0).run();
		assertThat(runs[0]).isEqualTo(1);
	}

	/** Runs one task and returns weak references to its work and its handle. */
	private WeakReference<?>[] runOneTask() throws Exception {
		Runnable work = new Runnable() {

			@Override
			public void run() {
			}

		};
		TaskHandle<Void> task = this.runtime.waitUntil(TaskOptions.named("released"), work);
		task.result().get(10, TimeUnit.SECONDS);
		return new WeakReference<?>[] { new WeakReference<>(work), new WeakReference<>(task) };
	}

	/** Runs one task with a value in the submitter's MDC and returns a weak reference to that value. */
	private WeakReference<?> runOneTaskWithMdc() throws Exception {
		String requestId = new String("request-1");
		MDC.put("requestId", requestId);
		try {
			TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("carried"), () -> MDC.get("requestId"));
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("request-1");
		}
		finally {
			MDC.remove("requestId");
		}
		return new WeakReference<>(requestId);
	}

	private Executor keepingExecutor() {
		return (runnable) -> {
			this.kept.add(runnable);
			runnable.run();
		};
	}

}
