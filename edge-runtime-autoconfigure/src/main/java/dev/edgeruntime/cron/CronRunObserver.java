package dev.edgeruntime.cron;

/**
 * Told of every finished run of a recurring job, for metrics.
 *
 * @author edge-runtime developers
 */
@FunctionalInterface
public interface CronRunObserver {

	/** An observer that does nothing. */
	CronRunObserver NONE = (job, outcome) -> {
	};

	/**
	 * A run finished.
	 * @param job the job's name, without the owned prefix
	 * @param outcome {@code succeeded} or {@code failed}
	 */
	void finished(String job, String outcome);

}
