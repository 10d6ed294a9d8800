package dev.edgeruntime;

import java.util.UUID;

/**
 * A durable task exists but its record is not read: its message's headers are larger than a read of its
 * queue parses (twice {@code edge-runtime.queue.max-payload-size}, or twice 1MB if more), or they cannot be
 * parsed (nested deeper, or with a number longer, than the JSON reader's limits). This application's sends
 * write no such headers, so another writer of the queue wrote them; parsing large ones could take hundreds
 * of megabytes. Thrown by {@link DurableTaskDispatcher#find(UUID)} and the calls that answer with the task.
 * The task status resource answers it as an unknown id (the access rule cannot be applied to an origin that
 * is not read), and so does the dashboard's cancel, which logs this exception's message; the
 * {@code backgroundtasks} endpoint answers {@code 404} with this exception's message.
 *
 * @author edge-runtime developers
 */
public class DurableTaskUnreadableException extends RuntimeException {

	/** The reason of a task whose message's headers are too large to read. */
	public static final String HEADERS_TOO_LARGE = "headers_too_large";

	/** The reason of a task whose message's headers cannot be parsed. */
	public static final String HEADERS_UNPARSEABLE = "headers_unparseable";

	private static final long serialVersionUID = 1L;

	private final UUID taskId;

	private final String reason;

	/**
	 * Creates a new instance.
	 * @param taskId the task's id
	 * @param reason why it is not read, such as {@link #HEADERS_TOO_LARGE}
	 * @param message the full description, for the log
	 */
	public DurableTaskUnreadableException(UUID taskId, String reason, String message) {
		super(message);
		this.taskId = taskId;
		this.reason = reason;
	}

	/**
	 * The task's id.
	 * @return the id
	 */
	public UUID getTaskId() {
		return this.taskId;
	}

	/**
	 * Why the task is not read.
	 * @return the reason, such as {@link #HEADERS_TOO_LARGE}
	 */
	public String getReason() {
		return this.reason;
	}

}
