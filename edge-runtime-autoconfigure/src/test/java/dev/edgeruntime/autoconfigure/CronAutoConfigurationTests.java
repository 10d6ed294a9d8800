package dev.edgeruntime.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.edgeruntime.cron.CronHealthIndicator;
import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.cron.CronRunMeters;
import dev.edgeruntime.cron.CronRunObserver;
import dev.edgeruntime.cron.InvalidCronScheduleException;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link EdgeRuntimeCronAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class CronAutoConfigurationTests {

	private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeCronAutoConfiguration.class))
		.withPropertyValues("edge-runtime.cron.job-name-prefix=" + this.prefix, "edge-runtime.queue.notify.enabled=false");

	// The shared pool, behind a wrapper the context cannot close.
	private static DataSource dataSource() {
		return new DelegatingDataSource(TestDatabase.get().dataSource());
	}

	@Test
	void cronJobsWhenNoDataSourceShouldBackOff() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(CronJobs.class);
		});
	}

	@Test
	void cronJobsWhenDisabledShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(PgmqTemplate.class).doesNotHaveBean(CronJobs.class));
	}

	@Test
	void cronJobsWhenQueueIsDisabledShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CronJobs.class));
	}

	@Test
	void cronJobsWithDataSourceShouldStartWithoutJobs() {
		// Whether an earlier test of the run created pg_cron in the shared database depends on the order the
		// test classes run in; with no job, start-up uses pg_cron where it is installed and never creates it.
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		String installed = "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'";
		boolean pgCronBefore = jdbc.queryForObject(installed, Long.class) == 1;
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource).run((context) -> {
			assertThat(context).hasSingleBean(CronJobs.class).hasSingleBean(CronRunMeters.class);
			assertThat(context.getBean(CronJobs.class).list()).isEmpty();
			assertThat(context.getBean(CronJobs.class).scheduler())
				.isEqualTo(pgCronBefore ? CronJobs.PG_CRON : CronJobs.IN_APP);
		});
		assertThat(jdbc.queryForObject(installed, Long.class) == 1).as("pg_cron installed after the start")
			.isEqualTo(pgCronBefore);
	}

	@Test
	void cronRunMetersWhenMicrometerIsAbsentShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CronJobs.class)
				.doesNotHaveBean(CronRunMeters.class));
	}

	@Test
	void cronRunMetersWhenCustomObserverShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withBean(CronRunObserver.class, () -> CronRunObserver.NONE)
			.run((context) -> assertThat(context).doesNotHaveBean(CronRunMeters.class));
	}

	@Test
	void cronHealthIndicatorShouldBeUpAndNameTheScheduler() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.mode=in-app")
			.run((context) -> {
				Health health = context.getBean(CronHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("scheduler", CronJobs.IN_APP)
					.containsEntry("firedTwice", Map.of());
			});
	}

	@Test
	void cronHealthIndicatorWhenDisabledShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("management.health.cron.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(CronJobs.class)
				.doesNotHaveBean(CronHealthIndicator.class));
	}

	@Test
	void cronHealthIndicatorWhenSpringBootHealthIsAbsentShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CronJobs.class)
				.doesNotHaveBean(CronHealthIndicator.class));
	}

	@Test
	void cronJobWhenMessageIsNotJsonShouldFailStartUpNamingThePropertyWithTheOtherInvalidProperties() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.broken.schedule=@daily",
					"edge-runtime.cron.jobs.broken.queue=broken", "edge-runtime.cron.jobs.broken.message={not json",
					"edge-runtime.cron.jobs.blank.schedule=@daily", "edge-runtime.cron.jobs.blank.queue=blank",
					"edge-runtime.cron.jobs.blank.message= ", "edge-runtime.cron.jobs.bad-queue.schedule=@daily",
					"edge-runtime.cron.jobs.bad-queue.queue=bad-queue!")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.jobs.broken.message = '{not json': must be JSON text, such as "
						+ "'{\"action\":\"sweep\"}' (in YAML, quoted); Unexpected character ('n'")
				.hasMessageContaining("edge-runtime.cron.jobs.blank.message = '': must be JSON text")
				.hasMessageContaining("edge-runtime.cron.jobs.bad-queue.queue = 'bad-queue!': must be a valid queue name"));
	}

	@Test
	void cronJobMessageShouldBeCheckedWithTheApplicationsJsonMapper() {
		// an application whose mapper allows single quotes: CronJobs reads the message with it, so must the check
		String queue = "lenient_" + UUID.randomUUID().toString().substring(0, 8);
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withBean(JsonMapper.class, () -> JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build())
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.lenient.schedule=@daily",
					"edge-runtime.cron.jobs.lenient.queue=" + queue,
					"edge-runtime.cron.jobs.lenient.message={'action':'sweep'}")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// sent as the JSON the mapper read, which pg_cron's command and pgmq take too
				assertThat(context.getBean(CronJobs.class).definitions()).singleElement()
					.satisfies((job) -> assertThat(job.message()).isEqualTo("{\"action\":\"sweep\"}"));
			});
		new JdbcTemplate(dataSource()).queryForList("SELECT pgmq.drop_queue(?)", queue);
	}

	@Test
	void cronJobMessageWhenTheApplicationsJsonMapperRefusesItShouldFailStartUpNamingTheProperty() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withBean(JsonMapper.class, () -> JsonMapper.builder().build())
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.quoted.schedule=@daily",
					"edge-runtime.cron.jobs.quoted.queue=quoted",
					"edge-runtime.cron.jobs.quoted.message={'action':'sweep'}")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.jobs.quoted.message = '{'action':'sweep'}': must be JSON text"));
	}

	@Test
	void cronJobMethodWhenItsMessageIsBlankShouldFailStartUpNamingTheMethod() {
		// a blank message was read as no JSON at all, and every tick sent null (a property's blank message is in
		// the properties report, above)
		for (Class<?> job : List.of(EmptyMessageCronJob.class, BlankMessageCronJob.class)) {
			this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
				.withPropertyValues("edge-runtime.cron.mode=in-app")
				.withUserConfiguration(job)
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.cause()
					.hasMessageContaining("The message of cron job 'blank' (@CronJob method " + job.getName()
							+ ".message) is blank, not JSON: write the JSON to send, such as {}"));
		}
	}

	@Test
	void invalidCronPropertiesShouldFailStartUpWithOneReportNamingEveryProperty() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.in-app.poll-interval=0s", "edge-runtime.cron.job-name-prefix= ",
					"edge-runtime.cron.jobs.no-queue.schedule=@daily", "edge-runtime.cron.jobs.bad-queue.schedule=@daily",
					"edge-runtime.cron.jobs.bad-queue.queue=bad-queue!")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.in-app.poll-interval = '0s': must be greater than 0")
				.hasMessageContaining("edge-runtime.cron.job-name-prefix = '': must not be blank")
				.hasMessageContaining("edge-runtime.cron.jobs.no-queue.queue = (not set): must be set")
				.hasMessageContaining("edge-runtime.cron.jobs.bad-queue.queue = 'bad-queue!': must be a valid queue name"));
	}

	@Test
	void pgCronUrlThatIsNoPostgreSQLJdbcUrlShouldFailStartUpNamingTheProperty() {
		// an empty URL (an unset ${PG_CRON_URL:}) or no JDBC URL at all was taken, and the jobs waited, without end,
		// for a database said to be unavailable
		for (String url : List.of("", "postgres://db:5432/cron", "jdbc:mysql://db/cron")) {
			this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
				.withPropertyValues("edge-runtime.cron.pg-cron.url=" + url, "edge-runtime.cron.jobs.nightly.schedule=@daily",
						"edge-runtime.cron.jobs.nightly.queue=nightly")
				.run((context) -> assertThat(context).hasFailed()
					.getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.cron.pg-cron.url = '" + url + "': must be a PostgreSQL JDBC URL "
							+ "(jdbc:postgresql://host:port/database) of the database pg_cron is installed in"));
		}
	}

	@Test
	void cronDurationsLongerThanTheDurableTiersMaximumShouldFailStartUpNamingEachPropertyAndTheBound() {
		// the tick retention is taken from a tick's time in SQL: 300000 years before now is no timestamp
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.in-app.tick-retention=300000d",
					"edge-runtime.cron.in-app.poll-interval=18251d", "edge-runtime.cron.pg-cron.run-check-interval=18251d")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.in-app.tick-retention = '300000d': must be at most 18250d "
						+ "(50 years), the longest duration the durable tier takes")
				.hasMessageContaining("edge-runtime.cron.in-app.poll-interval = '18251d': must be at most 18250d")
				.hasMessageContaining("edge-runtime.cron.pg-cron.run-check-interval = '18251d': must be at most 18250d"));
	}

	@Test
	void cronJobWhenNameIsDeclaredTwiceShouldFailStartUpNamingBothDeclarations() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withUserConfiguration(NightlyReportJob.class)
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.nightly-report.schedule=@daily",
					"edge-runtime.cron.jobs.nightly-report.queue=reports")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.cause()
				.hasMessageContaining("Cron job 'nightly-report' is declared twice")
				.hasMessageContaining("edge-runtime.cron.jobs.nightly-report")
				.hasMessageContaining(NightlyReportJob.class.getName() + ".report"));
	}

	@Test
	void cronJobWhenScheduleIsInvalidShouldFailStartUpNamingTheProperty() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.broken.schedule=every day",
					"edge-runtime.cron.jobs.broken.queue=broken")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.jobs.broken.schedule = 'every day': must be a schedule the "
						+ "in-app scheduler can run; it has 2 fields; a schedule is five-field cron"));
	}

	@Test
	void cronJobWhenScheduleIsOutOfRangeShouldFailBeforeAnyBeanStartsNamingThePropertyAndTheSchedule() {
		// refused whoever would fire it (auto mode): pg_cron refuses it too
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.jobs.hourly.schedule=61 * * * *",
					"edge-runtime.cron.jobs.hourly.queue=hourly")
			.run((context) -> {
				assertThat(context).hasFailed()
					.getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.cron.jobs.hourly.schedule = '61 * * * *': must be a schedule "
							+ "pg_cron or the in-app scheduler can run; its minute field '61' is out of range: 61 is "
							+ "not a minute (0 to 59)")
					.hasMessageNotContaining("0 61 * * * *");
				assertThat(context.getStartupFailure()).hasMessageNotContaining("Failed to start bean");
			});
	}

	@Test
	void cronJobWhenIntervalIsTooLargeForANumberShouldFailNamingThePropertyAndTheIntervalAsWritten() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.jobs.slow.schedule=99999999999 seconds",
					"edge-runtime.cron.jobs.slow.queue=slow")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.jobs.slow.schedule = '99999999999 seconds': must be a schedule "
						+ "pg_cron or the in-app scheduler can run; an interval takes 1 to 59 seconds, as in pg_cron, "
						+ "not 99999999999"));
	}

	@Test
	void cronJobWhenScheduleIsPgCronsOnlyShouldBeRefusedAtOnceOnlyForTheInAppScheduler() {
		// '$' (the last day of the month) is pg_cron's: in auto mode pg_cron, if it runs the job, decides
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.mode=in-app", "edge-runtime.cron.jobs.payroll.schedule=0 12 $ * *",
					"edge-runtime.cron.jobs.payroll.queue=payroll")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.cron.jobs.payroll.schedule = '0 12 $ * *': must be a schedule the "
						+ "in-app scheduler can run; its day-of-month field '$' is not valid"));
	}

	@Test
	void cronJobMethodsWhenSchedulesOfSeveralBeansAreOutOfRangeShouldNameThoseOfEveryBean() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withUserConfiguration(OutOfRangeCronJob.class, OtherOutOfRangeCronJob.class)
			.withPropertyValues("test.schedule=0 24 * * *")
			.run((context) -> {
				assertThat(context).hasFailed();
				// once every bean is made: the failure itself, not that of a bean being made
				assertThat(context).getFailure().isInstanceOf(InvalidCronScheduleException.class);
				assertThat(((InvalidCronScheduleException) context.getStartupFailure()).getProblems()).hasSize(3)
					.anySatisfy((problem) -> assertThat(problem).startsWith("Cron job 'hourly'"))
					.anySatisfy((problem) -> assertThat(problem).startsWith("Cron job 'daily'"))
					.anySatisfy((problem) -> assertThat(problem).isEqualTo("Cron job 'weekly' (@CronJob method "
							+ OtherOutOfRangeCronJob.class.getName() + ".weekly) has the schedule '0 0 * * 8': its "
							+ "day-of-week field '8' is out of range: 8 is not a day-of-week (0 to 7)"));
				assertThat(context.getStartupFailure()).hasMessageNotContaining("Failed to start bean");
			});
	}

	@Test
	void cronJobMethodWhenALazyBeanHasAnOutOfRangeScheduleShouldFailAsItIsMade() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withBean(OtherOutOfRangeCronJob.class, OtherOutOfRangeCronJob::new, (definition) -> definition.setLazyInit(true))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThatException().isThrownBy(() -> context.getBean(OtherOutOfRangeCronJob.class))
					.havingRootCause()
					.isInstanceOf(InvalidCronScheduleException.class)
					.withMessageContaining("Cron job 'weekly'");
			});
	}

	@Test
	void cronJobMethodWhenScheduleIsOutOfRangeShouldFailNamingTheMethodAndTheScheduleAsWritten() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withUserConfiguration(OutOfRangeCronJob.class)
			.withPropertyValues("test.schedule=0 24 * * *")
			.run((context) -> {
				assertThat(context).hasFailed()
					.getFailure()
										.isInstanceOf(InvalidCronScheduleException.class)
					.hasMessageContaining("2 cron job schedules are invalid")
					.hasMessageContaining("Cron job 'hourly' (@CronJob method " + OutOfRangeCronJob.class.getName()
							+ ".hourly) has the schedule '61 * * * *': its minute field '61' is out of range: 61 is "
							+ "not a minute (0 to 59)")
					.hasMessageContaining("Cron job 'daily' (@CronJob method " + OutOfRangeCronJob.class.getName()
							+ ".daily) has the schedule '0 24 * * *' (from schedule = \"${test.schedule}\"): its "
							+ "hour field '24' is out of range")
					.hasMessageNotContaining("0 61 * * * *");
				// once every bean is made, before any bean starts
				assertThat(context.getStartupFailure()).hasMessageNotContaining("Failed to start bean");
			});
	}

	@Test
	void cronJobWhenNameIsTooLongForPgCronShouldFailStartUpNamingTheJob() {
		String name = "j".repeat(60);
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.cron.jobs." + name + ".schedule=@daily",
					"edge-runtime.cron.jobs." + name + ".queue=long_name")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.cause()
				.hasMessageContaining("Cron job '" + name + "'")
				.hasMessageContaining("63 bytes"));
	}

	@Test
	void cronJobsWhenJacksonIsAbsentShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader(JsonMapper.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CronJobs.class));
	}

	@Test
	void cronJobsWhenPostgresDriverIsAbsentShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withClassLoader(new FilteredClassLoader(PGConnection.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CronJobs.class));
	}

	@Test
	void cronJobMethodWithParametersShouldFailStartUpNamingTheMethod() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withUserConfiguration(MisusedCronJobConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining(MisusedCronJob.class.getName() + ".withParameter")
				.hasMessageContaining("must take no parameters"));
	}

	@Test
	void customCronJobsShouldBeUsed() {
		this.contextRunner.withBean(DataSource.class, CronAutoConfigurationTests::dataSource)
			.withUserConfiguration(CustomCronJobsConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(CronJobs.class).hasBean("customCronJobs"));
	}

	@Configuration(proxyBeanMethods = false)
	static class MisusedCronJobConfiguration {

		@Bean
		MisusedCronJob misusedCronJob() {
			return new MisusedCronJob();
		}

	}

	static class OtherOutOfRangeCronJob {

		@CronJob(name = "weekly", schedule = "0 0 * * 8", queue = "weekly")
		String weekly() {
			return "{}";
		}

	}

	static class OutOfRangeCronJob {

		@CronJob(name = "hourly", schedule = "61 * * * *", queue = "hourly")
		String hourly() {
			return "{}";
		}

		@CronJob(name = "daily", schedule = "${test.schedule}", queue = "daily")
		String daily() {
			return "{}";
		}

	}

	static class NightlyReportJob {

		@CronJob(name = "nightly-report", schedule = "0 3 * * *", queue = "reports")
		String report() {
			return "{}";
		}

	}

	static class EmptyMessageCronJob {

		@CronJob(name = "blank", schedule = "@daily", queue = "blank")
		String message() {
			return "";
		}

	}

	static class BlankMessageCronJob {

		@CronJob(name = "blank", schedule = "@daily", queue = "blank")
		String message() {
			return "  ";
		}

	}

	static class MisusedCronJob {

		@CronJob(name = "misused", schedule = "@daily", queue = "misused")
		String withParameter(String parameter) {
			return parameter;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomCronJobsConfiguration {

		@Bean
		CronJobs customCronJobs(PgmqTemplate pgmq) {
			DataSource dataSource = dataSource();
			return new CronJobs(java.util.List.of(), null, pgmq, JsonMapper.builder().build(),
					dataSource, dataSource,
					new dev.edgeruntime.cron.CronOptions(dev.edgeruntime.cron.CronMode.IN_APP, "custom-test:", false,
							java.time.Duration.ofSeconds(10), true, java.time.Duration.ofDays(1),
							java.time.Duration.ofMinutes(1)),
					CronRunObserver.NONE, java.time.Clock.systemUTC(), null);
		}

	}

}
