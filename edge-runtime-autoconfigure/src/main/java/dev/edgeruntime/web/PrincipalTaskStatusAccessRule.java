package dev.edgeruntime.web;

import java.security.Principal;

import dev.edgeruntime.TaskInfo;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The default {@link TaskStatusAccessRule}: a task started by an authenticated principal (with Spring
 * Security, or the container's own authentication) is readable only by a request of the principal with
 * the same name; a task started anonymously is readable by anyone holding its unguessable id.
 *
 * @author edge-runtime developers
 */
public final class PrincipalTaskStatusAccessRule implements TaskStatusAccessRule {

	@Override
	public boolean canRead(TaskInfo task, HttpServletRequest request) {
		String owner = task.origin().principal();
		if (owner == null) {
			return true;
		}
		Principal principal = request.getUserPrincipal();
		return principal != null && owner.equals(principal.getName());
	}

}
