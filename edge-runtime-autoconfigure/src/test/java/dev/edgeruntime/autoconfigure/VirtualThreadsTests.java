package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the choice of threads. The build runs this class on the baseline JDK and, where a JDK 21+
 * is installed, again on it (the {@code virtual-threads} profile of this module's pom).
 */
class VirtualThreadsTests {

	private static final boolean VIRTUAL_THREADS_AVAILABLE = Runtime.version().feature() >= 21;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class));

	@Test
	void tasksWhenVirtualThreadsEnabledShouldRunOnVirtualThreadsWhereTheJdkHasThem() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			boolean virtual = runtime.waitUntil(VirtualThreadsTests::isVirtual).result().get(10, TimeUnit.SECONDS);
			assertThat(virtual).as("task on a virtual thread (Java %s)", Runtime.version().feature())
				.isEqualTo(VIRTUAL_THREADS_AVAILABLE);
		});
	}

	@Test
	void tasksWithCpuOrMemoryBudgetShouldRunOnPlatformThreads() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			boolean virtual = runtime
				.waitUntil(TaskOptions.named("measured").cpuTime(Duration.ofSeconds(5)), VirtualThreadsTests::isVirtual)
				.result()
				.get(10, TimeUnit.SECONDS);
			assertThat(virtual).isFalse();
		});
	}

	@Test
	void tasksWhenVirtualThreadsNotEnabledShouldRunOnPlatformThreads() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			assertThat(runtime.waitUntil(VirtualThreadsTests::isVirtual).result().get(10, TimeUnit.SECONDS)).isFalse();
			assertThat(runtime.waitUntil(() -> Thread.currentThread().getName()).result().get(10, TimeUnit.SECONDS))
				.startsWith("edge-task-");
		});
	}

	@Test
	void pooledPlatformThreadsShouldNotCarryTheInheritableThreadLocalsOfTheThreadThatStartedThem() {
		InheritableThreadLocal<String> submitterValue = new InheritableThreadLocal<>();
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			submitterValue.set("request 1");
			try {
				// the pool has no idle thread yet: this submission starts one, from this thread
				String seen = runtime.waitUntil(() -> String.valueOf(submitterValue.get()))
					.result()
					.get(10, TimeUnit.SECONDS);
				assertThat(seen).isEqualTo("null");
			}
			finally {
				submitterValue.remove();
			}
		});
	}

	static boolean isVirtual() throws Exception {
		if (!VIRTUAL_THREADS_AVAILABLE) {
			return false;
		}
		return (boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
	}

}
