package dev.edgeruntime.demo;

import java.util.Map;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Service methods with a budget that their caller can push over the limit, 5 seconds of wall clock or 2 of
 * CPU: called during a request, each starts once the response is sent, hears {@code beforeunload} at 90 %
 * and is stopped at 100 %.
 *
 * @author edge-runtime developers
 */
@Service
public class BudgetService {

	private static final Logger logger = LoggerFactory.getLogger(BudgetService.class);

	/**
	 * Sleeps for the given time in steps of 100 ms, reporting progress.
	 * @param seconds how long to work
	 * @return the task's handle (the proxy returns it; the body's value becomes the result)
	 */
	@BackgroundTask(name = "wall-clock-budget", wallClock = "5s")
	public @Nullable TaskHandle<Integer> work(int seconds) throws InterruptedException {
		TaskContext task = TaskContext.current();
		long steps = seconds * 10L;
		boolean told = false;
		for (long step = 1; step <= steps; step++) {
			Thread.sleep(100);
			task.progress(step, steps, "working");
			if (task.isUnloading() && !told) {
				told = true;
				logger.info("Task {} sees it is being unloaded ({}), {} left: a real task would save its state now",
						task.id(), task.unloadReason(), task.remaining());
			}
		}
		return null;
	}

	/**
	 * Burns CPU for the given time, or until its 2-second CPU budget stops it.
	 * @param seconds how long to burn
	 * @return the task's handle (the proxy returns it; the body's value becomes the result)
	 */
	@BackgroundTask(name = "cpu-budget", cpuTime = "2s", wallClock = "1m")
	public @Nullable TaskHandle<Map<String, Object>> burn(int seconds) {
		long end = System.nanoTime() + seconds * 1_000_000_000L;
		long iterations = 0;
		boolean told = false;
		while (System.nanoTime() < end) {
			if (Thread.currentThread().isInterrupted()) {
				logger.info("CPU budget task interrupted after {} iterations", iterations);
				return null;
			}
			TaskContext task = TaskContext.current();
			if (!told && task.isUnloading()) {
				told = true;
				logger.info("Task {} sees it is being unloaded ({}): a real task would save its state now", task.id(),
						task.unloadReason());
			}
			iterations++;
		}
		logger.info("CPU budget task finished after {} iterations", iterations);
		return null;
	}

}
