package dev.edgeruntime.cron;

import java.time.Duration;

import dev.edgeruntime.queue.PgmqTemplate;

import org.springframework.util.Assert;

/**
 * How {@link CronJobs} schedules the recurring jobs; {@code edge-runtime.cron.*} in properties.
 *
 * @param mode who fires the ticks
 * @param jobNamePrefix the prefix of the pg_cron job names this application owns
 * @param fallBackWhenUnsupported whether, in auto mode, an installed pg_cron too old for a schedule makes
 * every job run on the in-app scheduler instead of failing start-up
 * @param pollInterval the longest the in-app scheduler waits between two looks at the schedules, its
 * retry delay after a database failure, and how often it looks at {@code cron.job} for jobs pg_cron fires too
 * @param fireMissedTick whether the in-app scheduler fires, once, the latest tick missed while no instance ran
 * @param tickRetention how long claimed in-app ticks are kept
 * @param runCheckInterval how often pg_cron's run details are read to count finished runs
 * @author edge-runtime developers
 */
public record CronOptions(CronMode mode, String jobNamePrefix, boolean fallBackWhenUnsupported,
		Duration pollInterval, boolean fireMissedTick, Duration tickRetention, Duration runCheckInterval) {

	/**
	 * Checks the options.
	 */
	public CronOptions {
		Assert.hasText(jobNamePrefix, "edge-runtime.cron.job-name-prefix must not be empty: it marks the jobs "
				+ "this application owns, and every other job in cron.job would be unscheduled");
		requirePositive(pollInterval, "edge-runtime.cron.in-app.poll-interval");
		requirePositive(tickRetention, "edge-runtime.cron.in-app.tick-retention");
		requirePositive(runCheckInterval, "edge-runtime.cron.pg-cron.run-check-interval");
	}

	private static void requirePositive(Duration duration, String property) {
		Assert.isTrue(!duration.isNegative() && !duration.isZero(), () -> property + " must be positive");
		Assert.isTrue(duration.compareTo(PgmqTemplate.MAX_DURATION) <= 0,
				() -> property + " must be at most " + PgmqTemplate.MAX_DURATION_TEXT);
	}

}
