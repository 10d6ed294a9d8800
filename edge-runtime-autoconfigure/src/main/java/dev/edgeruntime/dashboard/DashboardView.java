package dev.edgeruntime.dashboard;

import java.util.Locale;

import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.TaskRequests;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.OriginDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TaskDescriptor;
import org.jspecify.annotations.Nullable;

/**
 * What one open page lists: a filter and a page of the tasks that match it.
 *
 * @param state {@code active} for tasks not yet ended, a {@link TaskState} name, or {@code null} for all
 * @param query text that a task's name, id, origin or error must contain (ignoring case), or {@code null}
 * @param page the page number, from 0
 * @param size the tasks on one page
 * @author edge-runtime developers
 */
public record DashboardView(@Nullable String state, @Nullable String query, int page, int size) {

	/** The {@link #state()} of tasks that have not ended. */
	public static final String ACTIVE = "active";

	/**
	 * Creates a view, checking its filter.
	 * @param state {@code active}, a {@link TaskState} name, or {@code null} or empty for all
	 * @param query text to look for, or {@code null} or empty for all
	 * @param page the page number, from 0
	 * @param size the tasks on one page
	 * @throws IllegalArgumentException if the state is unknown or the page is negative
	 */
	public DashboardView {
		if (state != null && state.isEmpty()) {
			state = null;
		}
		if (state != null) {
			state = normalized(state);
		}
		if (query != null && query.isBlank()) {
			query = null;
		}
		if (query != null) {
			query = query.strip().toLowerCase(Locale.ROOT);
		}
		if (page < 0 || size < 1) {
			throw new IllegalArgumentException("The page must be 0 or more, not " + page);
		}
	}

	/**
	 * {@code active} or a {@link TaskState} name, from any case, as the endpoint reads states.
	 */
	private static String normalized(String state) {
		if (ACTIVE.equalsIgnoreCase(state)) {
			return ACTIVE;
		}
		TaskState taskState = TaskRequests.state(state);
		if (taskState == null) {
			throw new IllegalArgumentException(TaskRequests.unknownState(state) + ", or active for those not ended");
		}
		return taskState.name();
	}

	/**
	 * Whether a task is listed.
	 * @param task the task
	 * @return {@code true} when it matches the state and the query
	 */
	public boolean matches(TaskDescriptor task) {
		return matchesState(task.state()) && matchesQuery(task);
	}

	private boolean matchesState(TaskState taskState) {
		if (this.state == null) {
			return true;
		}
		return ACTIVE.equals(this.state) ? !taskState.isTerminal() : taskState.name().equals(this.state);
	}

	private boolean matchesQuery(TaskDescriptor task) {
		if (this.query == null) {
			return true;
		}
		OriginDescriptor origin = task.origin();
		return contains(task.name()) || contains(task.id().toString()) || contains(origin.path())
				|| contains(origin.principal())
				|| (task.error() != null && (contains(task.error().type()) || contains(task.error().message())));
	}

	private boolean contains(@Nullable String text) {
		return text != null && this.query != null && text.toLowerCase(Locale.ROOT).contains(this.query);
	}

}
