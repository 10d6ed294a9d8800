package dev.edgeruntime.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.TaskCancelledEvent;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link DefaultEdgeRuntime} publishes a {@link TaskCancelledEvent} for each cancel.
 *
 * @author edge-runtime developers
 */
class TaskCancelledEventTests {

	private final List<TaskCancelledEvent> events = new CopyOnWriteArrayList<>();

	private final CountDownLatch started = new CountDownLatch(1);

	private DefaultEdgeRuntime runtime;

	@BeforeEach
	void setUp() {
		this.runtime = DefaultEdgeRuntime.builder((event) -> {
			if (event instanceof TaskCancelledEvent cancelled) {
				this.events.add(cancelled);
			}
		}).build();
		this.runtime.start();
	}

	@AfterEach
	void tearDown() {
		this.runtime.close();
	}

	@Test
	void cancelByCallerShouldPublishEventWithoutReason() throws Exception {
		TaskHandle<Boolean> task = startBlockedTask();
		assertThat(task.cancel()).isTrue();
		assertThat(task.cancel()).isFalse();
		assertThat(this.events).singleElement().satisfies((event) -> {
			assertThat(event.task().id()).isEqualTo(task.id());
			assertThat(event.task().state()).isEqualTo(TaskState.CANCELLED);
			assertThat(event.reason()).isEmpty();
			assertThat(event).hasToString("TaskCancelledEvent[task=" + task.id() + " (" + task.name()
					+ "), reason=cancelled by a caller]");
		});
	}

	@Test
	void cancelByShutdownDrainShouldPublishEventWithTerminationReason() throws Exception {
		TaskHandle<Boolean> task = startBlockedTask();
		this.runtime.drain(Duration.ZERO);
		assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
		assertThat(this.events).singleElement().satisfies((event) -> {
			assertThat(event.task().id()).isEqualTo(task.id());
			assertThat(event.reason()).contains(UnloadReason.TERMINATION);
		});
	}

	private TaskHandle<Boolean> startBlockedTask() throws InterruptedException {
		TaskHandle<Boolean> task = this.runtime.waitUntil(TaskOptions.named("stuck"), () -> {
			this.started.countDown();
			return new CountDownLatch(1).await(1, TimeUnit.MINUTES);
		});
		assertThat(this.started.await(30, TimeUnit.SECONDS)).isTrue();
		return task;
	}

}
