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
	 * Whether the error, or one of its causes, says a table the statement names does not exist (SQLSTATE
	 * {@code 42P01}): for a queue's statements, the queue was dropped (or never created).
	 * @param ex the error
	 * @return {@code true} for a missing table
	 */
	public static boolean isMissingTable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && "42P01".equals(sql.getSQLState())) {
				return true;
			}
		}
		return false;
	}

}
