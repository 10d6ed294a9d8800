package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.edgeruntime.runtime.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * VACUUMs the tables of the queues this instance consumes, at a fixed interval. A consumed queue's table
 * gains a dead row for every message handled; until VACUUM removes them every read walks past them, and
 * autovacuum visits a database at most once a minute by default. Instances sharing a database take turns:
 * an instance skips a queue whose table was vacuumed within the last nine tenths of the interval (by
 * another instance, since its own rounds are an interval apart), and each VACUUM runs under a session
 * advisory lock on the queue, so that an instance that finds it taken skips that queue until its next
 * round. However many instances consume a queue, its table is vacuumed about once per interval.
 * <p>
 * Off unless {@code edge-runtime.queue.vacuum-interval} is set. The database user must own the queue tables
 * (PostgreSQL skips, with a warning, the tables of other owners; logged once per queue here).
 *
 * @author edge-runtime developers
 */
public final class QueueVacuum implements SmartLifecycle {

	/** Starts after the consumers and stops before them. */
	public static final int PHASE = QueueConsumers.PHASE + 1;

	/** The first key of the advisory lock; the second is the queue name's hash. */
	static final int LOCK_CLASS = 0x65647176;

	private static final Log logger = LogFactory.getLog(QueueVacuum.class);

	private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(?))";

	private static final String UNLOCK = "SELECT pg_advisory_unlock(?, hashtext(?))";

	private static final String RECENT = """
			SELECT coalesce(last_vacuum > now() - make_interval(secs => ?), false)
			FROM pg_stat_user_tables WHERE schemaname = 'pgmq' AND relname = ?
			""";

	/** Told of the outcome of every VACUUM. */
	@FunctionalInterface
	public interface Observer {

		/** Observes nothing. */
		Observer NONE = (queue, outcome) -> {
		};

		/**
		 * One queue's table was vacuumed, or not.
		 * @param queue the queue
		 * @param outcome the outcome
		 */
		void vacuumed(String queue, Outcome outcome);

	}

	/** What one VACUUM of a queue's table came to. */
	public enum Outcome {

		/** The table was vacuumed. */
		VACUUMED,

		/** Another instance was vacuuming it: skipped this round. */
		BUSY,

		/** Another instance vacuumed it within the last nine tenths of the interval: skipped this round. */
		RECENT,

		/** The database user does not own the table: PostgreSQL skipped it. */
		NOT_OWNER,

		/** The database could not be reached, or the statement failed. */
		FAILED;

		/**
		 * The outcome as the {@code outcome} tag of the {@code edge.runtime.queue.vacuums} counter and the
		 * {@code lastVacuum} of a queue in the {@code backgroundtasks} endpoint show it, such as
		 * {@code not_owner}.
		 * @return the value
		 */
		public String value() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	private final DataSource dataSource;

	private final Supplier<? extends Collection<String>> queues;

	private final Duration interval;

	private final Observer observer;

	private final Map<String, Outcome> last = new ConcurrentHashMap<>();

	private final Ticker ticker;

	/**
	 * Creates a new instance.
	 * @param dataSource the queue database
	 * @param queues the names of the queues to vacuum, read at each round (the queues consumed here)
	 * @param interval the time between the end of one round and the start of the next
	 * @param observer told of every outcome (the auto-configuration counts them with Micrometer)
	 */
	public QueueVacuum(DataSource dataSource, Supplier<? extends Collection<String>> queues, Duration interval,
			Observer observer) {
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "The interval must be positive");
		Assert.isTrue(interval.compareTo(PgmqTemplate.MAX_DURATION) <= 0,
				() -> "The interval must be at most " + PgmqTemplate.MAX_DURATION_TEXT);
		this.dataSource = dataSource;
		this.queues = queues;
		this.interval = interval;
		this.observer = observer;
		this.ticker = new Ticker("queue-vacuum", interval, this::vacuumAll, logger, "Queue VACUUM round failed");
	}

	/**
	 * Vacuums every queue's table once, now, on the calling thread.
	 * @return each queue's outcome, in the order the queues were given
	 */
	public Map<String, Outcome> vacuumAll() {
		Set<String> names = new LinkedHashSet<>(this.queues.get());
		Map<String, Outcome> outcomes = new LinkedHashMap<>();
		for (String queue : names) {
			outcomes.put(queue, vacuum(queue));
		}
		return outcomes;
	}

	/**
	 * Vacuums one queue's table, unless another instance is doing so.
	 * @param queue the queue
	 * @return the outcome
	 * @throws InvalidQueueNameException if the name is not a valid queue name
	 */
	public Outcome vacuum(String queue) {
		QueueName.requireValid(queue);
		Outcome outcome;
		String detail = null;
		try (Connection connection = this.dataSource.getConnection()) {
			outcome = vacuum(connection, queue);
		}
		catch (SQLException | RuntimeException ex) {
			outcome = Outcome.FAILED;
			detail = ex.getMessage();
		}
		record(queue, outcome, detail);
		return outcome;
	}

	private Outcome vacuum(Connection connection, String queue) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		if (!autoCommit) {
			connection.setAutoCommit(true); // VACUUM cannot run inside a transaction block
		}
		try {
			if (vacuumedRecently(connection, queue)) {
				return Outcome.RECENT;
			}
			if (!lock(connection, TRY_LOCK, queue)) {
				return Outcome.BUSY;
			}
			try (Statement statement = connection.createStatement()) {
				// TRUNCATE false: truncating an empty tail would take a lock that stalls the queue's readers
				statement.execute("VACUUM (TRUNCATE false) pgmq.q_" + queue);
				return skipped(statement.getWarnings()) ? Outcome.NOT_OWNER : Outcome.VACUUMED;
			}
			finally {
				lock(connection, UNLOCK, queue);
			}
		}
		finally {
			if (!autoCommit) {
				connection.setAutoCommit(false);
			}
		}
	}

	private boolean vacuumedRecently(Connection connection, String queue) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(RECENT)) {
			statement.setDouble(1, this.interval.toMillis() * 0.9 / 1000.0);
			statement.setString(2, "q_" + queue.toLowerCase(Locale.ROOT));
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getBoolean(1);
			}
		}
	}

	private static boolean lock(Connection connection, String sql, String queue) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setInt(1, LOCK_CLASS);
			statement.setString(2, queue);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getBoolean(1);
			}
		}
	}

	/** PostgreSQL answers a VACUUM of someone else's table with a warning, not an error. */
	private static boolean skipped(@Nullable SQLWarning warning) {
		for (SQLWarning current = warning; current != null; current = current.getNextWarning()) {
			String message = current.getMessage();
			if (message != null && message.contains("skipping")) {
				return true;
			}
		}
		return false;
	}

	private void record(String queue, Outcome outcome, @Nullable String detail) {
		Outcome previous = this.last.put(queue, outcome);
		if (outcome != previous) {
			switch (outcome) {
				case FAILED -> logger.warn("Queue '" + queue + "': VACUUM of its table failed (" + detail
						+ "); retried every " + this.interval);
				case NOT_OWNER -> logger.warn("Queue '" + queue + "': VACUUM of pgmq.q_" + queue.toLowerCase(Locale.ROOT)
						+ " skipped: the database user does not own the table. Leave it to autovacuum, or unset "
						+ "edge-runtime.queue.vacuum-interval");
				default -> {
					if (previous == Outcome.FAILED || previous == Outcome.NOT_OWNER) {
						logger.info("Queue '" + queue + "': VACUUM of its table works again");
					}
				}
			}
		}
		this.observer.vacuumed(queue, outcome);
	}

	/**
	 * The outcome of each queue's latest VACUUM by this instance.
	 * @return the outcomes by queue
	 */
	public Map<String, Outcome> lastOutcomes() {
		return Map.copyOf(this.last);
	}

	/**
	 * The time between rounds.
	 * @return the interval
	 */
	public Duration getInterval() {
		return this.interval;
	}

	@Override
	public void start() {
		this.ticker.start();
	}

	@Override
	public void stop() {
		this.ticker.stop();
	}

	@Override
	public boolean isRunning() {
		return this.ticker.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
