package dev.edgeruntime.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.RuntimeStatus;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.EdgeRuntimeLifecycle;
import dev.edgeruntime.runtime.PooledTaskThreadFactory;
import dev.edgeruntime.runtime.StaggeredHandOffQueue;
import dev.edgeruntime.runtime.TaskStorageArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class EdgeRuntimeAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class));

	@Test
	void applicationTaskExecutorOfSpringBootShouldStay() {
		// the runtime's executors are its own, not beans: @Async and Spring's other users of the application's
		// executor keep the one Spring Boot configures
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
					BackgroundTaskAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor");
				assertThat(context.getBeanNamesForType(Executor.class)).containsExactly("applicationTaskExecutor");
			});
	}

	@Test
	void runtimeWhenNothingConfiguredShouldUseDefaults() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(EdgeRuntime.class)
				.hasSingleBean(EdgeRuntimeLifecycle.class)
				.hasSingleBean(TaskStorageArea.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			RuntimeStatus status = runtime.status();
			assertThat(status.maxInFlight()).isEqualTo(1000);
			assertThat(status.accepting()).isTrue();
			TaskInfo info = runtime.waitUntil(() -> "done").info();
			assertThat(info.budget().wallClock()).isEqualTo(Duration.ofSeconds(150));
			assertThat(info.budget().cpuTime()).isNull();
			assertThat(info.budget().memory()).isNull();
			EdgeRuntimeProperties properties = context.getBean(EdgeRuntimeProperties.class);
			assertThat(properties.getBudget().getBeforeUnloadRatio()).isEqualTo(0.9);
			assertThat(properties.getShutdown().getGracePeriod()).isEqualTo(Duration.ofSeconds(20));
			assertThat(properties.getStorage().getQuota()).isEqualTo(DataSize.ofMegabytes(512));
			assertThat(properties.getTasks().getBasePath()).isEqualTo("/background-tasks");
		});
	}

	@Test
	void runtimeWhenPropertiesSetShouldUseThem() {
		this.contextRunner
			.withPropertyValues("edge-runtime.max-in-flight=7", "edge-runtime.budget.wall-clock=5s",
					"edge-runtime.budget.cpu-time=2s", "edge-runtime.budget.memory=64MB")
			.run((context) -> {
				EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
				assertThat(runtime.status().maxInFlight()).isEqualTo(7);
				TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("configured"), () -> "done");
				assertThat(task.info().budget().wallClock()).isEqualTo(Duration.ofSeconds(5));
				assertThat(task.info().budget().cpuTime()).isEqualTo(Duration.ofSeconds(2));
				assertThat(task.info().budget().memory()).isEqualTo(DataSize.ofMegabytes(64));
			});
	}

	@Test
	void runtimeWhenOptionsOverrideShouldUseOptions() {
		this.contextRunner.withPropertyValues("edge-runtime.budget.wall-clock=5s").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("own").wallClock(Duration.ofSeconds(9)),
					() -> "done");
			assertThat(task.name()).isEqualTo("own");
			assertThat(task.info().budget().wallClock()).isEqualTo(Duration.ofSeconds(9));
		});
	}

	@Test
	void lifecycleWhenGracePeriodDoesNotFitInShutdownPhaseShouldWarn(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.shutdown.grace-period=30s").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("edge-runtime.shutdown.grace-period (30s) plus 1s to unwind and 500ms to spare "
					+ "is longer than spring.lifecycle.timeout-per-shutdown-phase (30s)");
		});
	}

	@Test
	void lifecycleWhenGracePeriodAndUnwindFillTheShutdownPhaseExactlyShouldCutItToLeaveTheMargin(
			CapturedOutput output) {
		// 29s and 1s to unwind end as Spring stops waiting: which comes first is a toss-up
		this.contextRunner
			.withPropertyValues("edge-runtime.shutdown.grace-period=29s",
					"spring.lifecycle.timeout-per-shutdown-phase=30s")
			.run((context) -> {
				assertThat(context.getBean(EdgeRuntimeLifecycle.class).getGracePeriod())
					.isEqualTo(Duration.ofMillis(28500));
				assertThat(output).contains("edge-runtime.shutdown.grace-period (29s) plus 1s to unwind and 500ms to "
						+ "spare is longer than spring.lifecycle.timeout-per-shutdown-phase (30s): at shutdown "
						+ "background tasks get 28500ms to finish");
			});
	}

	@Test
	void lifecycleWhenGracePeriodFitsInShutdownPhaseShouldNotWarn(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("edge-runtime.shutdown.grace-period=30s", "spring.lifecycle.timeout-per-shutdown-phase=40s")
			.run((context) -> assertThat(output).doesNotContain("edge-runtime.shutdown.grace-period ("));
	}

	@Test
	void platformPoolShouldRetireIdleThreadsAtStaggeredTimes() {
		this.contextRunner.run((context) -> assertThat(context.getBean(DefaultEdgeRuntime.class))
			.extracting("platformExecutor")
			.isInstanceOfSatisfying(ThreadPoolExecutor.class, (pool) -> {
				assertThat(pool.getCorePoolSize()).isZero();
				assertThat(pool.getKeepAliveTime(TimeUnit.SECONDS)).isEqualTo(60);
				assertThat(pool.getQueue()).isInstanceOf(StaggeredHandOffQueue.class);
				assertThat(pool.getThreadFactory()).isInstanceOf(PooledTaskThreadFactory.class);
			}));
	}

	@Test
	void runtimeWhenUserDefinesEdgeRuntimeShouldBackOff() {
		this.contextRunner.withUserConfiguration(CustomRuntimeConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(EdgeRuntime.class)
				.doesNotHaveBean(DefaultEdgeRuntime.class)
				.doesNotHaveBean(EdgeRuntimeLifecycle.class);
			assertThat(context.getBean(EdgeRuntime.class)).isSameAs(CustomRuntimeConfiguration.RUNTIME);
		});
	}

	@Test
	void storageAreaWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withUserConfiguration(CustomStorageConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskStorageArea.class);
			assertThat(context.getBean(TaskStorageArea.class).getQuota()).isEqualTo(DataSize.ofKilobytes(1));
		});
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			edge-runtime.budget.before-unload-ratio | 1.5  | must be greater than 0 and at most 1
			edge-runtime.budget.before-unload-ratio | 0    | must be greater than 0 and at most 1
			edge-runtime.budget.wall-clock          | 0s   | (a long one, 1d say, for tasks not to be stopped by it)
			edge-runtime.budget.wall-clock          | -5s  | must be greater than 0: every task has a wall-clock budget
			edge-runtime.budget.cpu-time            | 0s   | must be greater than 0 (leave it unset for no CPU-time budget)
			edge-runtime.budget.cpu-time            | -1s  | must be greater than 0 (leave it unset for no CPU-time budget)
			edge-runtime.budget.memory              | 0B   | must be greater than 0 (leave it unset for no memory budget)
			edge-runtime.budget.max-extension       | -1s  | must not be negative
			edge-runtime.budget.check-interval      | 0ms  | must be at least 1ms and at most 1m
			edge-runtime.budget.check-interval      | 1ns  | must be at least 1ms and at most 1m
			edge-runtime.budget.check-interval      | 200000d | must be at least 1ms and at most 1m
			edge-runtime.shutdown.grace-period      | -1s  | must not be negative
			edge-runtime.storage.quota              | -1MB | must not be negative
			edge-runtime.max-in-flight              | 0    | must be at least 1
			edge-runtime.retention.max-count        | -1   | must not be negative
			edge-runtime.retention.max-age          | 0s   | (to keep no finished task, set retention.max-count to 0)
			edge-runtime.memory-pressure.threshold  | 2    | at most 1: a fraction of the old generation's maximum
			edge-runtime.memory-pressure.threshold  | 0    | (to not watch memory pressure, set memory-pressure.enabled to false)
			edge-runtime.tasks.base-path            | tasks | must start with '/', not end with '/' and not be '/'
			""")
	void runtimeWhenPropertyInvalidShouldFailNamingPropertyAndRule(String property, String value, String rule) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining(property)
				.hasMessageContaining(rule);
		});
	}

	@Test
	void runtimeWhenBasePathIsAPatternOrHasURICharactersShouldFailSayingSo() {
		// a pattern ('/tasks/{id}', '/tasks/**') failed as the status resource was mapped, naming no property;
		// '?', '#', ';' or a space made a Location whose query, fragment or path parameter hid the task's id
		for (String path : List.of("/tasks/{id}", "/tasks/**", "/tasks/*", "/tasks?x", "/tasks#x", "/tasks;x",
				"/my tasks")) {
			this.contextRunner.withPropertyValues("edge-runtime.tasks.base-path=" + path)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.tasks.base-path = '" + path + "': must be a plain path, without "
							+ "the pattern or URI characters { } * ? ; # and spaces"));
		}
	}

	@Test
	void enabledPropertyNeitherTrueNorFalseShouldFailNamingItRatherThanTurnThePartOff() {
		// the conditions took 'on', 'yes' or 'true ' as false, and the part was off with nothing said
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=on", "edge-runtime.queue.enabled=yes",
					"edge-runtime.cron.enabled=1")
			.run((context) -> assertThat(context).getFailure()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.dashboard.enabled = 'on': must be true or false: the condition "
						+ "that turns this part of edge-runtime on or off takes any other value as false")
				.hasMessageContaining("edge-runtime.queue.enabled = 'yes': must be true or false")
				.hasMessageContaining("edge-runtime.cron.enabled = '1': must be true or false"));
		// as a properties file keeps it: the space after a value stays
		this.contextRunner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("spaced", Map.of("edge-runtime.tasks.enabled", "true "))))
			.run((context) -> assertThat(context).getFailure()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.tasks.enabled = 'true ': must be true or false"));
		this.contextRunner
			.withPropertyValues("edge-runtime.dashboard.enabled=FALSE", "edge-runtime.queue.enabled=True",
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.queue.tasks.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runtimeWhenStorageRootIsAFileShouldFailNamingPropertyAndRule(@TempDir Path temp) throws Exception {
		Path file = Files.writeString(temp.resolve("not-a-directory"), "");
		for (Path root : List.of(file, file.resolve("below"))) {
			this.contextRunner.withPropertyValues("edge-runtime.storage.root=" + root).run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.storage.root = '" + root + "': must be a directory the "
							+ "application can write to, or a path where it can create one: " + file + " is a file");
			});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomRuntimeConfiguration {

		static final EdgeRuntime RUNTIME = new EdgeRuntime() {

			@Override
			public <T> TaskHandle<T> waitUntil(TaskOptions options, CompletionStage<T> work) {
				throw new UnsupportedOperationException();
			}

			@Override
			public <T> TaskHandle<T> waitUntil(TaskOptions options, Callable<T> work) {
				throw new UnsupportedOperationException();
			}

			@Override
			public java.util.Optional<TaskHandle<?>> find(UUID id) {
				return java.util.Optional.empty();
			}

			@Override
			public List<TaskInfo> tasks() {
				return List.of();
			}

			@Override
			public RuntimeStatus status() {
				throw new UnsupportedOperationException();
			}

		};

		@Bean
		EdgeRuntime customRuntime() {
			return RUNTIME;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomStorageConfiguration {

		@Bean
		TaskStorageArea customStorageArea() {
			return new TaskStorageArea(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "custom-area"),
					DataSize.ofKilobytes(1));
		}

	}

}
