package dev.edgeruntime.autoconfigure;

import javax.sql.DataSource;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.testsupport.TestDatabase;
import dev.edgeruntime.testsupport.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link DurableTierCheck}: {@code @QueueListener} and {@code @CronJob} methods of an application
 * without the durable tier fail start-up, naming what the application lacks, instead of never running.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class DurableTierCheckTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeCronAutoConfiguration.class,
				EdgeRuntimeDurableTaskAutoConfiguration.class));

	@Test
	void queueListenerWithoutDataSourceShouldFailNamingTheDataSourceProperty() {
		this.contextRunner.withBean("listener", Listener.class).run((context) -> {
			assertThat(context).hasFailed();
			DurableTierUnavailableException failure = unavailable(context.getStartupFailure());
			assertThat(failure.getMethods())
				.containsExactly("@QueueListener " + Listener.class.getName() + ".on (bean 'listener')");
			assertThat(failure.getMissing()).singleElement().asString().contains("no DataSource")
				.contains("spring.datasource.url");
		});
	}

	@Test
	void cronJobWithoutDataSourceShouldFail() {
		this.contextRunner.withBean("job", Job.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(unavailable(context.getStartupFailure()).getMethods())
				.containsExactly("@CronJob " + Job.class.getName() + ".report (bean 'job')");
		});
	}

	@Test
	void withoutJdbcAndDriverShouldNameTheDependenciesToAdd() {
		this.contextRunner.withBean(Listener.class)
			.withBean(Job.class)
			.withClassLoader(new FilteredClassLoader(PGConnection.class, SimpleDriverDataSource.class,
					org.springframework.jdbc.core.JdbcTemplate.class))
			.run((context) -> {
				assertThat(context).hasFailed();
				DurableTierUnavailableException failure = unavailable(context.getStartupFailure());
				assertThat(failure.getMethods()).hasSize(2);
				assertThat(failure.getMissing()).anySatisfy((missing) -> assertThat(missing)
					.contains("org.springframework.boot:spring-boot-starter-jdbc"))
					.anySatisfy((missing) -> assertThat(missing).contains("org.postgresql:postgresql"));
			});
	}

	@Test
	void withSeveralDataSourcesShouldAskForAPrimaryOne() {
		this.contextRunner.withBean(Listener.class)
			.withBean("one", DataSource.class, SimpleDriverDataSource::new)
			.withBean("two", DataSource.class, SimpleDriverDataSource::new)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(unavailable(context.getStartupFailure()).getMissing()).singleElement()
					.asString()
					.contains("2 DataSources [one, two]")
					.contains("@Primary");
			});
	}

	@Test
	void whenTheQueueIsDisabledShouldStartAndSaySoOnce() {
		try (LogCapture log = LogCapture.of(DurableTierCheck.class)) {
			this.contextRunner.withBean(Listener.class)
				.withPropertyValues("edge-runtime.queue.enabled=false")
				.run((context) -> assertThat(context).hasNotFailed());
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.singleElement()
				.asString()
				.startsWith("edge-runtime.queue.enabled is false: @QueueListener " + Listener.class.getName() + ".on")
				.endsWith("will not run");
		}
	}

	@Test
	void queueListenerOfAChildContextShouldFailNamingTheParentsTier() {
		// the parent has the tier; its post-processors do not see the child's beans, whose DataSource is the parent's
		ApplicationContextRunner withDatabase = this.contextRunner
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties());
		withDatabase.run((parent) -> withDatabase.withParent(parent).withBean("listener", Listener.class).run((child) -> {
			assertThat(child).hasFailed();
			assertThat(unavailable(child.getStartupFailure()).getMissing()).singleElement()
				.asString()
				.contains("the durable tier is configured in a parent application context")
				.doesNotContain("no DataSource");
		}));
	}

	@Test
	void whenTheQueueAutoConfigurationIsExcludedShouldStart() {
		// a test that excludes the durable tier's auto-configuration, as with edge-runtime.queue.enabled=false
		SpringApplication application = new SpringApplication(TierExcludedApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		try (ConfigurableApplicationContext context = application.run()) {
			assertThat(context.getBean(Listener.class)).isNotNull();
			assertThat(context.getBean(Job.class)).isNotNull();
		}
	}

	@Test
	void cronJobWhenTheCronAutoConfigurationIsExcludedShouldStart() {
		SpringApplication application = new SpringApplication(CronExcludedApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		try (ConfigurableApplicationContext context = application.run()) {
			assertThat(context.getBean(Job.class)).isNotNull();
		}
	}

	@Test
	void cronJobWhenCronIsDisabledShouldStart() {
		this.contextRunner.withBean(Job.class)
			.withPropertyValues("edge-runtime.cron.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void withoutAnnotatedMethodsShouldStart() {
		this.contextRunner.withBean(Plain.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void startShouldReportTheMethodsAndWhatToAdd(CapturedOutput output) {
		SpringApplication application = new SpringApplication(ListenerApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("These methods need edge-runtime's durable tier (a PostgreSQL DataSource), which is not available:")
			.contains("@QueueListener " + Listener.class.getName() + ".on (bean 'listener')")
			.contains("the application has no DataSource: set spring.datasource.url")
			.contains("set edge-runtime.queue.enabled=false");
	}

	private static DurableTierUnavailableException unavailable(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof DurableTierUnavailableException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("the start-up failure's cause").isInstanceOf(DurableTierUnavailableException.class);
		return (DurableTierUnavailableException) cause;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class })
	static class ListenerApplication {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = EdgeRuntimeQueueAutoConfiguration.class)
	static class TierExcludedApplication {

		@Bean
		Listener listener() {
			return new Listener();
		}

		@Bean
		Job job() {
			return new Job();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = EdgeRuntimeCronAutoConfiguration.class)
	static class CronExcludedApplication {

		@Bean
		Job job() {
			return new Job();
		}

	}

	static class Listener {

		@QueueListener("emails")
		void on(String email) {
		}

	}

	static class Job {

		@CronJob(name = "report", schedule = "0 * * * *", queue = "reports")
		String report() {
			return "{}";
		}

	}

	static class Plain {

		void on(String email) {
		}

	}

}
