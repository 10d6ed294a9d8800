package dev.edgeruntime.cron;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeruntime.queue.DatabaseFailures;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.runtime.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application's recurring jobs. At start-up it creates their queues and hands the jobs to pg_cron
 * (reconciling the jobs this application owns in {@code cron.job}: create, update, unschedule) or to the
 * in-app scheduler, as {@link CronOptions#mode()} and the database allow; {@link #list()} describes them
 * with their latest runs.
 *
 * <p>The jobs' messages are fixed at start-up. Start-up fails, with a message naming the job, when a job is
 * invalid or the installed pg_cron cannot run its schedule.
 *
 * @author edge-runtime developers
 */
public final class CronJobs implements SmartLifecycle {

	/** The name of the pg_cron scheduler in {@link CronJobInfo#scheduler()}. */
	public static final String PG_CRON = "pg_cron";

	/** The name of the in-app scheduler in {@link CronJobInfo#scheduler()}. */
	public static final String IN_APP = "in-app";

	/**
	 * The phase: before the web server starts ({@code DEFAULT_PHASE - 2048}), so that a job that cannot be
	 * scheduled fails start-up before any request is accepted; it stops after the web server and the queue's
	 * consumers, and a tick fired meanwhile waits in its queue.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(CronJobs.class);

	// cron.job.jobname is a PostgreSQL name.
	private static final int MAX_JOB_NAME_BYTES = 63;

	private final List<CronJobDefinition> declared;

	private final @Nullable CronJobAnnotationBeanPostProcessor annotated;

	private final PgmqTemplate pgmq;

	private final ObjectMapper objectMapper;

	private final DataSource dataSource;

	private final DataSource cronDataSource;

	private final CronOptions options;

	private final CronRunObserver observer;

	private final Clock clock;

	private final @Nullable PgmqSchemaInitializer schema;

	private volatile List<CronJobDefinition> jobs = List.of();

	private Map<CronJobDefinition, JsonNode> messages = Map.of();

	private volatile @Nullable String scheduler;

	private volatile @Nullable PgCronRegistry registry;

	private volatile @Nullable InAppCronScheduler inApp;

	private volatile @Nullable DoubleFiringCheck doubleFiring;

	private @Nullable ScheduledExecutorService executor;

	private volatile boolean running;

	/**
	 * Creates a new instance.
	 * @param declared the jobs declared in properties
	 * @param annotated the {@link CronJob} methods, or {@code null} for none
	 * @param pgmq sends the messages (in-app) and creates the queues
	 * @param objectMapper maps messages to JSON
	 * @param dataSource the application's database, where the queues are
	 * @param cronDataSource the database where pg_cron is installed ({@code cron.database_name}), often the
	 * same; a {@link PgCronDataSource} has its kept connection closed as the jobs stop
	 * @param options how to schedule
	 * @param observer told of finished runs
	 * @param clock the clock of the in-app scheduler
	 * @param schema the queue's schema installer, whose state tells whether the database was reachable at
	 * start-up, or {@code null}
	 */
	public CronJobs(List<CronJobDefinition> declared, @Nullable CronJobAnnotationBeanPostProcessor annotated,
			PgmqTemplate pgmq, ObjectMapper objectMapper, DataSource dataSource, DataSource cronDataSource,
			CronOptions options, CronRunObserver observer, Clock clock, @Nullable PgmqSchemaInitializer schema) {
		this.declared = List.copyOf(declared);
		this.annotated = annotated;
		this.pgmq = pgmq;
		this.objectMapper = objectMapper;
		this.dataSource = dataSource;
		this.cronDataSource = cronDataSource;
		this.options = options;
		this.observer = observer;
		this.clock = clock;
		this.schema = schema;
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		if (this.cronDataSource instanceof PgCronDataSource pgCron) {
			pgCron.startKeeping();
		}
		// Everything that can be checked without the database fails start-up here.
		Map<CronJobDefinition, JsonNode> messages = messages(collectDefinitions());
		// Compact JSON, so that a job's command changes only when its message does.
		List<CronJobDefinition> all = messages.keySet().stream().toList();
		if (this.options.mode() == CronMode.IN_APP) {
			checkInAppSchedules(all);
		}
		this.jobs = all;
		this.messages = messages;
		ScheduledThreadPoolExecutor executor = Ticker.daemonScheduler("edge-runtime-cron-setup");
		this.executor = executor;
		this.running = true;
		if (this.schema != null && this.schema.installed() == null) {
			// The queue found the database unreachable and waited for it once already.
			logger.warn("Database unavailable at start-up: recurring jobs are set up when it is back");
			executor.schedule(this::retrySetUp, this.options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
			return;
		}
		try {
			setUp();
		}
		catch (RuntimeException ex) {
			if (!DatabaseFailures.isConnectionFailure(ex)) {
				stop();
				throw ex;
			}
			logger.warn("Database unavailable at start-up, recurring jobs are set up when it is back: "
					+ ex.getMessage());
			executor.schedule(this::retrySetUp, this.options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private synchronized void retrySetUp() {
		ScheduledExecutorService executor = this.executor;
		if (!this.running || executor == null) {
			return;
		}
		try {
			if (this.schema != null && !this.schema.install()) {
				executor.schedule(this::retrySetUp, this.options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
				return;
			}
			setUp();
			logger.info("Recurring jobs set up after the database came back");
		}
		catch (RuntimeException ex) {
			if (DatabaseFailures.isConnectionFailure(ex)) {
				executor.schedule(this::retrySetUp, this.options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
			}
			else {
				// Too late to fail start-up: say it loudly; the jobs stay unscheduled until a restart.
				logger.error("Recurring jobs could not be set up: " + ex.getMessage(), ex);
			}
		}
	}

	private void setUp() {
		List<CronJobDefinition> all = this.jobs;
		// Kept over a stop and a start (a CRaC checkpoint and restore): the runs pg_cron finished meanwhile
		// are reported after the start, from where the reports stopped, and none twice.
		PgCronRegistry registry = this.registry;
		if (registry == null) {
			registry = new PgCronRegistry(new JdbcTemplate(this.cronDataSource), transactions(this.cronDataSource),
					this.options.jobNamePrefix());
		}
		String database = new JdbcTemplate(this.dataSource).queryForObject("SELECT current_database()", String.class);
		PgCronVersion installed = registry.version(false);
		// Where pg_cron can be created, the jobs are checked against the version it would have before it is: a
		// start that fails or falls back to the in-app scheduler leaves the database as it found it.
		// In auto mode with no job declared, the extension is not created either: nothing would use it.
		boolean nothingToCreateFor = installed == null && all.isEmpty() && this.options.mode() == CronMode.AUTO;
		PgCronVersion creatable = (installed == null && this.options.mode() != CronMode.IN_APP && !nothingToCreateFor)
				? registry.creatableVersion() : null;
		if (nothingToCreateFor) {
			logger.debug("No recurring job is declared: the pg_cron extension is not created");
		}
		boolean usePgCron = !nothingToCreateFor
				&& choosePgCron(all, registry, (installed != null) ? installed : creatable);
		if (usePgCron) {
			// pg_cron's own parser, before any queue or the extension is created: what it refuses fails start-up
			// with the same report as every other refused schedule, not as a failed registration
			checkPgCronSchedules(all, registry, installed == null, (installed != null) ? installed : creatable);
		}
		// once no job was refused: a start that fails on a schedule leaves no queue behind either
		for (CronJobDefinition job : all) {
			this.pgmq.createQueue(job.queue());
		}
		if (usePgCron && installed == null) {
			installed = registry.version(true);
			if (installed == null) {
				usePgCron = choosePgCron(all, registry, null); // could not be created after all
			}
		}
		if (usePgCron) {
			log(registry.reconcile(all, database));
		}
		else if (installed != null) {
			// Jobs registered in pg_cron by an earlier start go, so that a switch to in-app never fires a tick twice.
			try {
				log(registry.reconcile(List.of(), database));
			}
			catch (DataAccessException ex) {
				logger.warn("Could not check cron.job for jobs with prefix '" + this.options.jobNamePrefix()
						+ "' left from an earlier start with pg_cron: " + ex.getMostSpecificCause().getMessage());
			}
		}
		if (usePgCron) {
			this.registry = registry;
			startRunChecks(registry);
			this.scheduler = PG_CRON;
		}
		else {
			InAppCronScheduler inApp = new InAppCronScheduler(new JdbcTemplate(this.dataSource),
					transactions(this.dataSource), this.pgmq, this.clock, this.options, this.observer);
			inApp.prepare(this.messages);
			inApp.start();
			this.inApp = inApp;
			this.scheduler = IN_APP;
			startDoubleFiringChecks(registry, installed != null, database, all);
		}
	}

	/**
	 * Where pg_cron is loaded, looks at {@code cron.job} every poll interval for the jobs this instance fires
	 * in-app: an instance in another mode started after this one registers them again. Nothing is read where
	 * pg_cron cannot appear without a restart of PostgreSQL (not loaded, or loaded for another database).
	 */
	private void startDoubleFiringChecks(PgCronRegistry registry, boolean installed, String database,
			List<CronJobDefinition> all) {
		ScheduledExecutorService executor = this.executor;
		if (all.isEmpty() || executor == null) {
			return;
		}
		if (!installed) {
			try {
				PgCronRegistry.Databases databases = registry.databases();
				// where the user may not read where pg_cron lives, pg_extension is read: it may appear there
				if (!databases.hidden()
						&& (databases.cron() == null || !databases.cron().equals(databases.current()))) {
					return;
				}
			}
			catch (DataAccessException ex) {
				logger.debug("Could not read where pg_cron lives: " + ex.getMessage(), ex);
				return;
			}
		}
		String because = (this.options.mode() == CronMode.IN_APP) ? "edge-runtime.cron.mode=in-app"
				: "edge-runtime.cron.mode=" + this.options.mode().name().toLowerCase(Locale.ROOT).replace('_', '-')
						+ ", which fell back to it at start-up";
		DoubleFiringCheck check = new DoubleFiringCheck(registry, this.options.jobNamePrefix(),
				all.stream().map(CronJobDefinition::name).toList(), database, installed, because);
		this.doubleFiring = check;
		long interval = this.options.pollInterval().toMillis();
		executor.scheduleWithFixedDelay(check::check, interval, interval, TimeUnit.MILLISECONDS);
	}

	private void log(PgCronRegistry.Changes changes) {
		if (changes.created().isEmpty() && changes.updated().isEmpty() && changes.removed().isEmpty()) {
			logger.debug("pg_cron jobs with prefix '" + this.options.jobNamePrefix() + "': unchanged");
			return;
		}
		logger.info("pg_cron jobs with prefix '" + this.options.jobNamePrefix() + "': created " + changes.created()
				+ ", updated " + changes.updated() + ", removed " + changes.removed());
	}

	private boolean choosePgCron(List<CronJobDefinition> all, PgCronRegistry registry,
			@Nullable PgCronVersion version) {
		CronMode mode = this.options.mode();
		if (mode == CronMode.IN_APP) {
			checkInAppSchedules(all);
			if (!all.isEmpty()) {
				// said as the other ways to the in-app scheduler say it, so a log tells which fires the jobs
				logger.info("Recurring jobs run on the in-app scheduler: edge-runtime.cron.mode=in-app ("
						+ all.size() + ((all.size() == 1) ? " job)" : " jobs)"));
			}
			return false;
		}
		if (version == null) {
			PgCronRegistry.Databases databases = registry.databases();
			String why = databases.hidden() ? "the pg_cron extension is not installed in this database, and the "
					+ "database user may not read cron.database_name (superusers and members of pg_read_all_settings "
					+ "may) nor create pg_cron (superusers may): have a superuser run CREATE EXTENSION pg_cron in the "
					+ "database cron.database_name names, and grant the user USAGE on schema cron"
					: (databases.cron() == null) ? "pg_cron is not loaded (shared_preload_libraries)"
					: (!databases.cron().equals(databases.current()))
							? "pg_cron lives in database '" + databases.cron() + "' (cron.database_name), not in '"
									+ databases.current() + "'; set edge-runtime.cron.pg-cron.url to reach it"
							: "the pg_cron extension is not installed and could not be created";
			if (mode == CronMode.PG_CRON) {
				throw new IllegalStateException("edge-runtime.cron.mode=pg-cron, but " + why
						+ ". Install pg_cron or set edge-runtime.cron.mode=in-app.");
			}
			logger.info("Recurring jobs run on the in-app scheduler: " + why);
			checkInAppSchedules(all);
			return false;
		}
		// every job pg_cron cannot run is named at once, not one per restart
		List<UnsupportedCronScheduleException> unsupported = new ArrayList<>();
		for (CronJobDefinition job : all) {
			try {
				version.requireSupported(job);
			}
			catch (UnsupportedCronScheduleException ex) {
				unsupported.add(ex);
			}
		}
		if (!unsupported.isEmpty()) {
			if (mode == CronMode.AUTO && this.options.fallBackWhenUnsupported()) {
				// after the list of several on a line of its own, not as if said of the last one
				logger.warn(UnsupportedCronScheduleException.of(unsupported, null).getMessage()
						+ ((unsupported.size() > 1) ? "\n" : " ")
						+ "Every job runs on the in-app scheduler (edge-runtime.cron.fall-back-when-unsupported=true).");
				checkInAppSchedules(all);
				return false;
			}
			// in auto mode, the one setting that lets this start go on, named where the failure is read
			throw UnsupportedCronScheduleException.of(unsupported,
					(mode == CronMode.AUTO) ? "Or, to keep pg_cron and fall back to the in-app scheduler only when "
							+ "pg_cron cannot run a schedule, set edge-runtime.cron.fall-back-when-unsupported=true."
							: null);
		}
		return true;
	}

	private static void checkPgCronSchedules(List<CronJobDefinition> all, PgCronRegistry registry, boolean create,
			@Nullable PgCronVersion version) {
		List<String> problems = new ArrayList<>();
		Map<CronJobDefinition, String> refused = registry.refusedSchedules(all, create);
		String pgCron = "pg_cron " + ((version != null) ? version.text() + " " : "");
		for (CronJobDefinition job : all) {
			String reason = refused.get(job);
			// what pg_cron takes but reads only in part is fired on other days than the schedule says
			String ignored = (reason == null) ? CronSchedule.pgCronIgnored(job.schedule()) : null;
			if (reason == null && ignored == null) {
				continue;
			}
			String why;
			if (reason != null) {
				String advice = CronSchedule.pgCronAdvice(job.schedule());
				why = "refuses (" + reason + ")" + ((advice != null) ? ": " + advice : "");
			}
			else {
				why = "takes but would not run as written: " + ignored;
			}
			String inApp = CronSchedule.inAppProblem(job.schedule());
			problems.add("Cron job '" + job.name() + "' (" + job.source() + ") has the schedule '" + job.schedule()
					+ "', which " + pgCron + why
					+ ((inApp == null) ? "; edge-runtime.cron.mode=in-app would run it as written"
							: (ignored != null && ignored.contains(inApp)) ? "; the in-app scheduler refuses it too"
									: "; the in-app scheduler cannot run it either: " + inApp));
		}
		if (!problems.isEmpty()) {
			throw new InvalidCronScheduleException(problems);
		}
	}

	private static void checkInAppSchedules(List<CronJobDefinition> all) {
		List<String> problems = new ArrayList<>();
		for (CronJobDefinition job : all) {
			String problem = CronSchedule.inAppProblem(job.schedule());
			if (problem != null) {
				problems.add("Cron job '" + job.name() + "' (" + job.source() + ") has the schedule '" + job.schedule()
						+ "', which the in-app scheduler cannot run: " + problem);
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidCronScheduleException(problems);
		}
	}

	private List<CronJobDefinition> collectDefinitions() {
		List<CronJobDefinition> all = new ArrayList<>(this.declared);
		if (this.annotated != null) {
			all.addAll(this.annotated.definitions(this.objectMapper));
		}
		Map<String, String> sources = new HashMap<>();
		for (CronJobDefinition job : all) {
			String other = sources.putIfAbsent(job.name(), job.source());
			if (other != null) {
				throw new IllegalStateException("Cron job '" + job.name() + "' is declared twice (" + other + " and "
						+ job.source() + "); job names must be unique");
			}
			int length = (this.options.jobNamePrefix() + job.name()).getBytes(StandardCharsets.UTF_8).length;
			if (length > MAX_JOB_NAME_BYTES) {
				// PostgreSQL would cut the name short and no later start-up would find the job again.
				throw new IllegalStateException("Cron job '" + job.name() + "' (" + job.source() + ") with the prefix '"
						+ this.options.jobNamePrefix() + "' has a name of " + length + " bytes; pg_cron job names hold "
						+ MAX_JOB_NAME_BYTES + " bytes. Shorten the name or edge-runtime.cron.job-name-prefix.");
			}
		}
		return List.copyOf(all);
	}

	private Map<CronJobDefinition, JsonNode> messages(List<CronJobDefinition> all) {
		Map<CronJobDefinition, JsonNode> messages = new LinkedHashMap<>();
		for (CronJobDefinition job : all) {
			try {
				JsonNode message = this.objectMapper.readTree(job.message());
				if (message.isMissingNode()) {
					// Jackson reads no content as a missing node, which it writes as null: every tick sent null
					throw new IllegalStateException("The message of cron job '" + job.name() + "' (" + job.source()
							+ ") is blank, not JSON: write the JSON to send, such as {} (the message when none is set)");
				}
				String json = this.objectMapper.writeValueAsString(message);
				messages.put(new CronJobDefinition(job.name(), job.schedule(), job.queue(), json, job.source()), message);
			}
			catch (JacksonException ex) {
				throw new IllegalStateException("The message of cron job '" + job.name() + "' (" + job.source()
						+ ") is not valid JSON: " + ex.getOriginalMessage(), ex);
			}
		}
		return messages;
	}

	private void startRunChecks(PgCronRegistry registry) {
		registry.reportFinishedRuns(this.observer);
		ScheduledExecutorService executor = this.executor;
		if (executor == null) {
			return;
		}
		long interval = this.options.runCheckInterval().toMillis();
		executor.scheduleWithFixedDelay(() -> {
			try {
				registry.reportFinishedRuns(this.observer);
			}
			catch (RuntimeException ex) {
				logger.debug("Reading pg_cron's run details failed: " + ex.getMessage(), ex);
			}
		}, interval, interval, TimeUnit.MILLISECONDS);
	}

	private static TransactionTemplate transactions(DataSource dataSource) {
		return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor;
		InAppCronScheduler inApp;
		synchronized (this) {
			this.running = false;
			executor = this.executor;
			this.executor = null;
			inApp = this.inApp;
		}
		if (executor != null) {
			executor.shutdownNow();
		}
		if (inApp != null) {
			inApp.stop();
		}
		if (this.cronDataSource instanceof PgCronDataSource pgCron) {
			// kept again after a start; until then no reader keeps one open (a checkpoint of the JVM must find it
			// closed)
			pgCron.stopKeeping();
		}
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Who fires the ticks.
	 * @return {@link #PG_CRON} or {@link #IN_APP}, or {@code null} before start-up
	 */
	public @Nullable String scheduler() {
		return this.scheduler;
	}

	/**
	 * The declared jobs (properties and {@link CronJob} methods), known after start-up.
	 * @return the jobs
	 */
	public List<CronJobDefinition> definitions() {
		return this.jobs;
	}

	/**
	 * The jobs with their latest runs: pg_cron's {@code cron.job} and {@code cron.job_run_details}, or the
	 * in-app scheduler's claimed ticks. Reads the database.
	 * @return the jobs, in declaration order
	 */
	public List<CronJobInfo> list() {
		String scheduler = this.scheduler;
		PgCronRegistry registry = this.registry;
		InAppCronScheduler inApp = this.inApp;
		List<CronJobInfo> result = new ArrayList<>();
		if (PG_CRON.equals(scheduler) && registry != null) {
			Map<String, PgCronRegistry.Registered> registered = registry.jobs();
			for (CronJobDefinition job : this.jobs) {
				PgCronRegistry.Registered entry = registered.get(this.options.jobNamePrefix() + job.name());
				result.add(new CronJobInfo(job.name(), (entry != null) ? entry.schedule() : job.schedule(), job.queue(),
						PG_CRON, entry != null && entry.active(), (entry != null) ? entry.lastRun() : null));
			}
		}
		else if (IN_APP.equals(scheduler) && inApp != null) {
			Map<String, CronRun> runs = inApp.latestRuns();
			DoubleFiringCheck doubleFiring = this.doubleFiring;
			for (CronJobDefinition job : this.jobs) {
				boolean firedTwice = doubleFiring != null && doubleFiring.firedTwice(job.name());
				result.add(new CronJobInfo(job.name(), job.schedule(), job.queue(), IN_APP, this.running,
						runs.get(job.name()), firedTwice ? PG_CRON : null));
			}
		}
		else {
			for (CronJobDefinition job : this.jobs) {
				result.add(new CronJobInfo(job.name(), job.schedule(), job.queue(), "none", false, null));
			}
		}
		return result;
	}

	/**
	 * The jobs that another scheduler fires too, each tick then sending two messages, as this instance last
	 * looked (every {@link CronOptions#pollInterval() poll interval}): without reading the database, for a
	 * health check. Under the in-app scheduler, the jobs {@code cron.job} holds active too (an instance in
	 * another {@code edge-runtime.cron.mode} registered them), each with {@link #PG_CRON}, as
	 * {@link CronJobInfo#alsoFiredBy()} says it.
	 * @return who else fires each such job, by job name, in declaration order; empty when none is
	 */
	public Map<String, String> alsoFiredBy() {
		DoubleFiringCheck doubleFiring = this.doubleFiring;
		Map<String, String> firedTwice = new LinkedHashMap<>();
		if (doubleFiring != null && IN_APP.equals(this.scheduler)) {
			for (CronJobDefinition job : this.jobs) {
				if (doubleFiring.firedTwice(job.name())) {
					firedTwice.put(job.name(), PG_CRON);
				}
			}
		}
		return firedTwice;
	}

	@Nullable InAppCronScheduler inAppScheduler() {
		return this.inApp;
	}

	@Nullable DoubleFiringCheck doubleFiringCheck() {
		return this.doubleFiring;
	}

}
