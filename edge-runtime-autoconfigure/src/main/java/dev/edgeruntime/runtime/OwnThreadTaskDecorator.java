package dev.edgeruntime.runtime;

import org.springframework.core.task.TaskDecorator;

/**
 * A {@link TaskDecorator} that does less for a task that runs on a thread of its own: a thread started
 * for the task, that runs nothing before it and ends when it returns ({@link VirtualTaskExecutor}'s).
 * Such a thread has no context of its own to save, and nothing runs on it afterwards to restore it for.
 *
 * @author edge-runtime developers
 */
interface OwnThreadTaskDecorator extends TaskDecorator {

	/**
	 * Decorates a task that will run on a thread of its own.
	 * @param runnable the task
	 * @return the decorated task
	 */
	Runnable decorateForOwnThread(Runnable runnable);

}
