package dev.edgeruntime.cron;

/**
 * Thrown at start-up when the installed pg_cron cannot run a job's schedule: {@code "N seconds"} schedules
 * need pg_cron 1.5 or later, and no pg_cron runs a six-field cron expression (with seconds).
 *
 * @author edge-runtime developers
 */
public class UnsupportedCronScheduleException extends IllegalStateException {

	private final String job;

	private final String schedule;

	private final String installedVersion;

	/**
	 * Creates a new instance.
	 * @param job the job whose schedule is refused
	 * @param version the installed pg_cron version
	 */
	public UnsupportedCronScheduleException(CronJobDefinition job, PgCronVersion version) {
		this("Cron job '" + job.name() + "' (" + job.source() + ") has the schedule '" + job.schedule()
				+ "', but schedules in seconds need pg_cron 1.5 or later and the database has pg_cron "
				+ version.text() + ". Upgrade pg_cron to 1.5 or later (then ALTER EXTENSION pg_cron UPDATE), "
				+ "or set edge-runtime.cron.mode=in-app to fire the jobs from the application.", job, version);
	}

	/**
	 * Creates a new instance with its own message.
	 * @param message why pg_cron cannot run the schedule, and what to do
	 * @param job the job whose schedule is refused
	 * @param version the installed pg_cron version
	 */
	public UnsupportedCronScheduleException(String message, CronJobDefinition job, PgCronVersion version) {
		super(message);
		this.job = job.name();
		this.schedule = job.schedule();
		this.installedVersion = version.text();
	}

	/**
	 * The job's name.
	 * @return the name
	 */
	public String getJob() {
		return this.job;
	}

	/**
	 * The refused schedule.
	 * @return the schedule
	 */
	public String getSchedule() {
		return this.schedule;
	}

	/**
	 * The installed pg_cron version.
	 * @return the version as the database gives it
	 */
	public String getInstalledVersion() {
		return this.installedVersion;
	}

}
