package dev.edgeruntime.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnknownPropertiesNotice}: a misspelt {@code edge-runtime.*} property is named at start-up
 * instead of being ignored without a word.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownPropertiesNoticeTests {

	@Test
	void startWithMisspeltPropertyWarnsNamingItAndTheNearestProperty(CapturedOutput output) {
		SpringApplication application = application();
		try (ConfigurableApplicationContext context = application.run("--edge-runtime.max-in-fligt=5",
				"--edge-runtime.budget.wallclok=1s", "--edge-runtime.budget.cpu-time=2s")) {
			assertThat(output).contains("Ignored 2 properties that edge-runtime does not have: "
					+ "edge-runtime.budget.wallclok (did you mean edge-runtime.budget.wall-clock?); "
					+ "edge-runtime.max-in-fligt (did you mean edge-runtime.max-in-flight?). "
					+ "Correct or remove them; docs/configuration.md lists every property")
				.doesNotContain("edge-runtime.budget.cpu-time (");
		}
	}

	@Test
	void startWithKnownPropertiesOnlySaysNothing(CapturedOutput output) {
		SpringApplication application = application();
		try (ConfigurableApplicationContext context = application.run("--edge-runtime.max-in-flight=5")) {
			assertThat(output).doesNotContain("edge-runtime does not have");
		}
	}

	@Test
	void everyPropertyOfTheMetadataIsKnown() throws IOException {
		Map<String, Object> properties = new LinkedHashMap<>();
		try (InputStream json = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(json).as("the configuration metadata the build generates").isNotNull();
			for (JsonNode property : JsonMapper.builder().build().readTree(json).get("properties")) {
				String name = property.get("name").asString();
				if (name.startsWith("edge-runtime.") && !property.get("type").asString().startsWith("java.util.Map")) {
					properties.put(name, "x");
				}
			}
		}
		assertThat(properties).hasSizeGreaterThan(50);
		properties.put("edge-runtime.cron.jobs.nightly-report.schedule", "0 3 * * *");
		properties.put("edge-runtime.cron.jobs.nightly-report.queue", "reports");
		properties.put("edge-runtime.cron.jobs.nightly-report.message", "{}");
		assertThat(noticeFor(properties).unknownProperties()).isEmpty();
	}

	@Test
	void misspeltPropertyOfAPartThatIsOffIsNamed() {
		UnknownPropertiesNotice notice = noticeFor(Map.of("edge-runtime.queue.enabled", "false",
				"edge-runtime.queue.consumer.concurency", "4", "edge-runtime.cron.jobs.nightly.shedule", "@daily"));
		assertThat(notice.unknownProperties()).containsExactlyInAnyOrder(
				"edge-runtime.queue.consumer.concurency (did you mean edge-runtime.queue.consumer.concurrency?)",
				"edge-runtime.cron.jobs.nightly.shedule (did you mean edge-runtime.cron.jobs.nightly.schedule?)");
	}

	@Test
	void singleMisspeltPropertyIsNamedAlone(CapturedOutput output) {
		SpringApplication application = application();
		try (ConfigurableApplicationContext context = application.run("--edge-runtime.retention.max-cont=5")) {
			assertThat(output).contains("Ignored a property that edge-runtime does not have: "
					+ "edge-runtime.retention.max-cont (did you mean edge-runtime.retention.max-count?). "
					+ "Correct or remove it; docs/configuration.md lists every property");
		}
	}

	@Test
	void relaxedFormsOfAPropertyAreThatProperty() {
		UnknownPropertiesNotice notice = noticeFor(Map.of("edge-runtime.maxInFlight", "5", "edge-runtime.max-inflight", "5",
				"edge-runtime.budget.before_unload_ratio", "0.5", "edge-runtime.queue.consumer.maxAttempts", "3"));
		assertThat(notice.unknownProperties()).isEmpty();
	}

	@Test
	void environmentVariablesAreNotLookedAt() {
		StandardEnvironment environment = environment();
		environment.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource("env", Map.of("EDGE_RUNTIME_MAXINFLIGHT", "5")));
		assertThat(new UnknownPropertiesNotice(environment).unknownProperties()).isEmpty();
	}

	@Test
	void nameFarFromEveryPropertyIsNamedAlone() {
		assertThat(noticeFor(Map.of("edge-runtime.something-else-entirely", "1")).unknownProperties())
			.containsExactly("edge-runtime.something-else-entirely");
	}

	/** An application whose environment leaves out the system properties a build may pass to the tests. */
	private static SpringApplication application() {
		SpringApplication application = new SpringApplication(MinimalConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setEnvironment(environment());
		return application;
	}

	@Test
	void everyGroupCanBeBoundInANativeImage() {
		RuntimeHints hints = new RuntimeHints();
		new UnknownPropertiesNotice.Hints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(EdgeRuntimeProperties.class, "setMaxInFlight"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(EdgeRuntimeDashboardProperties.class, "setCancelEnabled")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(EdgeRuntimeCronProperties.Job.class, "setSchedule")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(EdgeRuntimeQueueProperties.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(EdgeRuntimeWebSocketProperties.class)).accepts(hints);
	}

	private static UnknownPropertiesNotice noticeFor(Map<String, Object> properties) {
		StandardEnvironment environment = environment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return new UnknownPropertiesNotice(environment);
	}

	private static StandardEnvironment environment() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		return environment;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EdgeRuntimeAutoConfiguration.class)
	static class MinimalConfiguration {

	}

}
