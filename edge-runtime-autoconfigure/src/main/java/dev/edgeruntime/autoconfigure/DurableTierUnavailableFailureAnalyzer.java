package dev.edgeruntime.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports {@code @QueueListener} and {@code @CronJob} methods of an application without the durable tier:
 * each method, and what the application lacks for the tier.
 *
 * @author edge-runtime developers
 */
class DurableTierUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<DurableTierUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, DurableTierUnavailableException cause) {
		StringBuilder description = new StringBuilder(
				"These methods need edge-runtime's durable tier (a PostgreSQL DataSource), which is not available:%n"
					.formatted());
		for (String method : cause.getMethods()) {
			description.append("%n    %s".formatted(method));
		}
		StringBuilder action = new StringBuilder("Give the application the durable tier:%n".formatted());
		for (String missing : cause.getMissing()) {
			action.append("%n    - %s".formatted(missing));
		}
		action.append("%n%nor, to run this application without consuming queues or firing jobs, set "
			.formatted())
			.append("edge-runtime.queue.enabled=false (see docs/durable-queue.md).");
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

}
