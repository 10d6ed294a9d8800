package dev.edgeruntime.demo;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * A service method with a 5-second wall-clock budget that its caller can push over the limit: called
 * during a request, it starts once the response is sent, hears {@code beforeunload} at 90 % and is
 * stopped at 100 %.
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

}
