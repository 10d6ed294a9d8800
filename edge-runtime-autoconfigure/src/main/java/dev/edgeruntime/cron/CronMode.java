package dev.edgeruntime.cron;

/**
 * Who fires the ticks of the recurring jobs.
 *
 * @author edge-runtime developers
 */
public enum CronMode {

	/**
	 * pg_cron when the extension is installed or can be created, the in-app scheduler otherwise.
	 */
	AUTO,

	/**
	 * pg_cron only; start-up fails without it.
	 */
	PG_CRON,

	/**
	 * The in-app scheduler, even where pg_cron exists (jobs this application registered there before are
	 * removed, so that no tick fires twice; those an instance in another mode registers again afterwards are
	 * warned of, and shown in {@link CronJobInfo#alsoFiredBy()}).
	 */
	IN_APP

}
