package dev.edgeruntime.demo;

import java.net.URI;
import java.util.Map;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Budgets you can push over their limit: {@code POST /budgets/wall-clock?seconds=8} calls a service
 * method that works longer than its 5-second wall clock, {@code POST /budgets/cpu?seconds=4} burns more than its 2 seconds of CPU. Watch
 * the log: {@code beforeunload} at 90 %, then the task ends {@code BUDGET_EXCEEDED}.
 *
 * @author edge-runtime developers
 */
@RestController
class BudgetController {

	private static final Logger logger = LoggerFactory.getLogger(BudgetController.class);

	private final BudgetService service;

	BudgetController(BudgetService service) {
		this.service = service;
	}

	/**
	 * Calls the budgeted service method; it starts after this response is sent.
	 */
	@PostMapping("/budgets/wall-clock")
	ResponseEntity<Map<String, Object>> wallClock(@RequestParam(defaultValue = "8") int seconds)
			throws InterruptedException {
		if (seconds < 1 || seconds > 3600) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "seconds must be from 1 to 3600, not " + seconds);
		}
		TaskHandle<Integer> task = this.service.work(seconds);
		URI status = ServletUriComponentsBuilder.fromCurrentContextPath()
			.path("/background-tasks/{id}")
			.buildAndExpand(task.id())
			.toUri();
		return ResponseEntity.accepted()
			.location(status)
			.body(Map.of("id", task.id(), "name", task.name(), "state", task.state(), "statusUrl", status));
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
