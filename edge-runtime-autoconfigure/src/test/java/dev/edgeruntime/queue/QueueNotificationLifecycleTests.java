package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notification listener across a stop and a start of its lifecycle (its connection goes back to the
 * pool listening to nothing; a restarted listener reconnects after losing its connection), and the
 * notifier's trailing notification for a send in a transaction, which waits for the commit.
 *
 * @author edge-runtime developers
 */
class QueueNotificationLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("edge-runtime.queue.notify.enabled=false");

	@Test
	void stopShouldNotHandAListeningConnectionBackToThePool() {
		this.contextRunner.run((context) -> {
			try (HikariDataSource pool = TestDatabase.get().newDataSource(1)) {
				QueueNotificationListener listener = new QueueNotificationListener(pool,
						context.getBean(QueueConsumers.class), Duration.ofMillis(500));
				listener.start();
				await().atMost(WAIT).until(listener::isListening);
				listener.stop();
				try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
						ResultSet channels = statement.executeQuery("SELECT pg_listening_channels()")) {
					List<String> listening = new ArrayList<>();
					while (channels.next()) {
						listening.add(channels.getString(1));
					}
					assertThat(listening).as("channels the pooled connection still listens on").isEmpty();
				}
			}
		});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void listenerStoppedAndStartedAgainShouldReconnectWhenItsConnectionIsLost(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			try (HikariDataSource pool = TestDatabase.get().newDataSource(1)) {
				QueueNotificationListener listener = new QueueNotificationListener(pool,
						context.getBean(QueueConsumers.class), Duration.ofMillis(500));
				listener.start();
				await().atMost(WAIT).until(listener::isListening);
				listener.stop();
				listener.start();
				await().atMost(WAIT).until(listener::isListening);
				// The database restarts (for this connection): its backend is terminated.
				new JdbcTemplate(TestDatabase.get().dataSource()).queryForList("""
						SELECT pg_terminate_backend(pid) FROM pg_stat_activity
						WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()
						""");
				await().atMost(WAIT).until(() -> !listener.isListening());
				await("listening again after the database came back").atMost(WAIT).until(listener::isListening);
				listener.stop();
				// the loss and the return are both logged, so that an operator who read the first knows it is over
				String log = output.toString();
				assertThat(log).contains("Queue notifications unavailable, consumers poll until reconnected");
				assertThat(log.substring(log.indexOf("Queue notifications unavailable")))
					.contains("Queue notifications available again: consumers are woken by sends at once");
				assertThat(log).containsOnlyOnce("Queue notifications available again");
			}
		});
	}

	@Test
	void listenerStoppedWhileWaitingForAConnectionAndStartedAgainShouldGoOnListening() throws Exception {
		// A stop (a CRaC checkpoint, say) while the listening thread waits for a connection longer than the stop
		// waits for it; the start after it has a thread of its own, which listens.
		CountDownLatch connectionFree = new CountDownLatch(1);
		AtomicReference<Thread> waiting = new AtomicReference<>();
		this.contextRunner.run((context) -> {
			try (HikariDataSource pool = TestDatabase.get().newDataSource(2)) {
				DataSource slowFirst = new DelegatingDataSource(pool) {

					@Override
					public Connection getConnection() throws SQLException {
						if (waiting.compareAndSet(null, Thread.currentThread())) {
							try {
								connectionFree.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
						}
						return super.getConnection();
					}

				};
				QueueNotificationListener listener = new QueueNotificationListener(slowFirst,
						context.getBean(QueueConsumers.class), Duration.ofMillis(500));
				listener.start();
				await().atMost(WAIT).until(() -> waiting.get() != null);
				listener.stop();
				listener.start();
				await().atMost(WAIT).until(listener::isListening);
				connectionFree.countDown();
				// the first thread gets its connection at last, and ends without listening
				waiting.get().join(WAIT.toMillis());
				assertThat(waiting.get().isAlive()).isFalse();
				assertThat(listener.isListening()).as("listening, as the thread of the start does").isTrue();
				assertThat(listeningConnections()).as("connections listening").isEqualTo(1);
				listener.stop();
			}
		});
	}

	@Test
	void listenerStartedAgainWhileItsOldThreadIsStalledInAListenShouldListenOnPgmqsChannelItself() {
		// The old thread, stopped, is still in the LISTEN of a pgmq insert channel when the new one has connected;
		// it ends once the new one has connected, and must not make the new one believe it listens there.
		String queue = TestDatabase.uniqueName("ntf_");
		CountDownLatch oldThreadStalled = new CountDownLatch(1);
		CountDownLatch oldThreadGoesOn = new CountDownLatch(1);
		AtomicReference<Thread> oldThread = new AtomicReference<>();
		AtomicInteger connections = new AtomicInteger();
		List<String> notified = new CopyOnWriteArrayList<>();
		this.contextRunner.withPropertyValues("test.queue=" + queue)
			.withUserConfiguration(QueueListenerTests.ListenerConfiguration.class)
			.run((context) -> {
				QueueConsumers consumers = context.getBean(QueueConsumers.class);
				await().atMost(WAIT).until(() -> consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
				try (HikariDataSource pool = TestDatabase.get().newDataSource(2)) {
					QueueNotificationListener listener = new QueueNotificationListener(pool, consumers,
							Duration.ofMillis(500));
					listener.steps = new QueueNotificationListener.Steps() {

						@Override
						public void connected() {
							if (connections.incrementAndGet() == 2) {
								// the new thread has connected: the old one finishes its LISTEN, and ends
								oldThreadGoesOn.countDown();
								join(oldThread.get());
							}
						}

						@Override
						public void listened(String channel) {
							if (oldThread.compareAndSet(null, Thread.currentThread())) {
								oldThreadStalled.countDown();
								awaitLatch(oldThreadGoesOn);
							}
						}

						@Override
						public void notified(String name) {
							notified.add(name);
						}

					};
					listener.start();
					awaitLatch(oldThreadStalled);
					listener.stop();
					listener.start();
					join(oldThread.get());
					assertThat(oldThread.get().isAlive()).isFalse();
					await().atMost(WAIT).until(() -> listener.isListeningToPgmqInserts(queue));
					// what pgmq's insert trigger sends (pgmq.enable_notify_insert), here by hand
					new JdbcTemplate(TestDatabase.get().dataSource())
						.execute("NOTIFY \"pgmq.q_" + queue + ".INSERT\"");
					await("the new connection hears pgmq's insert channel").atMost(WAIT)
						.until(() -> notified.contains(queue));
					listener.stop();
				}
			});
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void join(Thread thread) {
		try {
			thread.join(WAIT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static long listeningConnections() {
		Long count = new JdbcTemplate(TestDatabase.get().dataSource()).queryForObject(
				"SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND state = 'idle'", Long.class);
		return (count != null) ? count : 0;
	}

	@Test
	void listenerOnALinkThatDiesWithoutAWordShouldFindOutAndListenAgainWhenItIsBack() throws Exception {
		TestDatabase database = TestDatabase.get();
		this.contextRunner.run((context) -> {
			try (dev.edgeruntime.testsupport.TcpProxy proxy = database.proxy()) {
				proxy.start();
				HikariDataSource pool = new HikariDataSource();
				pool.setJdbcUrl(database.jdbcUrlThrough(proxy));
				if (database.username() != null) {
					pool.setUsername(database.username());
				}
				if (database.password() != null) {
					pool.setPassword(database.password());
				}
				pool.setMaximumPoolSize(1);
				pool.setConnectionTimeout(1000);
				try (pool) {
					QueueNotificationListener listener = new QueueNotificationListener(pool,
							context.getBean(QueueConsumers.class), Duration.ofMillis(500), Duration.ofMillis(500),
							Duration.ofSeconds(1));
					listener.start();
					try {
						await().atMost(WAIT).until(listener::isListening);
						proxy.blackHole(true);
						await("the listener finds the silent link gone").atMost(WAIT).until(() -> !listener.isListening());
						proxy.blackHole(false);
						await("listening again once the link is back").atMost(WAIT).until(listener::isListening);
					}
					finally {
						listener.stop();
					}
				}
			}
		});
	}

	@Test
	void sendInATransactionOpenPastTheThrottleIntervalShouldStillWakeTheConsumer() throws Exception {
		String queue = TestDatabase.uniqueName("ntf_");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
					EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
			.withPropertyValues(TestDatabase.get().springProperties())
			.withPropertyValues("test.queue=" + queue, "edge-runtime.queue.consumer.polling-interval=1m",
					"edge-runtime.queue.notify.throttle=3s")
			.withUserConfiguration(QueueListenerTests.ListenerConfiguration.class)
			.run((context) -> {
				QueueConsumers consumers = context.getBean(QueueConsumers.class);
				QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
				await().atMost(WAIT).until(() -> notifications.isListening()
						&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
				QueueListenerTests.OrderListener listener = context.getBean(QueueListenerTests.OrderListener.class);
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				DataSource dataSource = context.getBean(DataSource.class);
				try (Connection watcher = TestDatabase.get().dataSource().getConnection()) {
					watcher.setAutoCommit(true);
					try (Statement statement = watcher.createStatement()) {
						statement.execute("LISTEN " + QueueNotifier.CHANNEL);
					}
					AtomicInteger seen = new AtomicInteger();
					pgmq.send(queue, new QueueListenerTests.Order("first", 1));
					await().atMost(WAIT).until(() -> count(watcher, queue, seen) >= 1);
					new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult((status) -> {
						// within the throttle interval of the first: announced by the trailing notification
						pgmq.send(queue, new QueueListenerTests.Order("second", 2));
						// held open past the interval: no trailing notification may go out before the commit
						await().during(Duration.ofSeconds(4)).atMost(WAIT).until(() -> count(watcher, queue, seen) == 1);
					});
					await().atMost(WAIT).until(() -> count(watcher, queue, seen) >= 2);
				}
				await("the committed second message read before the next poll, a minute away").atMost(WAIT)
					.until(() -> listener.received.size() == 2);
			});
	}

	private static int count(Connection watcher, String queue, AtomicInteger seen) throws Exception {
		PGNotification[] received = watcher.unwrap(PGConnection.class).getNotifications(100);
		if (received != null) {
			for (PGNotification notification : received) {
				if (queue.equals(notification.getParameter())) {
					seen.incrementAndGet();
				}
			}
		}
		return seen.get();
	}

}
