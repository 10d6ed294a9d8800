package dev.edgeruntime.runtime;

import java.util.List;

import org.springframework.core.task.TaskDecorator;

/**
 * Applies several decorators; the first one's context is the outermost.
 *
 * @author edge-runtime developers
 */
public final class CompositeTaskDecorator implements OwnThreadTaskDecorator {

	private final List<TaskDecorator> decorators;

	/**
	 * Creates a new instance.
	 * @param decorators the decorators, outermost first
	 */
	public CompositeTaskDecorator(List<TaskDecorator> decorators) {
		this.decorators = List.copyOf(decorators);
	}

	@Override
	public Runnable decorate(Runnable runnable) {
		Runnable decorated = runnable;
		for (int i = this.decorators.size() - 1; i >= 0; i--) {
			decorated = this.decorators.get(i).decorate(decorated);
		}
		return decorated;
	}

	@Override
	public Runnable decorateForOwnThread(Runnable runnable) {
		Runnable decorated = runnable;
		for (int i = this.decorators.size() - 1; i >= 0; i--) {
			TaskDecorator decorator = this.decorators.get(i);
			decorated = (decorator instanceof OwnThreadTaskDecorator ownThread)
					? ownThread.decorateForOwnThread(decorated) : decorator.decorate(decorated);
		}
		return decorated;
	}

}
