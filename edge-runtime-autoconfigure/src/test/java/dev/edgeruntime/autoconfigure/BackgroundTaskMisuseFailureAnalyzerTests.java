package dev.edgeruntime.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.BackgroundTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link BackgroundTaskMisuseFailureAnalyzer}, through a real application start: every misused
 * method of a bean is reported, in the failure analysis and not as a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class BackgroundTaskMisuseFailureAnalyzerTests {

	@Test
	void startWhenMethodsAreMisusedShouldReportEachMethodAndProblem(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MisusingConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run());
		String misusing = Misusing.class.getName();
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Misused @BackgroundTask methods:")
			.contains("@BackgroundTask method " + misusing + ".negative() is misused: wallClock '-1s' must be "
					+ "greater than 0")
			.contains("@BackgroundTask method " + misusing + ".unparsable() is misused: cpuTime 'abc' is not a "
					+ "duration")
			.contains("@BackgroundTask method " + misusing + ".queueWithoutDurable() is misused: queue and "
					+ "maxAttempts apply to durable work only")
			.contains("Change each method as its line says.");
	}

	@Test
	void startWithoutDurableTierShouldReportTheDurableMethodsOfEveryBean(CapturedOutput output) {
		SpringApplication application = new SpringApplication(DurableConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run());
		String tierMissing = " is misused: durable = true, but the durable tier is not available";
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Misused @BackgroundTask methods:")
			.contains("@BackgroundTask method " + Receipts.class.getName() + ".send(String)" + tierMissing)
			.contains("@BackgroundTask method " + Receipts.class.getName() + ".resend(String)" + tierMissing)
			.contains("@BackgroundTask method " + Exports.class.getName() + ".export(String)" + tierMissing)
			.contains("(bean 'receipts')")
			.contains("(bean 'exports')")
			.contains("the application has no DataSource: set spring.datasource.url")
			// an in-process method of the same beans is not misused
			.doesNotContain(Exports.class.getName() + ".preview(String)");
	}

	@Test
	void startWithoutDurableTierShouldReportTheDurableMethodsOfBeansDeclaredByInterfaceLazyOrMadeByAFactoryBean(
			CapturedOutput output) {
		SpringApplication application = new SpringApplication(DurableConfiguration.class,
				DeclaredOtherwiseConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run());
		String tierMissing = " is misused: durable = true, but the durable tier is not available";
		assertThat(output).contains("Misused @BackgroundTask methods:")
			.contains("@BackgroundTask method " + Receipts.class.getName() + ".send(String)" + tierMissing)
			.contains("@BackgroundTask method " + Exports.class.getName() + ".export(String)" + tierMissing)
			// a @Bean method that declares an interface: the class the bean is has the annotation
			.contains("@BackgroundTask method " + SmtpMailer.class.getName() + ".mail(String)" + tierMissing)
			.contains("(bean 'mailer')")
			// neither made for the report
			.contains("@BackgroundTask method " + Invoices.class.getName() + ".issue(String)" + tierMissing)
			.contains("(bean 'invoices')")
			.contains("@BackgroundTask method " + Refunds.class.getName() + ".refund(String)" + tierMissing)
			.contains("(bean 'refunds')");
		assertThat(DeclaredOtherwiseConfiguration.made).as("beans made for the report").isEmpty();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
			BackgroundTaskAutoConfiguration.class })
	static class DurableConfiguration {

		@Bean
		Receipts receipts() {
			return new Receipts();
		}

		@Bean
		Exports exports() {
			return new Exports();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DeclaredOtherwiseConfiguration {

		static final List<String> made = new CopyOnWriteArrayList<>();

		@Bean
		Mailer mailer() {
			return new SmtpMailer();
		}

		@Bean
		@Lazy
		Invoices invoices() {
			made.add("invoices");
			return new Invoices();
		}

		@Bean
		FactoryBean<Refunds> refunds() {
			return new FactoryBean<>() {

				@Override
				public Refunds getObject() {
					made.add("refunds");
					return new Refunds();
				}

				@Override
				public Class<?> getObjectType() {
					return Refunds.class;
				}

			};
		}

	}

	interface Mailer {

		void mail(String to);

	}

	static class SmtpMailer implements Mailer {

		@Override
		@BackgroundTask(durable = true)
		public void mail(String to) {
		}

	}

	static class Invoices {

		@BackgroundTask(durable = true)
		public void issue(String order) {
		}

	}

	static class Refunds {

		@BackgroundTask(durable = true)
		public void refund(String order) {
		}

	}

	static class Receipts {

		@BackgroundTask(durable = true)
		public void send(String order) {
		}

		@BackgroundTask(durable = true)
		public void resend(String order) {
		}

	}

	static class Exports {

		@BackgroundTask(durable = true)
		public void export(String month) {
		}

		@BackgroundTask
		public void preview(String month) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
			BackgroundTaskAutoConfiguration.class })
	static class MisusingConfiguration {

		@Bean
		Misusing misusing() {
			return new Misusing();
		}

	}

	static class Misusing {

		@BackgroundTask(wallClock = "-1s")
		public void negative() {
		}

		@BackgroundTask(cpuTime = "abc")
		public void unparsable() {
		}

		@BackgroundTask(queue = "mail")
		public void queueWithoutDurable() {
		}

	}

}
