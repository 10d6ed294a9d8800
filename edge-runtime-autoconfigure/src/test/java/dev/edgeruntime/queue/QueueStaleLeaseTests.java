package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer whose lease ran out (its visibility timeout passed without a heartbeat reaching the
 * database) while its handler ran leaves the message alone once another consumer has read it: its retry,
 * its dead letter and its heartbeat change nothing of the newer lease. And queue names fold to lower case
 * whatever the JVM's default locale.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueStaleLeaseTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("stale_");

	private final JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		// 30 s lease, heartbeat every 10 s: none falls within the test; no read ahead, so that this instance's
		// reader cannot take the message again itself while its one handler runs (the test plays instance B)
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.queue.consumer.backoff.initial=0s", "edge-runtime.queue.consumer.visibility-timeout=30s",
				"edge-runtime.queue.consumer.prefetch=0")
		.withUserConfiguration(Config.class);

	@Test
	void staleFailureShouldLeaveTheLeaseOfTheConsumerThatReadTheMessageSince(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=5").run((context) -> {
			Listener listener = context.getBean(Listener.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			listener.behaviour = (message) -> {
				if (message.readCount() == 1) {
					started.countDown();
					awaitQuietly(release);
					throw new IllegalStateException("attempt 1 fails late");
				}
			};
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
			long id = pgmq.send(this.queue, Map.of("n", 1));
			assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// Instance A's lease runs out (its heartbeats did not reach the database) ...
			jdbc.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp() - interval '1 second'");
			// ... and instance B reads the message: a live 30 s lease, read_ct 2
			List<QueueMessage<JsonNode>> b = pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null);
			assertThat(b).singleElement().satisfies((m) -> assertThat(m.readCount()).isEqualTo(2));
			// A's handler now fails: its retry (set_vt by id) must leave B's lease alone
			release.countDown();
			awaitHandlerDone(context);
			assertThat(listener.received).as("deliveries on A while B holds a live lease")
				.extracting(QueueMessage::readCount)
				.containsExactly(1);
			assertThat(jdbc.queryForMap("SELECT read_ct, vt > clock_timestamp() AS leased FROM pgmq.q_" + this.queue
					+ " WHERE msg_id = ?", id)).as("B's lease (read_ct 2) still holds")
				.containsEntry("read_ct", 2)
				.containsEntry("leased", true);
			assertThat(output).contains("Message " + id + " of queue '" + this.queue + "' failed (attempt 1 of 5) and "
					+ "is left as it is: it was read again after its lease ran out");
		});
	}

	@Test
	void staleLastAttemptShouldNotDeadLetterTheMessageAnotherConsumerRuns(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=2").run((context) -> {
			Listener listener = context.getBean(Listener.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			listener.behaviour = (message) -> {
				if (message.readCount() == 2) {
					started.countDown();
					awaitQuietly(release);
					throw new IllegalStateException("attempt 2 fails late");
				}
				if (message.readCount() == 1) {
					throw new IllegalStateException("attempt 1 fails");
				}
			};
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
			long id = pgmq.send(this.queue, Map.of("n", 1));
			assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			jdbc.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp() - interval '1 second'");
			// B reads it (its third delivery) and will succeed
			List<QueueMessage<JsonNode>> b = pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null);
			assertThat(b).singleElement().satisfies((m) -> assertThat(m.readCount()).isEqualTo(3));
			release.countDown();
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			awaitHandlerDone(context);
			// B finishes and deletes the message it holds
			boolean deletedByB = pgmq.delete(this.queue, id);
			assertThat(deadLetters.events).as("dead-lettered while B held it").isEmpty();
			assertThat(deletedByB).as("B's delete of the message it leased").isTrue();
			assertThat(output).contains("Message " + id + " of queue '" + this.queue + "' was not dead-lettered after 2 "
					+ "attempt(s)");
		});
	}

	@Test
	void onlyAttemptThatSucceedsAfterItsMessageWasDeadLetteredUnrunShouldTakeTheDeadLetterBack(CapturedOutput output) {
		long id = succeedAfterAReadPastTheOneAttemptDeadLettered(false);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + this.queue, Long.class))
			.as("the dead letter of a message its one attempt handled").isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue, Long.class)).isZero();
		assertThat(output).contains("Handled message " + id + " of queue '" + this.queue + "' had been dead-lettered "
				+ "while its handler ran, unrun, by the read after its lease ran out")
			.contains("so the dead letter is deleted")
			.doesNotContain("was no longer in the queue to delete");
	}

	@Test
	void onlyAttemptThatSucceedsAfterItsMessageWasDeadLetteredUnrunShouldArchiveItAsHandled(CapturedOutput output) {
		long id = succeedAfterAReadPastTheOneAttemptDeadLettered(true);
		assertThat(this.jdbc.queryForMap("SELECT read_ct, headers->'x-dead-lettered' IS NOT NULL AS dead, "
				+ "headers->'x-error' IS NOT NULL AS error, headers->'x-attempts' IS NOT NULL AS attempts FROM pgmq.a_" + this.queue + " WHERE msg_id = ?", id))
			.as("archived as a handled message of its one attempt, not as a dead letter")
			.containsEntry("read_ct", 1)
			.containsEntry("dead", false)
			.containsEntry("error", false)
			.containsEntry("attempts", false);
		assertThat(output).contains("so the dead letter is archived as handled");
	}

	@Test
	void lateSuccessShouldLeaveTheDeadLetterOfAFailureAlone(CapturedOutput output) {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=2").run((a) -> {
			Listener listenerA = a.getBean(Listener.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			listenerA.behaviour = (message) -> {
				started.countDown();
				awaitQuietly(release);
			};
			PgmqTemplate pgmq = a.getBean(PgmqTemplate.class);
			long id = pgmq.send(this.queue, Map.of("n", 1));
			assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			this.jdbc.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp() - interval '1 second'");
			// B reads it (its second and last delivery), runs it and fails: a dead letter of a failure
			List<QueueMessage<JsonNode>> b = pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null);
			assertThat(b).singleElement().satisfies((m) -> assertThat(m.readCount()).isEqualTo(2));
			assertThat(pgmq.archiveWithHeaders(this.queue, id, Map.of(QueueHeaders.DEAD_LETTERED, true,
					QueueHeaders.ERROR, "java.lang.IllegalStateException: attempt 2 failed", QueueHeaders.ATTEMPTS, 2)))
				.isTrue();
			release.countDown();
			awaitHandlerDone(a);
			await().atMost(WAIT).untilAsserted(() -> assertThat(output).contains("Handled message " + id + " of queue '"
					+ this.queue + "' was no longer in the queue to delete"));
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + this.queue
					+ " WHERE headers @> '{\"x-dead-lettered\": true}'", Long.class)).isOne();
		});
	}

	@Test
	void staleFailureShouldNotDeadLetterTheMessageRequeuedAndReadAgainMeanwhile(CapturedOutput output) {
		long id = endStaleAttemptAfterARequeue(new IllegalStateException("attempt 1 fails late"));
		assertThat(this.jdbc.queryForList("SELECT read_ct, vt > clock_timestamp() AS leased FROM pgmq.q_" + this.queue
				+ " WHERE msg_id = ?", id)).as("the requeued message, run by C under read_ct 1 again")
			.singleElement()
			.satisfies((row) -> assertThat(row).containsEntry("read_ct", 1).containsEntry("leased", true));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + this.queue, Long.class)).isZero();
		assertThat(output).contains("Message " + id + " of queue '" + this.queue + "' was not dead-lettered after 1 "
				+ "attempt(s)");
	}

	@Test
	void staleSuccessShouldNotDeleteTheMessageRequeuedAndReadAgainMeanwhile(CapturedOutput output) {
		long id = endStaleAttemptAfterARequeue(null);
		assertThat(this.jdbc.queryForList("SELECT read_ct, vt > clock_timestamp() AS leased FROM pgmq.q_" + this.queue
				+ " WHERE msg_id = ?", id)).as("the requeued message, run by C under read_ct 1 again")
			.singleElement()
			.satisfies((row) -> assertThat(row).containsEntry("read_ct", 1).containsEntry("leased", true));
		await().atMost(WAIT).untilAsserted(() -> assertThat(output).contains("Handled message " + id + " of queue '"
				+ this.queue + "' was no longer in the queue to delete"));
	}

	/**
	 * Instance A's one attempt runs while its lease runs out; B reads the message past that attempt and
	 * dead-letters it; an operator requeues it (read_ct 0 again) and C reads it (read_ct 1 again, the count A
	 * read); then A's attempt ends.
	 * @param failure what A's handler throws, {@code null} to succeed
	 */
	private long endStaleAttemptAfterARequeue(@Nullable RuntimeException failure) {
		long[] id = new long[1];
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=1").run((a) -> {
			Listener listenerA = a.getBean(Listener.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			listenerA.behaviour = (message) -> {
				started.countDown();
				awaitQuietly(release);
				if (failure != null) {
					throw failure;
				}
			};
			PgmqTemplate pgmq = a.getBean(PgmqTemplate.class);
			id[0] = pgmq.send(this.queue, Map.of("n", 1));
			assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			this.jdbc.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp() - interval '1 second'");
			assertThat(pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null)).singleElement()
				.satisfies((m) -> assertThat(m.readCount()).isEqualTo(2));
			assertThat(pgmq.archiveWithHeaders(this.queue, id[0], Map.of(QueueHeaders.DEAD_LETTERED, true,
					QueueHeaders.ERROR, "java.lang.IllegalStateException: delivered 1 times without an outcome",
					QueueHeaders.ATTEMPTS, 1)))
				.isTrue();
			assertThat(pgmq.requeueDeadLetters(this.queue, List.of(id[0]))).containsExactly(id[0]);
			assertThat(pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null)).singleElement()
				.satisfies((m) -> assertThat(m.readCount()).isEqualTo(1));
			release.countDown();
			awaitHandlerDone(a);
			assertThat(listenerA.received).extracting(QueueMessage::readCount).containsExactly(1);
		});
		return id[0];
	}

	/**
	 * Instance A's one attempt runs while its lease runs out; instance B's read, past the one attempt,
	 * dead-letters the message unrun; then A's attempt succeeds.
	 */
	private long succeedAfterAReadPastTheOneAttemptDeadLettered(boolean archive) {
		long[] id = new long[1];
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.max-attempts=1",
					"edge-runtime.queue.consumer.archive-on-success=" + archive)
			.run((a) -> {
				Listener listenerA = a.getBean(Listener.class);
				CountDownLatch started = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				listenerA.behaviour = (message) -> {
					started.countDown();
					awaitQuietly(release);
				};
				PgmqTemplate pgmq = a.getBean(PgmqTemplate.class);
				id[0] = pgmq.send(this.queue, Map.of("n", 1));
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				// Instance A's lease runs out (its heartbeats did not reach the database) while its handler runs ...
				this.jdbc.update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp() - interval '1 second'");
				// ... and instance B reads the message (read_ct 2): past its one attempt, dead-lettered unrun
				this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=1").run((b) -> {
					DeadLetters deadLettersB = b.getBean(DeadLetters.class);
					await().atMost(WAIT).until(() -> deadLettersB.events.size() == 1);
					assertThat(b.getBean(Listener.class).received).isEmpty();
					assertThat(deadLettersB.events.get(0).error()).contains("delivered 1 times without an outcome");
				});
				// A's one attempt now succeeds: its delete finds the message gone, a dead letter of its delivery
				release.countDown();
				awaitHandlerDone(a);
				assertThat(listenerA.received).extracting(QueueMessage::readCount).containsExactly(1);
			});
		return id[0];
	}

	@Test
	void queueNamesWithAnUpperCaseIShouldWorkUnderATurkishDefaultLocale() {
		Locale previous = Locale.getDefault();
		String name = "ITEMS_" + TestDatabase.uniqueName("r");
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(TestDatabase.get().dataSource()),
				new tools.jackson.databind.json.JsonMapper(), 1024 * 1024, Duration.ofHours(1), null);
		pgmq.createQueue(name);
		long id = pgmq.send(name, Map.of("n", 1));
		try {
			Locale.setDefault(Locale.forLanguageTag("tr-TR"));
			assertThat(pgmq.readJson(name, Duration.ofSeconds(30), 1, null)).hasSize(1);
			assertThat(pgmq.mergeHeaders(name, id, Map.of("x", 1))).isTrue();
			assertThat(pgmq.statistics(name).deadLettered()).isZero();
			// an idempotency key belongs to the queue, whatever case its name is written in
			long first = pgmq.sendIdempotent(name, "key-1", Map.of("n", 2));
			assertThat(pgmq.sendIdempotent(name.toLowerCase(Locale.ROOT), "key-1", Map.of("n", 3))).isEqualTo(first);
		}
		finally {
			Locale.setDefault(previous);
		}
	}

	private static void awaitHandlerDone(org.springframework.context.ApplicationContext context) {
		await().atMost(WAIT).until(() -> context.getBean(QueueConsumers.class).status().stream()
			.allMatch((status) -> status.inFlight() == 0));
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static class Listener {

		final List<QueueMessage<JsonNode>> received = new CopyOnWriteArrayList<>();

		volatile Consumer<QueueMessage<JsonNode>> behaviour = (message) -> {
		};

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			this.received.add(message);
			this.behaviour.accept(message);
		}

	}

	static class DeadLetters {

		final List<MessageDeadLetteredEvent> events = new CopyOnWriteArrayList<>();

		@org.springframework.context.event.EventListener
		void on(MessageDeadLetteredEvent event) {
			this.events.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listener listener() {
			return new Listener();
		}

		@Bean
		DeadLetters deadLetters() {
			return new DeadLetters();
		}

	}

}
