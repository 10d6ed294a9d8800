package dev.edgeruntime.runtime;

import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.TaskHandle;
import org.slf4j.MDC;

/**
 * Puts the task's id and name in SLF4J's MDC under {@value #TASK_ID} and {@value #TASK_NAME} while its
 * work runs, so that every line it logs carries them. They are set after the submitter's MDC has been
 * restored on the task's thread (by {@link MdcTaskDecorator}) and removed when the work returns.
 * Tasks that track a {@code CompletionStage} have no thread of their own and get no MDC entries.
 *
 * @author edge-runtime developers
 */
public final class MdcTaskLifecycleListener implements TaskLifecycleListener {

	/** MDC key of the task id. */
	public static final String TASK_ID = "taskId";

	/** MDC key of the task name. */
	public static final String TASK_NAME = "taskName";

	@Override
	public void taskStarted(TaskHandle<?> task) {
		if (TaskContextHolder.get() == task) {
			MDC.put(TASK_ID, task.id().toString());
			MDC.put(TASK_NAME, task.name());
		}
	}

	@Override
	public void taskEnding(TaskHandle<?> task) {
		MDC.remove(TASK_ID);
		MDC.remove(TASK_NAME);
	}

}
