package dev.edgeruntime.demo;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

import dev.edgeruntime.TaskHandle;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Budgets you can push over their limit: {@code POST /budgets/wall-clock?seconds=8} calls a service
 * method that works longer than its 5-second wall clock, {@code POST /budgets/cpu?seconds=4} one that burns
 * more than its 2 seconds of CPU. Watch the log: {@code beforeunload} at 90 %, then the task ends
 * {@code BUDGET_EXCEEDED}.
 *
 * @author edge-runtime developers
 */
@RestController
class BudgetController {

	private final BudgetService service;

	BudgetController(BudgetService service) {
		this.service = service;
	}

	/**
	 * Calls the service method with a wall-clock budget; it starts after this response is sent.
	 */
	@PostMapping("/budgets/wall-clock")
	ResponseEntity<Map<String, Object>> wallClock(@RequestParam(defaultValue = "8") int seconds)
			throws InterruptedException {
		return accepted(this.service.work(checked(seconds)));
	}

	/**
	 * Calls the service method with a CPU budget; it starts after this response is sent.
	 */
	@PostMapping("/budgets/cpu")
	ResponseEntity<Map<String, Object>> cpu(@RequestParam(defaultValue = "4") int seconds) {
		return accepted(this.service.burn(checked(seconds)));
	}

	// checked here, before the task exists: its body runs after the response, too late to answer 400
	private static int checked(int seconds) {
		if (seconds < 1 || seconds > 3600) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "seconds must be from 1 to 3600, not " + seconds);
		}
		return seconds;
	}

	private static ResponseEntity<Map<String, Object>> accepted(@Nullable TaskHandle<?> task) {
		Objects.requireNonNull(task, "the @BackgroundTask proxy returns the task's handle");
		URI status = ServletUriComponentsBuilder.fromCurrentContextPath()
			.path("/background-tasks/{id}")
			.buildAndExpand(task.id())
			.toUri();
		return ResponseEntity.accepted()
			.location(status)
			.body(Map.of("id", task.id(), "name", task.name(), "state", task.state(), "statusUrl", status));
	}

}
