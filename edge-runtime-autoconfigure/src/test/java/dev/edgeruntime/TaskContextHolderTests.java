package dev.edgeruntime;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link TaskContextHolder}.
 *
 * @author edge-runtime developers
 */
class TaskContextHolderTests {

	private static final int CYCLES = 10_000;

	@AfterEach
	void unbind() {
		TaskContextHolder.set(null);
	}

	@Test
	void aBoundTaskShouldBeReadUntilUnbound() {
		TaskContext task = mock(TaskContext.class);
		TaskContextHolder.set(task);
		assertThat(TaskContextHolder.get()).isSameAs(task);
		TaskContextHolder.set(null);
		assertThat(TaskContextHolder.get()).isNull();
	}

	@Test
	void aPooledThreadShouldBindTaskAfterTaskWithoutAllocating() {
		TaskContext task = mock(TaskContext.class);
		TaskContextHolder.set(task);
		TaskContextHolder.set(null);
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < CYCLES; i++) {
			TaskContextHolder.set(task);
			TaskContextHolder.set(null);
		}
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		// a thread-local entry removed at unbinding is a new 32-byte entry at the next binding: 320 KB here
		assertThat(allocated).as("bytes allocated by %d bindings and unbindings", CYCLES).isLessThan(CYCLES * 4L);
	}

}
