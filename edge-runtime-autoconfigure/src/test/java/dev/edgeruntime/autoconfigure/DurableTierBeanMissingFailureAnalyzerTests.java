package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.queue.PgmqTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link DurableTierBeanMissingFailureAnalyzer}, through a real application start: a component
 * that needs a bean of the durable tier, in an application without the tier, is told what the application
 * lacks for it, not to define the bean itself.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class DurableTierBeanMissingFailureAnalyzerTests {

	@Test
	void startWithoutDataSourceShouldSayTheDurableTierIsNotConfiguredAndWhatItLacks(CapturedOutput output) {
		SpringApplication application = new SpringApplication(SendingApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("required a bean of type 'dev.edgeruntime.queue.PgmqTemplate', which edge-runtime's durable "
					+ "tier provides; the tier is not configured in this application.")
			.contains("Give the application the durable tier (a PostgreSQL DataSource):")
			.contains("the application has no DataSource: set spring.datasource.url")
			.doesNotContain("Consider defining a bean of type 'dev.edgeruntime.queue.PgmqTemplate'");
	}

	@Test
	void startWhenQueueIsDisabledShouldNameTheProperty(CapturedOutput output) {
		SpringApplication application = new SpringApplication(SendingApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run("--edge-runtime.queue.enabled=false"));
		assertThat(output).contains("edge-runtime.queue.enabled is false: remove it, or set it to true")
			.doesNotContain("edge-runtime.queue.tasks.enabled is false");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class })
	static class SendingApplication {

		@Bean
		Sender sender(PgmqTemplate pgmq) {
			return new Sender(pgmq);
		}

	}

	record Sender(PgmqTemplate pgmq) {
	}

}
