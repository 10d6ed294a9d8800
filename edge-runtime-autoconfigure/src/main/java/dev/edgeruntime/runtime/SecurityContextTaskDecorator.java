package dev.edgeruntime.runtime;

import org.springframework.core.task.TaskDecorator;
import org.springframework.security.concurrent.DelegatingSecurityContextRunnable;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Carries Spring Security's {@code SecurityContext} of the submitting thread into the task.
 *
 * @author edge-runtime developers
 */
public final class SecurityContextTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		return DelegatingSecurityContextRunnable.create(runnable, SecurityContextHolder.getContext());
	}

}
