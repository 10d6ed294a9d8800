package dev.edgeruntime.test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueConsumers;
import dev.edgeruntime.queue.QueueNotFoundException;
import dev.edgeruntime.queue.QueueStatistics;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * The durable work of an application: the messages of the queues its consumers read, durable
 * {@code @BackgroundTask} calls included. Touched only where the application has the durable tier, so that
 * {@link BackgroundTasks} needs neither JDBC nor a database elsewhere.
 *
 * @author edge-runtime developers
 */
final class DurableWork {

	private static final boolean JDBC_PRESENT = ClassUtils.isPresent("org.springframework.jdbc.core.JdbcTemplate",
			DurableWork.class.getClassLoader());

	private final PgmqTemplate pgmq;

	private final QueueConsumers consumers;

	private DurableWork(PgmqTemplate pgmq, QueueConsumers consumers) {
		this.pgmq = pgmq;
		this.consumers = consumers;
	}

	/**
	 * The durable work of an application context.
	 * @param context the context
	 * @return its durable work, or {@code null} when it consumes no queue
	 */
	static @Nullable DurableWork of(ApplicationContext context) {
		if (!JDBC_PRESENT) {
			return null;
		}
		PgmqTemplate pgmq = context.getBeanProvider(PgmqTemplate.class).getIfAvailable();
		QueueConsumers consumers = context.getBeanProvider(QueueConsumers.class).getIfAvailable();
		return (pgmq != null && consumers != null) ? new DurableWork(pgmq, consumers) : null;
	}

	/**
	 * The figures of every queue the application's consumers read, as the database has them now: a
	 * message sent in a transaction that has not committed is not counted yet, one handled in a transaction
	 * that has not committed still is.
	 * @return the figures
	 */
	Snapshot snapshot() {
		Map<String, QueueStatistics> queues = new LinkedHashMap<>();
		for (String queue : this.consumers.queues()) {
			try {
				queues.put(queue, this.pgmq.statistics(queue));
			}
			catch (QueueNotFoundException ex) {
				// nothing was ever sent to it
			}
		}
		return new Snapshot(queues);
	}

	/**
	 * Says which queues still hold messages.
	 * @param snapshot the figures
	 * @return one line for each queue that holds messages
	 */
	List<String> describe(Snapshot snapshot) {
		Map<String, Integer> handling = new LinkedHashMap<>();
		for (QueueConsumerStatus status : this.consumers.status()) {
			handling.merge(status.queue(), status.inFlight(), Integer::sum);
		}
		List<String> lines = new ArrayList<>();
		snapshot.queues().forEach((queue, statistics) -> {
			if (statistics.length() == 0) {
				return;
			}
			long waiting = statistics.length() - statistics.visibleLength();
			StringBuilder line = new StringBuilder();
			line.append("queue '").append(queue).append("' holds ").append(statistics.length()).append(" message")
				.append((statistics.length() == 1) ? "" : "s").append(": ").append(statistics.visibleLength())
				.append(" ready, ").append(waiting).append(" leased or waiting (a retry's backoff, a delay)");
			int handled = handling.getOrDefault(queue, 0);
			if (handled > 0) {
				line.append(", ").append(handled).append(" being handled here");
			}
			if (statistics.oldestAgeSeconds() != null) {
				line.append(", the oldest sent ").append(statistics.oldestAgeSeconds()).append(" s ago");
			}
			lines.add(line.toString());
		});
		return lines;
	}

	/**
	 * The figures of the consumed queues at one moment.
	 *
	 * @param queues the figures by queue name
	 */
	record Snapshot(Map<String, QueueStatistics> queues) {

		/**
		 * Whether no queue holds a message: none ready, leased by a handler, or waiting for its retry or
		 * delay. A dead-lettered message is in the archive, so it is settled.
		 */
		boolean empty() {
			return this.queues.values().stream().allMatch((statistics) -> statistics.length() == 0);
		}

		/**
		 * How many messages were ever sent to these queues: the sequence of their ids, which counts a send
		 * at once, committed or not.
		 */
		long sent() {
			return this.queues.values().stream().mapToLong(QueueStatistics::totalMessages).sum();
		}

	}

}
