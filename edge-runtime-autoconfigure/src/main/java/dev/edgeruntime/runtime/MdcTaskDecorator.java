package dev.edgeruntime.runtime;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.core.task.TaskDecorator;

/**
 * Copies SLF4J's MDC of the submitting thread into the task, and restores the task thread's own
 * afterwards.
 *
 * @author edge-runtime developers
 */
public final class MdcTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		Map<String, String> captured = MDC.getCopyOfContextMap();
		return () -> {
			Map<String, String> previous = MDC.getCopyOfContextMap();
			set(captured);
			try {
				runnable.run();
			}
			finally {
				set(previous);
			}
		};
	}

	private static void set(@Nullable Map<String, String> context) {
		if (context == null) {
			MDC.clear();
		}
		else {
			MDC.setContextMap(context);
		}
	}

}
