package dev.edgeruntime.cron;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.QueueNotifier;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Recurring jobs registered with the real pg_cron: reconciliation of {@code cron.job}, the commands it runs,
 * hostile messages, version refusal and run metrics.
 *
 * @author edge-runtime developers
 */
class CronPgCronTests {

	// A tick pg_cron will not reach while a test runs: the tests run the commands themselves.
	private static final String YEARLY = "0 0 1 1 *";

	private final JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private String prefix;

	private String queue;

	private ApplicationContextRunner contextRunner;

	// The shared pool, behind a wrapper the context cannot close.
	private static DataSource dataSource() {
		return new DelegatingDataSource(TestDatabase.get().dataSource());
	}

	@BeforeEach
	void setUp() {
		String id = TestDatabase.uniqueName("");
		this.prefix = "test-" + id + ":";
		this.queue = "cron_" + id;
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
					EdgeRuntimeCronAutoConfiguration.class))
			.withBean(DataSource.class, CronPgCronTests::dataSource)
			.withPropertyValues("edge-runtime.cron.mode=pg-cron", "edge-runtime.cron.job-name-prefix=" + this.prefix,
					"edge-runtime.queue.notify.enabled=false");
	}

	@AfterEach
	void unscheduleOwnedJobs() {
		this.jdbc.update("""
				DELETE FROM cron.job_run_details
				WHERE jobid IN (SELECT jobid FROM cron.job WHERE left(jobname, length(?)) = ?)
				""", this.prefix, this.prefix);
		this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE left(jobname, length(?)) = ?",
				this.prefix, this.prefix);
	}

	@Test
	void reconciliationWhenDeclaredJobsChangeShouldCreateUpdateAndRemoveOwnedJobs() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		String foreign = "other-" + UUID.randomUUID();
		this.jdbc.queryForObject("SELECT cron.schedule(?, ?, 'SELECT 1')", Long.class, foreign, YEARLY);
		try {
			this.contextRunner
				.withPropertyValues(job("a", YEARLY, "{\"n\":1}"))
				.withPropertyValues(job("b", "0 4 * * *", "{\"n\":2}"))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
					assertThat(schedules()).containsExactly(Map.entry(this.prefix + "a", YEARLY),
							Map.entry(this.prefix + "b", "0 4 * * *"));
				});
			long idOfA = jobId("a");
			this.contextRunner
				.withPropertyValues(job("a", "0 5 * * *", "{\"n\":1}"))
				.withPropertyValues(job("c", YEARLY, "{\"n\":3}"))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(schedules()).containsExactly(Map.entry(this.prefix + "a", "0 5 * * *"),
							Map.entry(this.prefix + "c", YEARLY));
				});
			assertThat(jobId("a")).as("an update keeps the job").isEqualTo(idOfA);
			this.contextRunner.withPropertyValues(job("c", YEARLY, "{\"n\":4}")).run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(schedules()).containsOnlyKeys(this.prefix + "c");
				assertThat(command("c")).contains("{\"n\":4}");
			});
			this.contextRunner.run((context) -> assertThat(schedules()).isEmpty());
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM cron.job WHERE jobname = ?", Long.class, foreign))
				.as("a job without the prefix is not this application's").isEqualTo(1);
		}
		finally {
			this.jdbc.queryForObject("SELECT cron.unschedule(?::name)", Boolean.class, foreign);
		}
	}

	@Test
	void reconciliationShouldLogWhatChangedAtInfoAndNothingWhenNothingChanged() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		try (LogCapture log = LogCapture.of(CronJobs.class)) {
			this.contextRunner.withPropertyValues(job("a", YEARLY, "{\"n\":1}"))
				.run((context) -> assertThat(context).hasNotFailed());
			assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.INFO)
				.extracting(ILoggingEvent::getFormattedMessage)
				.containsExactly("pg_cron jobs with prefix '" + this.prefix + "': created [a], updated [], removed []");
			log.clear();
			// the same jobs at the next start (an application restarted, or another instance)
			this.contextRunner.withPropertyValues(job("a", YEARLY, "{\"n\":1}"))
				.run((context) -> assertThat(context).hasNotFailed());
			assertThat(log.events()).filteredOn((event) -> event.getLevel().isGreaterOrEqual(Level.INFO)).isEmpty();
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.contains("pg_cron jobs with prefix '" + this.prefix + "': unchanged");
		}
	}

	@Test
	void registeredCommandWhenRunShouldEnqueueExactlyTheDeclaredMessage() {
		this.contextRunner.withPropertyValues(job("report", YEARLY, "{\"action\":\"process\",\"id\":123}"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				this.jdbc.execute(command("report"));
				assertThat(messages()).containsExactly(this.jsonMapper.readTree("{\"action\":\"process\",\"id\":123}"));
			});
	}

	@Test
	void registeredCommandWhenRunShouldWakeTheQueuesConsumersAsASendFromTheApplicationDoes() throws Exception {
		try (HikariDataSource listening = TestDatabase.get().newDataSource(1);
				Connection connection = listening.getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("LISTEN " + QueueNotifier.CHANNEL);
			this.contextRunner.withPropertyValues(job("woken", YEARLY, "{\"n\":1}")).run((context) -> {
				assertThat(context).hasNotFailed();
				this.jdbc.execute(command("woken"));
			});
			assertThat(messages()).hasSize(1);
			List<String> notified = new ArrayList<>();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> receive(connection, notified).contains(QueueNotifier.CHANNEL + "/" + this.queue));
		}
	}

	@Test
	void registeredJobWhenItsMinuteComesShouldBeRunByPgCronItselfAndWakeTheConsumers() throws Exception {
		// pg_cron 1.4 schedules by the minute: this test waits for the next one, up to a minute.
		try (HikariDataSource listening = TestDatabase.get().newDataSource(1);
				Connection connection = listening.getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("LISTEN " + QueueNotifier.CHANNEL);
			this.contextRunner.withPropertyValues(job("minutely", "* * * * *", "{\"n\":7}")).run((context) -> {
				assertThat(context).hasNotFailed();
				long job = jobId("minutely");
				List<String> notified = new ArrayList<>();
				await().atMost(Duration.ofSeconds(90))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> receive(connection, notified).contains(QueueNotifier.CHANNEL + "/" + this.queue)
							&& !messages().isEmpty());
				assertThat(messages()).first().isEqualTo(this.jsonMapper.readTree("{\"n\":7}"));
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(this.jdbc.queryForList(
							"SELECT status FROM cron.job_run_details WHERE jobid = ? AND status <> 'running'",
							String.class, job))
						.isNotEmpty()
						.allMatch("succeeded"::equals));
				// pg_cron's return message of a succeeded run is the command tag of the command's last statement,
				// the same on every run: the job list says what the run did, and which run it was, instead
				assertThat(this.jdbc.queryForList(
						"SELECT return_message FROM cron.job_run_details WHERE jobid = ? AND status = 'succeeded'",
						String.class, job))
					.isNotEmpty()
					.allMatch("SELECT 1"::equals);
				// (a later minute's run may be going on: its succeeded run is shown once it ends)
				await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
					CronRun run = context.getBean(CronJobs.class).list().get(0).lastRun();
					assertThat(run).isNotNull();
					assertThat(run.status()).isEqualTo("succeeded");
					assertThat(run.detail()).matches("run \\d+ in cron.job_run_details: the message was sent, its "
							+ "queue's consumers notified");
					long runId = Long.parseLong(run.detail().split(" ")[1]);
					assertThat(this.jdbc.queryForObject(
							"SELECT status FROM cron.job_run_details WHERE jobid = ? AND runid = ?", String.class, job,
							runId))
						.isEqualTo("succeeded");
				});
			});
		}
	}

	@Test
	void registeredCommandWhenMessageIsHostileShouldKeepItAsData() {
		this.jdbc.execute("CREATE TABLE IF NOT EXISTS cron_canary (id int)");
		String hostile = "it's $$ $x$ \\ \\' ''; drop table cron_canary; -- \" $$; SELECT 1; $$";
		Map<String, Object> message = Map.of("text", hostile, "it's", "\\$$");
		String json = this.jsonMapper.writeValueAsString(message);
		this.contextRunner.withPropertyValues(job("hostile", YEARLY, json)).run((context) -> {
			assertThat(context).hasNotFailed();
			String command = command("hostile");
			// the application's mark, a comment, then the send
			assertThat(command).startsWith(PgCronRegistry.ownerMark(this.prefix) + "SELECT pgmq.send(");
			this.jdbc.execute(command);
			List<JsonNode> messages = messages();
			assertThat(messages).hasSize(1);
			assertThat(messages.get(0).get("text").asString()).isEqualTo(hostile);
			assertThat(messages.get(0).get("it's").asString()).isEqualTo("\\$$");
			assertThat(this.jdbc.queryForObject("SELECT to_regclass('cron_canary') IS NOT NULL", Boolean.class))
				.isTrue();
		});
	}

	@Test
	void cronJobWhenDeclaredByAnnotationShouldBeRegisteredWithItsMessage() {
		this.contextRunner.withUserConfiguration(AnnotatedJobs.class)
			.withPropertyValues("test.queue=" + this.queue)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(schedules()).containsExactly(Map.entry(this.prefix + "annotated", YEARLY));
				this.jdbc.execute(command("annotated"));
				assertThat(messages()).containsExactly(this.jsonMapper.readTree("{\"kind\":\"daily\"}"));
				List<CronJobInfo> jobs = context.getBean(CronJobs.class).list();
				assertThat(jobs).singleElement().satisfies((job) -> {
					assertThat(job.name()).isEqualTo("annotated");
					assertThat(job.scheduler()).isEqualTo(CronJobs.PG_CRON);
					assertThat(job.active()).isTrue();
					assertThat(job.queue()).isEqualTo(this.queue);
				});
			});
	}

	@Test
	void startUpWhenSecondsScheduleOnPgCronOneDotFourShouldFailWithTheDocumentedMessage() {
		this.contextRunner.withPropertyValues(job("heartbeat", "30 seconds", "{}")).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(UnsupportedCronScheduleException.class)
				.hasMessageContaining("Cron job 'heartbeat'")
				.hasMessageContaining("'30 seconds'")
				.hasMessageContaining("pg_cron 1.4")
				.hasMessageContaining("Upgrade pg_cron to 1.5 or later")
				.hasMessageContaining("edge-runtime.cron.mode=in-app")
				// with mode=pg-cron, falling back is no way out
				.hasMessageNotContaining("fall-back-when-unsupported");
			assertThat(schedules()).isEmpty();
			assertThat(this.jdbc.queryForObject("SELECT to_regclass(?) IS NULL", Boolean.class, "pgmq.q_" + this.queue))
				.as("the refused job's queue was not created").isTrue();
		});
	}

	@Test
	void startUpWhenPgCronCouldBeCreatedShouldCreateItOnlyForJobsItCanRun() {
		// pg_cron available on the server (1.4), not yet created in the database
		this.jdbc.execute("DROP EXTENSION pg_cron");
		// Sessions that used pg_cron keep the id of its table, which a new extension does not have: only new
		// sessions from here on, and again once it is back
		evictPooledSessions();
		try {
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto").run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'",
						Long.class))
					.as("with no job declared, nothing to create the extension for")
					.isZero();
			});
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto")
				.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context).getFailure()
						.rootCause()
						.isInstanceOf(UnsupportedCronScheduleException.class)
						.hasMessageContaining("Cron job 'heartbeat'")
						.hasMessageContaining("pg_cron 1.4")
						.hasMessageEndingWith(" Or, to keep pg_cron and fall back to the in-app scheduler only when "
								+ "pg_cron cannot run a schedule, set edge-runtime.cron.fall-back-when-unsupported=true.");
					assertThat(this.jdbc.queryForObject(
							"SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'", Long.class))
						.as("the failed start left the database as it found it")
						.isZero();
				});
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto")
				.withPropertyValues(job("sweep", "* * * * *", "{}"))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
					assertThat(schedules()).containsExactly(Map.entry(this.prefix + "sweep", "* * * * *"));
				});
		}
		finally {
			this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
			evictPooledSessions();
		}
	}

	private static void evictPooledSessions() {
		((HikariDataSource) TestDatabase.get().dataSource()).getHikariPoolMXBean().softEvictConnections();
	}

	@Test
	void startUpWhenAJobCannotBeScheduledShouldFailBeforeTheWebServerAcceptsRequests() {
		List<String> properties = new ArrayList<>(List.of(TestDatabase.get().springProperties()));
		properties.addAll(List.of("spring.autoconfigure.exclude=", "server.port=0", "spring.main.banner-mode=off",
				"edge-runtime.cron.mode=pg-cron", "edge-runtime.cron.job-name-prefix=" + this.prefix,
				"edge-runtime.queue.notify.enabled=false"));
		properties.addAll(List.of(job("heartbeat", "30 seconds", "{}")));
		WebServerStarts starts = new WebServerStarts();
		// as arguments, which take precedence over the test's application.properties
		String[] arguments = properties.stream().map((property) -> "--" + property).toArray(String[]::new);
		assertThatThrownBy(() -> new SpringApplicationBuilder(WebApplication.class).listeners(starts).run(arguments))
			.rootCause()
			.isInstanceOf(UnsupportedCronScheduleException.class);
		assertThat(starts.count).as("web server starts").isZero();
		assertThat(schedules()).isEmpty();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class WebApplication {

	}

	static class WebServerStarts implements ApplicationListener<WebServerInitializedEvent> {

		private volatile int count;

		@Override
		public void onApplicationEvent(WebServerInitializedEvent event) {
			this.count++;
		}

	}

	@Test
	void startUpWhenSixFieldScheduleOnPgCronShouldFailInsteadOfRegisteringIt() {
		this.contextRunner.withPropertyValues(job("ticker", "*/5 * * * * *", "{}")).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(UnsupportedCronScheduleException.class)
				.hasMessageContaining("Cron job 'ticker'")
				.hasMessageContaining("six-field schedule '*/5 * * * * *'");
			assertThat(schedules()).isEmpty();
		});
		this.contextRunner
			.withPropertyValues("edge-runtime.cron.mode=auto", "edge-runtime.cron.fall-back-when-unsupported=true")
			.withPropertyValues(job("ticker", "*/5 * * * * *", "{}"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
				assertThat(schedules()).isEmpty();
			});
	}

	@Test
	void startUpWhenSeveralSchedulesCannotRunOnPgCronShouldNameThemAllAtOnce() {
		this.contextRunner
			.withPropertyValues(job("ticker", "*/5 * * * * *", "{}"))
			.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
			.withPropertyValues(job("sweep", "* * * * *", "{}"))
			.withPropertyValues(job("poller", "0 */2 * * * *", "{}"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure()
					.rootCause()
					.isInstanceOfSatisfying(UnsupportedCronScheduleException.class, (ex) -> {
						assertThat(ex.getProblems()).hasSize(3);
						assertThat(ex.getProblems()).anySatisfy((line) -> assertThat(line)
							.startsWith("Cron job 'ticker'").contains("six-field schedule '*/5 * * * * *'"));
						assertThat(ex.getProblems()).anySatisfy((line) -> assertThat(line)
							.startsWith("Cron job 'heartbeat'").contains("pg_cron 1.5 or later"));
						assertThat(ex.getProblems()).anySatisfy((line) -> assertThat(line)
							.startsWith("Cron job 'poller'").contains("six-field schedule '0 */2 * * * *'"));
						assertThat(ex.getProblems()).noneSatisfy((line) -> assertThat(line).contains("'sweep'"));
						assertThat(ex.getMessage()).startsWith("3 cron job schedules cannot run on pg_cron 1.4")
							.doesNotContain("fall-back-when-unsupported");
					});
				assertThat(schedules()).isEmpty();
			});
		this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto")
			.withPropertyValues(job("ticker", "*/5 * * * * *", "{}"))
			.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure()
					.rootCause()
					.isInstanceOfSatisfying(UnsupportedCronScheduleException.class, (ex) -> assertThat(
							ex.getProblems())
						.hasSize(3)
						.last()
						.isEqualTo("Or, to keep pg_cron and fall back to the in-app scheduler only when pg_cron cannot "
								+ "run a schedule, set edge-runtime.cron.fall-back-when-unsupported=true."));
			});
	}

	@Test
	void startUpWhenSeveralSchedulesCannotRunOnPgCronAndFallBackIsSetShouldSayEachThenTheFallBack() {
		try (LogCapture log = LogCapture.of(CronJobs.class)) {
			this.contextRunner
				.withPropertyValues("edge-runtime.cron.mode=auto", "edge-runtime.cron.fall-back-when-unsupported=true")
				.withPropertyValues(job("ticker", "*/5 * * * * *", "{}"))
				.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
					assertThat(log.events()).filteredOn((event) -> event.getLevel() == Level.WARN)
						.singleElement()
						.extracting(ILoggingEvent::getFormattedMessage)
						.asString()
						.startsWith("2 cron job schedules cannot run on pg_cron 1.4")
						.contains("\n- Cron job 'ticker'")
						.contains("\n- Cron job 'heartbeat'")
						// said of every job, on a line of its own
						.endsWith(".\nEvery job runs on the in-app scheduler "
								+ "(edge-runtime.cron.fall-back-when-unsupported=true).");
				});
		}
	}

	@Test
	void startUpWhenSecondsScheduleOnOldPgCronAndFallBackIsSetShouldUseInApp() {
		this.contextRunner
			.withPropertyValues("edge-runtime.cron.mode=auto", "edge-runtime.cron.fall-back-when-unsupported=true")
			.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.IN_APP);
				assertThat(schedules()).isEmpty();
			});
	}

	@Test
	void runsWhenOneFailedShouldCountItAndListIt() {
		this.contextRunner
			.withPropertyValues(job("failing", YEARLY, "{}"))
			.withPropertyValues("edge-runtime.cron.pg-cron.run-check-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(CronRunMeters.class).bindTo(registry);
				// A run as pg_cron records one whose command failed.
				this.jdbc.update("""
						INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status,
							return_message, start_time, end_time)
						SELECT jobid, 0, database, username, command, 'failed', 'ERROR: boom', now(), now()
						FROM cron.job WHERE jobname = ?
						""", this.prefix + "failing");
				await().untilAsserted(() -> assertThat(registry.find(CronRunMeters.RUNS)
					.tags("job", "failing", "outcome", "failed")
					.counter()).isNotNull().satisfies((counter) -> assertThat(counter.count()).isEqualTo(1)));
				CronJobInfo info = context.getBean(CronJobs.class).list().get(0);
				assertThat(info.lastRun()).isNotNull();
				assertThat(info.lastRun().status()).isEqualTo("failed");
				assertThat(info.lastRun().detail()).isEqualTo("ERROR: boom");
			});
	}

	@Test
	void runsWhenTheContextIsStoppedAndStartedAgainShouldEachBeCountedOnce() {
		// what a checkpoint of the JVM (CRaC) does to the context: its lifecycle beans stop, then start again
		this.contextRunner
			.withPropertyValues(job("failing", YEARLY, "{}"))
			.withPropertyValues("edge-runtime.cron.pg-cron.run-check-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ConfigurableApplicationContext application = context
					.getSourceApplicationContext(ConfigurableApplicationContext.class);
				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(CronRunMeters.class).bindTo(registry);
				long id = jobId("failing");
				recordFailedRun("failing");
				await().untilAsserted(() -> assertThat(failedRuns(registry)).isEqualTo(1));
				application.stop();
				// pg_cron goes on running the job while the application is stopped
				recordFailedRun("failing");
				application.start();
				assertThat(context.getBean(CronJobs.class).scheduler()).isEqualTo(CronJobs.PG_CRON);
				assertThat(jobId("failing")).as("the registered job kept").isEqualTo(id);
				recordFailedRun("failing");
				await("the run while stopped and the one after").untilAsserted(
						() -> assertThat(failedRuns(registry)).isEqualTo(3));
				assertThat(context.getBean(CronJobs.class).list()).singleElement()
					.satisfies((job) -> assertThat(job.active()).isTrue());
			});
	}

	private void recordFailedRun(String name) {
		// a run as pg_cron records one whose command failed
		this.jdbc.update("""
				INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status,
					return_message, start_time, end_time)
				SELECT jobid, 0, database, username, command, 'failed', 'ERROR: boom', now(), now()
				FROM cron.job WHERE jobname = ?
				""", this.prefix + name);
	}

	private static double failedRuns(SimpleMeterRegistry registry) {
		Counter counter = registry.find(CronRunMeters.RUNS)
			.tags("job", "failing", "outcome", "failed")
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	@Test
	void schedulesRefusedBeforeAnyJobIsScheduledShouldBeOnlyThoseThatPgCronRefusesToo() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		// what start-up refuses at once when pg_cron may fire the jobs (auto, pg-cron)
		for (String schedule : List.of("61 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8",
				"* * * *")) {
			assertThat(CronSchedule.commonProblem(schedule)).as(schedule).isNotNull();
			assertThatThrownBy(() -> this.jdbc.queryForObject("SELECT cron.schedule(?, ?, 'SELECT 1')", Long.class,
					this.prefix + "refused", schedule))
				.as(schedule)
				.hasMessageContaining("invalid schedule");
		}
		// what the in-app scheduler refuses and pg_cron takes is left to pg_cron
		for (String schedule : List.of("@reboot", "5-2 * * * *", "*/61 * * * *", "0 0 * * 7", "0\t9\t*  *\t*")) {
			assertThat(CronSchedule.commonProblem(schedule)).as(schedule).isNull();
			this.jdbc.queryForObject("SELECT cron.schedule(?, ?, 'SELECT 1')", Long.class, this.prefix + "taken",
					schedule);
		}
	}

	@Test
	void scheduleTheInAppSchedulerCannotRunWhenFallingBackToItShouldFailStartUpNamingTheJob() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		// pg_cron 1.4 refuses '30 seconds', so every job moves to the in-app scheduler, which cannot read '$'
		this.contextRunner
			.withPropertyValues("edge-runtime.cron.mode=auto", "edge-runtime.cron.fall-back-when-unsupported=true")
			.withPropertyValues(job("heartbeat", "30 seconds", "{}"))
			.withPropertyValues(job("payroll", "0 12 $ * *", "{}"))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidCronScheduleException.class)
				.hasMessage("Cron job 'payroll' (edge-runtime.cron.jobs.payroll) has the schedule '0 12 $ * *', which "
						+ "the in-app scheduler cannot run: its day-of-month field '$' is not valid: not a number, a "
						+ "name, a range, a list or a step"));
		assertThat(schedules()).isEmpty();
	}

	@Test
	void startUpWhenPgCronRefusesSchedulesShouldReportEveryOneBeforeAnyQueueOrJobIsCreated() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		// what Spring's parser reads and pg_cron's refuses, which only pg_cron itself can say
		this.contextRunner.withPropertyValues(job("sweep", "* * * * *", "{}"))
			.withPropertyValues(job("month_end", "0 0 L * *", "{}"))
			.withPropertyValues(job("offset", "5/15 * * * *", "{}"))
			.withPropertyValues(job("any_day", "0 0 ? * *", "{}"))
			.withPropertyValues(job("never", "*/0 * * * *", "{}"))
			.withPropertyValues(job("shouting", "@HOURLY", "{}"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure().rootCause().isInstanceOf(InvalidCronScheduleException.class);
				InvalidCronScheduleException failure = (InvalidCronScheduleException) rootCause(context.getStartupFailure());
				assertThat(failure.getProblems()).containsExactly(
						"Cron job 'month_end' (edge-runtime.cron.jobs.month_end) has the schedule '0 0 L * *', which "
								+ "pg_cron 1.4-1 refuses (invalid schedule: 0 0 L * *): its day-of-month field 'L' has "
								+ "'L' (the last day of the month), which pg_cron does not read: pg_cron 1.5 and later "
								+ "read '$' for it; edge-runtime.cron.mode=in-app would run it as written",
						"Cron job 'offset' (edge-runtime.cron.jobs.offset) has the schedule '5/15 * * * *', which "
								+ "pg_cron 1.4-1 refuses (invalid schedule: 5/15 * * * *): its minute field '5/15' "
								+ "steps from a single value, which pg_cron does not read: write '5-59/15'; "
								+ "edge-runtime.cron.mode=in-app would run it as written",
						"Cron job 'any_day' (edge-runtime.cron.jobs.any_day) has the schedule '0 0 ? * *', which "
								+ "pg_cron 1.4-1 refuses (invalid schedule: 0 0 ? * *): its day-of-month field '?' has "
								+ "'?', which pg_cron does not read: write '*'; edge-runtime.cron.mode=in-app would run "
								+ "it as written",
						"Cron job 'never' (edge-runtime.cron.jobs.never) has the schedule '*/0 * * * *', which pg_cron "
								+ "1.4-1 refuses (invalid schedule: */0 * * * *); the in-app scheduler cannot run it "
								+ "either: its minute field '*/0' is not valid: Incrementer delta must be 1 or higher",
						"Cron job 'shouting' (edge-runtime.cron.jobs.shouting) has the schedule '@HOURLY', which "
								+ "pg_cron 1.4-1 refuses (invalid schedule: @HOURLY): pg_cron reads a macro in lower "
								+ "case only: write '@hourly'; edge-runtime.cron.mode=in-app would run it as written");
			});
		assertThat(schedules()).as("no job registered, not even the valid one").isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT to_regclass(?) IS NULL", Boolean.class, "pgmq.q_" + this.queue))
			.as("no queue created").isTrue();
	}

	@Test
	void scheduleThatPgCronTakesButReadsOnlyInPartShouldFailStartUpBeforeAnyJobIsScheduled() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		// pg_cron's parser skips what follows a field's list: it takes these without a word
		for (String schedule : List.of("0 9 * * MON#2", "0 9 1#2 * *", "5%2 * * * *")) {
			this.jdbc.queryForObject("SELECT cron.schedule(?, ?, 'SELECT 1')", Long.class, this.prefix + "taken",
					schedule);
		}
		this.jdbc.queryForObject("SELECT cron.unschedule(?)", Boolean.class, this.prefix + "taken");
		this.contextRunner.withPropertyValues(job("sweep", "* * * * *", "{}"))
			.withPropertyValues(job("second_monday", "0 9 * * MON#2", "{}"))
			.withPropertyValues(job("offset", "5/15 * * * *", "{}"))
			.withPropertyValues(job("odd", "0 9 1#2 * *", "{}"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure().rootCause().isInstanceOf(InvalidCronScheduleException.class);
				InvalidCronScheduleException failure = (InvalidCronScheduleException) rootCause(context.getStartupFailure());
				assertThat(failure.getProblems()).containsExactly(
						"Cron job 'second_monday' (edge-runtime.cron.jobs.second_monday) has the schedule "
								+ "'0 9 * * MON#2', which pg_cron 1.4-1 takes but would not run as written: its "
								+ "day-of-week field 'MON#2' is read by pg_cron as 'MON', the '#2' after it skipped "
								+ "(pg_cron has no '#', the nth such day of the month: it would fire on every one of "
								+ "those days); edge-runtime.cron.mode=in-app would run it as written",
						"Cron job 'offset' (edge-runtime.cron.jobs.offset) has the schedule '5/15 * * * *', which "
								+ "pg_cron 1.4-1 refuses (invalid schedule: 5/15 * * * *): its minute field '5/15' "
								+ "steps from a single value, which pg_cron does not read: write '5-59/15'; "
								+ "edge-runtime.cron.mode=in-app would run it as written",
						"Cron job 'odd' (edge-runtime.cron.jobs.odd) has the schedule '0 9 1#2 * *', which pg_cron "
								+ "1.4-1 takes but would not run as written: its day-of-month field '1#2' is read by "
								+ "pg_cron as '1', the '#2' after it skipped; the in-app scheduler cannot run it "
								+ "either: its day-of-month field '1#2' is not valid: not a number, a name, a range, a "
								+ "list or a step");
			});
		assertThat(schedules()).as("no job registered, not even the valid one").isEmpty();
	}

	@Test
	void scheduleThatPgCronTakesButFiresOnOtherValuesShouldFailStartUpBeforeAnyJobIsScheduled() {
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		// pg_cron 1.4 takes these without a word: a range from a higher value to a lower one fires on none of its
		// values (Sunday is 0 to pg_cron, so FRI-SUN is one), a step larger than its field only on its first value
		for (String schedule : List.of("5-2 * * * *", "0 9 * * FRI-SUN", "*/61 * * * *")) {
			this.jdbc.queryForObject("SELECT cron.schedule(?, ?, 'SELECT 1')", Long.class, this.prefix + "taken",
					schedule);
		}
		this.jdbc.queryForObject("SELECT cron.unschedule(?)", Boolean.class, this.prefix + "taken");
		this.contextRunner.withPropertyValues(job("sweep", "* * * * *", "{}"))
			.withPropertyValues(job("backwards", "50-10 * * * *", "{}"))
			.withPropertyValues(job("weekend", "0 9 * * FRI-SUN", "{}"))
			.withPropertyValues(job("rarely", "*/61 * * * *", "{}"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context).getFailure().rootCause().isInstanceOf(InvalidCronScheduleException.class);
				InvalidCronScheduleException failure = (InvalidCronScheduleException) rootCause(context.getStartupFailure());
				assertThat(failure.getProblems()).containsExactly(
						"Cron job 'backwards' (edge-runtime.cron.jobs.backwards) has the schedule '50-10 * * * *', "
								+ "which pg_cron 1.4-1 takes but would not run as written: its minute field '50-10' "
								+ "has the range '50-10', from a higher value to a lower one, which pg_cron does not "
								+ "wrap around: pg_cron 1.4 fires on none of its values: write "
								+ "'50-59,0-10'; the in-app scheduler cannot run it either: its minute field '50-10' "
								+ "is not valid: Minimum value must be less than maximum value",
						"Cron job 'weekend' (edge-runtime.cron.jobs.weekend) has the schedule '0 9 * * FRI-SUN', "
								+ "which pg_cron 1.4-1 takes but would not run as written: its day-of-week field "
								+ "'FRI-SUN' has the range 'FRI-SUN' (5-0, Sunday being 0), from a higher value to a "
								+ "lower one, which pg_cron does not wrap around: pg_cron 1.4 fires on none "
								+ "of its values: write '5-7'; edge-runtime.cron.mode=in-app would run it as written",
						"Cron job 'rarely' (edge-runtime.cron.jobs.rarely) has the schedule '*/61 * * * *', which "
								+ "pg_cron 1.4-1 takes but would not run as written: its minute field '*/61' steps by "
								+ "61, more than the 60 values of the field, so only the first value of its range, 0, "
								+ "would fire: write '0' if that is meant; the in-app scheduler refuses it too");
			});
		assertThat(schedules()).as("no job registered, not even the valid one").isEmpty();
	}

	@Test
	void startUpWhenPgCronCouldBeCreatedAndRefusesAScheduleShouldReportItAndLeaveTheDatabaseAsItWas() {
		this.jdbc.execute("DROP EXTENSION pg_cron");
		evictPooledSessions();
		try {
			this.contextRunner.withPropertyValues("edge-runtime.cron.mode=auto")
				.withPropertyValues(job("weekdays", "0 9 15W * *", "{}"))
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context).getFailure()
						.rootCause()
						.isInstanceOf(InvalidCronScheduleException.class)
						.hasMessage("Cron job 'weekdays' (edge-runtime.cron.jobs.weekdays) has the schedule "
								+ "'0 9 15W * *', which pg_cron 1.4-1 refuses (invalid schedule: 0 9 15W * *): its "
								+ "day-of-month field '15W' has 'W' (the nearest weekday), which pg_cron has no "
								+ "equivalent of; edge-runtime.cron.mode=in-app would run it as written");
				});
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'",
					Long.class))
				.as("the extension created for the check was rolled back with it")
				.isZero();
		}
		finally {
			this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
			evictPooledSessions();
		}
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private String[] job(String name, String schedule, String message) {
		String property = "edge-runtime.cron.jobs." + name;
		return new String[] { property + ".schedule=" + schedule, property + ".queue=" + this.queue,
				property + ".message=" + message };
	}

	private Map<String, String> schedules() {
		Map<String, String> schedules = new java.util.LinkedHashMap<>();
		this.jdbc.query("SELECT jobname, schedule FROM cron.job WHERE left(jobname, length(?)) = ? ORDER BY jobname",
				(java.sql.ResultSet rs) -> {
					schedules.put(rs.getString(1), rs.getString(2));
				}, this.prefix, this.prefix);
		return schedules;
	}

	/** Adds the notifications the listening connection has received ({@code channel/payload}) to a list. */
	private static List<String> receive(Connection connection, List<String> notified) throws Exception {
		PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(100);
		if (notifications != null) {
			for (PGNotification notification : notifications) {
				notified.add(notification.getName() + "/" + notification.getParameter());
			}
		}
		return notified;
	}

	private long jobId(String name) {
		return this.jdbc.queryForObject("SELECT jobid FROM cron.job WHERE jobname = ?", Long.class, this.prefix + name);
	}

	private String command(String name) {
		return this.jdbc.queryForObject("SELECT command FROM cron.job WHERE jobname = ?", String.class,
				this.prefix + name);
	}

	private List<JsonNode> messages() {
		return this.jdbc.queryForList("SELECT message::text FROM pgmq.q_" + this.queue + " ORDER BY msg_id", String.class)
			.stream()
			.map(this.jsonMapper::readTree)
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class AnnotatedJobs {

		@Bean
		DailyReport dailyReport() {
			return new DailyReport();
		}

	}

	static class DailyReport {

		@CronJob(name = "annotated", schedule = YEARLY, queue = "${test.queue}")
		Map<String, String> message() {
			return Map.of("kind", "daily");
		}

	}

}
