package dev.edgeruntime.cron;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.edgeruntime.queue.DatabaseFailures;
import dev.edgeruntime.queue.DatabasePrivileges;
import dev.edgeruntime.queue.DatabasePrivileges.Privilege;
import dev.edgeruntime.queue.InsufficientPrivilegeException;
import dev.edgeruntime.queue.QueueNotifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The jobs this application owns in pg_cron's {@code cron.job}: those whose name starts with the owned
 * prefix. Reconciliation runs in one transaction under an advisory lock on the prefix, so instances
 * starting at once apply it one after the other and the later ones find nothing to change.
 *
 * @author edge-runtime developers
 */
final class PgCronRegistry {

	private static final Log logger = LogFactory.getLog(PgCronRegistry.class);

	// "edgc" in ASCII; the second key is the hash of the prefix.
	static final int LOCK_CLASS = 0x65646763;

	private static final String INSTALLED_VERSION = """
			SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'
			""";

	private static final String AVAILABLE = """
			SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_cron'
			""";

	private static final String AVAILABLE_VERSION = """
			SELECT default_version FROM pg_available_extensions WHERE name = 'pg_cron'
			""";

	// cron.database_name is for superusers and members of pg_read_all_settings only: anyone else asking for it
	// fails, so a database user without that right is told it cannot see it rather than failing start-up
	private static final String DATABASES = """
			SELECT current_database(),
				CASE WHEN pg_has_role('pg_read_all_settings', 'USAGE') THEN current_setting('cron.database_name', true)
					ELSE (SELECT setting FROM pg_settings WHERE name = 'cron.database_name') END,
				NOT pg_has_role('pg_read_all_settings', 'USAGE')
					AND NOT EXISTS (SELECT FROM pg_settings WHERE name = 'cron.database_name')
			""";

	private static final String CREATE_EXTENSION = """
			CREATE EXTENSION IF NOT EXISTS pg_cron
			""";

	private static final String LOCK = """
			SELECT pg_advisory_xact_lock(?, hashtext(?))
			""";

	private static final String OWNED = """
			SELECT jobid, jobname, schedule, command, database FROM cron.job
			WHERE left(jobname, length(?)) = ?
				AND (command NOT LIKE '/* edge-runtime owner %' OR left(command, length(?)) = ?)
			""";

	// The queue name and the message reach the command as SQL literals quoted by the server, so no content
	// of theirs can end the literal. The notification, sent when the command's transaction commits, wakes
	// the queue's consumers at once, as a send from the application does (without it they find the message
	// at their next poll).
	private static final String COMMAND = """
			SELECT format('SELECT pgmq.send(%L, %L::jsonb); SELECT pg_notify(%L, %L)', ?::text, ?::text, ?::text,
				?::text)
			""";

	private static final String SCHEDULE = """
			SELECT cron.schedule(?::text, ?::text, ?::text)
			""";

	private static final String SCHEDULE_IN_DATABASE = """
			SELECT cron.schedule_in_database(?::text, ?::text, ?::text, ?::text)
			""";

	private static final String UNSCHEDULE = """
			SELECT cron.unschedule(?::bigint)
			""";

	private static final String JOBS = """
			SELECT j.jobname, j.schedule, j.active, r.status, r.return_message, r.start_time, r.end_time, r.runid
			FROM cron.job j
			LEFT JOIN LATERAL (
				SELECT d.status, d.return_message, d.start_time, d.end_time, d.runid FROM cron.job_run_details d
				WHERE d.jobid = j.jobid ORDER BY d.runid DESC LIMIT 1) r ON true
			WHERE left(j.jobname, length(?)) = ?
				AND (j.command NOT LIKE '/* edge-runtime owner %' OR left(j.command, length(?)) = ?)
			ORDER BY j.jobname
			""";

	private static final String RUNS = """
			SELECT d.runid, j.jobname, d.status FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
			WHERE d.runid > ? AND left(j.jobname, length(?)) = ?
				AND (j.command NOT LIKE '/* edge-runtime owner %' OR left(j.command, length(?)) = ?)
			ORDER BY d.runid
			""";

