package dev.edgeruntime.demo;

import java.util.Map;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Budgets you can push over their limit: {@code POST /budgets/wall-clock?seconds=8} works longer than
 * its 5-second wall clock, {@code POST /budgets/cpu?seconds=4} burns more than its 2 seconds of CPU. Watch
 * the log: {@code beforeunload} at 90 %, then the task ends {@code BUDGET_EXCEEDED}.
 *
 * @author edge-runtime developers
 */
@RestController
class BudgetController {

	private static final Logger logger = LoggerFactory.getLogger(BudgetController.class);

	@BackgroundTask(name = "wall-clock-budget", wallClock = "5s")
	@PostMapping("/budgets/wall-clock")
	public Map<String, Object> wallClock(@RequestParam(defaultValue = "8") int seconds) throws InterruptedException {
		TaskContext task = TaskContext.current();
		long steps = seconds * 10L;
		boolean told = false;
		for (long step = 1; step <= steps; step++) {
			Thread.sleep(100);
			task.progress(step, steps, "sleeping");
			if (task.isUnloading() && !told) {
				told = true;
				logger.info("Task {} sees it is being unloaded ({}), {} left: a real task would save its state now",
						task.id(), task.unloadReason(), task.remaining());
			}
		}
		return Map.of("slept", seconds);
	}

	@BackgroundTask(name = "cpu-budget", cpuTime = "2s", wallClock = "1m")
	@PostMapping("/budgets/cpu")
	public Map<String, Object> cpu(@RequestParam(defaultValue = "4") int seconds) {
		long end = System.nanoTime() + seconds * 1_000_000_000L;
		long iterations = 0;
		while (System.nanoTime() < end) {
			if (Thread.currentThread().isInterrupted()) {
				logger.info("CPU budget task interrupted after {} iterations", iterations);
				return Map.of("iterations", iterations, "interrupted", true);
			}
			iterations++;
		}
		return Map.of("iterations", iterations, "interrupted", false);
	}

}
