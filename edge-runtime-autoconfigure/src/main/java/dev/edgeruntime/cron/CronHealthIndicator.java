package dev.edgeruntime.cron;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The recurring jobs' health: always {@code UP}, with {@code scheduler} (who fires the ticks) and
 * {@code firedTwice} as details: the jobs that two schedulers fire, each tick then sending two messages (an
 * instance in another {@code edge-runtime.cron.mode} registered them in pg_cron while this one fires them
 * in-app), each with what fires it. That is a warning, not an outage: every tick is still sent, and twice stays
 * within the queue's at-least-once delivery. Reads no database: the jobs fired twice are those the latest look
 * at {@code cron.job} found (every {@code edge-runtime.cron.in-app.poll-interval}).
 *
 * @author edge-runtime developers
 */
public final class CronHealthIndicator extends AbstractHealthIndicator {

	private final CronJobs jobs;

	/**
	 * Creates a new instance.
	 * @param jobs the recurring jobs
	 */
	public CronHealthIndicator(CronJobs jobs) {
		super("Cron health check failed");
		this.jobs = jobs;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		String scheduler = this.jobs.scheduler();
		Map<String, String> firedTwice = new LinkedHashMap<>();
		this.jobs.alsoFiredBy()
			.forEach((job, other) -> firedTwice.put(job, scheduler + " and " + other));
		builder.up()
			.withDetail("scheduler", (scheduler != null) ? scheduler : "none")
			.withDetail("firedTwice", firedTwice);
	}

}
