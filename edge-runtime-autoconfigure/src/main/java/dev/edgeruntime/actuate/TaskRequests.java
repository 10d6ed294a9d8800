package dev.edgeruntime.actuate;

import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.edgeruntime.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * How the {@code backgroundtasks} endpoint and the dashboard read a task state or a task id from a request,
 * and what they answer when it is none.
 *
 * @author edge-runtime developers
 */
public final class TaskRequests {

	private TaskRequests() {
	}

	/**
	 * A task state, as Spring Boot matches enum values: in any case, ignoring every character but letters and
	 * digits ({@code budget-exceeded}, {@code Budget Exceeded} and {@code BUDGET_EXCEEDED} are one state).
	 * @param state the text
	 * @return the state, or {@code null} when the text names none
	 */
	public static @Nullable TaskState state(String state) {
		String wanted = lettersAndDigits(state);
		for (TaskState candidate : TaskState.values()) {
			if (lettersAndDigits(candidate.name()).equals(wanted)) {
				return candidate;
			}
		}
		return null;
	}

	/**
	 * A task id, written in full as {@link UUID#toString()} writes it ({@link UUID#fromString(String)} also
	 * takes shortened or shifted groups, such as {@code 1-1-1-1-1} or a {@code +} sign).
	 * @param id the text
	 * @return the id, or {@code null} when the text is no task id
	 */
	public static @Nullable UUID id(String id) {
		try {
			UUID parsed = UUID.fromString(id);
			return parsed.toString().equalsIgnoreCase(id) ? parsed : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * What is answered for a text that is no task state.
	 * @param state the text
	 * @return the message
	 */
	public static String unknownState(String state) {
		return "Unknown task state '" + state + "': the states are "
				+ Arrays.stream(TaskState.values()).map(Enum::name).collect(Collectors.joining(", ")) + " (in any case)";
	}

	/**
	 * What is answered for a text that is no task id.
	 * @param id the text
	 * @return the message
	 */
	public static String malformedId(String id) {
		return "'" + id + "' is not a task id: task ids are UUIDs such as 3f1c2a9e-5b7d-4e2a-9c61-0d8f4b2e7a15";
	}

	/**
	 * What is answered for an id no task has.
	 * @param id the id
	 * @return the message
	 */
	public static String unknownTask(UUID id) {
		return "No task " + id + ": it is unknown, or finished longer ago than it is retained";
	}

	private static String lettersAndDigits(String text) {
		StringBuilder kept = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isLetterOrDigit(c)) {
				kept.append(Character.toLowerCase(c));
			}
		}
		return kept.toString();
	}

}
