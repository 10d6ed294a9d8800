package dev.edgeruntime.web;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.DurableTaskUnreadableException;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.actuate.TaskRequests;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The task status resource, {@code GET {edge-runtime.tasks.base-path}/{id}}: a task's state, progress,
 * timestamps, budgets used, and its result or error. A durable task is read from its queue through the
 * {@link DurableTaskDispatcher}; it has no result. Unknown, expired and unreadable ids (see
 * {@link TaskStatusAccessRule}) are all answered with {@code 404 Not Found} and a problem-details body; a
 * text that is no task id at all, with {@code 400 Bad Request}, as the actuator endpoint answers it. A
 * durable task whose record cannot be read ({@link DurableTaskUnreadableException}) is answered as an
 * id the access rule refuses: the rule cannot be applied to an origin that is not read.
 *
 * @author edge-runtime developers
 */
@RestController
public final class TaskStatusController {

	private final EdgeRuntime runtime;

	private final TaskStatusAccessRule accessRule;

	private final Supplier<@Nullable DurableTaskDispatcher> durableTasks;

	/**
	 * Creates a new instance that knows in-process tasks only.
	 * @param runtime the runtime whose tasks are shown
	 * @param accessRule decides who may read a task
	 */
	public TaskStatusController(EdgeRuntime runtime, TaskStatusAccessRule accessRule) {
		this(runtime, accessRule, () -> null);
	}

	/**
	 * Creates a new instance.
	 * @param runtime the runtime whose tasks are shown
	 * @param accessRule decides who may read a task
	 * @param durableTasks finds durable tasks, or supplies {@code null} when there is no durable tier
	 */
	public TaskStatusController(EdgeRuntime runtime, TaskStatusAccessRule accessRule,
			Supplier<@Nullable DurableTaskDispatcher> durableTasks) {
		this.runtime = runtime;
		this.accessRule = accessRule;
		this.durableTasks = durableTasks;
	}

	/**
	 * A task's status.
	 * @param id the task id
	 * @param request the request
	 * @return the status, or 404 (400 for a malformed id) with a problem-details body
	 */
	@GetMapping(path = "${edge-runtime.tasks.base-path:/background-tasks}/{id}",
			produces = { MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE })
	public ResponseEntity<?> status(@PathVariable String id, HttpServletRequest request) {
		UUID taskId = TaskRequests.id(id);
		if (taskId == null) {
			// a typo or a truncated link, not a task that is gone: say so, as the actuator endpoint does
			return malformed(id);
		}
		Optional<TaskHandle<?>> found = this.runtime.find(taskId);
		if (found.isEmpty()) {
			Optional<TaskInfo> durable;
			try {
				durable = findDurable(taskId);
			}
			catch (DurableTaskUnreadableException ex) {
				// Its origin is not read, so the access rule cannot be applied: answered as any task the rule
				// refuses, so that its existence is not confirmed (the endpoint tells an operator why).
				return notFound(id);
			}
			if (durable.isPresent() && this.accessRule.canRead(durable.get(), request)) {
				return ResponseEntity.ok()
					.cacheControl(CacheControl.noStore())
					.contentType(MediaType.APPLICATION_JSON)
					.body(TaskStatus.of(durable.get(), null));
			}
			return notFound(id);
		}
		TaskHandle<?> handle = found.get();
		TaskInfo info = handle.info();
		if (!this.accessRule.canRead(info, request)) {
			return notFound(id);
		}
		Object result = (info.state() == TaskState.SUCCEEDED) ? handle.result().getNow(null) : null;
		// a user's task, its result with it, and a state that changes: no cache or proxy keeps it
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			.contentType(MediaType.APPLICATION_JSON)
			.body(TaskStatus.of(info, result));
	}

	private Optional<TaskInfo> findDurable(UUID id) {
		DurableTaskDispatcher dispatcher = this.durableTasks.get();
		return (dispatcher != null) ? dispatcher.find(id) : Optional.empty();
	}

	private static ResponseEntity<ProblemDetail> malformed(String id) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, TaskRequests.malformedId(id));
		problem.setTitle("Malformed background task id");
		return ResponseEntity.status(HttpStatus.BAD_REQUEST)
			.cacheControl(CacheControl.noStore())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

	private static ResponseEntity<ProblemDetail> notFound(String id) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
				"No background task with id '" + id + "' is known; finished tasks are kept for a limited time");
		problem.setTitle("Background task not found");
		return ResponseEntity.status(HttpStatus.NOT_FOUND)
			.cacheControl(CacheControl.noStore())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem);
	}

}
