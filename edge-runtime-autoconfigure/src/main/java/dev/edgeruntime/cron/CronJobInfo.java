package dev.edgeruntime.cron;

import org.jspecify.annotations.Nullable;

/**
 * A recurring job as {@link CronJobs#list()} describes it.
 *
 * @param name the job's name, without the owned prefix
 * @param schedule its schedule
 * @param queue the queue each tick sends to
 * @param scheduler who fires it: {@code pg_cron} or {@code in-app}, or {@code none} before start-up
 * @param active whether it is active: under pg_cron, {@code false} for a job deactivated by hand, or one no
 * longer in {@code cron.job} (unscheduled by the start of an instance with other jobs)
 * @param lastRun its latest run, or {@code null} when none is recorded
 * @author edge-runtime developers
 */
public record CronJobInfo(String name, String schedule, String queue, String scheduler, boolean active,
		@Nullable CronRun lastRun) {

}
