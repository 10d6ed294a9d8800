package dev.edgeruntime;

/**
 * The states of a background task.
 *
 * @author edge-runtime developers
 */
public enum TaskState {

	/** Accepted and waiting to start (for example until the HTTP response is committed). */
	SCHEDULED(false),

	/** Running now. */
	RUNNING(false),

	/** Finished with a result. */
	SUCCEEDED(true),

	/** Finished with an error thrown by the task. */
	FAILED(true),

	/** Cancelled by a caller, an operator or the shutdown drain. */
	CANCELLED(true),

	/** Stopped because it used up its wall-clock, CPU or memory budget. */
	BUDGET_EXCEEDED(true),

	/** Accepted but never started, because the work it belonged to failed or rolled back. */
	DROPPED(true);

	private final boolean terminal;

	TaskState(boolean terminal) {
		this.terminal = terminal;
	}

	/**
	 * Whether the task has ended and will not change state again.
	 * @return {@code true} for the final states
	 */
	public boolean isTerminal() {
		return this.terminal;
	}

}
