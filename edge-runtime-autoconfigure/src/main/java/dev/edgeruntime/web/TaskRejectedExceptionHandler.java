package dev.edgeruntime.web;

import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskRejectedException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers a request whose background task was refused (shutdown, {@code max-in-flight}, memory pressure)
 * with {@code 503 Service Unavailable}, a {@code Retry-After} header and a problem-details body that
 * carries the Supabase reason string; and a request whose body or uploads do not fit in the task's storage
 * ({@code edge-runtime.storage.quota}) with {@code 413 Content Too Large}. Ordered just ahead of advice
 * beans without an order, so that an application's catch-all {@code @ExceptionHandler(Exception.class)}
 * does not turn the 503 into a 500; an application's own handler for these exceptions wins when its
 * advice has an order ({@code @Order(0)}, say).
 *
 * @author edge-runtime developers
 */
@ControllerAdvice
@Order(TaskRejectedExceptionHandler.ORDER)
public final class TaskRejectedExceptionHandler {

	/** The order: ahead of advice beans without one ({@link Ordered#LOWEST_PRECEDENCE}), behind any other. */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

	/**
	 * The response for request-bound arguments that do not fit in a task's storage.
	 * @param ex the quota error
	 * @return 413
	 */
	@ExceptionHandler(StorageQuotaExceededException.class)
	public ResponseEntity<ProblemDetail> handleStorageQuotaExceeded(StorageQuotaExceededException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage());
		problem.setTitle("Request body too large for a background task's storage");
		problem.setProperty("quotaBytes", ex.getQuotaBytes());
		return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

	/**
	 * The response for a refused task.
	 * @param ex the refusal
	 * @return 503 with {@code Retry-After}
	 */
	@ExceptionHandler(TaskRejectedException.class)
	public ResponseEntity<ProblemDetail> handleTaskRejected(TaskRejectedException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
		problem.setTitle("Background task refused");
		problem.setProperty("reason", ex.getReason().value());
		long retryAfterSeconds = Math.max(1, (ex.getRetryAfter().toMillis() + 999) / 1000);
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds))
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

}
