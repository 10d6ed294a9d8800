package dev.edgeruntime.queue;

import org.jspecify.annotations.Nullable;

/**
 * A queue name was refused before any SQL was sent. See {@link QueueName}.
 *
 * @author edge-runtime developers
 */
public class InvalidQueueNameException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates a new instance.
	 * @param name the refused name
	 * @param reason why it was refused
	 */
	public InvalidQueueNameException(@Nullable String name, String reason) {
		super("Invalid queue name " + ((name != null) ? "'" + abbreviate(name) + "'" : "null") + ": " + reason);
	}

	private static String abbreviate(String name) {
		return (name.length() > 80) ? name.substring(0, 80) + "..." : name;
	}

}
