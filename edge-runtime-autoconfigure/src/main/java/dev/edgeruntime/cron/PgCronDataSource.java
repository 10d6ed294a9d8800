package dev.edgeruntime.cron;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The database pg_cron lives in, when it is not the application's ({@code edge-runtime.cron.pg-cron.url}): one
 * connection kept open and handed to each reader in turn, so that the looks at {@code cron.job} every
 * {@code edge-runtime.cron.in-app.poll-interval}, the reads of {@code cron.job_run_details} and the job list (which
 * the dashboard reads every second) do not each open a connection of their own, authenticate and close it. The
 * connection is opened at the first use, opened again after one that failed with it closed or no longer valid (the
 * database restarted, the session ended by an administrator), and closed by {@link #closeConnection()}, or by
 * {@link #stopKeeping()}, which {@link CronJobs} calls as it stops (the context closing, or a checkpoint of the
 * JVM, which must find no connection open): a reader after it gets a connection of its own until
 * {@link #startKeeping()}, as the jobs start again. A reader that comes while another one holds the connection
 * gets one of its own, closed after it, rather than waiting; so does one that comes on the thread of the reader
 * holding it (a session is never shared by two readers, whose transactions would be one). A reader may hand the
 * connection back from another thread than the one it got it on.
 *
 * @author edge-runtime developers
 */
public final class PgCronDataSource implements DataSource {

	private static final Log logger = LogFactory.getLog(PgCronDataSource.class);

	private final DataSource target;

	// a permit, not a lock: a reader on the holder's thread must not get the same session, and a connection
	// may be closed on another thread than the one it was got on
	private final Semaphore lease = new Semaphore(1);

	private final AtomicLong opened = new AtomicLong();

	private @Nullable Connection connection;

	private volatile boolean closeOnRelease;

	private volatile boolean keeping = true;

	/**
	 * Creates a new instance.
	 * @param target opens a new connection to the pg_cron database on each call
	 */
	public PgCronDataSource(DataSource target) {
		this.target = target;
	}

	@Override
	public Connection getConnection() throws SQLException {
		if (!this.keeping) {
			// the jobs stopped: a reader then (a page of the dashboard as the context closes) keeps nothing open
			this.opened.incrementAndGet();
			return this.target.getConnection();
		}
		if (!this.lease.tryAcquire()) {
			// another reader (of this thread, too) holds the kept connection: this one does not wait for it
			this.opened.incrementAndGet();
			return this.target.getConnection();
		}
		try {
			Connection connection = this.connection;
			if (connection == null || connection.isClosed()) {
				connection = this.target.getConnection();
				this.opened.incrementAndGet();
				this.connection = connection;
			}
			return (Connection) Proxy.newProxyInstance(PgCronDataSource.class.getClassLoader(),
					new Class<?>[] { Connection.class }, new Lease(connection));
		}
		catch (SQLException | RuntimeException ex) {
			this.lease.release();
			throw ex;
		}
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLFeatureNotSupportedException("The pg_cron database's credentials are set in the properties");
	}

	/**
	 * Closes the connection kept open, at once when no reader holds it, else as its reader is done with it. The
	 * next reader opens it again.
	 */
	public void closeConnection() {
		// set first: a reader handing the connection back after the try below failed sees it
		this.closeOnRelease = true;
		if (this.lease.tryAcquire()) {
			try {
				discard();
			}
			finally {
				this.lease.release();
			}
		}
	}

	/**
	 * Stops keeping a connection open: closes the one kept (as {@link #closeConnection()} does), and every
	 * reader after it gets a connection of its own, closed after it, until {@link #startKeeping()}. What
	 * {@link CronJobs} calls as it stops, so that a reader after the stop (the dashboard's, as the context
	 * closes, or before a checkpoint of the JVM) leaves no connection open.
	 */
	public void stopKeeping() {
		this.keeping = false;
		closeConnection();
	}

	/**
	 * Keeps one connection open again for the readers, after {@link #stopKeeping()}: as {@link CronJobs} starts.
	 */
	public void startKeeping() {
		this.keeping = true;
	}

	/**
	 * How many connections were opened to the pg_cron database, for tests.
	 * @return the count
	 */
	long opened() {
		return this.opened.get();
	}

	private void release(Connection connection, boolean failed) {
		try {
			boolean broken = connection.isClosed() || (failed && !connection.isValid(5));
			if (broken || closeAsked()) {
				discard();
			}
			else if (!connection.getAutoCommit()) {
				// as a transaction manager leaves it: nothing of one reader's work is left to the next
				connection.rollback();
				connection.setAutoCommit(true);
			}
		}
		catch (SQLException ex) {
			logger.debug("The connection to the pg_cron database is closed after a failure: " + ex.getMessage(), ex);
			discard();
		}
		finally {
			this.lease.release();
		}
		// a close asked for after the look above (the jobs stopping while this reader rolled back) found the
		// lease taken and left the connection to this reader: closed here, or by whoever holds the lease now
		if (closeAsked() && this.lease.tryAcquire()) {
			try {
				if (closeAsked()) {
					discard();
				}
			}
			finally {
				this.lease.release();
			}
		}
	}

	/**
	 * Whether the connection kept is to be closed: asked for by {@link #closeConnection()}, or no longer kept
	 * since {@link #stopKeeping()} (a reader that looked at the flag before the stop, and took the lease after,
	 * opened one).
	 */
	private boolean closeAsked() {
		return this.closeOnRelease || !this.keeping;
	}

	private void discard() {
		this.closeOnRelease = false;
		Connection connection = this.connection;
		this.connection = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				logger.debug("Closing the connection to the pg_cron database failed: " + ex.getMessage(), ex);
			}
		}
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return this.target.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		this.target.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.target.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.target.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.target.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		if (type.isInstance(this)) {
			return type.cast(this);
		}
		return this.target.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || this.target.isWrapperFor(type);
	}

	/**
	 * One reader's use of the kept connection: its close hands the connection back instead of closing it.
	 */
	private final class Lease implements InvocationHandler {

		private final Connection connection;

		// handed back once: a second close (of another thread, too) must not give back a second permit
		private final AtomicBoolean closed = new AtomicBoolean();

		private volatile boolean failed;

		Lease(Connection connection) {
			this.connection = connection;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
			switch (method.getName()) {
				case "close":
					if (this.closed.compareAndSet(false, true)) {
						release(this.connection, this.failed);
					}
					return null;
				case "isClosed":
					return this.closed.get() || this.connection.isClosed();
				case "equals":
					return proxy == ((args != null) ? args[0] : null);
				case "hashCode":
					return System.identityHashCode(proxy);
				case "toString":
					return "Connection to the pg_cron database, kept open: " + this.connection;
				default:
					break;
			}
			if (this.closed.get()) {
				throw new SQLException("The connection is closed");
			}
			try {
				return method.invoke(this.connection, args);
			}
			catch (InvocationTargetException ex) {
				if (ex.getCause() instanceof SQLException) {
					this.failed = true;
				}
				throw ex.getCause();
			}
		}

	}

}
