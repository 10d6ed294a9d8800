package dev.edgeruntime.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MdcTaskDecorator} on a pooled thread, which runs one task after another.
 *
 * @author edge-runtime developers
 */
class MdcTaskDecoratorTests {

	private final MdcTaskDecorator decorator = new MdcTaskDecorator();

	private final ExecutorService pool = Executors.newSingleThreadExecutor();

	@AfterEach
	void close() {
		this.pool.shutdownNow();
		MDC.clear();
	}

	@Test
	void whatATaskWithoutMdcPutsThereShouldNotReachTheNextTask() throws Exception {
		run(this.decorator.decorate(() -> MDC.put("leaked", "yes")));
		assertThat(this.pool.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS)).isNullOrEmpty();
	}

	@Test
	void aTaskWithoutMdcShouldRunWithAnEmptyOneAndLeaveThePoolThreadsOwn() throws Exception {
		run(() -> MDC.put("worker", "own"));
		String[] seen = new String[1];
		run(this.decorator.decorate(() -> seen[0] = MDC.get("worker")));
		assertThat(seen[0]).isNull();
		assertThat(this.pool.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS))
			.isEqualTo(Map.of("worker", "own"));
	}

	@Test
	void theSubmittersMdcShouldBeCarriedAndThenTheWorkersRestored() throws Exception {
		run(() -> MDC.put("worker", "own"));
		MDC.put("requestId", "r-1");
		String[] seen = new String[2];
		Runnable task = this.decorator.decorate(() -> {
			seen[0] = MDC.get("requestId");
			seen[1] = MDC.get("worker");
			MDC.put("added", "by the task");
		});
		run(task);
		assertThat(seen).containsExactly("r-1", null);
		assertThat(this.pool.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS))
			.isEqualTo(Map.of("worker", "own"));
	}

	@Test
	void onAThreadOfItsOwnATaskWithoutMdcToCarryShouldRunUndecorated() {
		Runnable task = () -> {
		};
		assertThat(this.decorator.decorateForOwnThread(task)).isSameAs(task);
	}

	@Test
	void onAThreadOfItsOwnTheSubmittersMdcShouldBeCarried() throws Exception {
		MDC.put("requestId", "r-1");
		Map<String, String> seen = new HashMap<>();
		Runnable task = this.decorator.decorateForOwnThread(() -> seen.putAll(MDC.getCopyOfContextMap()));
		MDC.put("requestId", "changed after the submission");
		Thread thread = new Thread(task);
		thread.start();
		thread.join(10_000);
		assertThat(seen).isEqualTo(Map.of("requestId", "r-1"));
	}

	private void run(Runnable runnable) throws Exception {
		this.pool.submit(runnable).get(10, TimeUnit.SECONDS);
	}

}