	// The owned jobs of these names that pg_cron fires in the given database: what an in-app scheduler there
	// fires too.
	private static final String ACTIVE = """
			SELECT jobname FROM cron.job
			WHERE active AND jobname = ANY (?) AND database = ?
				AND (command NOT LIKE '/* edge-runtime owner %' OR left(command, length(?)) = ?)
			""";

	private static final String MAX_RUN = """
			SELECT coalesce(max(runid), 0) FROM cron.job_run_details
			""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final String prefix;

	private final String ownerMark;

	private final Set<Long> counted = new HashSet<>();

	private long runWatermark = -1;

	PgCronRegistry(JdbcTemplate jdbc, TransactionTemplate transactions, String prefix) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.prefix = prefix;
		this.ownerMark = ownerMark(prefix);
	}

	/**
	 * What starts the command of every job this application schedules: its prefix, hex-encoded inside a SQL
	 * comment (no prefix can end the comment). An application whose prefix starts with another's
	 * ({@code edge-runtime:} and {@code edge-runtime:billing:}) then never takes the other's jobs for its own;
	 * a job whose command has no mark (scheduled before marks existed) belongs to whoever's prefix it has.
	 */
	static String ownerMark(String prefix) {
		return "/* edge-runtime owner " + HexFormat.of().formatHex(prefix.getBytes(StandardCharsets.UTF_8)) + " */ ";
	}

	/**
	 * The installed pg_cron version, creating the extension when it is available in this database and
	 * {@code create} is set.
	 * @param create whether to try {@code CREATE EXTENSION pg_cron}
	 * @return the version, or {@code null} when pg_cron is not installed here
	 */
	@Nullable PgCronVersion version(boolean create) {
		String installed = installedVersion();
		if (installed == null && create && canCreate()) {
			try {
				this.jdbc.execute(CREATE_EXTENSION);
				logger.info("Created the pg_cron extension");
				installed = installedVersion();
			}
			catch (DataAccessException ex) {
				// another instance may have created it at the same moment (CREATE EXTENSION IF NOT EXISTS is not
				// safe against that): then it is there, and this instance must use it too
				installed = installedVersion();
				if (installed != null) {
					logger.info("pg_cron was created by another instance at the same moment");
				}
				else {
					logger.info("pg_cron is available but could not be created: "
							+ ex.getMostSpecificCause().getMessage());
				}
			}
		}
		return (installed != null) ? PgCronVersion.parse(installed) : null;
	}

	/**
	 * The pg_cron version that {@link #version(boolean) version(true)} would create, without creating it; for
	 * a database where {@link #version(boolean) version(false)} found none installed.
	 * @return the available version, or {@code null} when pg_cron cannot be created here
	 */
	@Nullable PgCronVersion creatableVersion() {
		if (!canCreate()) {
			return null;
		}
		List<String> versions = this.jdbc.queryForList(AVAILABLE_VERSION, String.class);
		return (versions.isEmpty() || versions.get(0) == null) ? null : PgCronVersion.parse(versions.get(0));
	}

	private @Nullable String installedVersion() {
		List<String> versions = this.jdbc.queryForList(INSTALLED_VERSION, String.class);
		return versions.isEmpty() ? null : versions.get(0);
	}

	private boolean canCreate() {
		Long available = this.jdbc.queryForObject(AVAILABLE, Long.class);
		Databases databases = databases();
		// pg_cron refuses to be created anywhere but cron.database_name.
		// (a user who may not read it may not create pg_cron either: that takes a superuser)
		return available != null && available > 0 && databases.current().equals(databases.cron());
	}

	/**
	 * The database connected to and pg_cron's, or {@code null} as the latter without pg_cron preloaded or
	 * where the database user may not read {@code cron.database_name}.
	 * @return the databases
	 */
	Databases databases() {
		return Objects.requireNonNull(this.jdbc.queryForObject(DATABASES,
				(rs, row) -> new Databases(rs.getString(1), rs.getString(2), rs.getBoolean(3))));
	}

	/**
	 * The schedules pg_cron's own parser refuses, each with its reason ({@code invalid schedule: ...}): every
	 * job's schedule is given to {@code cron.schedule} in one transaction that is rolled back, each behind a
	 * savepoint, so that all of them are known at once and {@code cron.job} is left as it was. Where pg_cron is
	 * to be created, it is created in that transaction too and rolled back with it (or found created by another
	 * instance meanwhile). A failure other than a refused schedule is left to the registration that follows.
	 * @param jobs the jobs
	 * @param create whether pg_cron is not installed yet and must be created for the check
	 * @return the jobs refused, with pg_cron's reasons, in declaration order
	 */
	Map<CronJobDefinition, String> refusedSchedules(List<CronJobDefinition> jobs, boolean create) {
		Map<CronJobDefinition, String> refused = new LinkedHashMap<>();
		if (jobs.isEmpty()) {
			return refused;
		}
		this.transactions.executeWithoutResult((status) -> {
			status.setRollbackOnly();
			if (create) {
				Object beforeCreate = status.createSavepoint();
				try {
					this.jdbc.execute(CREATE_EXTENSION);
				}
				catch (DataAccessException ex) {
					status.rollbackToSavepoint(beforeCreate);
					if (installedVersion() == null) {
						return; // not created here: the registration that follows says why
					}
					// as in version(true): another instance created it meanwhile, and its parser checks these
					logger.info("pg_cron was created by another instance at the same moment");
				}
			}
			for (CronJobDefinition job : jobs) {
				Object savepoint = status.createSavepoint();
				try {
					this.jdbc.queryForObject(SCHEDULE, Long.class, this.prefix + job.name(), job.schedule(),
							"SELECT 1");
					status.releaseSavepoint(savepoint);
				}
				catch (DataAccessException ex) {
					status.rollbackToSavepoint(savepoint);
					String reason = DatabaseFailures.serverMessage(ex);
					if (reason.startsWith("invalid schedule")) {
						refused.put(job, reason);
					}
				}
			}
		});
		return refused;
	}

	/**
	 * Makes the owned jobs in {@code cron.job} those declared: creates the missing, updates the changed,
	 * unschedules the ones no longer declared.
	 * @param jobs the declared jobs with their messages as JSON
	 * @param database the database the jobs run in (the application's)
	 * @return what changed
	 * @throws InsufficientPrivilegeException when the database user may not use pg_cron, saying what to grant
	 */
	Changes reconcile(List<CronJobDefinition> jobs, String database) {
		boolean elsewhere = !database.equals(databases().current());
		try {
			return doReconcile(jobs, database, elsewhere);
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				throw refused(ex, elsewhere);
			}
			throw ex;
		}
	}

	/**
	 * The failure of a registration the database refused for want of a privilege: the grants the user lacks
	 * among those pg_cron needs, or, where it holds them all, none (PostgreSQL's message says what else was
	 * refused, such as {@code permission denied for table job} for a job of another user).
	 */
	private InsufficientPrivilegeException refused(DataAccessException ex, boolean elsewhere) {
		String operation = "Registering the recurring jobs with prefix '" + this.prefix + "' in pg_cron";
		String docs = "docs/cron.md, \"Database privileges\"";
		// pg_cron revokes its function for jobs in another database from PUBLIC; USAGE on schema cron is enough
		// to schedule, see and unschedule one's own jobs in pg_cron's database
		List<Privilege> needed = elsewhere
				? List.of(Privilege.onSchema("cron", "USAGE"), Privilege.onFunction("cron.schedule_in_database", "EXECUTE"))
				: List.of(Privilege.onSchema("cron", "USAGE"));
		if (DatabasePrivileges.lacksAny(this.jdbc, needed)) {
			return DatabasePrivileges.refused(this.jdbc, operation, ex,
					"The database user may not use pg_cron (pg_cron lets each user granted USAGE on schema cron "
							+ "schedule, see and unschedule its own jobs"
							+ (elsewhere ? ", and one granted EXECUTE on cron.schedule_in_database schedule them in "
									+ "another database, as the application's is" : "")
							+ ")",
					List.of(), needed, "set edge-runtime.cron.mode=in-app", docs);
		}
		return DatabasePrivileges.refused(this.jdbc, operation, ex,
				"The database user holds the privileges pg_cron asks of it (USAGE on schema cron"
						+ (elsewhere ? ", EXECUTE on cron.schedule_in_database" : "") + "): PostgreSQL refused "
						+ "something else, which its message names (such as a job of another user)",
				List.of(), List.of(), "set edge-runtime.cron.mode=in-app", docs);
	}

	private Changes doReconcile(List<CronJobDefinition> jobs, String database, boolean elsewhere) {
		return Objects.requireNonNull(this.transactions.execute((status) -> {
			this.jdbc.queryForObject(LOCK, Object.class, LOCK_CLASS, this.prefix);
			Map<String, Existing> existing = new LinkedHashMap<>();
			this.jdbc.query(OWNED, (ResultSet rs) -> {
				existing.put(rs.getString(2),
						new Existing(rs.getLong(1), rs.getString(3), rs.getString(4), rs.getString(5)));
			}, this.prefix, this.prefix, this.ownerMark, this.ownerMark);
			List<String> created = new ArrayList<>();
			List<String> updated = new ArrayList<>();
			for (CronJobDefinition job : jobs) {
				String name = this.prefix + job.name();
				String command = command(job.queue(), job.message());
				Existing current = existing.remove(name);
				if (current == null) {
					schedule(job, name, command, database, elsewhere);
					created.add(job.name());
				}
				else if (!current.schedule().equals(job.schedule()) || !current.command().equals(command)
						|| !current.database().equals(database)) {
					if (!current.database().equals(database)) {
						// Before pg_cron 1.6.3 scheduling an existing name kept its database.
						this.jdbc.queryForObject(UNSCHEDULE, Boolean.class, current.id());
					}
					schedule(job, name, command, database, elsewhere);
					updated.add(job.name());
				}
			}
			List<String> removed = new ArrayList<>();
			existing.forEach((name, job) -> {
				this.jdbc.queryForObject(UNSCHEDULE, Boolean.class, job.id());
				removed.add(name.substring(this.prefix.length()));
			});
			return new Changes(created, updated, removed);
		}));
	}

	private void schedule(CronJobDefinition job, String name, String command, String database, boolean elsewhere) {
		try {
			if (elsewhere) {
				this.jdbc.queryForObject(SCHEDULE_IN_DATABASE, Long.class, name, job.schedule(), command, database);
			}
			else {
				this.jdbc.queryForObject(SCHEDULE, Long.class, name, job.schedule(), command);
			}
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				// a privilege, not the job's schedule: the registration says which
				throw ex;
			}
			throw new IllegalStateException("pg_cron refused cron job '" + job.name() + "' (" + job.source()
					+ ") with the schedule '" + job.schedule() + "': " + ex.getMostSpecificCause().getMessage(), ex);
		}
	}

	/**
	 * The SQL command pg_cron runs for a job: the send, and a notification that wakes the queue's consumers.
	 * @param queue the queue name
	 * @param message the message as JSON
	 * @return the command
	 */
	String command(String queue, String message) {
		return this.ownerMark + Objects.requireNonNull(
				this.jdbc.queryForObject(COMMAND, String.class, queue, message, QueueNotifier.CHANNEL, queue));
	}

	/**
	 * The owned jobs with their latest runs, by full name.
	 * @return the jobs
	 */
	Map<String, Registered> jobs() {
		Map<String, Registered> jobs = new LinkedHashMap<>();
		this.jdbc.query(JOBS, (ResultSet rs) -> {
			String status = rs.getString(4);
			CronRun run = (status != null)
					? new CronRun(instant(rs, 6), instant(rs, 7), status, detail(status, rs.getString(5), rs.getLong(8)))
					: null;
			jobs.put(rs.getString(1), new Registered(rs.getString(2), rs.getBoolean(3), run));
		}, this.prefix, this.prefix, this.ownerMark, this.ownerMark);
		return jobs;
	}

	/**
	 * What a run's detail says: pg_cron's return message, but for a succeeded run, where it is the command tag of
	 * the command's last statement ({@code SELECT 1}, the notification's), the same on every run, what the run
	 * did, with its id in {@code cron.job_run_details}.
	 */
	private static @Nullable String detail(String status, @Nullable String returnMessage, long runId) {
		if (!"succeeded".equals(status)) {
			return returnMessage;
		}
		return "run " + runId + " in cron.job_run_details: the message was sent, its queue's consumers notified";
	}

	/**
	 * The owned jobs among those named that pg_cron fires, active, in the given database.
	 * @param names the jobs' full names (with the prefix)
	 * @param database the database the jobs run in (the application's)
	 * @return the full names of those active in {@code cron.job}
	 */
	Set<String> activeJobs(List<String> names, String database) {
		Set<String> active = new HashSet<>();
		this.jdbc.query((connection) -> {
			var statement = connection.prepareStatement(ACTIVE);
			statement.setArray(1, connection.createArrayOf("text", names.toArray()));
			statement.setString(2, database);
			statement.setString(3, this.ownerMark);
			statement.setString(4, this.ownerMark);
			return statement;
		}, (ResultSet rs) -> {
			active.add(rs.getString(1));
		});
		return active;
	}

	/**
	 * Whether the pg_cron extension is installed in this database.
	 * @return whether {@code cron.job} exists
	 */
	boolean installed() {
		return installedVersion() != null;
	}

	/**
	 * Reports the runs of owned jobs that finished since the last call (since the first call on the first).
	 * @param observer told of each finished run
	 */
	synchronized void reportFinishedRuns(CronRunObserver observer) {
		if (this.runWatermark < 0) {
			Long max = this.jdbc.queryForObject(MAX_RUN, Long.class);
			this.runWatermark = (max != null) ? max : 0;
			return;
		}
		long lowestUnfinished = Long.MAX_VALUE;
		long highest = this.runWatermark;
		List<Object[]> runs = this.jdbc.query(RUNS,
				(rs, row) -> new Object[] { rs.getLong(1), rs.getString(2), rs.getString(3) }, this.runWatermark,
				this.prefix, this.prefix, this.ownerMark, this.ownerMark);
		for (Object[] run : runs) {
			long id = (Long) run[0];
			String status = (String) run[2];
			highest = Math.max(highest, id);
			if ("succeeded".equals(status) || "failed".equals(status)) {
				if (this.counted.add(id)) {
					observer.finished(((String) run[1]).substring(this.prefix.length()), status);
				}
			}
			else {
				lowestUnfinished = Math.min(lowestUnfinished, id);
			}
		}
		// Runs still going keep the watermark below them, so their end is seen on a later call.
		long watermark = (lowestUnfinished != Long.MAX_VALUE) ? lowestUnfinished - 1 : highest;
		this.runWatermark = watermark;
		this.counted.removeIf((id) -> id <= watermark);
	}

	private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	/**
	 * The database connected to and pg_cron's.
	 * @param current the database connected to
	 * @param cron pg_cron's database ({@code cron.database_name}), or {@code null} when pg_cron is not
	 * preloaded or {@code hidden}
	 * @param hidden whether the database user may not read {@code cron.database_name} (only superusers and
	 * members of {@code pg_read_all_settings} may), so whether pg_cron is preloaded is not known
	 */
	record Databases(String current, @Nullable String cron, boolean hidden) {
	}

	record Existing(long id, String schedule, String command, String database) {
	}

	record Registered(String schedule, boolean active, @Nullable CronRun lastRun) {
	}

	/**
	 * What a reconciliation changed, by job name without the prefix.
	 * @param created the jobs created
	 * @param updated the jobs whose schedule, command or database changed
	 * @param removed the jobs unscheduled
	 */
	record Changes(List<String> created, List<String> updated, List<String> removed) {
	}

}
