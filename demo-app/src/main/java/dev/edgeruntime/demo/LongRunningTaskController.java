package dev.edgeruntime.demo;

import java.time.Duration;
import java.util.UUID;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.bind.annotation.RestController;

/**
 * The background-task guide's first example: respond at once, do the work in {@code waitUntil}, log the result.
 *
 * <pre>
 * EdgeRuntime.waitUntil(longRunningTask())
 * Deno.serve(async (req) =&gt; new Response('ok'))
 * </pre>
 *
 * @author edge-runtime developers
 */
@RestController
class LongRunningTaskController {

	private static final Logger logger = LoggerFactory.getLogger(LongRunningTaskController.class);

	private final EdgeRuntime runtime;

	LongRunningTaskController(EdgeRuntime runtime) {
		this.runtime = runtime;
	}

	/**
	 * Starts a task that works for the given number of seconds and answers {@code ok} at once.
	 */
	@PostMapping("/long-running-task")
	Started start(@RequestParam(defaultValue = "3") int seconds) {
		if (seconds < 1 || seconds > 3600) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "seconds must be from 1 to 3600, not " + seconds);
		}
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("longRunningTask"),
				() -> longRunningTask(Duration.ofSeconds(seconds)));
		return new Started("ok", task.id());
	}

	private String longRunningTask(Duration duration) throws InterruptedException {
		TaskContext task = TaskContext.current();
		long steps = Math.max(1, duration.toMillis() / 100);
		for (long step = 1; step <= steps; step++) {
			Thread.sleep(100);
			task.progress(step, steps, "working");
		}
		String result = "longRunningTask finished after " + duration.toSeconds() + "s";
		logger.info("{} (task {})", result, task.id());
		return result;
	}

	/**
	 * The answer, its fields always in this order (as docs/demo.md shows them), which a {@code Map.of}
	 * changes from one start of the JVM to the next.
	 *
	 * @param status always {@code ok}
	 * @param task the task's id
	 */
	record Started(String status, UUID task) {
	}

}
