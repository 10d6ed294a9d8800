package dev.edgeruntime.runtime;

import org.springframework.core.task.TaskDecorator;
import org.springframework.security.concurrent.DelegatingSecurityContextRunnable;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Carries Spring Security's {@code SecurityContext} of the submitting thread into the task: a new context
 * holding the same {@code Authentication}, taken when the task is submitted. Not the caller's own context
 * object: that one is shared by every request of an HTTP session, and logging out empties it, which would
 * take the authentication from under a task that the session's user started before.
 *
 * @author edge-runtime developers
 */
public final class SecurityContextTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		SecurityContext context = SecurityContextHolder.createEmptyContext();
		context.setAuthentication(SecurityContextHolder.getContext().getAuthentication());
		return DelegatingSecurityContextRunnable.create(runnable, context);
	}

}
