package dev.edgeruntime.runtime;

import dev.edgeruntime.TaskOrigin;

/**
 * Tells where a task is being started, on the submitting thread.
 *
 * @author edge-runtime developers
 */
@FunctionalInterface
public interface TaskOriginResolver {

	/**
	 * The origin of a task submitted on the current thread.
	 * @return the origin, {@link TaskOrigin#none()} when unknown
	 */
	TaskOrigin resolve();

}
