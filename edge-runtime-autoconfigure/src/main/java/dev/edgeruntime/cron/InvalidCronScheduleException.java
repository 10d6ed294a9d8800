package dev.edgeruntime.cron;

import java.util.List;

/**
 * Thrown at start-up when recurring jobs have schedules that cannot run: each problem names the job, where
 * it was declared, the schedule as written, and why it is refused.
 *
 * @author edge-runtime developers
 */
public class InvalidCronScheduleException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final List<String> problems;

	/**
	 * Creates a new instance.
	 * @param problems one line per refused schedule, such as {@code Cron job 'report' (@CronJob method
	 * A.report) has the schedule '61 * * * *': ...}, at least one
	 */
	public InvalidCronScheduleException(List<String> problems) {
		super((problems.size() == 1) ? problems.get(0)
				: problems.size() + " cron job schedules are invalid:\n- " + String.join("\n- ", problems));
		this.problems = List.copyOf(problems);
	}

	/**
	 * The problems, one per refused schedule.
	 * @return the problems
	 */
	public List<String> getProblems() {
		return this.problems;
	}

}
