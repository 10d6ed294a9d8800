package dev.edgeruntime.cron;

import dev.edgeruntime.queue.QueueName;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A declared recurring job: every tick of its schedule sends one message to a queue.
 *
 * @param name the job's name, unique in the application, without the owned prefix
 * @param schedule when it runs (see {@link CronJob#schedule()})
 * @param queue the queue the message is sent to
 * @param message the message as JSON text
 * @param source where it was declared, for error messages (a property or a method)
 * @author edge-runtime developers
 */
public record CronJobDefinition(String name, String schedule, String queue, String message, String source) {

	/**
	 * Why a schedule is refused before any job is scheduled, or {@code null}. With the in-app scheduler, what
	 * it cannot run; otherwise only what no scheduler runs (a number of fields that is none of theirs, a value
	 * out of its field's range, an interval out of 1 to 59 seconds), what only one of them reads being left to
	 * the scheduler chosen at start-up: pg_cron takes {@code $} (the last day of the month, pg_cron 1.5+) and
	 * {@code @reboot}, which the in-app scheduler does not.
	 * @param schedule the schedule as written
	 * @param mode who fires the ticks
	 * @return why it is refused, in the terms it was written in, or {@code null}
	 */
	public static @Nullable String scheduleProblem(String schedule, CronMode mode) {
		return (mode == CronMode.IN_APP) ? CronSchedule.inAppProblem(schedule) : CronSchedule.commonProblem(schedule);
	}

	/**
	 * Checks the definition.
	 */
	public CronJobDefinition {
		Assert.hasText(name, () -> source + ": the job name must not be empty");
		Assert.hasText(schedule, () -> source + ": the schedule of job '" + name + "' must not be empty");
		Assert.isTrue(QueueName.isValid(queue), () -> source + ": the queue of job '" + name + "' ('" + queue
				+ "') must be 1 to " + QueueName.MAX_LENGTH + " ASCII letters, digits or underscores");
		schedule = schedule.trim();
	}

}
