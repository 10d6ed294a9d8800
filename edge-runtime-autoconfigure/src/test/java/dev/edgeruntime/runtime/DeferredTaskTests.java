package dev.edgeruntime.runtime;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * A task accepted now and started later ({@link DefaultEdgeRuntime#prepare}): the copies of its result
 * handed out before the start, and what it keeps of the thread it waited for.
 *
 * @author edge-runtime developers
 */
class DeferredTaskTests {

	@TempDir
	Path root;

	private DefaultEdgeRuntime runtime() {
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).storage(new TaskStorageArea(this.root, DataSize.ofKilobytes(1))).build();
		runtime.start();
		return runtime;
	}

	@Test
	void resultTakenFromTheHandleBeforeTheStartShouldBeAwaitedOnceChainedAndGuardedOnTheHoldingThread() {
		DefaultEdgeRuntime runtime = runtime();
		try {
			DeferredTask<String> task = runtime.prepare(TaskOptions.named("deferred"), () -> "done");
			task.startsAfter(Thread.currentThread(), "its transaction commits");
			CompletableFuture<String> result = task.handle().result();
			assertThat(task.awaited()).isFalse();
			CompletableFuture<Integer> length = result.thenApply(String::length);
			assertThat(task.awaited()).isTrue();
			assertThatIllegalStateException().isThrownBy(length::join)
				.withMessageContaining("(deferred) starts only after its transaction commits");
			task.start();
			assertThat(length.join()).isEqualTo(4);
		}
		finally {
			runtime.close();
		}
	}

	@Test
	void taskThatStartedShouldNotKeepTheThreadItWaitedForReachable() {
		DefaultEdgeRuntime runtime = runtime();
		try {
			DeferredTask<String> task = runtime.prepare(TaskOptions.named("deferred"), () -> "done");
			// a request's thread, gone once its request ends (a virtual thread per request, say)
			WeakReference<Thread> caller = holdBy(task);
			task.handle().result();
			task.start();
			await().atMost(Duration.ofSeconds(20)).until(() -> task.handle().state() == TaskState.SUCCEEDED);
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				System.gc();
				return caller.get() == null;
			});
			// the task itself is still retained, for its status
			assertThat(runtime.find(task.handle().id())).isPresent();
		}
		finally {
			runtime.close();
		}
	}

	private static WeakReference<Thread> holdBy(DeferredTask<?> task) {
		Thread thread = new Thread(() -> {
		});
		task.startsAfter(thread, "the response to its request is sent");
		return new WeakReference<>(thread);
	}

}
