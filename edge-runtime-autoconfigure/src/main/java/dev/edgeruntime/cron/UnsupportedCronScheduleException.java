package dev.edgeruntime.cron;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

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

	private final List<String> problems;

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
		this(message, List.of(message), job.name(), job.schedule(), version.text());
	}

	private UnsupportedCronScheduleException(String message, List<String> problems, String job, String schedule,
			String installedVersion) {
		super(message);
		this.problems = List.copyOf(problems);
		this.job = job;
		this.schedule = schedule;
		this.installedVersion = installedVersion;
	}

	/**
	 * One exception for every job the installed pg_cron cannot run, so that a start-up names them all at once.
	 * @param refused one exception per job, at least one
	 * @param advice a line added after them all, or {@code null}
	 * @return the first of {@code refused} itself when it is the only one and there is no advice; otherwise an
	 * exception whose {@link #getProblems() problems} are their messages (then the advice), and whose job and
	 * schedule are the first one's
	 */
	static UnsupportedCronScheduleException of(List<UnsupportedCronScheduleException> refused,
			@Nullable String advice) {
		UnsupportedCronScheduleException first = refused.get(0);
		if (refused.size() == 1) {
			return (advice != null) ? new UnsupportedCronScheduleException(first.getMessage() + " " + advice,
					List.of(first.getMessage() + " " + advice), first.job, first.schedule, first.installedVersion)
					: first;
		}
		List<String> problems = new ArrayList<>();
		for (UnsupportedCronScheduleException each : refused) {
			problems.addAll(each.problems);
		}
		if (advice != null) {
			problems.add(advice);
		}
		String message = refused.size() + " cron job schedules cannot run on pg_cron " + first.installedVersion
				+ ":\n- " + String.join("\n- ", problems);
		return new UnsupportedCronScheduleException(message, problems, first.job, first.schedule,
				first.installedVersion);
	}

	/**
	 * What start-up reports: one line per job whose schedule the installed pg_cron cannot run, then, in
	 * {@code auto} mode, the setting that would let the start go on.
	 * @return the problems, at least one
	 */
	public List<String> getProblems() {
		return this.problems;
	}

	/**
	 * The job's name (the first one's, when several are refused).
	 * @return the name
	 */
	public String getJob() {
		return this.job;
	}

	/**
	 * The refused schedule (the first one's, when several are refused).
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
