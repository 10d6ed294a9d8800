package dev.edgeruntime.cron;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.queue.DatabaseFailures;
import dev.edgeruntime.queue.DatabasePrivileges;
import dev.edgeruntime.queue.DatabasePrivileges.Privilege;
import dev.edgeruntime.queue.InsufficientPrivilegeException;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.runtime.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fires recurring jobs from the application where pg_cron is not used. Every instance computes the same
 * ticks from each schedule; the instance that inserts a tick's row into {@code edge_runtime.cron_tick}
 * ({@code ON CONFLICT DO NOTHING} on the job and the tick time) sends its message in the same transaction,
 * so each tick sends exactly one message however many instances run, and a failed send frees the tick for a
 * retry. After a restart, the latest tick missed while no instance ran fires once; the ones before it are
 * skipped.
 *
 * @author edge-runtime developers
 */
final class InAppCronScheduler {

	/** The header carrying the job's name on the messages the scheduler sends. */
	static final String JOB_HEADER = "x-cron-job";

	/** The header carrying the tick time on the messages the scheduler sends. */
	static final String TICK_HEADER = "x-cron-tick";

	private static final Log logger = LogFactory.getLog(InAppCronScheduler.class);

	// "edgecron" in ASCII.
	private static final long SCHEMA_LOCK = 0x6564676563726f6eL;

	private static final String SCHEMA_SCRIPT = "dev/edgeruntime/cron/schema/cron-v1.sql";

	private static final String LOCK_SCHEMA = """
			SELECT pg_advisory_xact_lock(%d)
			""".formatted(SCHEMA_LOCK);

	private static final String TICKS_EXIST = """
			SELECT to_regclass('edge_runtime.cron_tick') IS NOT NULL
			""";

	// as TICKS_EXIST, from the catalog, which a user without USAGE on the schema may read too
	private static final String TICKS_IN_CATALOG = """
			SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'edge_runtime' AND c.relname = 'cron_tick')
			""";

	private static final String LAST_TICK = """
			SELECT max(tick_time) FROM edge_runtime.cron_tick WHERE job_name = ?
			""";

	private static final String CLAIM = """
			INSERT INTO edge_runtime.cron_tick (job_name, tick_time, claimed_by) VALUES (?, ?, ?)
			ON CONFLICT (job_name, tick_time) DO NOTHING
			""";

	private static final String RECORD_MESSAGE = """
			UPDATE edge_runtime.cron_tick SET msg_id = ? WHERE job_name = ? AND tick_time = ?
			""";

	private static final String PRUNE = """
			DELETE FROM edge_runtime.cron_tick WHERE job_name = ? AND tick_time < ?
			""";

	// Every job's claims older than the retention, but its latest: those of jobs that fire prune themselves,
	// this catches the jobs no application declares any more (renamed, removed), whatever their prefix. The
	// latest claim of a job stays, so that no tick can be claimed twice.
	private static final String PRUNE_ALL = """
			DELETE FROM edge_runtime.cron_tick t
			WHERE t.tick_time < ? AND EXISTS (
				SELECT 1 FROM edge_runtime.cron_tick n WHERE n.job_name = t.job_name AND n.tick_time > t.tick_time)
			""";

