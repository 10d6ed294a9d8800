package dev.edgeruntime.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PooledTaskThreadFactory}.
 *
 * @author edge-runtime developers
 */
class PooledTaskThreadFactoryTests {

	private static final InheritableThreadLocal<String> REQUEST_VALUE = new InheritableThreadLocal<>();

	@Test
	void threadsShouldNotInheritTheCreatingThreadsInheritableThreadLocals() throws Exception {
		PooledTaskThreadFactory factory = new PooledTaskThreadFactory("edge-task-");
		AtomicReference<Thread> created = new AtomicReference<>();
		CompletableFuture<String> seen = new CompletableFuture<>();
		// created on a thread that holds a value, as a request thread starting the pool's next worker would
		Thread creator = new Thread(() -> {
			REQUEST_VALUE.set("request 1");
			created.set(factory.newThread(() -> seen.complete(String.valueOf(REQUEST_VALUE.get()))));
		});
		creator.setDaemon(true);
		creator.start();
		creator.join(TimeUnit.SECONDS.toMillis(10));
		Thread thread = created.get();
		thread.start();
		assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("null");
		// and none of the creating thread's traits either
		assertThat(thread.isDaemon()).isFalse();
		assertThat(thread.getPriority()).isEqualTo(Thread.NORM_PRIORITY);
	}

	@Test
	void threadsShouldBeInTheGroupOfTheThreadThatMadeTheFactoryNotOfTheSubmitter() throws Exception {
		PooledTaskThreadFactory factory = new PooledTaskThreadFactory("edge-task-");
		ThreadGroup other = new ThreadGroup("request-threads");
		java.util.concurrent.atomic.AtomicReference<Thread> made = new java.util.concurrent.atomic.AtomicReference<>();
		Thread submitter = new Thread(other, () -> made.set(factory.newThread(() -> { })), "submitter");
		submitter.start();
		submitter.join(10_000);
		assertThat(made.get()).isNotNull();
		assertThat(made.get().getThreadGroup()).isSameAs(Thread.currentThread().getThreadGroup());
	}

	@Test
	void threadsShouldBeNamedWithThePrefixAndACount() {
		PooledTaskThreadFactory factory = new PooledTaskThreadFactory("edge-task-");
		assertThat(factory.newThread(() -> { }).getName()).isEqualTo("edge-task-1");
		assertThat(factory.newThread(() -> { }).getName()).isEqualTo("edge-task-2");
	}

	@Test
	void theCreatingThreadStillSeesItsOwnValue() throws Exception {
		// control: the value is there to inherit, so the first test's null is the factory's doing
		CompletableFuture<String> seen = new CompletableFuture<>();
		Thread creator = new Thread(() -> {
			REQUEST_VALUE.set("request 1");
			Thread child = new Thread(() -> seen.complete(REQUEST_VALUE.get()));
			child.start();
		});
		creator.start();
		assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("request 1");
	}

}
