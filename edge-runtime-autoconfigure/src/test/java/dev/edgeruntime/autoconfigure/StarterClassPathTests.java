package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.stream.StreamSupport;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskAdvisor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter's auto-configurations, all of them as the application gets them, in applications without
 * each optional module: each starts, and {@code waitUntil} runs work, in a Spring MVC application, a
 * WebFlux one and one that is not a web application.
 *
 * @author edge-runtime developers
 */
class StarterClassPathTests {

	private static final Class<?>[] STARTER = StreamSupport
		.stream(ImportCandidates.load(AutoConfiguration.class, StarterClassPathTests.class.getClassLoader())
			.spliterator(), false)
		.filter((name) -> name.startsWith("dev.edgeruntime."))
		.map((name) -> {
			try {
				return Class.forName(name);
			}
			catch (ClassNotFoundException ex) {
				throw new IllegalStateException(ex);
			}
		})
		.toArray(Class<?>[]::new);

	/** Package prefixes of the optional modules, one application without each. */
	@ParameterizedTest
	@ValueSource(strings = { "org.springframework.jdbc.", "org.postgresql.", "tools.jackson.",
			"org.springframework.boot.actuate.", "org.springframework.boot.health.", "org.springframework.web.socket.",
			"org.springframework.security.", "io.micrometer.core.", "io.micrometer.observation.",
			"io.micrometer.tracing.", "io.micrometer.context.", "org.springframework.boot.micrometer.",
			"org.springframework.web.servlet.", "org.slf4j." })
	void servletApplicationWithoutTheModuleShouldStartAndRunWork(String absent) {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(STARTER))
			.withClassLoader(new FilteredClassLoader(absent))
			.withPropertyValues("edge-runtime.dashboard.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(BackgroundTaskAdvisor.class);
				assertRunsWork(context.getBean(EdgeRuntime.class));
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "org.springframework.jdbc.", "org.springframework.web.", "org.springframework.boot.actuate." })
	void nonWebApplicationWithoutTheModuleShouldStartAndRunWork(String absent) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(STARTER))
			.withClassLoader(new FilteredClassLoader(absent))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertRunsWork(context.getBean(EdgeRuntime.class));
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "org.springframework.jdbc.", "org.springframework.web.servlet." })
	void reactiveApplicationWithoutTheModuleShouldStartAndRunWork(String absent) {
		new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(STARTER))
			.withClassLoader(new FilteredClassLoader(absent))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertRunsWork(context.getBean(EdgeRuntime.class));
			});
	}

	private static void assertRunsWork(EdgeRuntime runtime) {
		TaskHandle<String> handle = runtime.waitUntil(() -> "done");
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.info().state() == TaskState.SUCCEEDED);
	}

}
