package dev.edgeruntime.web;

import java.util.List;

import org.springframework.beans.factory.BeanInitializationException;

/**
 * Thrown at start-up when {@code @BackgroundTask} methods of a bean are misused: each problem names the
 * method and what is wrong with it.
 *
 * @author edge-runtime developers
 */
public class BackgroundTaskMisuseException extends BeanInitializationException {

	private static final long serialVersionUID = 1L;

	private final List<String> problems;

	/**
	 * Creates a new instance.
	 * @param problems one line per misused method, such as {@code @BackgroundTask method A.run() is misused:
	 * ...}
	 */
	public BackgroundTaskMisuseException(List<String> problems) {
		super((problems.size() == 1) ? problems.get(0)
				: problems.size() + " @BackgroundTask methods are misused:\n- " + String.join("\n- ", problems));
		this.problems = List.copyOf(problems);
	}

	/**
	 * The problems, one per misused method.
	 * @return the problems
	 */
	public List<String> getProblems() {
		return this.problems;
	}

}
