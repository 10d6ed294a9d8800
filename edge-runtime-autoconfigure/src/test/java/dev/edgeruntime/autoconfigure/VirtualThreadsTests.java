package dev.edgeruntime.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.runtime.VirtualTaskExecutor;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

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
		// the pool has no idle thread yet: the submission starts one, from the submitting thread
		assertThat(inheritableValueSeenByATask(this.contextRunner)).isEqualTo("false null");
	}

	@Test
	void virtualThreadsShouldNotCarryTheSubmittersInheritableThreadLocalsEither() {
		assertThat(inheritableValueSeenByATask(this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")))
			.isEqualTo(VIRTUAL_THREADS_AVAILABLE + " null");
	}

	/** Whether a task ran on a virtual thread, and what it saw of its submitter's inheritable value. */
	private static String inheritableValueSeenByATask(ApplicationContextRunner runner) {
		InheritableThreadLocal<String> submitterValue = new InheritableThreadLocal<>();
		AtomicReference<String> seen = new AtomicReference<>();
		runner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			submitterValue.set("request 1");
			try {
				seen.set(runtime.waitUntil(() -> isVirtual() + " " + submitterValue.get())
					.result()
					.get(10, TimeUnit.SECONDS));
			}
			finally {
				submitterValue.remove();
			}
		});
		return seen.get();
	}

	@Test
	void tasksOnVirtualThreadsShouldSeeTheSubmittersMdcTheirIdAndNameAndTheirContext() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			MDC.put("requestId", "r-1");
			try {
				CompletableFuture<TaskHandle<List<Object>>> self = new CompletableFuture<>();
				TaskHandle<List<Object>> task = runtime.waitUntil(TaskOptions.named("report"), () -> {
					List<Object> seen = new ArrayList<>();
					seen.add(isVirtual());
					seen.add(Thread.currentThread().getName().startsWith("edge-task-"));
					seen.add(MDC.getCopyOfContextMap());
					seen.add(TaskContextHolder.get() == self.get(10, TimeUnit.SECONDS));
					return seen;
				});
				self.complete(task);
				List<Object> seen = task.result().get(10, TimeUnit.SECONDS);
				assertThat(seen).containsExactly(VIRTUAL_THREADS_AVAILABLE, true,
						Map.of("requestId", "r-1", "taskId", task.id().toString(), "taskName", "report"), true);
				assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("requestId", "r-1"));
			}
			finally {
				MDC.clear();
			}
		});
	}

	@Test
	void tasksWithoutMdcOnVirtualThreadsShouldSeeOnlyTheirIdAndName() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<Map<String, String>> task = runtime.waitUntil(TaskOptions.named("plain"),
					MDC::getCopyOfContextMap);
			assertThat(task.result().get(10, TimeUnit.SECONDS))
				.isEqualTo(Map.of("taskId", task.id().toString(), "taskName", "plain"));
		});
	}

	@Test
	void theVirtualTaskExecutorShouldStartANamedVirtualThreadPerTaskWhereTheJdkHasThem() throws Exception {
		VirtualTaskExecutor executor = VirtualTaskExecutor.create("test-");
		if (!VIRTUAL_THREADS_AVAILABLE) {
			assertThat(executor).isNull();
			return;
		}
		assertThat(executor).isNotNull();
		List<Thread> threads = new ArrayList<>();
		CountDownLatch done = new CountDownLatch(2);
		for (int i = 0; i < 2; i++) {
			executor.execute(() -> {
				synchronized (threads) {
					threads.add(Thread.currentThread());
				}
				done.countDown();
			});
		}
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(threads).hasSize(2).doesNotHaveDuplicates();
		assertThat(threads).extracting(Thread::getName).containsExactlyInAnyOrder("test-0", "test-1");
		for (Thread thread : threads) {
			assertThat((boolean) Thread.class.getMethod("isVirtual").invoke(thread)).isTrue();
		}
	}

	static boolean isVirtual() throws Exception {
		if (!VIRTUAL_THREADS_AVAILABLE) {
			return false;
		}
		return (boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
	}

}
