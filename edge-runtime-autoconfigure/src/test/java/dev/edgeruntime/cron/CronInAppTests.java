package dev.edgeruntime.cron;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqSchemaInitializer;
import dev.edgeruntime.queue.PgmqSchemaMode;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TcpProxy;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The in-app scheduler against the real PostgreSQL: one message per tick however many instances run, and a
 * missed tick fired once after a restart.
 *
 * @author edge-runtime developers
 */
class CronInAppTests {

	private final DataSource shared = TestDatabase.get().dataSource();

	private final JdbcTemplate jdbc = new JdbcTemplate(this.shared);

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private String prefix;

	private String queue;

	@BeforeEach
	void setUp() {
		String id = TestDatabase.uniqueName("");
		this.prefix = "test-" + id + ":";
		this.queue = "tick_" + id;
	}

	@Test
	void ticksWhenTwoInstancesRunAPerSecondScheduleShouldSendOneMessageEach() {
		ApplicationContextRunner instance = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
					EdgeRuntimeCronAutoConfiguration.class))
			.withBean(DataSource.class, () -> new DelegatingDataSource(this.shared))
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.job-name-prefix=" + this.prefix,
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.cron.jobs.beat.schedule=1 seconds",
					"edge-runtime.cron.jobs.beat.queue=" + this.queue,
					"edge-runtime.cron.jobs.beat.message={\"beat\":true}");
		instance.run((first) -> instance.run((second) -> {
			assertThat(first).hasNotFailed();
			assertThat(second).hasNotFailed();
			assertThat(first.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
			assertThat(second.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
			// Only ticks fired while both instances run count: the first may have fired some alone.
			Instant bothRunning = Instant.now();
			int before = messagesPerTick().size();
			await().atMost(Duration.ofSeconds(30)).until(() -> messagesPerTick().size() >= before + 3);
			first.getBean(CronJobs.class).stop();
			second.getBean(CronJobs.class).stop();
			Map<String, Long> perTick = messagesPerTick();
			assertThat(perTick.values()).as("messages per tick").containsOnly(1L);
			assertThat(claimedTicks()).isEqualTo(perTick.size());
			for (CronJobs jobs : List.of(first.getBean(CronJobs.class), second.getBean(CronJobs.class))) {
				assertThat(jobs.inAppScheduler()).isNotNull();
				assertThat(jobs.inAppScheduler().handled("beat")).as("each instance took part in the later ticks")
					.isAfter(bothRunning);
			}
			List<CronJobInfo> jobs = first.getBean(CronJobs.class).list();
			assertThat(jobs).singleElement().satisfies((job) -> {
				assertThat(job.scheduler()).isEqualTo(CronJobs.IN_APP);
				assertThat(job.lastRun()).isNotNull();
				assertThat(job.lastRun().status()).isEqualTo("succeeded");
			});
		}));
	}

	@Test
	void startUpInAppModeShouldSayWhichSchedulerFiresTheJobs() {
		try (LogCapture log = LogCapture.of(CronJobs.class)) {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
						EdgeRuntimeCronAutoConfiguration.class))
				.withBean(DataSource.class, () -> new DelegatingDataSource(this.shared))
				.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.job-name-prefix=" + this.prefix,
						"edge-runtime.queue.notify.enabled=false", "edge-runtime.cron.jobs.nightly.schedule=0 3 * * *",
						"edge-runtime.cron.jobs.nightly.queue=" + this.queue)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(log.events()).anySatisfy((event) -> {
						assertThat(event.getLevel()).isEqualTo(Level.INFO);
						assertThat(event.getFormattedMessage()).isEqualTo(
								"Recurring jobs run on the in-app scheduler: edge-runtime.cron.mode=in-app (1 job)");
					});
				});
		}
	}

	@Test
	void startUpWhenDatabaseIsDownShouldNotFailAndSetJobsUpWhenItIsBack() throws Exception {
		TestDatabase database = TestDatabase.get();
		try (TcpProxy proxy = database.proxy()) {
			List<String> properties = new ArrayList<>(List.of(
					"spring.datasource.hikari.connection-timeout=500", "edge-runtime.cron.mode=in-app",
					"edge-runtime.cron.job-name-prefix=" + this.prefix, "edge-runtime.cron.in-app.poll-interval=200ms",
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.cron.jobs.beat.schedule=1 seconds",
					"edge-runtime.cron.jobs.beat.queue=" + this.queue));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeCronAutoConfiguration.class))
				.withPropertyValues(database.springPropertiesThrough(proxy))
				.withPropertyValues(properties.toArray(String[]::new))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					CronJobs jobs = context.getBean(CronJobs.class);
					assertThat(jobs.scheduler()).isNull();
					proxy.start();
					await().atMost(Duration.ofSeconds(30)).until(() -> CronJobs.IN_APP.equals(jobs.scheduler()));
					await().atMost(Duration.ofSeconds(30)).until(() -> !messagesPerTick().isEmpty());
				});
		}
	}

	@Test
	void ticksWhenMissedDuringARestartShouldFireOnce() {
		MutableClock clock = new MutableClock(Instant.parse("2031-03-01T10:00:30Z"));
		CronJobDefinition job = new CronJobDefinition("minutely", "* * * * *", this.queue, "{\"m\":1}", "test");
		InAppCronScheduler before = scheduler(clock, true, job);
		before.fireDueTicks();
		assertThat(messagesPerTick()).as("a new job waits for its next tick").isEmpty();
		clock.set(Instant.parse("2031-03-01T10:01:00.200Z"));
		before.fireDueTicks();
		before.fireDueTicks();
		assertThat(messagesPerTick()).containsExactly(Map.entry("2031-03-01T10:01:00Z", 1L));

		// Down from 10:01:30 to 10:05:30: the ticks of 10:02 to 10:05 were missed.
		clock.set(Instant.parse("2031-03-01T10:05:30Z"));
		InAppCronScheduler after = scheduler(clock, true, job);
		after.fireDueTicks();
		after.fireDueTicks();
		InAppCronScheduler another = scheduler(clock, true, job);
		another.fireDueTicks();
		assertThat(messagesPerTick()).containsExactly(Map.entry("2031-03-01T10:01:00Z", 1L),
				Map.entry("2031-03-01T10:05:00Z", 1L));

		clock.set(Instant.parse("2031-03-01T10:06:00Z"));
		after.fireDueTicks();
		another.fireDueTicks();
		assertThat(messagesPerTick()).hasSize(3).containsEntry("2031-03-01T10:06:00Z", 1L);
	}

	@Test
	void ticksWhenMissedAndFireMissedTickIsOffShouldNotFire() {
		MutableClock clock = new MutableClock(Instant.parse("2031-03-01T10:00:59Z"));
		CronJobDefinition job = new CronJobDefinition("minutely", "* * * * *", this.queue, "{\"m\":1}", "test");
		InAppCronScheduler before = scheduler(clock, false, job);
		clock.set(Instant.parse("2031-03-01T10:01:00Z"));
		before.fireDueTicks();
		assertThat(messagesPerTick()).hasSize(1);
		clock.set(Instant.parse("2031-03-01T10:05:30Z"));
		InAppCronScheduler after = scheduler(clock, false, job);
		after.fireDueTicks();
		assertThat(messagesPerTick()).hasSize(1);
		clock.set(Instant.parse("2031-03-01T10:06:00Z"));
		after.fireDueTicks();
		assertThat(messagesPerTick()).hasSize(2).containsKey("2031-03-01T10:06:00Z");
	}

	@Test
	void aTickThatComesDueWhileOthersFireShouldBeLookedForAtOnce() {
		// The scheduler reads the clock before firing (10:00:59.9996, nothing due) and after (10:01:00.0004):
		// the minute's tick came due in between, and the next look must not wait for the poll interval.
		MutableClock clock = new MutableClock(Instant.parse("2031-03-01T10:00:30Z"));
		CronJobDefinition job = new CronJobDefinition("minutely", "* * * * *", this.queue, "{\"m\":1}", "test");
		InAppCronScheduler scheduler = scheduler(clock, false, job);
		clock.next(Instant.parse("2031-03-01T10:00:59.999600Z"), Instant.parse("2031-03-01T10:01:00.000400Z"));
		Duration wait = scheduler.fireDueTicks();
		assertThat(messagesPerTick()).isEmpty();
		assertThat(wait).isZero();
		clock.next(Instant.parse("2031-03-01T10:01:00.001Z"), Instant.parse("2031-03-01T10:01:00.002Z"));
		wait = scheduler.fireDueTicks();
		assertThat(messagesPerTick()).containsExactly(Map.entry("2031-03-01T10:01:00Z", 1L));
		assertThat(wait).as("the poll interval, shorter than the minute to the next tick")
			.isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void theWaitBeforeTheNextLookShouldEndAtTheNextTickOfAnyJob() {
		// every 7 s of the epoch: 10:00:31, 10:00:38, ...
		MutableClock clock = new MutableClock(Instant.parse("2031-03-01T10:00:32Z"));
		CronJobDefinition job = new CronJobDefinition("every-seven", "7 seconds", this.queue, "{\"m\":1}", "test");
		InAppCronScheduler scheduler = scheduler(clock, false, job);
		clock.next(Instant.parse("2031-03-01T10:00:37Z"), Instant.parse("2031-03-01T10:00:37.250Z"));
		assertThat(scheduler.fireDueTicks()).isEqualTo(Duration.ofMillis(750));
		assertThat(messagesPerTick()).isEmpty();
	}

	@Test
	void claimsOfAJobNoLongerDeclaredShouldBePrunedButTheLatestAtStart() {
		MutableClock clock = new MutableClock(Instant.parse("2031-03-01T10:00:30Z"));
		CronJobDefinition job = new CronJobDefinition("minutely", "* * * * *", this.queue, "{\"m\":1}", "test");
		scheduler(clock, true, job); // the table exists
		String gone = this.prefix + "renamed-since";
		for (String tick : List.of("2031-02-20T00:00:00Z", "2031-02-21T00:00:00Z", "2031-02-22T00:00:00Z")) {
			this.jdbc.update("INSERT INTO edge_runtime.cron_tick (job_name, tick_time, claimed_by) VALUES (?, ?, 'test')",
					gone, java.sql.Timestamp.from(Instant.parse(tick)));
		}
		scheduler(clock, true, job); // a start, one day of retention
		assertThat(this.jdbc.queryForList("SELECT tick_time FROM edge_runtime.cron_tick WHERE job_name = ?",
				java.sql.Timestamp.class, gone)).extracting(java.sql.Timestamp::toInstant)
			.containsExactly(Instant.parse("2031-02-22T00:00:00Z"));
	}

	private InAppCronScheduler scheduler(Clock clock, boolean fireMissedTick, CronJobDefinition job) {
		new PgmqSchemaInitializer(this.shared, PgmqSchemaMode.AUTO).install();
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(this.shared), this.jsonMapper, 1024 * 1024,
				Duration.ofHours(1), null);
		pgmq.createQueue(this.queue);
		CronOptions options = new CronOptions(CronMode.IN_APP, this.prefix, false, Duration.ofSeconds(10),
				fireMissedTick, Duration.ofDays(1), Duration.ofMinutes(1));
		InAppCronScheduler scheduler = new InAppCronScheduler(new JdbcTemplate(this.shared),
				new TransactionTemplate(new DataSourceTransactionManager(this.shared)), pgmq, clock, options,
				CronRunObserver.NONE);
		JsonNode message = this.jsonMapper.readTree(job.message());
		scheduler.prepare(Map.of(job, message));
		return scheduler;
	}

	private Map<String, Long> messagesPerTick() {
		Map<String, Long> perTick = new LinkedHashMap<>();
		if (!Boolean.TRUE.equals(this.jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class,
				"pgmq.q_" + this.queue))) {
			return perTick;
		}
		this.jdbc.query("SELECT headers->>'" + InAppCronScheduler.TICK_HEADER + "', count(*) FROM pgmq.q_" + this.queue
				+ " GROUP BY 1 ORDER BY 1", (java.sql.ResultSet rs) -> {
					perTick.put(rs.getString(1), rs.getLong(2));
				});
		return perTick;
	}

	private int claimedTicks() {
		Long count = this.jdbc.queryForObject(
				"SELECT count(*) FROM edge_runtime.cron_tick WHERE left(job_name, length(?)) = ?", Long.class,
				this.prefix, this.prefix);
		return (count != null) ? count.intValue() : 0;
	}

	/**
	 * A clock set by the test: it answers the instants queued with {@link #next}, one per read, and then the
	 * last instant it answered or was set to.
	 */
	private static final class MutableClock extends Clock {

		private final java.util.Deque<Instant> next = new java.util.ArrayDeque<>();

		private Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		synchronized void set(Instant now) {
			this.now = now;
		}

		synchronized void next(Instant... instants) {
			this.next.addAll(List.of(instants));
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public synchronized Instant instant() {
			Instant queued = this.next.poll();
			if (queued != null) {
				this.now = queued;
			}
			return this.now;
		}

	}

}
