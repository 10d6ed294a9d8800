package dev.edgeruntime.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import dev.edgeruntime.TaskBudget;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.TaskUsage;
import org.jspecify.annotations.Nullable;

/**
 * The handle of a durable {@code @BackgroundTask} call: a receipt that the call was enqueued, with its
 * queue and message id. Its state is {@link TaskState#SCHEDULED}, or {@link TaskState#DROPPED} once the
 * transaction it was enqueued in rolled back. What happens next happens on a consumer, perhaps on another
 * instance: read it at the task status resource with {@link #id()}. The result does not come back to the
 * caller. {@link #cancel()} cancels the task while no consumer holds it.
 *
 * @author edge-runtime developers
 */
public final class DurableTaskHandle implements TaskHandle<Object> {

	/** Durable tasks have no in-process budgets; their snapshots show none used of none. */
	static final TaskBudget NO_BUDGET = new TaskBudget(Duration.ZERO, null, null);

	static final TaskUsage NO_USAGE = new TaskUsage(Duration.ZERO, null, null);

	private final UUID id;

	private final String name;

	private final String queue;

	private final long messageId;

	private final TaskOrigin origin;

	private final Instant submittedAt;

	private final Predicate<UUID> canceller;

	private volatile @Nullable Instant droppedAt;

	private volatile @Nullable Instant cancelledAt;

	DurableTaskHandle(UUID id, String name, String queue, long messageId, TaskOrigin origin, Instant submittedAt,
			Predicate<UUID> canceller) {
		this.id = id;
		this.name = name;
		this.queue = queue;
		this.messageId = messageId;
		this.origin = origin;
		this.submittedAt = submittedAt;
		this.canceller = canceller;
	}

	@Override
	public UUID id() {
		return this.id;
	}

	@Override
	public String name() {
		return this.name;
	}

	/**
	 * The queue the call was sent to.
	 * @return the queue name
	 */
	public String queue() {
		return this.queue;
	}

	/**
	 * The id of the message that carries the call.
	 * @return the message id
	 */
	public long messageId() {
		return this.messageId;
	}

	@Override
	public TaskState state() {
		if (this.droppedAt != null) {
			return TaskState.DROPPED;
		}
		return (this.cancelledAt != null) ? TaskState.CANCELLED : TaskState.SCHEDULED;
	}

	/**
	 * A future that never completes normally: the result of durable work is not carried back. It fails with
	 * a {@link CancellationException} once the enqueueing transaction rolled back or this handle cancelled
	 * the task, and with an {@link UnsupportedOperationException} otherwise.
	 * @return a failed future
	 */
	@Override
	public CompletableFuture<Object> result() {
		if (this.droppedAt != null) {
			return CompletableFuture.failedFuture(new CancellationException("Durable task " + this.id
					+ " was never enqueued: its transaction rolled back"));
		}
		if (this.cancelledAt != null) {
			return CompletableFuture.failedFuture(new CancellationException("Durable task " + this.id + " was cancelled"));
		}
		return CompletableFuture.failedFuture(new UnsupportedOperationException("The result of durable task "
				+ this.id + " is not carried back to the caller; read its status resource"));
	}

	/**
	 * Cancels the task while no consumer holds it (not read yet, or waiting for a retry): its message
	 * leaves the queue and its status reads {@link TaskState#CANCELLED}. Work a consumer has read, on this
	 * instance or another, is not interrupted.
	 * @return whether this call cancelled the task; {@code false} when a consumer holds it, it has ended, or
	 * its transaction rolled back
	 * @throws org.springframework.dao.DataAccessException when the database cannot be reached
	 */
	@Override
	public boolean cancel() {
		if (this.droppedAt != null || this.cancelledAt != null) {
			return false;
		}
		if (!this.canceller.test(this.id)) {
			return false;
		}
		this.cancelledAt = Instant.now();
		return true;
	}

	@Override
	public TaskInfo info() {
		Instant ended = (this.droppedAt != null) ? this.droppedAt : this.cancelledAt;
		return new TaskInfo(this.id, this.name, state(), this.origin, this.submittedAt, null, ended,
				NO_BUDGET, NO_USAGE, null, null, null, 1);
	}

	void dropped() {
		this.droppedAt = Instant.now();
	}

	@Override
	public String toString() {
		return "DurableTaskHandle[" + this.id + " " + this.name + ", message " + this.messageId + " of queue '"
				+ this.queue + "']";
	}

}
