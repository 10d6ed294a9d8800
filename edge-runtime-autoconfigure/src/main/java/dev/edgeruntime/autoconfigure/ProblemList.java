package dev.edgeruntime.autoconfigure;

import java.util.List;

/**
 * The description of a failure analysis that lists problems: a heading, then each problem on a line of its
 * own, indented, as Spring Boot's own reports are.
 *
 * @author edge-runtime developers
 */
final class ProblemList {

	private ProblemList() {
	}

	static String describe(String heading, List<String> problems) {
		StringBuilder description = new StringBuilder(heading).append(":%n".formatted());
		for (String problem : problems) {
			description.append("%n    %s%n".formatted(problem));
		}
		return description.toString();
	}

}
