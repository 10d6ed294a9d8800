package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.queue.QueueListenerMisconfigurationException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports misconfigured {@code @QueueListener} methods at start-up: each method and every problem it has.
 *
 * @author edge-runtime developers
 */
class QueueListenerMisconfigurationFailureAnalyzer
		extends AbstractFailureAnalyzer<QueueListenerMisconfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, QueueListenerMisconfigurationException cause) {
		return new FailureAnalysis(ProblemList.describe("Misconfigured @QueueListener methods", cause.getProblems()),
				"Change each method or property as its line says (an attribute left at its default takes its "
						+ "edge-runtime.queue.consumer.* property). The rules are in the @QueueListener section of "
						+ "docs/durable-queue.md.",
				cause);
	}

}
