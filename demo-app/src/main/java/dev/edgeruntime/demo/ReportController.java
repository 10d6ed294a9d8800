package dev.edgeruntime.demo;

import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /reports} enqueues a durable report job and answers {@code 202} with its status URL;
 * {@code GET /reports/{id}} shows its state ({@code QUEUED}, {@code RUNNING}, {@code DONE}).
 *
 * @author edge-runtime developers
 */
@RestController
class ReportController {

	private final ReportService reports;

	ReportController(ReportService reports) {
		this.reports = reports;
	}

	@PostMapping("/reports")
	ResponseEntity<Queued> request(@RequestParam(defaultValue = "adhoc") String kind) {
		if (!kind.matches("[a-z0-9-]{1,32}")) {
			throw new IllegalArgumentException("kind must be 1 to 32 characters of a-z, 0-9 and '-'");
		}
		UUID id = this.reports.request(kind);
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.header("Location", "/reports/" + id)
			.body(new Queued(id, "QUEUED", "/reports/" + id));
	}

	@GetMapping("/reports/{id}")
	ResponseEntity<?> status(@PathVariable UUID id) {
		return this.reports.find(id).<ResponseEntity<?>>map(ResponseEntity::ok)
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No report " + id)));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<ProblemDetail> invalid(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage()));
	}

	/**
	 * The answer, its fields always in this order (as docs/demo.md shows them), which a {@code Map.of}
	 * changes from one start of the JVM to the next.
	 *
	 * @param id the report's id
	 * @param state always {@code QUEUED}
	 * @param statusUrl where the report's state is read
	 */
	record Queued(UUID id, String state, String statusUrl) {
	}

}
