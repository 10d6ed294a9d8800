package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.cron.InvalidCronScheduleException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports recurring jobs whose schedules cannot run at start-up: each job, where it was declared, its
 * schedule as written and why it is refused.
 *
 * @author edge-runtime developers
 */
class InvalidCronScheduleFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCronScheduleException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidCronScheduleException cause) {
		return new FailureAnalysis(ProblemList.describe("Invalid recurring job schedules", cause.getProblems()),
				"Correct each schedule where its job is declared: five-field cron (minute hour day-of-month month "
						+ "day-of-week, in UTC), a macro such as @hourly, or 'N seconds' (1 to 59). What each "
						+ "scheduler runs is in the schedules table of docs/cron.md.",
				cause);
	}

}
