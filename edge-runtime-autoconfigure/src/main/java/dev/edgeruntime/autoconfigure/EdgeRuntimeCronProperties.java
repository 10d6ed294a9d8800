package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeruntime.cron.CronJobDefinition;
import dev.edgeruntime.cron.CronMode;
import dev.edgeruntime.cron.CronOptions;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueName;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of recurring jobs: pg_cron, or the in-app scheduler without it.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("edge-runtime.cron")
public class EdgeRuntimeCronProperties implements InitializingBean, BeanFactoryAware {

	/**
	 * Whether recurring jobs are scheduled when the durable queue is available.
	 */
	private boolean enabled = true;

	/**
	 * Who fires the ticks: pg_cron when available, else the in-app scheduler (auto), only pg_cron, or only
	 * the in-app scheduler.
	 */
	private CronMode mode = CronMode.AUTO;

	/**
	 * Prefix of the pg_cron job names this application owns; owned jobs no longer declared are unscheduled.
	 */
	private String jobNamePrefix = "edge-runtime:";

	/**
	 * Whether, in auto mode, a pg_cron too old for a schedule (seconds need 1.5+) makes every job run on the
	 * in-app scheduler instead of failing start-up.
	 */
	private boolean fallBackWhenUnsupported;

	/**
	 * Recurring jobs by name.
	 */
	private final Map<String, Job> jobs = new LinkedHashMap<>();

	private final PgCron pgCron = new PgCron();

	private final InApp inApp = new InApp();

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterPropertiesSet() {
		// the messages are read with the mapper CronJobs reads them with: the application's, with its settings
		// (single quotes allowed, say), so that what it reads is never refused here
		JsonMapper jsonMapper = (this.beanFactory != null)
				? this.beanFactory.getBeanProvider(JsonMapper.class).getIfAvailable(JsonMapper::shared)
				: JsonMapper.shared();
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector("edge-runtime.cron");
		invalid.check(this.jobNamePrefix != null && !this.jobNamePrefix.isBlank(), "job-name-prefix", this.jobNamePrefix,
				"must not be blank: it marks the pg_cron jobs this application owns, and every other job would be "
						+ "unscheduled");
		invalid.checkPositive("in-app.poll-interval", this.inApp.getPollInterval());
		invalid.checkPositive("in-app.tick-retention", this.inApp.getTickRetention());
		invalid.checkPositive("pg-cron.run-check-interval", this.pgCron.getRunCheckInterval());
		// the tick retention is taken from the time of a tick in SQL; the intervals are bounded alike
		invalid.checkAtMost("in-app.poll-interval", this.inApp.getPollInterval(), PgmqTemplate.MAX_DURATION,
				PgmqTemplate.MAX_DURATION_RULE);
		invalid.checkAtMost("in-app.tick-retention", this.inApp.getTickRetention(), PgmqTemplate.MAX_DURATION,
				PgmqTemplate.MAX_DURATION_RULE);
		invalid.checkAtMost("pg-cron.run-check-interval", this.pgCron.getRunCheckInterval(), PgmqTemplate.MAX_DURATION,
				PgmqTemplate.MAX_DURATION_RULE);
		// anything else (an empty ${PG_CRON_URL:}, say) never connects: the jobs would wait for a database that
		// is only "unavailable", with no property named
		String url = this.pgCron.getUrl();
		invalid.check(url == null || url.startsWith("jdbc:postgresql:"), "pg-cron.url", url,
				"must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database) of the database pg_cron is "
						+ "installed in (leave it unset when that is the application's database)");
		this.jobs.forEach((name, job) -> {
			String schedule = job.getSchedule();
			invalid.check(schedule != null && !schedule.isBlank(), "jobs." + name + ".schedule", schedule,
					"must be set: a cron expression or an interval such as '30 seconds'");
			String scheduleProblem = (schedule != null && !schedule.isBlank())
					? CronJobDefinition.scheduleProblem(schedule, this.mode) : null;
			invalid.check(scheduleProblem == null, "jobs." + name + ".schedule", schedule,
					"must be a schedule " + ((this.mode == CronMode.IN_APP) ? "the in-app scheduler can run"
							: "pg_cron or the in-app scheduler can run") + "; " + scheduleProblem);
			String queue = job.getQueue();
			invalid.check(queue != null, "jobs." + name + ".queue", queue, "must be set: the queue the job sends to");
			invalid.check(queue == null || QueueName.isValid(queue), "jobs." + name + ".queue", queue,
					"must be a valid queue name: letters, digits and underscores, at most " + QueueName.MAX_LENGTH
							+ " characters");
			String messageProblem = jsonProblem(jsonMapper, job.getMessage());
			invalid.check(messageProblem == null, "jobs." + name + ".message", job.getMessage(),
					"must be JSON text, such as '{\"action\":\"sweep\"}' (in YAML, quoted); " + messageProblem);
		});
		invalid.throwIfAny();
	}

