package dev.edgeruntime.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link InvalidPropertiesFailureAnalyzer}, through a real application start.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPropertiesFailureAnalyzerTests {

	@Test
	void startWhenPropertiesInvalidShouldReportEachPropertyAndRule(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MinimalConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run("--edge-runtime.budget.before-unload-ratio=1.5",
				"--edge-runtime.shutdown.grace-period=-1s"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: edge-runtime.budget.before-unload-ratio")
			.contains("Value: '1.5'")
			.contains("Reason: must be greater than 0 and at most 1")
			.contains("Property: edge-runtime.shutdown.grace-period")
			.contains("Reason: must not be negative")
			.contains("Change 'edge-runtime.budget.before-unload-ratio': it must be greater than 0 and at most 1.");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EdgeRuntimeAutoConfiguration.class)
	static class MinimalConfiguration {

	}

}
