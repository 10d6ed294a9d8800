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
 * @param alsoFiredBy who else fires it, each tick then sending two messages: {@code pg_cron} for a job the
 * in-app scheduler fires while {@code cron.job} holds it active (an instance in another
 * {@code edge-runtime.cron.mode} registered it), as this instance last looked; {@code null} otherwise
 * @author edge-runtime developers
 */
public record CronJobInfo(String name, String schedule, String queue, String scheduler, boolean active,
		@Nullable CronRun lastRun, @Nullable String alsoFiredBy) {

	/**
	 * Creates a new instance of a job no other scheduler fires.
	 * @param name the job's name, without the owned prefix
	 * @param schedule its schedule
	 * @param queue the queue each tick sends to
	 * @param scheduler who fires it
	 * @param active whether it is active
	 * @param lastRun its latest run, or {@code null} when none is recorded
	 */
	public CronJobInfo(String name, String schedule, String queue, String scheduler, boolean active,
			@Nullable CronRun lastRun) {
		this(name, schedule, queue, scheduler, active, lastRun, null);
	}

}
