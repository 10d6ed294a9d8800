package dev.edgeruntime.queue;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.PermissionDeniedDataAccessException;

/**
 * Thrown when the database refuses a statement of the durable tier for a privilege its user lacks (SQLSTATE
 * {@code 42501}, insufficient privilege): it names what was refused, the database user, and what its owner
 * (a DBA, a migration) runs to grant it, or what to configure instead. At start-up the failure analysis
 * shows these apart from the stack trace.
 *
 * @author edge-runtime developers
 */
public class InsufficientPrivilegeException extends PermissionDeniedDataAccessException {

	private static final long serialVersionUID = 1L;

	private final String operation;

	private final String refused;

	private final @Nullable String user;

	private final String reason;

	private final List<String> statements;

	private final @Nullable String alternative;

	private final String docs;

	/**
	 * Creates a new instance.
	 * @param operation what was refused, such as {@code Creating queue 'orders'}
	 * @param refused PostgreSQL's message, such as {@code permission denied for schema pgmq}
	 * @param user the database user, or {@code null} where it could not be read
	 * @param reason why, in a sentence, such as {@code The database user may not create queues}
	 * @param statements what the objects' owner runs to grant the user what it lacks, possibly none
	 * @param alternative what to do instead, such as {@code set edge-runtime.cron.mode=in-app}, or
	 * {@code null} (or blank) for nothing
	 * @param docs where the documentation says more, such as
	 * {@code docs/durable-queue.md, "Database privileges"}
	 * @param cause the refused statement's failure
	 */
	public InsufficientPrivilegeException(String operation, String refused, @Nullable String user, String reason,
			List<String> statements, @Nullable String alternative, String docs, Throwable cause) {
		super(message(operation, refused, user, reason, statements, blankAsNull(alternative), docs), cause);
		this.operation = operation;
		this.refused = refused;
		this.user = user;
		this.reason = reason;
		this.statements = List.copyOf(statements);
		this.alternative = blankAsNull(alternative);
		this.docs = docs;
	}

	private static @Nullable String blankAsNull(@Nullable String alternative) {
		return (alternative != null && !alternative.isBlank()) ? alternative : null;
	}

	private static String message(String operation, String refused, @Nullable String user, String reason,
			List<String> statements, @Nullable String alternative, String docs) {
		StringBuilder message = new StringBuilder(operation).append(" failed: ").append(refused);
		if (user != null) {
			message.append(" (database user ").append(user).append(')');
		}
		message.append(". ").append(reason);
		if (!statements.isEmpty()) {
			message.append(": have the owner run ").append(String.join("; ", statements));
		}
		if (alternative != null) {
			message.append(statements.isEmpty() ? ": " : ", or ").append(alternative);
		}
		return message.append(" (").append(docs).append(')').toString();
	}

	/**
	 * What was refused.
	 * @return such as {@code Creating queue 'orders'}
	 */
	public String getOperation() {
		return this.operation;
	}

	/**
	 * PostgreSQL's message, which names the object refused.
	 * @return such as {@code permission denied for schema pgmq}
	 */
	public String getRefused() {
		return this.refused;
	}

	/**
	 * The database user the statement ran as.
	 * @return the user, or {@code null} where it could not be read
	 */
	public @Nullable String getUser() {
		return this.user;
	}

	/**
	 * Why the statement was refused, in a sentence.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * What the objects' owner runs to grant the user what it lacks, such as
	 * {@code GRANT USAGE ON SCHEMA cron TO app}.
	 * @return the statements, possibly none
	 */
	public List<String> getStatements() {
		return this.statements;
	}

	/**
	 * What to do instead of the statements.
	 * @return such as {@code set edge-runtime.cron.mode=in-app}, or {@code null} for nothing
	 */
	public @Nullable String getAlternative() {
		return this.alternative;
	}

	/**
	 * Where the documentation says more.
	 * @return such as {@code docs/durable-queue.md, "Database privileges"}
	 */
	public String getDocs() {
		return this.docs;
	}

}
