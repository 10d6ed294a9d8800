package dev.edgeruntime.runtime;

import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.TaskHandle;
import org.slf4j.MDC;

/**
 * Puts the task's id and name in SLF4J's MDC under {@value #TASK_ID} and {@value #TASK_NAME} while its
 * work runs, so that every line it logs carries them. They are set after the submitter's MDC has been
 * restored on the task's thread (by {@link MdcTaskDecorator}) and removed once the task's outcome has been
 * dealt with: what an {@link dev.edgeruntime.UnhandledRejectionEvent} listener logs carries them too.
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
	public void taskLeft(TaskHandle<?> task) {
		// not at taskEnding: listeners of the task's UnhandledRejectionEvent, and the runtime's own log line
		// of it, run on the task's thread after its work returned, and their lines belong to the task too
		TaskContext outer = TaskContextHolder.get();
		if (outer != null) {
			// a task run inline inside another task's work: that task's lines go on
			MDC.put(TASK_ID, outer.id().toString());
			MDC.put(TASK_NAME, outer.name());
		}
		else {
			MDC.remove(TASK_ID);
			MDC.remove(TASK_NAME);
		}
	}

}