	/**
	 * Why a job's message is not JSON text, as the application's mapper reads it, or {@code null} when it is.
	 */
	private static @Nullable String jsonProblem(JsonMapper jsonMapper, @Nullable String message) {
		if (message == null || message.isBlank()) {
			return "it is empty";
		}
		try {
			jsonMapper.readTree(message);
			return null;
		}
		catch (JacksonException ex) {
			return ex.getOriginalMessage();
		}
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public CronMode getMode() {
		return this.mode;
	}

	public void setMode(CronMode mode) {
		this.mode = mode;
	}

	public String getJobNamePrefix() {
		return this.jobNamePrefix;
	}

	public void setJobNamePrefix(String jobNamePrefix) {
		this.jobNamePrefix = jobNamePrefix;
	}

	public boolean isFallBackWhenUnsupported() {
		return this.fallBackWhenUnsupported;
	}

	public void setFallBackWhenUnsupported(boolean fallBackWhenUnsupported) {
		this.fallBackWhenUnsupported = fallBackWhenUnsupported;
	}

	public Map<String, Job> getJobs() {
		return this.jobs;
	}

	public PgCron getPgCron() {
		return this.pgCron;
	}

	public InApp getInApp() {
		return this.inApp;
	}

	CronOptions toOptions() {
		return new CronOptions(this.mode, this.jobNamePrefix, this.fallBackWhenUnsupported,
				this.inApp.getPollInterval(), this.inApp.isFireMissedTick(), this.inApp.getTickRetention(),
				this.pgCron.getRunCheckInterval());
	}

	List<CronJobDefinition> toDefinitions() {
		List<CronJobDefinition> definitions = new ArrayList<>();
		this.jobs.forEach((name, job) -> {
			String source = "edge-runtime.cron.jobs." + name;
			if (job.getSchedule() == null || job.getQueue() == null) {
				throw new IllegalStateException(source + " needs a schedule and a queue");
			}
			definitions.add(new CronJobDefinition(name, job.getSchedule(), job.getQueue(), job.getMessage(), source));
		});
		return definitions;
	}

	/**
	 * A recurring job.
	 */
	public static class Job {

		/**
		 * When the job runs: five-field cron in UTC, a macro such as @hourly, or '1 to 59 seconds'.
		 */
		private @Nullable String schedule;

		/**
		 * Queue each tick sends the message to; created at start-up when missing.
		 */
		private @Nullable String queue;

		/**
		 * Message each tick sends, as JSON text.
		 */
		private String message = "{}";

		public @Nullable String getSchedule() {
			return this.schedule;
		}

		public void setSchedule(@Nullable String schedule) {
			this.schedule = schedule;
		}

		public @Nullable String getQueue() {
			return this.queue;
		}

		public void setQueue(@Nullable String queue) {
			this.queue = queue;
		}

		public String getMessage() {
			return this.message;
		}

		public void setMessage(String message) {
			this.message = message;
		}

	}

	/**
	 * Where pg_cron is, when it is not in the application's database.
	 */
	public static class PgCron {

		/**
		 * JDBC URL of the database pg_cron is installed in (cron.database_name), when it is not the
		 * application's; jobs are then registered with cron.schedule_in_database.
		 */
		private @Nullable String url;

		/**
		 * Login user of that database; spring.datasource.username when not set.
		 */
		private @Nullable String username;

		/**
		 * Login password of that database; spring.datasource.password when not set.
		 */
		private @Nullable String password;

		/**
		 * How often pg_cron's run details are read to count finished runs in the metrics.
		 */
		private Duration runCheckInterval = Duration.ofMinutes(1);

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public Duration getRunCheckInterval() {
			return this.runCheckInterval;
		}

		public void setRunCheckInterval(Duration runCheckInterval) {
			this.runCheckInterval = runCheckInterval;
		}

	}

	/**
	 * The in-app scheduler, used without pg_cron.
	 */
	public static class InApp {

		/**
		 * Longest wait between two looks at the schedules; also the retry delay after a database failure,
		 * and how often cron.job is looked at for jobs pg_cron fires too.
		 */
		private Duration pollInterval = Duration.ofSeconds(10);

		/**
		 * Whether the latest tick missed while no instance ran is fired once at start-up.
		 */
		private boolean fireMissedTick = true;

		/**
		 * How long claimed ticks are kept in edge_runtime.cron_tick.
		 */
		private Duration tickRetention = Duration.ofDays(1);

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public boolean isFireMissedTick() {
			return this.fireMissedTick;
		}

		public void setFireMissedTick(boolean fireMissedTick) {
			this.fireMissedTick = fireMissedTick;
		}

		public Duration getTickRetention() {
			return this.tickRetention;
		}

		public void setTickRetention(Duration tickRetention) {
			this.tickRetention = tickRetention;
		}

	}

}
