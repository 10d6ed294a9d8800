package dev.edgeruntime.dashboard;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.DurableTierDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.Limits;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.RuntimeDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TaskDescriptor;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.TotalsDescriptor;
import org.jspecify.annotations.Nullable;

/**
 * What the dashboard pushes to a page: the {@code backgroundtasks} endpoint's report, with one page of its
 * tasks, plus where that page lies in the list and whether the viewer may cancel.
 *
 * @param runtime the runtime's state now
 * @param totals counts since start
 * @param limits the configured limits
 * @param tasks the tasks on this page, newest first
 * @param queue the durable tier, or {@code null} without it
 * @param page where the page lies in the list
 * @param canCancel whether the viewer may cancel tasks
 * @author edge-runtime developers
 */
public record DashboardSnapshot(RuntimeDescriptor runtime, TotalsDescriptor totals, Limits limits,
		List<TaskDescriptor> tasks, @Nullable DurableTierDescriptor queue, PageDescriptor page, boolean canCancel) {

	/**
	 * The snapshot of a report for one view.
	 * @param report the endpoint's report, with all its tasks
	 * @param view the filter and page
	 * @param canCancel whether the viewer may cancel tasks
	 * @return the snapshot
	 */
	public static DashboardSnapshot of(BackgroundTasksDescriptor report, DashboardView view, boolean canCancel) {
		Map<TaskState, Integer> byState = new EnumMap<>(TaskState.class);
		List<TaskDescriptor> tasks = new ArrayList<>();
		long from = (long) view.page() * view.size(); // a page far past the end is empty, not the first
		int matching = 0;
		for (TaskDescriptor task : report.tasks()) {
			byState.merge(task.state(), 1, Integer::sum);
			if (view.matches(task)) {
				if (matching >= from && tasks.size() < view.size()) {
					tasks.add(task);
				}
				matching++;
			}
		}
		return new DashboardSnapshot(report.runtime(), report.totals(), report.limits(), tasks, report.queue(),
				new PageDescriptor(view.page(), view.size(), matching, report.tasks().size(), byState), canCancel);
	}

	/**
	 * Where a page lies in the task list.
	 *
	 * @param number the page number, from 0
	 * @param size the most tasks on one page
	 * @param matching tasks that match the filter, on all pages
	 * @param listed tasks retained in all, whatever the filter
	 * @param byState the tasks retained, by state
	 */
	public record PageDescriptor(int number, int size, int matching, int listed, Map<TaskState, Integer> byState) {

	}

}
