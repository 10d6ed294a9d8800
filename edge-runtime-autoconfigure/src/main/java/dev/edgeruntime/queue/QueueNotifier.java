package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes consumers after a send with {@code NOTIFY edge_runtime_queue, '<queue>'}, at most once per queue
 * per throttle interval from this instance. The first send in an interval notifies in the sender's
 * transaction (PostgreSQL delivers it at commit); later sends in the interval are covered by one more
 * notification at the interval's end (after the commit, for a send in a transaction), so a burst costs two
 * notifications and none is lost. A delayed send notifies when its delay ends instead, when its message
 * becomes visible: a notification at the send would wake consumers that read nothing, and leave the message
 * to their next poll.
 *
 * @author edge-runtime developers
 */
public final class QueueNotifier implements PgmqTemplate.SendNotifier, DisposableBean {

	/** The channel consumers listen on; the payload is the queue name. */
	public static final String CHANNEL = "edge_runtime_queue";

	private static final Log logger = LogFactory.getLog(QueueNotifier.class);

	private static final String NOTIFY = """
			SELECT pg_notify('%s', ?)
			""".formatted(CHANNEL);

	private static final long MIN_WAKE_SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final JdbcTemplate jdbc;

	private final long throttleNanos;

	private final Map<String, Long> lastNotified = new ConcurrentHashMap<>();

	private final Set<String> trailing = ConcurrentHashMap.newKeySet();

	private final Set<String> wakes = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService scheduler;

	/**
	 * Creates a new instance.
	 * @param jdbc the queue database's template
	 * @param throttle the shortest interval between two notifications for one queue
	 */
	public QueueNotifier(JdbcTemplate jdbc, Duration throttle) {
		this.jdbc = jdbc;
		this.throttleNanos = throttle.toNanos();
		CustomizableThreadFactory threads = new CustomizableThreadFactory("queue-notify-");
		threads.setDaemon(true);
		this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
	}

	@Override
	public void sent(String queue) {
		long now = System.nanoTime();
		Long last = this.lastNotified.get(queue);
		if (last == null || now - last >= this.throttleNanos) {
			this.lastNotified.put(queue, now);
			this.jdbc.queryForList(NOTIFY, queue);
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			// a notification from the scheduler's own connection could reach the consumers before this
			// transaction commits, and they would read nothing: the trailing one waits for the commit
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					scheduleTrailing(queue);
				}

			});
			return;
		}
		scheduleTrailing(queue);
	}

	@Override
	public void sent(String queue, Duration delay) {
		if (delay.isZero() || delay.isNegative()) {
			sent(queue);
			return;
		}
		long due = System.nanoTime() + delay.toNanos();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			// the message exists for other sessions only once this transaction commits
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					scheduleWake(queue, due);
				}

			});
			return;
		}
		scheduleWake(queue, due);
	}

	/**
	 * Notifies at the end of the slot {@code due} falls in, once for every send due in it: a slot is the
	 * throttle interval (at least 1 ms), or a power of two of nanoseconds about a thousandth of the delay
	 * left when that is longer, so that delays of any length keep a bounded number of wakes per queue
	 * (some thousands per doubling of the delay) and a wake comes at most a thousandth of its delay late.
	 */
	private void scheduleWake(String queue, long due) {
		long now = System.nanoTime();
		long remaining = Math.max(0, due - now);
		long slot = Math.max(this.throttleNanos, MIN_WAKE_SLOT_NANOS);
		if (remaining / 1000 > slot) {
			slot = Long.highestOneBit(remaining / 1000);
		}
		long wakeAt = (Math.floorDiv(due, slot) + 1) * slot;
		String key = queue + '@' + slot + '@' + wakeAt;
		if (this.wakes.add(key)) {
			try {
				this.scheduler.schedule(() -> wake(queue, key), Math.max(0, wakeAt - now), TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				this.wakes.remove(key); // closing: the consumers find the message when they poll
			}
		}
	}

	private void wake(String queue, String key) {
		this.wakes.remove(key);
		try {
			this.jdbc.queryForList(NOTIFY, queue);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not notify consumers of queue '" + queue + "' of a delayed message; they find it "
					+ "when they poll", ex);
		}
	}

	private void scheduleTrailing(String queue) {
		if (this.trailing.add(queue)) {
			Long last = this.lastNotified.get(queue);
			long since = (last != null) ? System.nanoTime() - last : this.throttleNanos;
			long delay = Math.max(0, this.throttleNanos - since);
			try {
				this.scheduler.schedule(() -> notifyLater(queue), delay, TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				this.trailing.remove(queue); // closing: the consumers find the message when they poll
			}
		}
	}

	private void notifyLater(String queue) {
		this.trailing.remove(queue);
		this.lastNotified.put(queue, System.nanoTime());
		try {
			this.jdbc.queryForList(NOTIFY, queue);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not notify consumers of queue '" + queue + "'; they find the message when they poll",
					ex);
		}
	}

	@Override
	public void destroy() {
		this.scheduler.shutdownNow();
	}

}
