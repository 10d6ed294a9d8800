package dev.edgeruntime.test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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

}
