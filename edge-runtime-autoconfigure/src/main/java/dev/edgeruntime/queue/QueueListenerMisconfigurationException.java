package dev.edgeruntime.queue;

import java.util.List;

import org.springframework.beans.factory.BeanInitializationException;

/**
 * Thrown at start-up, once every bean exists and before any consumer reads, when {@link QueueListener} methods
 * are misconfigured: each problem names the method and everything wrong with it.
 *
 * @author edge-runtime developers
 */
public class QueueListenerMisconfigurationException extends BeanInitializationException {

	private static final long serialVersionUID = 1L;

	private final List<String> problems;

	/**
	 * Creates a new instance.
	 * @param problems one line per misconfigured method, such as {@code @QueueListener on A.handle: backoff
	 * '-1s' must not be negative}, at least one
	 */
	public QueueListenerMisconfigurationException(List<String> problems) {
		super((problems.size() == 1) ? problems.get(0)
				: problems.size() + " @QueueListener methods are misconfigured:\n- " + String.join("\n- ", problems));
		this.problems = List.copyOf(problems);
	}

	/**
	 * The problems, one per misconfigured method.
	 * @return the problems
	 */
	public List<String> getProblems() {
		return this.problems;
	}

}
