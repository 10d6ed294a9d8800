package dev.edgeruntime.cron;

import dev.edgeruntime.queue.QueueName;

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
