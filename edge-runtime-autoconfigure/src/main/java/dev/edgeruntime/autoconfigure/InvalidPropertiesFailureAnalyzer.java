package dev.edgeruntime.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports invalid {@code edge-runtime.*} properties at start-up: each property, its value, and the rule
 * it breaks.
 *
 * @author edge-runtime developers
 */
class InvalidPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPropertiesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidPropertiesException cause) {
		StringBuilder description = new StringBuilder("Invalid edge-runtime configuration:%n".formatted());
		StringBuilder action = new StringBuilder("Update your application's configuration:%n".formatted());
		for (InvalidPropertiesException.Violation violation : cause.getViolations()) {
			description.append("%n    Property: %s%n    Value: %s%n    Reason: %s%n".formatted(violation.property(),
					violation.valueText(), violation.rule()));
			action.append("%n    Change '%s': it %s.".formatted(violation.property(), violation.rule()));
		}
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

}
