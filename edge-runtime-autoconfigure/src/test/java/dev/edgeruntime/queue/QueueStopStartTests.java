package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.queue.QueueListenerTests.Order;
import dev.edgeruntime.queue.QueueListenerTests.OrderListener;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable tier across a {@code stop()} and a {@code start()} of the context, as a CRaC checkpoint and
 * restore drive it, against the real PostgreSQL: the consumers, their heartbeats, the notification
 * listener, the queue VACUUM and the in-app cron scheduler work again afterwards, and no message is lost or
 * handled twice.
 *
 * @author edge-runtime developers
 */
class QueueStopStartTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("stp_");

	private final String ticks = this.queue + "_tick";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class,
				EdgeRuntimeCronAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		// a minute between polls: within the test's waits only a notification wakes an idle consumer
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=1m",
				"edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=1",
				"edge-runtime.queue.consumer.shutdown-max-wait=20s", "edge-runtime.queue.vacuum-interval=1s",
				"edge-runtime.cron.mode=in-app", "edge-runtime.cron.job-name-prefix=test-" + this.queue + ":",
				"edge-runtime.cron.jobs.beat.schedule=1 seconds", "edge-runtime.cron.jobs.beat.queue=" + this.ticks,
				"edge-runtime.cron.jobs.beat.message={\"beat\":true}")
		.withUserConfiguration(QueueListenerTests.ListenerConfiguration.class);

	@Test
	void stopThenStartShouldConsumeWakeVacuumAndFireAgainWithNothingLostOrHandledTwice() throws Exception {
		this.contextRunner.run((context) -> {
			ConfigurableApplicationContext application = context
				.getSourceApplicationContext(ConfigurableApplicationContext.class);
			QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
			OrderListener listener = context.getBean(OrderListener.class);
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			awaitIdle(context);
			// running when the stop comes (it finishes within the drain) and one prefetched (handed back)
			CountDownLatch release = new CountDownLatch(1);
			listener.behaviour = (message) -> {
				if (message.payload().sku().equals("running")) {
					block(release);
				}
			};
			List<Long> before = pgmq.sendBatch(this.queue, List.of(new Order("running", 1), new Order("waiting", 2)));
			await().atMost(WAIT).until(() -> listener.received.size() == 1 && leased(context) == 2);
			Thread stopping = new Thread(application::stop, "test-stop");
			stopping.start();
			await().atMost(WAIT).until(() -> leased(context) == 1);
			release.countDown();
			stopping.join(WAIT.toMillis());
			assertThat(stopping.isAlive()).as("stop returned").isFalse();
			assertThat(context.getBean(QueueConsumers.class).isRunning()).isFalse();
			assertThat(notifications.isRunning()).isFalse();
			await().atMost(WAIT).until(() -> !notifications.isListening() && queueThreads().isEmpty());
			long sentWhileStopped = pgmq.send(this.queue, new Order("while-stopped", 3));
			int ticksBefore = tickMessages();

			application.start();

			await("the prefetched one and the one sent while stopped").atMost(WAIT)
				.until(() -> listener.received.size() == 3);
			awaitIdle(context);
			// read by a notification, not by a poll a minute away
			long sentAfter = pgmq.send(this.queue, new Order("after", 4));
			await().atMost(WAIT).until(() -> listener.received.size() == 4);
			await().atMost(WAIT).until(() -> rows(context) == 0);
			assertThat(listener.received).extracting(QueueMessage::id)
				.containsExactly(before.get(0), before.get(1), sentWhileStopped, sentAfter);
			assertThat(listener.received).extracting(QueueMessage::readCount).containsOnly(1);
			// the cron ticks come again, one message each
			await().atMost(WAIT).until(() -> tickMessages() >= ticksBefore + 2);
			assertThat(jdbc(context).queryForList("SELECT count(*) FROM pgmq.q_" + this.ticks
					+ " GROUP BY headers->>'x-cron-tick' HAVING count(*) > 1", Long.class))
				.as("ticks sent twice")
				.isEmpty();
			assertThat(context.getBean(CronJobs.class).list()).singleElement()
				.satisfies((job) -> assertThat(job.active()).isTrue());
			// the VACUUM rounds go on
			long vacuums = vacuums(context);
			await().atMost(WAIT).until(() -> vacuums(context) > vacuums);
		});
	}

	private void awaitIdle(AssertableApplicationContext context) {
		QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
		QueueConsumers consumers = context.getBean(QueueConsumers.class);
		await().atMost(WAIT)
			.until(() -> notifications.isListening() && notifications.isListeningToPgmqInserts(this.queue)
					&& !consumers.status().isEmpty()
					&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
	}

	private List<String> queueThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> name.startsWith("queue-" + this.queue + "-") || name.equals("queue-listen"))
			.toList();
	}

	private static void block(CountDownLatch latch) {
		try {
			latch.await(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private long leased(AssertableApplicationContext context) {
		Long count = jdbc(context).queryForObject(
				"SELECT count(*) FROM pgmq.q_" + this.queue + " WHERE vt > clock_timestamp()", Long.class);
		return (count != null) ? count : 0;
	}

	private long rows(AssertableApplicationContext context) {
		Long count = jdbc(context).queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue, Long.class);
		return (count != null) ? count : 0;
	}

	private int tickMessages() {
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		Integer count = jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + this.ticks, Integer.class);
		return (count != null) ? count : 0;
	}

	private long vacuums(AssertableApplicationContext context) {
		Long count = jdbc(context).queryForObject(
				"SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = 'pgmq' AND relname = ?", Long.class,
				"q_" + this.queue);
		return (count != null) ? count : 0;
	}

	private static JdbcTemplate jdbc(AssertableApplicationContext context) {
		return new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
	}

}
