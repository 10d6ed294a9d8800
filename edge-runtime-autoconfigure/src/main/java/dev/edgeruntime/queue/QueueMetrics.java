package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The durable tier's figures for operations: each queue's depth, oldest message age and dead-lettered
 * count, and what each consumer is doing. Figures are read from the database at most once per cache
 * interval, so frequent scrapes cost no more than that. Meant for the metrics, the health indicator and
 * the {@code backgroundtasks} actuator endpoint. A database that could not be reached is remembered for the
 * same interval: reads meanwhile fail at once with that failure instead of each waiting for the connection
 * pool to give up, so that a scrape of every queue's gauges during an outage waits for the pool at most once
 * per interval rather than once per gauge.
 *
 * @author edge-runtime developers
 */
public final class QueueMetrics {

	private static final Log logger = LogFactory.getLog(QueueMetrics.class);

	private final PgmqTemplate pgmq;

	private final Supplier<List<QueueConsumerStatus>> consumers;

	private final Supplier<Map<String, QueueVacuum.Outcome>> vacuums;

	private final long cacheNanos;

	private final Map<String, Cached> cache = new ConcurrentHashMap<>();

	private final Map<String, Unavailable> unavailable = new ConcurrentHashMap<>();

	private final Map<String, Unreachable> unreadable = new ConcurrentHashMap<>();

	private volatile @Nullable Unreachable unreachable;

	/**
	 * Creates a new instance, for an application whose queue tables are left to autovacuum.
	 * @param pgmq the client
	 * @param consumers the status of this instance's consumers
	 * @param cacheInterval how long figures read from the database are reused
	 */
	public QueueMetrics(PgmqTemplate pgmq, Supplier<List<QueueConsumerStatus>> consumers, Duration cacheInterval) {
		this(pgmq, consumers, cacheInterval, Map::of);
	}

	/**
	 * Creates a new instance.
	 * @param pgmq the client
	 * @param consumers the status of this instance's consumers
	 * @param cacheInterval how long figures read from the database are reused
	 * @param vacuums the outcome of the latest VACUUM of each queue's table by this instance (see
	 * {@link QueueVacuum#lastOutcomes()}), empty when it vacuums none
	 */
	public QueueMetrics(PgmqTemplate pgmq, Supplier<List<QueueConsumerStatus>> consumers, Duration cacheInterval,
			Supplier<Map<String, QueueVacuum.Outcome>> vacuums) {
		this.pgmq = pgmq;
		this.consumers = consumers;
		this.cacheNanos = cacheInterval.toNanos();
		this.vacuums = vacuums;
	}

	/**
	 * Figures of every queue in the database. A queue whose figures cannot be read (its tables dropped other
	 * than by {@code pgmq.drop_queue}, a grant missing on them) is left out, said once at {@code WARN}, and
	 * found in {@link #unavailable()}: one broken queue does not take out the others' figures.
	 * @return the figures, by queue name
	 * @throws RuntimeException when the queues could not be listed, or the database not reached
	 */
	public List<QueueStatistics> queues() {
		List<QueueStatistics> result = new ArrayList<>();
		throwIfUnreachable(System.nanoTime());
		List<QueueInfo> queues;
		try {
			queues = this.pgmq.listQueues();
		}
		catch (RuntimeException ex) {
			remember(ex);
			throw ex;
		}
		Set<String> listed = new HashSet<>();
		for (QueueInfo queue : queues) {
			if (QueueName.isValid(queue.name())) {
				listed.add(queue.name());
				read(queue.name()).ifPresent(result::add);
			}
		}
		this.unavailable.keySet().retainAll(listed);
		return result;
	}

	private Optional<QueueStatistics> read(String queue) {
		long now = System.nanoTime();
		Unavailable known = this.unavailable.get(queue);
		if (known != null && now - known.at() < this.cacheNanos) {
			// as figures are: a database user granted none of many queues reads each at most once per interval
			return Optional.empty();
		}
		Optional<QueueStatistics> statistics;
		try {
			statistics = queue(queue);
		}
		catch (RuntimeException ex) {
			if (DatabaseFailures.isConnectionFailure(ex)) {
				throw ex;
			}
			unavailable(queue, (ex instanceof InsufficientPrivilegeException) ? ex.getMessage()
					: DatabaseFailures.serverMessage(ex));
			return Optional.empty();
		}
		if (statistics.isEmpty()) {
			unavailable(queue, "it is listed in pgmq.meta, but its tables are missing (dropped other than by "
					+ "pgmq.drop_queue, as DROP OWNED BY drops those of a queue its role created, or dropped just now); "
					+ "the schema's owner deletes its row: DELETE FROM pgmq.meta WHERE queue_name = '" + queue + "'");
		}
		else if (this.unavailable.remove(queue) != null) {
			logger.info("Figures of queue '" + queue + "' are readable again");
		}
		return statistics;
	}

