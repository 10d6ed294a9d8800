package dev.edgeruntime.web;

import dev.edgeruntime.TaskInfo;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides who may read a task at the task status resource. Define a bean of this type to replace the
 * default {@link PrincipalTaskStatusAccessRule}. A task that may not be read is answered with
 * {@code 404 Not Found}, exactly like an unknown id, so that its existence is not confirmed.
 *
 * @author edge-runtime developers
 */
@FunctionalInterface
public interface TaskStatusAccessRule {

	/**
	 * Whether the request may read the task.
	 * @param task the task
	 * @param request the request asking for it
	 * @return {@code true} to answer with the task's status
	 */
	boolean canRead(TaskInfo task, HttpServletRequest request);

}
