package dev.edgeruntime.runtime;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Copies SLF4J's MDC of the submitting thread into the task, and restores the task thread's own
 * afterwards.
 *
 * @author edge-runtime developers
 */
public final class MdcTaskDecorator implements OwnThreadTaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		Map<String, String> captured = MDC.getCopyOfContextMap();
		if (captured == null || captured.isEmpty()) {
			// nothing to carry: run with an empty MDC and leave the pool thread's as it was
			return () -> {
				Map<String, String> previous = MDC.getCopyOfContextMap();
				boolean hadPrevious = previous != null && !previous.isEmpty();
				if (hadPrevious) {
					MDC.clear();
				}
				try {
					runnable.run();
				}
				finally {
					if (hadPrevious) {
						set(previous);
					}
					else if (MDC.getCopyOfContextMap() != null) {
						MDC.clear(); // what the task put there
					}
				}
			};
		}
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

	/**
	 * On a thread of its own the task's MDC starts empty (such a thread inherits nothing) and nobody reads
	 * the thread's MDC after the task: only the submitter's needs setting.
	 */
	@Override
	public Runnable decorateForOwnThread(Runnable runnable) {
		Map<String, String> captured = MDC.getCopyOfContextMap();
		if (captured == null || captured.isEmpty()) {
			return runnable;
		}
		return () -> {
			MDC.setContextMap(captured);
			runnable.run();
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
