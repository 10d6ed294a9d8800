package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The heartbeats of one queue do not wait behind those of another: a heartbeat that cannot get through
 * (here one waiting for a lock on its queue's table) leaves the leases of other queues' running messages
 * extended, so they are not delivered again while their handlers run. And a heartbeat does not wait for
 * a row another transaction holds (that of a {@code @Transactional} handler that wrote its own message's
 * headers), which would hold back the heartbeats of its queue's other messages; it extends that message's
 * lease once the row is free, so that a lease that ran out meanwhile leaves it to no other read.
 *
 * @author edge-runtime developers
 */
class QueueHeartbeatIsolationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String blocked = TestDatabase.uniqueName("hb_blocked_");

	private final String steady = TestDatabase.uniqueName("hb_steady_");

	private final String shared = TestDatabase.uniqueName("hb_shared_");

	private final String progress = TestDatabase.uniqueName("hb_progress_");

	// 3 s lease, a heartbeat every second
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.blocked=" + this.blocked, "test.steady=" + this.steady, "test.shared=" + this.shared,
				"test.progress=" + this.progress,
				"edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.queue.consumer.visibility-timeout=3s")
		.withUserConfiguration(Config.class);

	@Test
	void aHeartbeatWaitingOnOneQueueShouldNotLetAnotherQueuesLeaseRunOut() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			Listeners listeners = context.getBean(Listeners.class);
			try (Connection admin = TestDatabase.get().dataSource().getConnection()) {
				admin.setAutoCommit(false);
				try {
					pgmq.send(this.blocked, Map.of("n", 1));
					assertThat(listeners.blockedStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					// an administrator's statement takes the blocked queue's table (an ALTER TABLE, a VACUUM FULL),
					// and its heartbeat waits for it
					try (Statement statement = admin.createStatement()) {
						statement.execute("LOCK TABLE pgmq.q_" + this.blocked + " IN ACCESS EXCLUSIVE MODE");
					}
					await().atMost(WAIT).until(() -> heartbeatsWaitingForALock(jdbc, this.blocked) > 0);
					long id = pgmq.send(this.steady, Map.of("n", 2));
					assertThat(listeners.steadyStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					String readAt = jdbc.queryForObject(
							"SELECT vt::text FROM pgmq.q_" + this.steady + " WHERE msg_id = ?", String.class, id);
					// a heartbeat of the steady queue's message reaches the database, and no second read takes it
					await("a heartbeat extending the lease of the steady queue's running message").atMost(WAIT)
						.until(() -> Boolean.TRUE.equals(jdbc.queryForObject("SELECT read_ct = 1 AND vt > "
								+ "?::timestamptz FROM pgmq.q_" + this.steady + " WHERE msg_id = ?", Boolean.class,
								readAt, id)));
					assertThat(listeners.steadyReceived).extracting(QueueMessage::readCount).containsExactly(1);
				}
				finally {
					admin.rollback();
					listeners.release.countDown();
				}
			}
		});
	}

	@Test
	void aMessageWhoseRowAnotherTransactionHoldsShouldNotHoldBackTheHeartbeatsOfItsQueuesOtherMessages() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			Listeners listeners = context.getBean(Listeners.class);
			try {
				long locking = pgmq.send(this.shared, Map.of("lock", true));
				long id = pgmq.send(this.shared, Map.of("lock", false));
				assertThat(listeners.sharedStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				String readAt = jdbc.queryForObject("SELECT vt::text FROM pgmq.q_" + this.shared + " WHERE msg_id = ?",
						String.class, id);
				// the other message's lease is extended, and no second read takes it
				await("a heartbeat extending the lease of the queue's other running message").atMost(WAIT)
					.until(() -> Boolean.TRUE.equals(jdbc.queryForObject("SELECT read_ct = 1 AND vt > ?::timestamptz "
							+ "FROM pgmq.q_" + this.shared + " WHERE msg_id = ?", Boolean.class, readAt, id)));
				assertThat(heartbeatsWaitingForALock(jdbc, this.shared)).isZero();
				assertThat(listeners.sharedReceived).extracting(QueueMessage::id)
					.containsExactlyInAnyOrder(locking, id);
			}
			finally {
				listeners.release.countDown();
			}
		});
	}

	@Test
	void aMessageWhoseHandlerHoldsItsRowLongerThanItsLeaseShouldNotBeReadAgainOnceTheRowIsFree() {
		this.contextRunner.run((context) -> {
			Listeners listeners = context.getBean(Listeners.class);
			try {
				context.getBean(PgmqTemplate.class).send(this.progress, Map.of("n", 1));
				// its handler writes its progress in transactions that each hold its row past its 3 s lease
				assertThat(listeners.progressDone.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				assertThat(listeners.progressReceived).as("the reads of the message while its handler ran")
					.extracting(QueueMessage::readCount)
					.containsExactly(1);
			}
			finally {
				listeners.release.countDown();
			}
		});
	}

	private static int heartbeatsWaitingForALock(JdbcTemplate jdbc, String queue) {
		Integer waiting = jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
				+ "AND (query LIKE ? OR query LIKE ?)", Integer.class, "UPDATE pgmq.q_" + queue + " SET vt%",
				"WITH free AS (%FROM pgmq.q_" + queue + " %");
		return (waiting != null) ? waiting : 0;
	}

	static class Listeners {

		final CountDownLatch blockedStarted = new CountDownLatch(1);

		final CountDownLatch steadyStarted = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final List<QueueMessage<JsonNode>> steadyReceived = new CopyOnWriteArrayList<>();

		final CountDownLatch sharedStarted = new CountDownLatch(2);

		final List<QueueMessage<JsonNode>> sharedReceived = new CopyOnWriteArrayList<>();

		final List<QueueMessage<JsonNode>> progressReceived = new CopyOnWriteArrayList<>();

		final CountDownLatch progressDone = new CountDownLatch(1);

		private final PgmqTemplate pgmq;

		private final TransactionTemplate transactions;

		private final String sharedQueue;

		private final String progressQueue;

		Listeners(PgmqTemplate pgmq, DataSource dataSource, String sharedQueue, String progressQueue) {
			this.pgmq = pgmq;
			this.sharedQueue = sharedQueue;
			this.progressQueue = progressQueue;
			this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		}

		@QueueListener(queue = "${test.blocked}")
		void blocked(QueueMessage<JsonNode> message) {
			this.blockedStarted.countDown();
			awaitRelease();
		}

		@QueueListener(queue = "${test.steady}")
		void steady(QueueMessage<JsonNode> message) {
			this.steadyReceived.add(message);
			this.steadyStarted.countDown();
			awaitRelease();
		}

		// Two messages at once: one whose handler holds its own row in its transaction, one that just runs.
		@QueueListener(queue = "${test.shared}", concurrency = 2)
		void shared(QueueMessage<JsonNode> message) {
			this.sharedReceived.add(message);
			if (message.payload().get("lock").asBoolean()) {
				this.transactions.executeWithoutResult((status) -> {
					this.pgmq.mergeHeaders(this.sharedQueue, message.id(), Map.of("x-progress", 1));
					this.sharedStarted.countDown();
					awaitRelease();
				});
			}
			else {
				this.sharedStarted.countDown();
				awaitRelease();
			}
		}

		// Two handlers: a second read of the message, while the first handler still runs, would be handled.
		@QueueListener(queue = "${test.progress}", concurrency = 2)
		void progress(QueueMessage<JsonNode> message) {
			this.progressReceived.add(message);
			if (message.readCount() > 1) {
				return;
			}
			for (int step = 1; step <= 2; step++) {
				int done = step;
				this.transactions.executeWithoutResult((status) -> {
					this.pgmq.mergeHeaders(this.progressQueue, message.id(), Map.of("x-progress", done));
					// the row stays this transaction's past the lease, through the heartbeats meanwhile
					pause(Duration.ofMillis(4500));
				});
				pause(Duration.ofMillis(300));
			}
			// runs on after its last transaction, past the heartbeat that follows it
			pause(Duration.ofMillis(1500));
			this.progressDone.countDown();
		}

		private void pause(Duration duration) {
			try {
				this.release.await(duration.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private void awaitRelease() {
			try {
				this.release.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listeners listeners(PgmqTemplate pgmq, DataSource dataSource, @Value("${test.shared}") String shared,
				@Value("${test.progress}") String progress) {
			return new Listeners(pgmq, dataSource, shared, progress);
		}

	}

}