	private void unavailable(String queue, String reason) {
		Unavailable previous = this.unavailable.put(queue, new Unavailable(reason, System.nanoTime()));
		if (previous == null || !previous.reason().equals(reason)) {
			logger.warn("Figures of queue '" + queue + "' are unavailable and left out of the queues' figures: "
					+ reason);
		}
	}

	/**
	 * The queues listed in the database whose figures could not be read when {@link #queues()} last read them,
	 * with why.
	 * @return the reasons by queue name, empty when every queue's figures were read
	 */
	public Map<String, String> unavailable() {
		Map<String, String> reasons = new TreeMap<>();
		this.unavailable.forEach((queue, unavailable) -> reasons.put(queue, unavailable.reason()));
		return reasons;
	}

	/**
	 * Figures of one queue.
	 * @param queue the queue name
	 * @return the figures, or empty when the queue does not exist
	 * @throws RuntimeException when the database could not be read, or could not be reached within the cache
	 * interval before, or refused this queue's figures to the database user within it (then without trying again,
	 * until {@link #forget(String)})
	 */
	public Optional<QueueStatistics> queue(String queue) {
		long now = System.nanoTime();
		Cached cached = this.cache.get(queue);
		if (cached != null && cached.statistics != null && now - cached.at < this.cacheNanos) {
			return Optional.of(cached.statistics);
		}
		throwIfUnreachable(now);
		Unreachable refused = this.unreadable.get(queue);
		if (refused != null && now - refused.at() < this.cacheNanos) {
			// as a database out of reach: the gauges of a queue the user may not read do not each ask again (and
			// name the grants again) on every scrape
			throw refused.failure();
		}
		try {
			QueueStatistics statistics = this.pgmq.statistics(queue);
			this.unreadable.remove(queue);
			// Kept unless what is there is newer: figures of a read that began before a forget() may be from
			// before the change it was for (a page's push racing a requeue), and would be shown as current
			// for the whole interval.
			Cached read = new Cached(statistics, now);
			this.cache.compute(queue, (name, current) -> (current != null && current.at - now >= 0) ? current : read);
			return Optional.of(statistics);
		}
		catch (QueueNotFoundException ex) {
			this.cache.remove(queue);
			return Optional.empty();
		}
		catch (RuntimeException ex) {
			remember(ex);
			if (ex instanceof InsufficientPrivilegeException) {
				// a refusal lasts until a grant; a timeout or another passing failure is not replayed
				this.unreadable.put(queue, new Unreachable(ex, System.nanoTime()));
			}
			throw ex;
		}
	}

	private void throwIfUnreachable(long now) {
		Unreachable current = this.unreachable;
		if (current != null && now - current.at() < this.cacheNanos) {
			throw current.failure();
		}
	}

	/**
	 * Remembers a failure to reach the database, from the moment the read gave up: a read waits for the pool's
	 * connection timeout (30 seconds by default), which would otherwise be paid again by every gauge of every
	 * queue, and a scrape would outlast any scraper's timeout.
	 */
	private void remember(RuntimeException ex) {
		if (DatabaseFailures.isConnectionFailure(ex)) {
			this.unreachable = new Unreachable(ex, System.nanoTime());
		}
	}

	/**
	 * Forgets the figures of a queue read earlier, so that the next read goes to the database: after a change
	 * an operator waits to see, such as the dashboard's requeue of dead letters, which would otherwise show
	 * the old count for up to the cache interval.
	 * @param queue the queue name
	 */
	public void forget(String queue) {
		// a mark rather than a removal: a read under way, begun before it, then does not cache its figures
		this.cache.put(queue, new Cached(null, System.nanoTime()));
		this.unreadable.remove(queue);
	}

	/**
	 * What each consumer of this instance is doing.
	 * @return the consumers
	 */
	public List<QueueConsumerStatus> consumers() {
		return this.consumers.get();
	}

	/**
	 * The outcome of the latest VACUUM of each queue's table by this instance.
	 * @return the outcomes by queue name, empty when this instance vacuums no queue tables
	 */
	public Map<String, QueueVacuum.Outcome> lastVacuums() {
		return this.vacuums.get();
	}

	/**
	 * A failure to reach the database and when the read gave up.
	 */
	private record Unreachable(RuntimeException failure, long at) {
	}

	/**
	 * Why a queue's figures could not be read, and when.
	 */
	private record Unavailable(String reason, long at) {
	}

	/**
	 * Figures and when their read began, or (without figures) when they were forgotten.
	 */
	private record Cached(@Nullable QueueStatistics statistics, long at) {
	}

}
