package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.queue.InsufficientPrivilegeException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.util.StringUtils;

/**
 * Reports a start-up the database refused for a privilege its user lacks (installing the pgmq schema, creating
 * a queue, the in-app scheduler's table of claimed ticks, pg_cron): what was refused, for which user, on which
 * object, and the statements the objects' owner runs, or what to configure instead.
 *
 * @author edge-runtime developers
 */
class InsufficientPrivilegeFailureAnalyzer extends AbstractFailureAnalyzer<InsufficientPrivilegeException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InsufficientPrivilegeException cause) {
		String user = (cause.getUser() != null) ? cause.getUser() : "(could not be read)";
		String description = "%s was refused by the database.%n%n    Database user: %s%n    Refused: %s%n%n%s."
			.formatted(cause.getOperation(), user, cause.getRefused(), cause.getReason());
		// a blank alternative, which the exception's public constructor accepts, is none
		String alternative = StringUtils.hasText(cause.getAlternative()) ? cause.getAlternative().strip() : null;
		StringBuilder action = new StringBuilder();
		if (!cause.getStatements().isEmpty()) {
			action.append("Have the owner of the objects (a DBA, a migration) run:%n".formatted());
			for (String statement : cause.getStatements()) {
				action.append("%n    %s".formatted(statement));
			}
			if (alternative != null) {
				action.append("%n%nor %s.".formatted(alternative));
			}
		}
		else if (alternative != null) {
			action.append(Character.toUpperCase(alternative.charAt(0))).append(alternative.substring(1)).append('.');
		}
		action.append("%n%nSee %s.".formatted(cause.getDocs()));
		return new FailureAnalysis(description, action.toString().strip(), cause);
	}

}
