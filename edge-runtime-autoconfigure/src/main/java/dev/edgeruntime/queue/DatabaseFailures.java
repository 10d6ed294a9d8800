package dev.edgeruntime.queue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * Tells a database that cannot be reached (worth waiting for) from a statement that failed (worth
 * reporting). The queue and the cron scheduler both keep starting while the database is down.
 *
 * @author edge-runtime developers
 */
public final class DatabaseFailures {

	private DatabaseFailures() {
	}

	/**
	 * Whether the error, or one of its causes, says the database could not be reached: a connection
	 * exception (SQLSTATE class 08), a pool time-out or a refused connection.
	 * @param ex the error
	 * @return {@code true} for a connection failure
	 */
	public static boolean isConnectionFailure(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof CannotGetJdbcConnectionException || cause instanceof SQLTransientConnectionException
					|| cause instanceof ConnectException) {
				return true;
			}
			if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the error, or one of its causes, says the database user lacks a privilege the statement needs
	 * (SQLSTATE {@code 42501}, insufficient privilege), such as {@code permission denied for table q_orders}.
	 * @param ex the error
	 * @return {@code true} for a missing privilege
	 */
	public static boolean isInsufficientPrivilege(Throwable ex) {
		return hasSqlState(ex, "42501");
	}

	/**
	 * The server's message of a failed statement: its first line (those after it say where in the statement),
	 * without its severity, such as {@code permission denied for schema cron}.
	 * @param ex the error
	 * @return the message
	 */
	public static String serverMessage(Throwable ex) {
		Throwable cause = ex;
		for (Throwable next = ex; next != null; next = next.getCause()) {
			cause = next;
		}
		String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
		return message.replaceFirst("^(ERROR|FATAL):\\s*", "");
	}

	/**
	 * Whether the error, or one of its causes, says a table the statement names does not exist (SQLSTATE
	 * {@code 42P01}): for a queue's statements, the queue was dropped (or never created).
	 * @param ex the error
	 * @return {@code true} for a missing table
	 */
	public static boolean isMissingTable(Throwable ex) {
		return hasSqlState(ex, "42P01");
	}

	static boolean hasSqlState(Throwable ex, String state) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && state.equals(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

}