	private static final String LATEST_TICKS = """
			SELECT DISTINCT ON (job_name) job_name, tick_time, claimed_at, claimed_by, msg_id
			FROM edge_runtime.cron_tick WHERE job_name = ANY (?)
			ORDER BY job_name, tick_time DESC
			""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final PgmqTemplate pgmq;

	private final Clock clock;

	private final CronOptions options;

	private final CronRunObserver observer;

	private final String instance = UUID.randomUUID().toString();

	private final Map<String, ScheduledJob> jobs = new LinkedHashMap<>();

	private @Nullable ScheduledExecutorService executor;

	InAppCronScheduler(JdbcTemplate jdbc, TransactionTemplate transactions, PgmqTemplate pgmq, Clock clock,
			CronOptions options, CronRunObserver observer) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.pgmq = pgmq;
		this.clock = clock;
		this.options = options;
		this.observer = observer;
	}

	/**
	 * Installs the tick table and reads each job's latest claimed tick, without firing anything.
	 * @param definitions the jobs with their messages as JSON trees
	 */
	synchronized void prepare(Map<CronJobDefinition, JsonNode> definitions) {
		Instant now = this.clock.instant();
		Map<CronJobDefinition, @Nullable Instant> claimed = new LinkedHashMap<>();
		try {
			// a table that exists is left as it is: its script needs the right to create schemas in the database
			// even then, which a database user the table was made for by a DBA or a migration does not have
			if (!Boolean.TRUE.equals(this.jdbc.queryForObject(TICKS_EXIST, Boolean.class))) {
				this.transactions.executeWithoutResult((status) -> {
					this.jdbc.execute(LOCK_SCHEMA);
					this.jdbc.execute(script());
				});
			}
			int pruned = this.jdbc.update(PRUNE_ALL, Timestamp.from(now.minus(this.options.tickRetention())));
			if (pruned > 0) {
				logger.debug("Pruned " + pruned + " claimed cron ticks older than the retention");
			}
			definitions.keySet()
				.forEach((definition) -> claimed.put(definition,
						lastTick(this.options.jobNamePrefix() + definition.name())));
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				throw refused(ex);
			}
			throw ex;
		}
		definitions.forEach((definition, message) -> {
			CronSchedule schedule = CronSchedule.parse(definition.schedule());
			String name = this.options.jobNamePrefix() + definition.name();
			Instant last = claimed.get(definition);
			Instant latest = schedule.latestAtOrBefore(now);
			Instant handled;
			if (last == null || !this.options.fireMissedTick()) {
				// A job never fired before starts with its next tick, not one from the past.
				handled = later(last, latest);
			}
			else {
				handled = last;
			}
			this.jobs.put(definition.name(), new ScheduledJob(definition, name, schedule, message, handled));
		});
	}

	/**
	 * The failure of a database user that may not create or use the table of claimed ticks: the script its
	 * owner runs where the table is missing, and the grants the user lacks.
	 */
	private InsufficientPrivilegeException refused(DataAccessException ex) {
		boolean tableExists;
		try {
			tableExists = Boolean.TRUE.equals(this.jdbc.queryForObject(TICKS_IN_CATALOG, Boolean.class));
		}
		catch (DataAccessException lookFailed) {
			// the refusal is what start-up reports; the look at the catalog failing too (the database went away
			// just then) must not take its place
			ex.addSuppressed(lookFailed);
			throw ex;
		}
		List<String> script = tableExists ? List.of()
				: List.of("the script " + SCHEMA_SCRIPT + " (in the edge-runtime-autoconfigure jar)");
		return DatabasePrivileges.refused(this.jdbc,
				"Preparing edge_runtime.cron_tick (the in-app cron scheduler's table of claimed ticks)", ex,
				"The database user may not create or use that table", script,
				List.of(Privilege.onSchema("edge_runtime", "USAGE"),
						Privilege.onTable("edge_runtime.cron_tick", "SELECT", "INSERT", "UPDATE", "DELETE")),
				"set edge-runtime.cron.mode=pg-cron", "docs/cron.md, \"Database privileges\"");
	}

	/**
	 * Starts firing ticks on a thread of its own.
	 */
	synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledThreadPoolExecutor executor = Ticker.daemonScheduler("edge-runtime-cron");
		this.executor = executor;
		executor.execute(this::run);
	}

	/**
	 * Stops firing ticks, waiting for a tick being fired.
	 */
	void stop() {
		ScheduledExecutorService executor;
		synchronized (this) {
			executor = this.executor;
			this.executor = null;
		}
		if (executor != null) {
			executor.shutdownNow();
			try {
				executor.awaitTermination(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void run() {
		Duration wait;
		try {
			wait = fireDueTicks();
		}
		catch (RuntimeException ex) {
			logger.warn("Firing cron ticks failed: " + ex.getMessage(), ex);
			wait = this.options.pollInterval();
		}
		synchronized (this) {
			if (this.executor != null && !this.executor.isShutdown()) {
				// rounded up: a wake a fraction of a millisecond before a tick would find it not yet due
				this.executor.schedule(this::run, Math.max(1, (wait.toNanos() + 999_999) / 1_000_000),
						TimeUnit.MILLISECONDS);
			}
		}
	}

	/**
	 * Fires every job whose latest due tick has not been handled yet, once each.
	 * @return how long to wait before looking again: until the next tick, at most the poll interval
	 */
	synchronized Duration fireDueTicks() {
		Instant now = this.clock.instant();
		for (ScheduledJob job : this.jobs.values()) {
			Instant due = job.schedule().latestAtOrBefore(now);
			if (due != null && due.isAfter(job.handled())) {
				fire(job, due);
			}
		}
		// Each job's first tick after those looked at: one that came due while the others fired (between
		// now and after) is not skipped, but makes the next look come at once.
		Instant after = this.clock.instant();
		Duration wait = this.options.pollInterval();
		for (ScheduledJob job : this.jobs.values()) {
			Instant next = job.schedule().next(job.handled().isAfter(now) ? job.handled() : now);
			if (next != null) {
				Duration until = Duration.between(after, next);
				if (until.compareTo(wait) < 0) {
					wait = until.isNegative() ? Duration.ZERO : until;
				}
			}
		}
		return wait;
	}

	private void fire(ScheduledJob job, Instant tick) {
		try {
			Boolean claimed = this.transactions.execute((status) -> {
				Timestamp tickTime = Timestamp.from(tick);
				if (this.jdbc.update(CLAIM, job.fullName(), tickTime, this.instance) == 0) {
					return false;
				}
				long id = this.pgmq.send(job.definition().queue(), job.message(),
						Map.of(JOB_HEADER, job.definition().name(), TICK_HEADER, tick.toString()), Duration.ZERO);
				this.jdbc.update(RECORD_MESSAGE, id, job.fullName(), tickTime);
				this.jdbc.update(PRUNE, job.fullName(), Timestamp.from(tick.minus(this.options.tickRetention())));
				return true;
			});
			Instant expected = job.schedule().next(job.handled());
			job.handled(tick);
			if (Boolean.TRUE.equals(claimed)) {
				if (expected != null && tick.isAfter(expected)) {
					logger.info("Cron job '" + job.definition().name() + "' fired its tick " + tick
							+ ", missed while no instance ran; the missed ticks before it, from " + expected
							+ ", were skipped");
				}
				this.observer.finished(job.definition().name(), "succeeded");
			}
		}
		catch (RuntimeException ex) {
			// The tick stays unclaimed: this instance or another retries it.
			logger.warn("Cron job '" + job.definition().name() + "' could not fire its tick " + tick + ": "
					+ ex.getMessage(), ex);
			this.observer.finished(job.definition().name(), "failed");
		}
	}

	/**
	 * The latest tick of a job this instance fired or saw fired by another.
	 * @param job the job's name, without the prefix
	 * @return the tick, or {@code null} for an unknown job
	 */
	synchronized @Nullable Instant handled(String job) {
		ScheduledJob scheduled = this.jobs.get(job);
		return (scheduled != null) ? scheduled.handled() : null;
	}

	/**
	 * Each job's latest claimed tick.
	 * @return the latest runs, by job name without the prefix
	 */
	Map<String, CronRun> latestRuns() {
		List<String> names = new ArrayList<>();
		Map<String, String> byFullName = new LinkedHashMap<>();
		synchronized (this) {
			this.jobs.values().forEach((job) -> {
				names.add(job.fullName());
				byFullName.put(job.fullName(), job.definition().name());
			});
		}
		Map<String, CronRun> runs = new LinkedHashMap<>();
		if (names.isEmpty()) {
			return runs;
		}
		this.jdbc.query((connection) -> {
			var statement = connection.prepareStatement(LATEST_TICKS);
			statement.setArray(1, connection.createArrayOf("text", names.toArray()));
			return statement;
		}, (ResultSet rs) -> {
			OffsetDateTime tick = rs.getObject(2, OffsetDateTime.class);
			OffsetDateTime claimedAt = rs.getObject(3, OffsetDateTime.class);
			Long messageId = rs.getObject(5, Long.class);
			String detail = "tick " + tick.toInstant() + " fired by instance " + rs.getString(4)
					+ ((messageId != null) ? ", message " + messageId : "");
			runs.put(byFullName.get(rs.getString(1)),
					new CronRun(claimedAt.toInstant(), claimedAt.toInstant(), "succeeded", detail));
		});
		return runs;
	}

	private @Nullable Instant lastTick(String name) {
		Timestamp last = this.jdbc.queryForObject(LAST_TICK, Timestamp.class, name);
		return (last != null) ? last.toInstant() : null;
	}

	private static Instant later(@Nullable Instant a, @Nullable Instant b) {
		if (a == null) {
			return (b != null) ? b : Instant.EPOCH;
		}
		return (b == null || a.isAfter(b)) ? a : b;
	}

	private static String script() {
		try (InputStream in = new ClassPathResource(SCHEMA_SCRIPT, InAppCronScheduler.class.getClassLoader())
			.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + SCHEMA_SCRIPT, ex);
		}
	}

	private static final class ScheduledJob {

		private final CronJobDefinition definition;

		private final String fullName;

		private final CronSchedule schedule;

		private final JsonNode message;

		private Instant handled;

		ScheduledJob(CronJobDefinition definition, String fullName, CronSchedule schedule, JsonNode message,
				Instant handled) {
			this.definition = definition;
			this.fullName = fullName;
			this.schedule = schedule;
			this.message = message;
			this.handled = Objects.requireNonNull(handled);
		}

		CronJobDefinition definition() {
			return this.definition;
		}

		String fullName() {
			return this.fullName;
		}

		CronSchedule schedule() {
			return this.schedule;
		}

		JsonNode message() {
			return this.message;
		}

		Instant handled() {
			return this.handled;
		}

		void handled(Instant tick) {
			this.handled = tick;
		}

	}

}
