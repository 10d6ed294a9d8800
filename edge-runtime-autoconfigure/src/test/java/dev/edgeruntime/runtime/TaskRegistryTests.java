package dev.edgeruntime.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskRegistry}: finished tasks are evicted lazily (never on the finishing task's
 * thread), so every read must still see at most the configured count.
 *
 * @author edge-runtime developers
 */
class TaskRegistryTests {

	private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");

	private final TaskIds ids = new TaskIds();

	@Test
	void finishedTasksOverTheCountShouldBeGoneForTheNextReadWithoutAnotherSubmission() {
		TaskRegistry registry = new TaskRegistry(2, Duration.ofMinutes(15));
		List<TrackedTask<?>> tasks = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			TrackedTask<?> task = task(START);
			registry.add(task);
			tasks.add(task);
		}
		for (TrackedTask<?> task : tasks) {
			finish(registry, task, START.plusSeconds(1));
		}
		// no submission since the tasks finished: the read itself evicts the oldest three
		assertThat(registry.size()).isEqualTo(2);
		assertThat(registry.get(tasks.get(0).id())).isNull();
		assertThat(registry.get(tasks.get(2).id())).isNull();
		assertThat(registry.get(tasks.get(3).id())).isSameAs(tasks.get(3));
		assertThat(registry.get(tasks.get(4).id())).isSameAs(tasks.get(4));
		assertThat(registry.totalsByState()).containsEntry(TaskState.SUCCEEDED, 5L);
	}

	@Test
	void tasksInFlightShouldNeverBeEvicted() {
		TaskRegistry registry = new TaskRegistry(0, Duration.ofMinutes(15));
		TrackedTask<?> running = task(START);
		registry.add(running);
		TrackedTask<?> done = task(START);
		registry.add(done);
		finish(registry, done, START.plusSeconds(1));
		assertThat(registry.active()).containsExactly(running);
		assertThat(registry.all()).containsExactly(running);
	}

	@Test
	void expiredFinishedTasksShouldBeEvictedByTheWatchdogTick() {
		TaskRegistry registry = new TaskRegistry(100, Duration.ofMinutes(1));
		TrackedTask<?> old = task(START);
		TrackedTask<?> recent = task(START);
		registry.add(old);
		registry.add(recent);
		finish(registry, old, START.plusSeconds(1));
		finish(registry, recent, START.plusSeconds(50));
		registry.evictExpired(TrackedTask.epochNanos(START.plusSeconds(70)));
		assertThat(registry.all()).containsExactly(recent);
	}

	@Test
	void manyThreadsFinishingAndReadingShouldKeepExactlyTheCount() throws Exception {
		int threads = 4;
		int perThread = 5_000;
		int retained = 100;
		TaskRegistry registry = new TaskRegistry(retained, Duration.ofMinutes(15));
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch go = new CountDownLatch(1);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				workers.add(pool.submit(() -> {
					go.await();
					for (int i = 0; i < perThread; i++) {
						TrackedTask<?> task = task(START);
						registry.add(task);
						finish(registry, task, START.plusSeconds(1));
						if (i % 100 == 0) {
							registry.size(); // a reader racing the finishing threads evicts too
						}
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		// neither more (an eviction lost) nor fewer (one evicted twice) than the count
		assertThat(registry.size()).isEqualTo(retained);
		assertThat(registry.totalsByState()).containsEntry(TaskState.SUCCEEDED, (long) threads * perThread);
	}

	private TrackedTask<?> task(Instant submittedAt) {
		UUID id = this.ids.next();
		return new TrackedTask<>(id, "task", TaskOrigin.none(), TrackedTask.epochNanos(submittedAt),
				new TaskBudget(Duration.ofMinutes(1), null, null), 0, null);
	}

	private static void finish(TaskRegistry registry, TrackedTask<?> task, Instant at) {
		assertThat(task.finish(TaskState.SUCCEEDED, TrackedTask.epochNanos(at), null)).isTrue();
		registry.finished(task, TaskState.SUCCEEDED);
	}

}
