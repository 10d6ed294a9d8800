package dev.edgeruntime.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.edgeruntime.queue.QueueListener;
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
 * Tests for {@link QueueListenerMisconfigurationFailureAnalyzer}, through a real application start against
 * the test database: every misconfigured {@code @QueueListener} method is reported with its problems, in
 * the failure analysis and not as a stack trace.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueListenerMisconfigurationFailureAnalyzerTests {

	private final String queue = TestDatabase.uniqueName("lsf_");

	@Test
	void startWhenListenersAreMisconfiguredShouldReportEachMethodAndProblem(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MisconfiguredApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		// as arguments, which take precedence over the test's application.properties (which excludes the DataSource)
		List<String> arguments = new ArrayList<>(List.of("--spring.autoconfigure.exclude=",
				"--edge-runtime.queue.notify.enabled=false", "--test.queue=" + this.queue));
		for (String property : TestDatabase.get().springProperties()) {
			arguments.add("--" + property);
		}
		assertThatException().isThrownBy(() -> application.run(arguments.toArray(String[]::new)));
		String listeners = Misconfigured.class.getName();
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Misconfigured @QueueListener methods:")
			.contains("@QueueListener on " + listeners + ".invalidQueue: Invalid queue name 'bad-queue': only ASCII "
					+ "letters, digits and underscores are allowed")
			.contains("@QueueListener method " + listeners + ".twoParameters must take exactly one parameter")
			.contains("@QueueListener on " + listeners + ".twoProblems: its visibilityTimeout ('250ms') must be at "
					+ "least 300ms")
			.contains("; backoff 'soon' is not a duration such as \"30s\"")
			.contains("Change each method or property as its line says")
			// not left to the stack trace Spring Boot logs for a failure no analyzer reports
			.doesNotContain("Application run failed");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class })
	static class MisconfiguredApplication {

		@Bean
		Misconfigured misconfigured() {
			return new Misconfigured();
		}

	}

	static class Misconfigured {

		@QueueListener(queue = "bad-queue")
		void invalidQueue(String payload) {
		}

		@QueueListener(queue = "${test.queue}_p")
		void twoParameters(String payload, String extra) {
		}

		@QueueListener(queue = "${test.queue}_t", visibilityTimeout = "250ms", backoff = "soon")
		void twoProblems(String payload) {
		}

	}

}
