package dev.edgeruntime.autoconfigure;


import dev.edgeruntime.cron.UnsupportedCronScheduleException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a recurring job whose schedule the installed pg_cron cannot run (a six-field schedule, or seconds
 * before pg_cron 1.5) in the same report as the other refused schedules: the job, where it was declared, its
 * schedule as written, why and what to do.
 *
 * @author edge-runtime developers
 */
class UnsupportedCronScheduleFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedCronScheduleException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedCronScheduleException cause) {
		return new FailureAnalysis(
				ProblemList.describe("Invalid recurring job schedules", cause.getProblems()),
				(cause.getProblems().size() == 1)
						? "Correct the schedule where its job is declared, or let another scheduler fire the jobs as "
								+ "the line says. What each scheduler runs is in the schedules table of docs/cron.md."
						: "Correct each schedule where its job is declared, or let another scheduler fire the jobs as "
								+ "the lines say. What each scheduler runs is in the schedules table of docs/cron.md.",
				cause);
	}

}
