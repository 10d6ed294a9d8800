package dev.edgeruntime.cron;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of the pg_cron extension installed in a database, as {@code pg_extension.extversion} gives
 * it ({@code "1.4-1"} for Debian's pg_cron 1.4.2, {@code "1.6"} for 1.6.x), and what it can schedule.
 *
 * @param text the version as the database gives it
 * @param major the major version
 * @param minor the minor version
 * @author edge-runtime developers
 */
public record PgCronVersion(String text, int major, int minor) {

	private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+).*");

	/**
	 * Parses an {@code extversion}.
	 * @param text the version
	 * @return the version
	 * @throws IllegalArgumentException when it does not start with {@code major.minor}
	 */
	public static PgCronVersion parse(String text) {
		Matcher matcher = VERSION.matcher(text.trim());
		if (!matcher.matches()) {
			throw new IllegalArgumentException("Unrecognized pg_cron version '" + text + "'");
		}
		return new PgCronVersion(text.trim(), Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
	}

	/**
	 * Whether this version takes {@code "N seconds"} schedules: pg_cron 1.5.0 added them.
	 * @return whether sub-minute schedules are supported
	 */
	public boolean supportsSeconds() {
		return this.major > 1 || (this.major == 1 && this.minor >= 5);
	}

	/**
	 * Checks that this version can run a job's schedule.
	 * @param job the job
	 * @throws UnsupportedCronScheduleException when the schedule needs a later pg_cron, or is a six-field
	 * cron expression (with seconds), which no pg_cron runs: it would take it and fire on another rhythm
	 */
	public void requireSupported(CronJobDefinition job) {
		String schedule = job.schedule().trim();
		if (CronSchedule.intervalSeconds(schedule) != null) {
			if (!supportsSeconds()) {
				throw new UnsupportedCronScheduleException(job, this);
			}
			return;
		}
		if (!schedule.startsWith("@") && schedule.split("\\s+").length == 6) {
			throw new UnsupportedCronScheduleException("Cron job '" + job.name() + "' (" + job.source()
					+ ") has the six-field schedule '" + job.schedule() + "', with seconds, which pg_cron does not run "
					+ "(it takes five fields, a macro such as @hourly, or 'N seconds'). Use one of those, or set "
					+ "edge-runtime.cron.mode=in-app to fire the jobs from the application.", job, this);
		}
	}

	@Override
	public String toString() {
		return this.text;
	}

}
