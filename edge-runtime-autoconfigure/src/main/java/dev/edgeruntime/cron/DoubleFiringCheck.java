package dev.edgeruntime.cron;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Looks, for an instance whose in-app scheduler fires the jobs, at pg_cron's {@code cron.job} for the same jobs,
 * active: registered again by an instance started in {@code auto} or {@code pg-cron} mode after this one. Each
 * tick of such a job sends two messages, one from pg_cron and one in-app, and nothing else tells. Says so once
 * per job at {@code WARN} (not once per tick), and once at {@code INFO} when it ends. One query per look, and
 * only the extension's row in {@code pg_extension} while pg_cron is not installed; a look that fails is skipped.
 *
 * <p>The in-app scheduler goes on firing such a job: pg_cron's job being active does not mean that its runs
 * succeed (its connection may be refused, the reason to run in-app), and skipping the ticks would then lose
 * them, where firing twice stays within the queue's at-least-once delivery.
 *
 * @author edge-runtime developers
 */
final class DoubleFiringCheck {

	private static final Log logger = LogFactory.getLog(DoubleFiringCheck.class);

	private final PgCronRegistry registry;

	private final String prefix;

	private final List<String> jobs;

	private final List<String> fullNames;

	private final String database;

	private final String inAppBecause;

	private final Set<String> firedTwice = ConcurrentHashMap.newKeySet();

	private final AtomicLong looks = new AtomicLong();

	private volatile boolean installed;

	/**
	 * Creates a new instance.
	 * @param registry reads {@code cron.job} where pg_cron is
	 * @param prefix the owned prefix of the job names
	 * @param jobs the names of the jobs the in-app scheduler fires, without the prefix
	 * @param database the application's database, where the jobs send
	 * @param installed whether the pg_cron extension was installed at start-up
	 * @param inAppBecause why this instance fires the jobs in-app, as the warning says it
	 */
	DoubleFiringCheck(PgCronRegistry registry, String prefix, List<String> jobs, String database, boolean installed,
			String inAppBecause) {
		this.registry = registry;
		this.prefix = prefix;
		this.jobs = List.copyOf(jobs);
		this.fullNames = jobs.stream().map((job) -> prefix + job).toList();
		this.database = database;
		this.installed = installed;
		this.inAppBecause = inAppBecause;
	}

	/**
	 * Looks at {@code cron.job} once, and says what changed since the last look.
	 */
	void check() {
		try {
			if (!this.installed) {
				// created since by an instance in auto mode, which registers the jobs as it does
				if (!this.registry.installed()) {
					return;
				}
				this.installed = true;
			}
			Set<String> active = this.registry.activeJobs(this.fullNames, this.database);
			for (String job : this.jobs) {
				String fullName = this.prefix + job;
				if (active.contains(fullName)) {
					if (this.firedTwice.add(job)) {
						logger.warn("Cron job '" + job + "' fires twice on every tick: this instance's in-app "
								+ "scheduler fires it (" + this.inAppBecause + "), and pg_cron fires it too: cron.job "
								+ "holds '" + fullName + "', active, registered again by an instance started in "
								+ "edge-runtime.cron.mode=auto or pg-cron after this one. Instances on this database "
								+ "run in different modes (edge-runtime.cron.mode). Give every instance the same "
								+ "mode: to keep the in-app scheduler, restart one instance in "
								+ "edge-runtime.cron.mode=in-app (its start unschedules the job) or run SELECT "
								+ "cron.unschedule('" + fullName + "'); to keep pg_cron, stop the instances that fire "
								+ "the jobs in-app.");
					}
				}
				else if (this.firedTwice.remove(job)) {
					logger.info("Cron job '" + job + "' is no longer active in pg_cron (cron.job '" + fullName
							+ "'): the in-app scheduler alone fires it again");
				}
			}
		}
		catch (RuntimeException ex) {
			// pg_cron dropped meanwhile, or the database unreachable: look for the extension first next time
			this.installed = false;
			logger.debug("Could not look at cron.job for jobs pg_cron fires too: " + ex.getMessage(), ex);
		}
		finally {
			this.looks.incrementAndGet();
		}
	}

	/**
	 * Whether pg_cron fires the job too, as the latest look found.
	 * @param job the job's name, without the prefix
	 * @return whether it is active in {@code cron.job}
	 */
	boolean firedTwice(String job) {
		return this.firedTwice.contains(job);
	}

	/**
	 * How many looks were taken, for tests.
	 * @return the count
	 */
	long looks() {
		return this.looks.get();
	}

}
