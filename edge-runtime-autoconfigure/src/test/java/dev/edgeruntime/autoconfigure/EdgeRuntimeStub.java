package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;
import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskUsage;

/**
 * An {@link EdgeRuntime} that runs work at once on the calling thread and keeps nothing: a stand-in for a
 * runtime that is not the default one, and a source of finished handles.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeStub implements EdgeRuntime {

	@Override
	public <T> TaskHandle<T> waitUntil(TaskOptions options, CompletionStage<T> work) {
		return new FinishedHandle<>(options, work.toCompletableFuture());
	}

	@Override
	public <T> TaskHandle<T> waitUntil(TaskOptions options, Callable<T> work) {
		CompletableFuture<T> result = new CompletableFuture<>();
		try {
			result.complete(work.call());
		}
		catch (Exception ex) {
			result.completeExceptionally(ex);
		}
		return new FinishedHandle<>(options, result);
	}

	@Override
	public Optional<TaskHandle<?>> find(UUID id) {
		return Optional.empty();
	}

	@Override
	public List<TaskInfo> tasks() {
		return List.of();
	}

	@Override
	public RuntimeStatus status() {
		return new RuntimeStatus(true, false, false, 0, 1, 0, Map.of(), Map.of(), 0);
	}

	private record FinishedHandle<T>(UUID id, String name, CompletableFuture<T> future) implements TaskHandle<T> {

		FinishedHandle(TaskOptions options, CompletableFuture<T> future) {
			this(UUID.randomUUID(), (options.name() != null) ? options.name() : "stub", future);
		}

		@Override
		public TaskState state() {
			return this.future.isCompletedExceptionally() ? TaskState.FAILED : TaskState.SUCCEEDED;
		}

		@Override
		public CompletableFuture<T> result() {
			return this.future.copy();
		}

		@Override
		public boolean cancel() {
			return false;
		}

		@Override
		public TaskInfo info() {
			Instant now = Instant.now();
			return new TaskInfo(this.id, this.name, state(), TaskOrigin.none(), now, now, now,
					new TaskBudget(Duration.ofSeconds(1), null, null), new TaskUsage(Duration.ZERO, null, null), null,
					null, null, 1);
		}

	}

}
