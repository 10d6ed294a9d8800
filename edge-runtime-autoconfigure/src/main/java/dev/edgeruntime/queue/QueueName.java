package dev.edgeruntime.queue;

import org.jspecify.annotations.Nullable;

/**
 * The rule for queue names, checked before any SQL is sent: 1 to 47 ASCII letters, digits or underscores,
 * starting with a letter or an underscore. pgmq itself allows a few more characters; this stricter rule
 * means a name never needs quoting and can never smuggle SQL.
 *
 * @author edge-runtime developers
 */
public final class QueueName {

	/**
	 * The longest queue name pgmq accepts: its tables are named {@code q_<name>} and {@code a_<name>} and
	 * PostgreSQL's identifiers are at most 63 bytes, with room left for index and sequence suffixes.
	 */
	public static final int MAX_LENGTH = 47;

	private QueueName() {
	}

	/**
	 * Checks a queue name.
	 * @param name the name
	 * @return the name
	 * @throws InvalidQueueNameException when the name breaks the rule
	 */
	public static String requireValid(@Nullable String name) {
		if (name == null || name.isEmpty()) {
			throw new InvalidQueueNameException(name, "it is empty");
		}
		if (name.length() > MAX_LENGTH) {
			throw new InvalidQueueNameException(name,
					"it has " + name.length() + " characters, at most " + MAX_LENGTH + " are allowed");
		}
		if (!hasValidCharacters(name)) {
			throw new InvalidQueueNameException(name,
					"only ASCII letters, digits and underscores are allowed, starting with a letter or underscore");
		}
		return name;
	}

	/**
	 * Whether a queue name is valid.
	 * @param name the name
	 * @return whether {@link #requireValid(String)} accepts it
	 */
	public static boolean isValid(@Nullable String name) {
		return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && hasValidCharacters(name);
	}

	// [A-Za-z_][A-Za-z0-9_]*, without a regular expression: every statement of the queue API checks its
	// queue's name, so this runs for every send, read and delete.
	private static boolean hasValidCharacters(String name) {
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
			if (!letter && (i == 0 || c < '0' || c > '9')) {
				return false;
			}
		}
		return true;
	}

}
