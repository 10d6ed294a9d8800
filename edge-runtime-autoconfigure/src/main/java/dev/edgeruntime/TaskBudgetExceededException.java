package dev.edgeruntime;

/**
 * The error of a task that used up a budget; its {@link TaskHandle#result()} completes with it.
 *
 * @author edge-runtime developers
 */
public class TaskBudgetExceededException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final UnloadReason reason;

	/**
	 * Creates a new instance.
	 * @param message the detail message
	 * @param reason the budget that ran out
	 */
	public TaskBudgetExceededException(String message, UnloadReason reason) {
		super(message);
		this.reason = reason;
	}

	/**
	 * The budget that ran out.
	 * @return {@link UnloadReason#WALL_CLOCK}, {@link UnloadReason#CPU} or {@link UnloadReason#MEMORY}
	 */
	public UnloadReason getReason() {
		return this.reason;
	}

}
