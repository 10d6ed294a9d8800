package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.web.BackgroundTaskMisuseException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports misused {@code @BackgroundTask} methods at start-up: each method and what is wrong with it.
 *
 * @author edge-runtime developers
 */
class BackgroundTaskMisuseFailureAnalyzer extends AbstractFailureAnalyzer<BackgroundTaskMisuseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, BackgroundTaskMisuseException cause) {
		return new FailureAnalysis(ProblemList.describe("Misused @BackgroundTask methods", cause.getProblems()),
				"Change each method as its line says. The rules are in the start-up checks of docs/background-task.md.",
				cause);
	}

}
