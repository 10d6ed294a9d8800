package dev.edgeruntime.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link InvalidCronScheduleFailureAnalyzer}, through a real application start against the test
 * database: a recurring job whose schedule cannot run is reported with the job, where it was declared, the
 * schedule as written and why, in the failure analysis and not as a stack trace of a bean that failed to
 * start.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidCronScheduleFailureAnalyzerTests {

	private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void startWhenACronJobMethodHasAnInvalidScheduleShouldReportTheJobTheMethodAndWhy(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(CronJobApplication.class));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid recurring job schedules:")
			.contains("Cron job 'hourly-report' (@CronJob method " + Reports.class.getName() + ".hourly) has the "
					+ "schedule '61 * * * *': its minute field '61' is out of range: 61 is not a minute (0 to 59)")
			.contains("Correct each schedule where its job is declared")
			.doesNotContain("0 61 * * * *")
			.doesNotContain("Failed to start bean")
			.doesNotContain("Application run failed");
	}

	@Test
	void startWhenAPropertyJobHasAnInvalidScheduleShouldReportTheProperty(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(PropertyJobApplication.class,
				"--edge-runtime.cron.jobs.hourly-report.schedule=61 * * * *",
				"--edge-runtime.cron.jobs.hourly-report.queue=reports"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: edge-runtime.cron.jobs.hourly-report.schedule")
			.contains("Value: '61 * * * *'")
			.contains("Reason: must be a schedule pg_cron or the in-app scheduler can run; its minute field '61' is "
					+ "out of range: 61 is not a minute (0 to 59)")
			.doesNotContain("0 61 * * * *")
			.doesNotContain("Failed to start bean");
	}

	@Test
	void startWhenPgCronRefusesAScheduleTheInAppSchedulerRunsShouldReportItAsTheOthers(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(PropertyJobApplication.class, "--edge-runtime.cron.mode=pg-cron",
				"--edge-runtime.cron.jobs.month-end.schedule=0 0 L * *",
				"--edge-runtime.cron.jobs.month-end.queue=reports"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid recurring job schedules:")
			.contains("Cron job 'month-end' (edge-runtime.cron.jobs.month-end) has the schedule '0 0 L * *', which "
					+ "pg_cron 1.4-1 refuses (invalid schedule: 0 0 L * *): its day-of-month field 'L' has 'L' (the "
					+ "last day of the month), which pg_cron does not read: pg_cron 1.5 and later read '$' for it; "
					+ "edge-runtime.cron.mode=in-app would run it as written")
			.contains("Correct each schedule where its job is declared")
			.doesNotContain("pg_cron refused cron job")
			.doesNotContain("Application run failed");
	}

	@Test
	void startWhenPgCronCannotRunASixFieldScheduleShouldReportItAsTheOthers(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(PropertyJobApplication.class, "--edge-runtime.cron.mode=pg-cron",
				"--edge-runtime.cron.jobs.ticker.schedule=*/5 * * * * *", "--edge-runtime.cron.jobs.ticker.queue=ticks"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid recurring job schedules:")
			.contains("Cron job 'ticker' (edge-runtime.cron.jobs.ticker) has the six-field schedule '*/5 * * * * *', "
					+ "with seconds, which pg_cron does not run (it takes five fields, a macro such as @hourly, or "
					+ "'N seconds'). Use one of those, or set edge-runtime.cron.mode=in-app to fire the jobs from the "
					+ "application.")
			.contains("Correct the schedule where its job is declared")
			.doesNotContain("Application run failed");
	}

	@Test
	void startWhenPgCronCannotRunSeveralSchedulesShouldReportThemAllAtOnce(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(PropertyJobApplication.class, "--edge-runtime.cron.mode=pg-cron",
				"--edge-runtime.cron.jobs.ticker.schedule=*/5 * * * * *", "--edge-runtime.cron.jobs.ticker.queue=ticks",
				"--edge-runtime.cron.jobs.poller.schedule=0 */2 * * * *", "--edge-runtime.cron.jobs.poller.queue=polls"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid recurring job schedules:")
			.contains("Cron job 'ticker' (edge-runtime.cron.jobs.ticker) has the six-field schedule '*/5 * * * * *'")
			.contains("Cron job 'poller' (edge-runtime.cron.jobs.poller) has the six-field schedule '0 */2 * * * *'")
			.contains("Correct each schedule where its job is declared")
			.doesNotContain("Application run failed");
	}

	private void run(Class<?> application, String... extra) {
		SpringApplication spring = new SpringApplication(application);
		spring.setWebApplicationType(WebApplicationType.NONE);
		// as arguments, which take precedence over the test's application.properties (which excludes the DataSource)
		List<String> arguments = new ArrayList<>(List.of("--spring.autoconfigure.exclude=",
				"--edge-runtime.queue.notify.enabled=false", "--edge-runtime.cron.job-name-prefix=" + this.prefix));
		for (String property : TestDatabase.get().springProperties()) {
			arguments.add("--" + property);
		}
		arguments.addAll(List.of(extra));
		spring.run(arguments.toArray(String[]::new));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class,
			EdgeRuntimeCronAutoConfiguration.class })
	static class PropertyJobApplication {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class,
			EdgeRuntimeCronAutoConfiguration.class })
	static class CronJobApplication {

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

	static class Reports {

		@CronJob(name = "hourly-report", schedule = "61 * * * *", queue = "reports")
		String hourly() {
			return "{}";
		}

	}

}
