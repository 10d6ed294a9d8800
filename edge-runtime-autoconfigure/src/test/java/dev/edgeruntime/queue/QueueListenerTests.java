package dev.edgeruntime.queue;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link QueueListener} consumers against the real PostgreSQL.
 *
 * @author edge-runtime developers
 */
class QueueListenerTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("lst_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.queue.consumer.backoff.initial=0s", "edge-runtime.queue.consumer.concurrency=2")
		.withUserConfiguration(ListenerConfiguration.class);

	@Test
	void handledMessagesAreDeleted() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			List<Long> ids = pgmq.sendBatch(this.queue, List.of(new Order("a", 1), new Order("b", 2)));
			await().atMost(WAIT).until(() -> listener.received.size() == 2);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactlyInAnyOrderElementsOf(ids);
			await().atMost(WAIT).until(() -> rows(context, "q") == 0);
			assertThat(rows(context, "a")).isZero();
		});
	}

	@Test
	void handledMessagesAreArchivedWhenConfigured() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.archive-on-success=true")
			.run((context) -> {
				context.getBean(PgmqTemplate.class).send(this.queue, new Order("a", 1));
				await().atMost(WAIT).until(() -> rows(context, "a") == 1);
				assertThat(rows(context, "q")).isZero();
			});
	}

	@Test
	void failingMessageIsRetriedThenDeadLettered() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=3").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			listener.behaviour = (message) -> {
				throw new IllegalStateException("boom " + message.payload().sku());
			};
			long id = context.getBean(PgmqTemplate.class).send(this.queue, new Order("x", 1));
			await().atMost(WAIT).until(() -> rows(context, "a") == 1);
			assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(1, 2, 3);
			Map<String, Object> archived = jdbc(context)
				.queryForMap("SELECT msg_id, headers::text AS headers FROM pgmq.a_" + this.queue);
			assertThat(archived.get("msg_id")).isEqualTo(id);
			assertThat(archived.get("headers").toString()).contains("\"x-dead-lettered\": true")
				.contains("\"x-attempts\": 3")
				.contains("boom x")
				// the marks of the retry before the last go: x-error and x-attempts tell the last one
				.doesNotContain(QueueHeaders.LAST_ERROR)
				.doesNotContain(QueueHeaders.FAILED_ATTEMPT);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(id);
				assertThat(event.attempts()).isEqualTo(3);
				assertThat(event.poison()).isFalse();
			});
			assertThat(context.getBean(PgmqTemplate.class).statistics(this.queue).deadLettered()).isEqualTo(1);
		});
	}

	@Test
	void deadLetterRequeuedOnceTheFaultIsMendedIsHandledWithAllItsAttempts() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=2").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			listener.behaviour = (message) -> {
				throw new IllegalStateException("printer offline");
			};
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			long id = pgmq.send(this.queue, new Order("late", 1), Map.of("trace", "t-7"), Duration.ZERO);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			// the fault is mended, then the dead letter goes back to the queue
			listener.behaviour = (message) -> {
			};
			assertThat(pgmq.requeueDeadLetters(this.queue)).containsExactly(id);
			await().atMost(WAIT).until(() -> rows(context, "q") == 0 && listener.received.size() == 3);
			QueueMessage<Order> delivered = listener.received.get(2);
			assertThat(delivered.id()).isEqualTo(id);
			assertThat(delivered.readCount()).as("a first delivery again").isEqualTo(1);
			assertThat(delivered.headers()).containsEntry("trace", "t-7")
				.containsKey(QueueHeaders.REQUEUED_AT)
				.doesNotContainKeys(QueueHeaders.DEAD_LETTERED, QueueHeaders.ERROR, QueueHeaders.ATTEMPTS,
						QueueHeaders.LAST_ERROR, QueueHeaders.FAILED_ATTEMPT);
			assertThat(deadLetters.events).hasSize(1);
			assertThat(pgmq.statistics(this.queue).deadLettered()).isZero();
			assertThat(pgmq.requeueDeadLetters(this.queue)).isEmpty();
		});
	}

	@Test
	void retryIsReadWhenItsBackoffEndsNotAtTheNextPoll() {
		// a message made visible again sends no notification: with a poll a minute apart, only the consumer's
		// own wake-up at the end of the backoff reads the retry within the wait below
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.polling-interval=1m",
					"edge-runtime.queue.consumer.backoff.initial=1s", "edge-runtime.queue.consumer.backoff.jitter=0")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				listener.behaviour = (message) -> {
					if (message.readCount() == 1) {
						throw new IllegalStateException("first delivery fails");
					}
				};
				long id = context.getBean(PgmqTemplate.class).send(this.queue, new Order("again", 1));
				await().atMost(Duration.ofSeconds(20)).until(() -> listener.received.size() == 2);
				assertThat(listener.received).extracting(QueueMessage::id).containsExactly(id, id);
				assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(1, 2);
				await().atMost(WAIT).until(() -> rows(context, "q") == 0);
			});
	}

	@Test
	void retryOfAShortBackoffIsVisibleAfterItNotAfterAWholeSecond() {
		PgmqSchemaInitializer schema = new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO);
		assertThat(schema.install()).isTrue();
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		String queue = this.queue + "_r";
		new PgmqTemplate(jdbc, new JsonMapper(), 1024 * 1024, Duration.ofHours(1), null).createQueue(queue);
		// Each retry's statement (it writes headers and vt at once) is recorded by a trigger with how far vt is
		// from two clocks that bracket the moment the statement computed it: its transaction's start, before
		// (so at least the delay), and the trigger's own clock, after (so at most the delay). No bound then
		// depends on how quickly the database runs.
		jdbc.execute("CREATE TABLE " + queue + "_retries (read_ct int, from_start_ms double precision, "
				+ "ahead_ms double precision)");
		jdbc.execute("""
				CREATE FUNCTION %1$s_retried() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW.vt IS DISTINCT FROM OLD.vt AND NEW.headers IS DISTINCT FROM OLD.headers THEN
						INSERT INTO %1$s_retries VALUES (NEW.read_ct, extract(epoch FROM NEW.vt - now()) * 1000,
							extract(epoch FROM NEW.vt - clock_timestamp()) * 1000);
					END IF;
					RETURN NEW;
				END $$""".formatted(queue));
		jdbc.execute("CREATE TRIGGER retried BEFORE UPDATE ON pgmq.q_" + queue + " FOR EACH ROW EXECUTE FUNCTION "
				+ queue + "_retried()");
		try {
			this.contextRunner.withUserConfiguration(ShortBackoffConfiguration.class).run((context) -> {
				ShortBackoffListener listener = context.getBean(ShortBackoffListener.class);
				long id = context.getBean(PgmqTemplate.class).send(queue, new Order("soon", 1));
				await().atMost(WAIT).until(() -> listener.received.size() == 3);
				assertThat(listener.received).extracting(QueueMessage::id).containsExactly(id, id, id);
				assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(1, 2, 3);
				await().atMost(WAIT).until(() -> jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + queue,
						Long.class) == 0);
				List<Map<String, Object>> retries = jdbc
					.queryForList("SELECT read_ct, from_start_ms, ahead_ms FROM " + queue + "_retries ORDER BY read_ct");
				assertThat(retries).extracting((retry) -> retry.get("read_ct")).containsExactly(1, 2);
				// 200ms then 400ms (the multiplier's 2), less at most a fifth (the jitter): not a second each
				assertThat((Double) retries.get(0).get("from_start_ms")).isGreaterThanOrEqualTo(160.0);
				assertThat((Double) retries.get(0).get("ahead_ms")).isLessThanOrEqualTo(200.0);
				assertThat((Double) retries.get(1).get("from_start_ms")).isGreaterThanOrEqualTo(320.0);
				assertThat((Double) retries.get(1).get("ahead_ms")).isLessThanOrEqualTo(400.0);
			});
		}
		finally {
			jdbc.execute("DROP TRIGGER retried ON pgmq.q_" + queue);
			jdbc.execute("DROP FUNCTION " + queue + "_retried()");
			jdbc.execute("DROP TABLE " + queue + "_retries");
		}
	}

	@Test
	void idleReaderReadsARetryJustAfterItsDelayToTheMillisecond() {
		long now = 1_000_000_000L;
		assertThat(QueueConsumer.retryDue(now, Duration.ofMillis(200)))
			.isEqualTo(now + TimeUnit.MILLISECONDS.toNanos(250));
		assertThat(QueueConsumer.retryDue(now, Duration.ofMillis(1500)))
			.isEqualTo(now + TimeUnit.MILLISECONDS.toNanos(1550));
	}

	@Test
	void messageDeliveredMaxAttemptsTimesWithoutAnOutcomeIsDeadLetteredWithoutRunningAgain() {
		// Three deliveries ended without an outcome: the instances holding it were killed (a payload whose
		// handler runs the JVM out of memory, say), so each read counted but no failure was written.
		PgmqSchemaInitializer schema = new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO);
		assertThat(schema.install()).isTrue();
		PgmqTemplate direct = new PgmqTemplate(new JdbcTemplate(TestDatabase.get().dataSource()), new JsonMapper(),
				1024 * 1024, Duration.ofHours(1), null);
		direct.createQueue(this.queue);
		long killer = direct.send(this.queue, new Order("oom", 1));
		for (int delivery = 1; delivery <= 3; delivery++) {
			assertThat(direct.readJson(this.queue, Duration.ZERO, 1, null)).singleElement()
				.satisfies((message) -> assertThat(message.id()).isEqualTo(killer));
		}
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=3").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			long good = context.getBean(PgmqTemplate.class).send(this.queue, new Order("ok", 1));
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1 && listener.received.size() == 1);
			assertThat(listener.received).as("a fourth run of a message allowed three")
				.extracting(QueueMessage::id)
				.containsExactly(good);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(killer);
				assertThat(event.attempts()).isEqualTo(3);
				assertThat(event.poison()).isFalse();
				assertThat(event.error()).contains("delivered 3 times without an outcome");
			});
			assertThat(jdbc(context).queryForObject("SELECT headers->>'x-attempts' FROM pgmq.a_" + this.queue,
					String.class)).isEqualTo("3");
		});
	}

	@Test
	void messageDeliveredMoreOftenThanALoweredMaximumIsDeadLetteredWithTheFailureItHad() {
		// Three deliveries under a maximum of five: the second failed (its retry wrote why), the third's instance
		// was killed. A deploy then lowers the maximum to two: the message is past it, and not for want of an
		// outcome only.
		long failing = deliveredThreeTimesAfterAFailureOf(2);
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=2").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(listener.received).as("run past its maximum attempts").isEmpty();
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(failing);
				assertThat(event.attempts()).isEqualTo(3);
				assertThat(event.error()).contains("delivered 3 times, more than its maximum attempts (2): not run "
						+ "again; attempt 2 failed with java.lang.IllegalStateException: boom and the delivery after it "
						+ "ended without an outcome")
					.doesNotContain("delivered 3 times without an outcome");
			});
			assertThat(jdbc(context).queryForObject("SELECT headers->>'x-attempts' FROM pgmq.a_" + this.queue,
					String.class)).isEqualTo("3");
		});
	}

	@Test
	void messageWhoseDeliveriesAfterAFailureEndedWithoutAnOutcomeIsDeadLetteredAtItsMaximumNotPastIt() {
		// Three deliveries under a maximum of three, unchanged: the first failed (its retry wrote why), the
		// instances of the next two were killed. The message is at its maximum, not beyond it.
		long failing = deliveredThreeTimesAfterAFailureOf(1);
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=3").run((context) -> {
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.attempts()).isEqualTo(3);
				assertThat(event.error()).contains("delivered 3 times, its maximum attempts (3): not run again; "
						+ "attempt 1 failed with java.lang.IllegalStateException: boom and the 2 deliveries after it "
						+ "ended without an outcome");
			});
		});
	}

	/**
	 * A message read three times by a client of its own (each delivery's instance killed, say), one of whose
	 * deliveries failed and wrote why, as a consumer's retry does.
	 * @return the message's id
	 */
	private long deliveredThreeTimesAfterAFailureOf(int failedAttempt) {
		PgmqSchemaInitializer schema = new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO);
		assertThat(schema.install()).isTrue();
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		PgmqTemplate direct = new PgmqTemplate(jdbc, new JsonMapper(), 1024 * 1024, Duration.ofHours(1), null);
		direct.createQueue(this.queue);
		long failing = direct.send(this.queue, new Order("failing", 1));
		for (int delivery = 1; delivery <= 3; delivery++) {
			assertThat(direct.readJson(this.queue, Duration.ZERO, 1, null)).singleElement()
				.satisfies((message) -> assertThat(message.id()).isEqualTo(failing));
		}
		jdbc.update("UPDATE pgmq.q_" + this.queue + " SET headers = jsonb_build_object('" + QueueHeaders.LAST_ERROR
				+ "', 'java.lang.IllegalStateException: boom', '" + QueueHeaders.FAILED_ATTEMPT + "', ?) WHERE msg_id = ?",
				failedAttempt, failing);
		return failing;
	}

	@Test
	void maxAttemptsHeaderOverridesTheListenersSetting() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=5").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			listener.behaviour = (message) -> {
				throw new IllegalStateException("boom");
			};
			context.getBean(PgmqTemplate.class)
				.send(this.queue, new Order("once", 1), Map.of(QueueHeaders.MAX_ATTEMPTS, 1), Duration.ZERO);
			await().atMost(WAIT).until(() -> rows(context, "a") == 1);
			assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(1);
		});
	}

	@Test
	void poisonPayloadIsDeadLetteredAtOnceAndDoesNotBlockTheQueue() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			long poison = pgmq.send(this.queue, Map.of("sku", List.of(1, 2), "quantity", "many"));
			long good = pgmq.send(this.queue, new Order("ok", 1));
			await().atMost(WAIT).until(() -> listener.received.size() == 1);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(good);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(poison);
				assertThat(event.attempts()).isEqualTo(1);
				assertThat(event.poison()).isTrue();
			});
			assertThat(jdbc(context).queryForObject("SELECT msg_id FROM pgmq.a_" + this.queue, Long.class))
				.isEqualTo(poison);
		});
	}

	@Test
	void payloadJacksonCannotParseIsDeadLetteredAtOnceAndDoesNotHoldBackTheMessagesReadWithIt() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			// Valid jsonb, sent by another pgmq client, but beyond Jackson's limits (a number of 2,000 digits):
			// the read of the batch that leases it must not fail for its neighbours, again at every lease.
			Long unparseable = jdbc(context).queryForObject("SELECT pgmq.send(?, ('{\"sku\": \"x\", \"quantity\": ' "
					+ "|| repeat('9', 2000) || '}')::jsonb)", Long.class, this.queue);
			long good = pgmq.send(this.queue, new Order("ok", 1));
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1 && listener.received.size() == 1);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(good);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(unparseable);
				assertThat(event.attempts()).isEqualTo(1);
				assertThat(event.poison()).isTrue();
				assertThat(event.error()).startsWith(MessageConversionException.class.getName() + ": Message "
						+ unparseable + " cannot be read as " + Order.class.getName() + ": ");
			});
			assertThat(jdbc(context).queryForObject("SELECT msg_id FROM pgmq.a_" + this.queue, Long.class))
				.isEqualTo(unparseable);
			assertThat(context.getBean(QueueConsumers.class).status()).allMatch(QueueConsumerStatus::healthy);
		});
	}

	@Test
	void payloadLargerThanTheMaxPayloadSizeFromAnotherWriterIsDeadLetteredUnparsed() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.max-payload-size=1KB").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			// a send of this application refuses it; a SQL user of the queue's database does not
			Long huge = jdbc(context).queryForObject("SELECT pgmq.send(?, jsonb_build_object('sku', repeat('x', 64 * 1024), "
					+ "'quantity', 1))", Long.class, this.queue);
			long good = pgmq.send(this.queue, new Order("ok", 1));
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1 && listener.received.size() == 1);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(good);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(huge);
				assertThat(event.attempts()).isEqualTo(1);
				assertThat(event.poison()).isTrue();
				assertThat(event.error()).startsWith(MessageConversionException.class.getName() + ": Message " + huge
						+ " cannot be read as " + Order.class.getName() + ": its payload is ")
					.contains("beyond the 2048 bytes a read parses (twice edge-runtime.queue.max-payload-size");
			});
		});
	}

	@Test
	void headersLargerThanTheMaxPayloadSizeFromAnotherWriterAreDeadLetteredUnparsed() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.max-payload-size=1KB").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			// many headers, as a forged message may carry: not read into a map of 200,000 entries (headers may take
			// 1MB whatever max-payload-size is, and a read parses twice that)
			Long forged = jdbc(context).queryForObject("SELECT pgmq.send(?, '{\"sku\": \"a\", \"quantity\": 1}'::jsonb, "
					+ "(SELECT jsonb_object_agg('h' || i, i) FROM generate_series(1, 200000) i))", Long.class, this.queue);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(listener.received).isEmpty();
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(forged);
				assertThat(event.poison()).isTrue();
				assertThat(event.error()).contains(": its headers are ")
					.contains("beyond the 2097152 bytes a read parses (twice edge-runtime.queue.max-payload-size or "
							+ "twice 1MB, whichever is more)");
			});
		});
	}

	@Test
	void handlerErrorWithAHugeMessageIsKeptCutSoThatTheRetryIsRead() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.max-attempts=2").run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			// an error quoting 2MB: kept whole in x-last-error, the headers would be too large for the retry's read
			listener.behaviour = (message) -> {
				throw new IllegalStateException("x".repeat(2 * 1024 * 1024));
			};
			long id = context.getBean(PgmqTemplate.class).send(this.queue, new Order("x", 1));
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(1, 2);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> assertThat(event.poison()).isFalse());
			String error = jdbc(context).queryForObject(
					"SELECT headers->>'x-error' FROM pgmq.a_" + this.queue + " WHERE msg_id = ?", String.class, id);
			// "java.lang.IllegalStateException: " and the 2,097,152 x's
			assertThat(error).hasSize(QueueConsumer.MAX_ERROR_HEADER_LENGTH + "... (2097185 characters)".length())
				.startsWith("java.lang.IllegalStateException: xxx")
				.endsWith("xxx... (2097185 characters)");
		});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void payloadWhoseErrorQuotesALineBreakIsDeadLetteredInOneLogLine(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			// the mapping error quotes the value, a line break and what looks like a log line of its own with it
			Long forged = jdbc(context).queryForObject("SELECT pgmq.send(?, jsonb_build_object('sku', 'a', 'quantity', "
					+ "'1' || chr(10) || '2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged'))", Long.class, this.queue);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(forged);
				assertThat(event.error()).contains("1\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged");
			});
			await().atMost(WAIT).until(() -> output.toString().contains("Dead-lettered message " + forged));
			assertThat(output).contains("1\\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged")
				.doesNotContain("\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged");
		});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void deadLetterLogLineSaysHowToSendTheMessageBack(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			Long id = jdbc(context).queryForObject("SELECT pgmq.send(?, '\"not an order\"'::jsonb)", Long.class,
					this.queue);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			String hint = "; once its cause is mended, send it back with PgmqTemplate.requeueDeadLetters(\""
					+ this.queue + "\", List.of(" + id + "L)) (or the dashboard's requeue)";
			await().atMost(WAIT).until(() -> output.toString().contains(hint));
			assertThat(output).containsPattern("Dead-lettered message " + id + " of queue '" + this.queue
					+ "' after 1 attempt\\(s\\) \\(payload cannot be read\\): .*" + Pattern.quote(hint));
			// and what it says does it
			assertThat(context.getBean(PgmqTemplate.class).requeueDeadLetters(this.queue, List.of(id)))
				.containsExactly(id);
		});
	}

	@Test
	void nullPayloadIsDeadLetteredAtOnceForAListenerOfAType() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			long nothing = pgmq.send(this.queue, pgmq.objectMapper().nullNode());
			long good = pgmq.send(this.queue, new Order("ok", 1));
			await().atMost(WAIT).until(() -> listener.received.size() == 1);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(good);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(nothing);
				assertThat(event.attempts()).isEqualTo(1);
				assertThat(event.poison()).isTrue();
				assertThat(event.error()).isEqualTo(MessageConversionException.class.getName() + ": Message " + nothing
						+ " cannot be read as " + Order.class.getName() + ": the payload is null");
			});
		});
	}

	@Test
	void payloadWithOtherPropertiesReachesTheListenerAndItsMessageConversionExceptionDeadLettersItAtOnce() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			listener.behaviour = (message) -> {
				if (message.payload().sku() == null) {
					throw new MessageConversionException(message.id(), Order.class,
							new IllegalArgumentException("no sku"));
				}
			};
			// Spring Boot's JsonMapper ignores properties the type lacks and leaves a missing object null
			long other = pgmq.send(this.queue, Map.of("item", "x", "quantity", 1));
			long good = pgmq.send(this.queue, new Order("ok", 1));
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1 && listener.received.size() == 2);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(other, good);
			assertThat(listener.received.get(0).payload()).isEqualTo(new Order(null, 1));
			assertThat(listener.received.get(0).readCount()).isEqualTo(1);
			assertThat(deadLetters.events).singleElement().satisfies((event) -> {
				assertThat(event.messageId()).isEqualTo(other);
				assertThat(event.attempts()).isEqualTo(1);
				assertThat(event.poison()).isTrue();
				assertThat(event.error()).isEqualTo(MessageConversionException.class.getName() + ": Message " + other
						+ " cannot be read as " + Order.class.getName() + ": no sku");
			});
		});
	}

	@Test
	void delayedSendsWakeTheConsumersWhenTheirDelayEndsNotAtTheNextPoll() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.polling-interval=1h").run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			OrderListener listener = context.getBean(OrderListener.class);
			// the consumer reads, handles and then waits for a notification (or its poll, an hour away)
			pgmq.send(this.queue, new Order("now", 1));
			await().atMost(WAIT).until(() -> listener.received.size() == 1);
			long delayed = pgmq.send(this.queue, new Order("delayed", 1), Duration.ofMillis(300));
			long at = pgmq.sendAt(this.queue, new Order("at", 1), Map.of(), Instant.now().plusMillis(300));
			TransactionTemplate transaction = new TransactionTemplate(
					new DataSourceTransactionManager(context.getBean(DataSource.class)));
			List<Long> batch = transaction
				.execute((status) -> pgmq.sendBatch(this.queue, List.of(new Order("batch", 1)), Duration.ofMillis(300)));
			await().atMost(WAIT).until(() -> listener.received.size() == 4);
			assertThat(listener.received).extracting(QueueMessage::id)
				.contains(delayed, at)
				.containsAll(batch);
		});
	}

	@Test
	void heartbeatKeepsTheLeaseOfALongHandler() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.visibility-timeout=3s",
				"edge-runtime.queue.consumer.heartbeat-interval=200ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch release = new CountDownLatch(1);
				CountDownLatch started = new CountDownLatch(1);
				listener.behaviour = (message) -> {
					started.countDown();
					block(release);
				};
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				long id = pgmq.send(this.queue, new Order("slow", 1));
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				JdbcTemplate jdbc = jdbc(context);
				OffsetDateTime firstLease = listener.received.get(0).visibleAt().atOffset(java.time.ZoneOffset.UTC);
				// Wait, in the database's clock, until the first lease has run out.
				await().atMost(WAIT)
					.until(() -> Boolean.TRUE
						.equals(jdbc.queryForObject("SELECT clock_timestamp() > ?", Boolean.class, firstLease)));
				assertThat(pgmq.readJson(this.queue, Duration.ofSeconds(30), 10, null)).isEmpty();
				assertThat(jdbc.queryForObject("SELECT vt > clock_timestamp() FROM pgmq.q_" + this.queue
						+ " WHERE msg_id = ?", Boolean.class, id)).isTrue();
				release.countDown();
				await().atMost(WAIT).until(() -> rows(context, "q") == 0);
				assertThat(listener.received).hasSize(1);
			});
	}

	@Test
	void shutdownHandsUnfinishedMessagesBackAndHandlersHearBeforeUnload() {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch never = new CountDownLatch(1);
		ConfigurableApplicationContext[] closed = new ConfigurableApplicationContext[1];
		UnloadListener[] unload = new UnloadListener[1];
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.shutdown-max-wait=300ms",
				"edge-runtime.shutdown.grace-period=300ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				listener.behaviour = (message) -> {
					started.countDown();
					block(never);
				};
				context.getBean(PgmqTemplate.class).send(this.queue, new Order("unfinished", 1));
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				closed[0] = context;
				unload[0] = context.getBean(UnloadListener.class);
			});
		assertThat(unload[0].reasons).contains(UnloadReason.TERMINATION);
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		Map<String, Object> row = jdbc.queryForMap(
				"SELECT read_ct, vt <= clock_timestamp() AS visible FROM pgmq.q_" + this.queue);
		// cut short by a graceful stop, not failed: the read is taken back and counts as no attempt
		assertThat(row).containsEntry("read_ct", 0).containsEntry("visible", true);
	}

	@Test
	void stopEndsThoughAHandlerDeafToItsInterruptHoldsItsMessagesRow() {
		// As above, but the handler goes on after its interrupt, its transaction open: the hand-back cannot have
		// the row, and the stop must not wait for it for ever (the lease runs out, as after a crash).
		CountDownLatch release = new CountDownLatch(1);
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1",
				"edge-runtime.queue.consumer.prefetch=0", "edge-runtime.queue.consumer.shutdown-max-wait=200ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch wrote = new CountDownLatch(1);
				TransactionTemplate transactions = new TransactionTemplate(
						new DataSourceTransactionManager(context.getBean(DataSource.class)));
				listener.behaviour = (message) -> transactions.executeWithoutResult((status) -> {
					jdbc(context).update("UPDATE pgmq.q_" + this.queue + " SET headers = coalesce(headers, '{}'::jsonb)"
							+ " || '{\"x-progress\": 1}'::jsonb WHERE msg_id = ?", message.id());
					wrote.countDown();
					while (release.getCount() > 0) {
						try {
							release.await();
						}
						catch (InterruptedException ex) {
							// deaf to it
						}
					}
				});
				context.getBean(PgmqTemplate.class).send(this.queue, new Order("deaf", 1));
				assertThat(wrote.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				CountDownLatch stopped = new CountDownLatch(1);
				context.getBean(QueueConsumers.class).stop(stopped::countDown);
				try {
					assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stopped").isTrue();
				}
				finally {
					release.countDown();
				}
			});
	}

	@Test
	void handlerThatClosesTheApplicationHasItsDeliveryCountedThoughTheDrainHandsItBack() {
		// SpringApplication.exit from a handler: the close runs on the handler's thread, its drain waits for the
		// handler and hands its message back. No graceful stop of the instance cut it short: the message itself
		// ends every instance that runs it, and its delivery must count toward its maximum attempts.
		CountDownLatch closed = new CountDownLatch(1);
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.shutdown-max-wait=200ms",
				"edge-runtime.shutdown.grace-period=200ms")
			.run((context) -> {
				ConfigurableApplicationContext application = context
					.getSourceApplicationContext(ConfigurableApplicationContext.class);
				context.getBean(OrderListener.class).behaviour = (message) -> {
					application.close();
					closed.countDown();
				};
				context.getBean(PgmqTemplate.class).send(this.queue, new Order("closes", 1));
				assertThat(closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			});
		assertThat(new JdbcTemplate(TestDatabase.get().dataSource())
			.queryForObject("SELECT read_ct FROM pgmq.q_" + this.queue, Integer.class)).isEqualTo(1);
	}

	@Test
	void stopHandsBackTheMessageOfAHandlerWhoseTransactionHoldsItsRow() {
		// A handler that wrote its own message's row in its transaction and is still running when the wait ends:
		// the hand-back's update waits for that row, which the handler holds until it is interrupted.
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=1",
				"edge-runtime.queue.consumer.prefetch=0", "edge-runtime.queue.consumer.shutdown-max-wait=200ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch wrote = new CountDownLatch(1);
				TransactionTemplate transactions = new TransactionTemplate(
						new DataSourceTransactionManager(context.getBean(DataSource.class)));
				listener.behaviour = (message) -> transactions.executeWithoutResult((status) -> {
					jdbc(context).update("UPDATE pgmq.q_" + this.queue + " SET headers = coalesce(headers, '{}'::jsonb)"
							+ " || '{\"x-progress\": 1}'::jsonb WHERE msg_id = ?", message.id());
					wrote.countDown();
					block(new CountDownLatch(1));
				});
				long id = context.getBean(PgmqTemplate.class).send(this.queue, new Order("holds-its-row", 1));
				assertThat(wrote.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				CountDownLatch stopped = new CountDownLatch(1);
				context.getBean(QueueConsumers.class).stop(stopped::countDown);
				assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stopped").isTrue();
				// its transaction rolled back when it was interrupted, and the message was handed back
				assertThat(jdbc(context).queryForMap("SELECT msg_id, read_ct, vt <= clock_timestamp() AS visible,"
						+ " coalesce(headers ? 'x-progress', false) AS progress FROM pgmq.q_" + this.queue))
					.containsEntry("msg_id", id)
					.containsEntry("read_ct", 0)
					.containsEntry("visible", true)
					.containsEntry("progress", false);
			});
	}

	@Test
	void messageCutShortByMoreGracefulStopsThanItsMaxAttemptsRunsToTheEndAfterwards() {
		// A long task with a single attempt, cut short by two rolling deploys in turn (each instance closed
		// while it runs): each hand-back takes its read back, so the third instance runs it to the end.
		ApplicationContextRunner instance = this.contextRunner.withPropertyValues(
				"edge-runtime.queue.consumer.max-attempts=1", "edge-runtime.queue.consumer.shutdown-max-wait=200ms",
				"edge-runtime.shutdown.grace-period=200ms");
		long[] id = new long[1];
		for (int deploy = 1; deploy <= 2; deploy++) {
			CountDownLatch started = new CountDownLatch(1);
			instance.run((context) -> {
				context.getBean(OrderListener.class).behaviour = (message) -> {
					started.countDown();
					block(new CountDownLatch(1));
				};
				if (id[0] == 0) {
					id[0] = context.getBean(PgmqTemplate.class).send(this.queue, new Order("long", 1));
				}
				else {
					showHidden(context);
				}
				assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			});
			// out of sight until the next instance's listener blocks (or not) as the test wants
			assertThat(new JdbcTemplate(TestDatabase.get().dataSource()).update("UPDATE pgmq.q_" + this.queue
					+ " SET vt = clock_timestamp() + interval '1 hour' WHERE read_ct = 0")).isEqualTo(1);
		}
		instance.run((context) -> {
			OrderListener listener = context.getBean(OrderListener.class);
			showHidden(context);
			await().atMost(WAIT).until(() -> rows(context, "q") == 0 && listener.received.size() == 1);
			assertThat(listener.received).singleElement().satisfies((message) -> {
				assertThat(message.id()).isEqualTo(id[0]);
				assertThat(message.readCount()).as("its attempt").isEqualTo(1);
			});
			assertThat(context.getBean(DeadLetters.class).events).isEmpty();
			assertThat(rows(context, "a")).isZero();
		});
	}

	@Test
	void notificationWakesAnIdleConsumerLongBeforeThePoll() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.polling-interval=30s").run((context) -> {
			QueueConsumers consumers = context.getBean(QueueConsumers.class);
			QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
			// Idle: the first read found the queue empty and the connection listens.
			await().atMost(WAIT).until(() -> notifications.isListening()
					&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
			OrderListener listener = context.getBean(OrderListener.class);
			context.getBean(PgmqTemplate.class).send(this.queue, new Order("wake", 1));
			await().atMost(Duration.ofSeconds(10)).until(() -> listener.received.size() == 1);
		});
	}

	@Test
	void aSendByAnotherPgmqClientWakesAnIdleConsumerThroughPgmqsInsertTrigger() {
		// Polls a minute apart: only a notification reads the message within the wait. On the real pgmq
		// extension its own trigger notifies (pgmq.enable_notify_insert); on the bundled schema, which has no
		// such trigger, the test sends the notification the trigger would.
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.polling-interval=1m").run((context) -> {
			QueueConsumers consumers = context.getBean(QueueConsumers.class);
			QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			if (TestDatabase.pgmqExtension()) {
				jdbc.queryForList("SELECT pgmq.enable_notify_insert(?, 0)", this.queue);
			}
			await().atMost(WAIT).until(() -> notifications.isListeningToPgmqInserts(this.queue)
					&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
			OrderListener listener = context.getBean(OrderListener.class);
			// plain SQL, as another program would send: no notification of edge-runtime's own
			jdbc.queryForList("SELECT pgmq.send(?, '{\"sku\": \"sql\", \"quantity\": 1}'::jsonb)", this.queue);
			if (!TestDatabase.pgmqExtension()) {
				jdbc.queryForList("SELECT pg_notify(?, NULL)", "pgmq.q_" + this.queue + ".INSERT");
			}
			await().atMost(WAIT).until(() -> listener.received.size() == 1);
			assertThat(listener.received.get(0).payload().sku()).isEqualTo("sql");
		});
	}

	@Test
	void sendsWithinTheThrottleIntervalAreAnnouncedByATrailingNotification() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.polling-interval=30s",
					"edge-runtime.queue.notify.throttle=3s")
			.run((context) -> {
				QueueConsumers consumers = context.getBean(QueueConsumers.class);
				QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
				await().atMost(WAIT).until(() -> notifications.isListening()
						&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
				OrderListener listener = context.getBean(OrderListener.class);
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				pgmq.send(this.queue, new Order("first", 1));
				await().atMost(Duration.ofSeconds(10)).until(() -> listener.received.size() == 1);
				// Most likely within the throttle interval of the first: only the trailing notification wakes.
				pgmq.send(this.queue, new Order("second", 2));
				await().atMost(Duration.ofSeconds(10)).until(() -> listener.received.size() == 2);
			});
	}

	@Test
	void backlogIsReadInFullBatchesAndAQuietQueueAtOnce() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.concurrency=10",
					"edge-runtime.queue.consumer.batch-size=10", "edge-runtime.queue.consumer.polling-interval=30s")
			.withUserConfiguration(ReadCountingConfiguration.class)
			.run((context) -> {
				QueueConsumers consumers = context.getBean(QueueConsumers.class);
				QueueNotificationListener notifications = context.getBean(QueueNotificationListener.class);
				await().atMost(WAIT).until(() -> notifications.isListening()
						&& consumers.status().stream().allMatch(QueueConsumerStatus::healthy));
				ReadCountingPgmqTemplate pgmq = context.getBean(ReadCountingPgmqTemplate.class);
				OrderListener listener = context.getBean(OrderListener.class);
				AtomicInteger running = new AtomicInteger();
				AtomicInteger mostAtOnce = new AtomicInteger();
				listener.behaviour = (message) -> {
					mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
					running.decrementAndGet();
				};
				int backlog = 500;
				List<Order> orders = IntStream.range(0, backlog).mapToObj((i) -> new Order("b" + i, i)).toList();
				int readsBefore = pgmq.reads(this.queue);
				pgmq.sendBatch(this.queue, orders);
				await().atMost(WAIT).until(() -> listener.received.size() == backlog);
				int reads = pgmq.reads(this.queue) - readsBefore;
				// Reading only the handlers free at the moment took 0.37 reads per message here; full batches, 0.1.
				assertThat(reads).isBetween(backlog / 10, backlog * 9 / 50);
				assertThat(mostAtOnce.get()).isLessThanOrEqualTo(10);
				// Drained: a single message is read when it arrives, not at the next poll 30 s later.
				await().atMost(WAIT).until(() -> consumers.status().stream().allMatch((s) -> s.inFlight() == 0));
				pgmq.send(this.queue, new Order("alone", 1));
				await().atMost(Duration.ofSeconds(10)).until(() -> listener.received.size() == backlog + 1);
			});
	}

	@Test
	void handledMessagesKeepTheirLeasesUntilTheirDeleteReturns() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=2",
				"edge-runtime.queue.consumer.prefetch=0")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				DataSource dataSource = context.getBean(DataSource.class);
				long lockKey = this.queue.hashCode();
				// Every delete of this queue waits while the test holds the advisory lock; reads do not.
				jdbc(context).execute("CREATE FUNCTION pgmq." + this.queue + "_hold() RETURNS trigger "
						+ "LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(" + lockKey
						+ "); RETURN NULL; END $$");
				jdbc(context).execute("CREATE TRIGGER hold_deletes BEFORE DELETE ON pgmq.q_" + this.queue
						+ " FOR EACH STATEMENT EXECUTE FUNCTION pgmq." + this.queue + "_hold()");
				Connection holder = dataSource.getConnection();
				try {
					holder.createStatement().execute("SELECT pg_advisory_lock(" + lockKey + ")");
					int messages = 10;
					context.getBean(PgmqTemplate.class)
						.sendBatch(this.queue, IntStream.range(0, messages).mapToObj((i) -> new Order("h" + i, i)).toList());
					await().atMost(WAIT).until(() -> listener.received.size() == 2);
					// Both handlers returned, but their messages are not deleted: no lease is free, nothing more is read.
					await().during(Duration.ofSeconds(1)).atMost(WAIT)
						.until(() -> listener.received.size() == 2 && leased(context) == 2);
					holder.createStatement().execute("SELECT pg_advisory_unlock(" + lockKey + ")");
					await().atMost(WAIT).until(() -> rows(context, "q") == 0);
					assertThat(listener.received).hasSize(messages);
					assertThat(listener.received).extracting(QueueMessage::readCount).containsOnly(1);
				}
				finally {
					// The pool keeps the connection open: its session's lock must not outlive the test.
					holder.createStatement().execute("SELECT pg_advisory_unlock_all()");
					holder.close();
					jdbc(context).execute("DROP FUNCTION pgmq." + this.queue + "_hold() CASCADE");
				}
			});
	}

	@Test
	void prefetchLeasesAtMostThatManyMessagesBeyondTheBusyHandlers() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=2",
				"edge-runtime.queue.consumer.prefetch=3")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch release = new CountDownLatch(1);
				AtomicInteger running = new AtomicInteger();
				AtomicInteger mostAtOnce = new AtomicInteger();
				listener.behaviour = (message) -> {
					mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
					block(release);
					running.decrementAndGet();
				};
				int messages = 20;
				context.getBean(PgmqTemplate.class)
					.sendBatch(this.queue, IntStream.range(0, messages).mapToObj((i) -> new Order("p" + i, i)).toList());
				await().atMost(WAIT).until(() -> running.get() == 2 && leased(context) == 5);
				// Stays there: the handlers are busy and the three prefetched messages fill the rest.
				await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> leased(context) == 5);
				assertThat(listener.received).hasSize(2);
				release.countDown();
				await().atMost(WAIT).until(() -> rows(context, "q") == 0);
				assertThat(listener.received).hasSize(messages);
				assertThat(listener.received).extracting(QueueMessage::readCount).containsOnly(1);
				assertThat(mostAtOnce.get()).isEqualTo(2);
			});
	}

	@Test
	void prefetchedMessageIsHeartbeatedWhileItWaitsAndNotRedelivered() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=2",
					"edge-runtime.queue.consumer.visibility-timeout=2s",
					"edge-runtime.queue.consumer.heartbeat-interval=200ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch release = new CountDownLatch(1);
				listener.behaviour = (message) -> block(release);
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				pgmq.sendBatch(this.queue, List.of(new Order("a", 1), new Order("b", 2), new Order("c", 3)));
				await().atMost(WAIT).until(() -> listener.received.size() == 1 && leased(context) == 3);
				JdbcTemplate jdbc = jdbc(context);
				OffsetDateTime leasedAt = jdbc.queryForObject("SELECT clock_timestamp()", OffsetDateTime.class);
				// Wait, in the database's clock, until every lease taken by the reads has run out.
				await().atMost(WAIT)
					.until(() -> Boolean.TRUE.equals(jdbc.queryForObject(
							"SELECT clock_timestamp() > ?::timestamptz + interval '3 seconds'", Boolean.class,
							leasedAt)));
				assertThat(pgmq.readJson(this.queue, Duration.ofSeconds(30), 10, null)).isEmpty();
				assertThat(leased(context)).isEqualTo(3);
				assertThat(jdbc.queryForList("SELECT read_ct FROM pgmq.q_" + this.queue, Integer.class))
					.containsExactly(1, 1, 1);
				release.countDown();
				await().atMost(WAIT).until(() -> rows(context, "q") == 0);
				assertThat(listener.received).hasSize(3);
				assertThat(listener.received).extracting(QueueMessage::readCount).containsOnly(1);
			});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void stopHandsPrefetchedMessagesBackAtOnceAndDoesNotHandleThem(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=2",
					"edge-runtime.queue.consumer.shutdown-max-wait=30s")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				CountDownLatch release = new CountDownLatch(1);
				listener.behaviour = (message) -> block(release);
				PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
				pgmq.sendBatch(this.queue, List.of(new Order("a", 1), new Order("b", 2), new Order("c", 3)));
				await().atMost(WAIT).until(() -> listener.received.size() == 1 && leased(context) == 3);
				long running = listener.received.get(0).id();
				CountDownLatch stopped = new CountDownLatch(1);
				context.getBean(QueueConsumers.class).stop(stopped::countDown);
				// Handed back while the running handler still has its 30 s to finish.
				await().atMost(WAIT).until(() -> leased(context) == 1);
				JdbcTemplate jdbc = jdbc(context);
				assertThat(jdbc.queryForObject("SELECT msg_id FROM pgmq.q_" + this.queue
						+ " WHERE vt > clock_timestamp()", Long.class)).isEqualTo(running);
				release.countDown();
				assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				assertThat(listener.received).extracting(QueueMessage::id).containsExactly(running);
				// Never delivered to a handler: the hand-back does not count as an attempt.
				List<Long> handedBack = jdbc.queryForList("SELECT msg_id FROM pgmq.q_" + this.queue
						+ " WHERE vt <= clock_timestamp() AND read_ct = 0", Long.class);
				assertThat(handedBack).hasSize(2);
				assertThat(rows(context, "q")).isEqualTo(2);
				// In the log as the hand-back of a running message is, so that the lines account for every lease
				for (long id : handedBack) {
					assertThat(output).contains("Handed message " + id + " of queue '" + this.queue
							+ "' back at shutdown; no handler had started it");
				}
			});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void messageReadAsTheStopBeginsIsHandedBackAndLoggedAsAPrefetchedOneIs(CapturedOutput output) {
		// The reader's read returns once the stop has begun: the message is handed back before any handler sees
		// it, and the log of the stop accounts for it as for the messages it found waiting for a handler. Polling an
		// hour apart, the stop waits for the held reader as long as the test needs.
		this.contextRunner.withUserConfiguration(HeldReadConfiguration.class)
			.withPropertyValues("edge-runtime.queue.consumer.polling-interval=1h")
			.run((context) -> {
				HeldReadPgmqTemplate pgmq = context.getBean(HeldReadPgmqTemplate.class);
				long id = pgmq.send(this.queue, new Order("read as the stop begins", 1));
				assertThat(pgmq.read.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				CountDownLatch stopped = new CountDownLatch(1);
				context.getBean(QueueConsumers.class).stop(stopped::countDown);
				// the stop has told the consumer to stop reading, and waits for its reader
				await().atMost(WAIT).until(() -> Thread.getAllStackTraces()
					.keySet()
					.stream()
					.anyMatch((thread) -> thread.getName().equals("queue-consumers-stop")
							&& thread.getState() == Thread.State.TIMED_WAITING));
				pgmq.release.countDown();
				assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				assertThat(context.getBean(OrderListener.class).received).isEmpty();
				assertThat(jdbc(context).queryForMap("SELECT read_ct, vt <= clock_timestamp() AS visible FROM pgmq.q_"
						+ this.queue + " WHERE msg_id = ?", id))
					.containsEntry("read_ct", 0)
					.containsEntry("visible", true);
				assertThat(output).contains("Handed message " + id + " of queue '" + this.queue
						+ "' back at shutdown; no handler had started it");
			});
	}

	@Test
	void stopWithEveryLeaseBusyEndsAfterTheShutdownMaxWaitNotAfterThePollingInterval() {
		// Every lease held by a handler that does not finish: the reader waits for a free one, up to the
		// polling interval (an hour here); the stop must not wait for that wait to end.
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.polling-interval=1h",
					"edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=0",
					"edge-runtime.queue.consumer.shutdown-max-wait=300ms")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				listener.behaviour = (message) -> block(new CountDownLatch(1));
				context.getBean(PgmqTemplate.class).send(this.queue, new Order("busy", 1));
				await().atMost(WAIT).until(() -> listener.received.size() == 1);
				CountDownLatch stopped = new CountDownLatch(1);
				context.getBean(QueueConsumers.class).stop(stopped::countDown);
				assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				assertThat(jdbc(context).queryForMap("SELECT read_ct, vt <= clock_timestamp() AS visible FROM pgmq.q_"
						+ this.queue)).containsEntry("read_ct", 0).containsEntry("visible", true);
			});
	}

	@Test
	void messagesHandedBackAtShutdownWakeAnotherInstancesIdleConsumerLongBeforeItsPoll() {
		// Two instances on one queue, both polling an hour apart: only a notification of the hand-back lets
		// the other instance read, within the wait, what the stopping one hands back.
		ApplicationContextRunner instance = this.contextRunner.withPropertyValues(
				"edge-runtime.queue.consumer.polling-interval=1h", "edge-runtime.queue.consumer.concurrency=1",
				"edge-runtime.queue.consumer.prefetch=1", "edge-runtime.queue.consumer.shutdown-max-wait=300ms");
		instance.run((stopping) -> {
			OrderListener stoppingListener = stopping.getBean(OrderListener.class);
			stoppingListener.behaviour = (message) -> block(new CountDownLatch(1));
			PgmqTemplate pgmq = stopping.getBean(PgmqTemplate.class);
			pgmq.sendBatch(this.queue, List.of(new Order("running", 1), new Order("prefetched", 2)));
			await().atMost(WAIT).until(() -> stoppingListener.received.size() == 1 && leased(stopping) == 2);
			instance.withUserConfiguration(ReadCountingConfiguration.class).run((other) -> {
				ReadCountingPgmqTemplate reads = other.getBean(ReadCountingPgmqTemplate.class);
				QueueNotificationListener notifications = other.getBean(QueueNotificationListener.class);
				// Idle: its first read found both messages leased, and its connection listens.
				await().atMost(WAIT).until(() -> reads.reads(this.queue) > 0 && notifications.isListening());
				OrderListener otherListener = other.getBean(OrderListener.class);
				CountDownLatch stopped = new CountDownLatch(1);
				stopping.getBean(QueueConsumers.class).stop(stopped::countDown);
				assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				await().atMost(WAIT).until(() -> otherListener.received.size() == 2);
				assertThat(otherListener.received).extracting((message) -> message.payload().sku())
					.containsExactlyInAnyOrder("running", "prefetched");
				assertThat(otherListener.received).extracting(QueueMessage::readCount).containsOnly(1);
			});
		});
	}

	@Test
	void negativePrefetchFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.prefetch=-1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("edge-runtime.queue.consumer.prefetch"));
	}

	@Test
	void listenerPrefetchBelowMinusOneFailsStartUpNamingTheMethod() {
		this.contextRunner.withUserConfiguration(BadPrefetchListenerConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining(BadPrefetchListener.class.getName() + ".handle")
				.hasMessageContaining("prefetch"));
	}

	@Test
	void listenerBackoffLongerThanTheMaximumFailsStartUpNamingTheMethodAndTheProperty() {
		// every retry's delay is cut to edge-runtime.queue.consumer.backoff.max: a backoff of 1h waited 10m
		this.contextRunner.withUserConfiguration(LongBackoffListenerConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining(LongBackoffListener.class.getName() + ".handle: backoff '1h' must be at most "
						+ "edge-runtime.queue.consumer.backoff.max (10m), the longest delay between retries"));
		this.contextRunner.withUserConfiguration(LongBackoffListenerConfiguration.class)
			.withPropertyValues("edge-runtime.queue.consumer.backoff.max=1h")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void misconfiguredListenersFailStartUpTogetherBeforeAnyConsumerReads() {
		this.contextRunner.withUserConfiguration(MisconfiguredListenersConfiguration.class).run((context) -> {
			assertThat(context).hasFailed()
				.getFailure()
				.isInstanceOf(QueueListenerMisconfigurationException.class)
				.satisfies((failure) -> assertThat(((QueueListenerMisconfigurationException) failure).getProblems())
					.hasSize(8))
				.hasMessageContaining("8 @QueueListener methods are misconfigured")
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".negativeBackoff: backoff '-1s' must "
						+ "not be negative")
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".negativeConcurrency: concurrency (-2) "
						+ "must be at least 1, or 0 for edge-runtime.queue.consumer.concurrency")
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".shortVisibility: its visibilityTimeout "
						+ "('250ms') must be at least 300ms")
				// every problem of a listener, not only its first
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".twoProblems: its visibilityTimeout "
						+ "('250ms') must be at least 300ms")
				.hasMessageContaining("; backoff 'soon' is not a duration such as \"30s\"")
				// and those found as the beans were made: a queue name, the parameters
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".invalidQueue: Invalid queue name "
						+ "'bad-queue'")
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".twoParameters must take exactly one "
						+ "parameter")
				// a name from a placeholder says where it came from: the property to correct
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".placeholderQueue: Invalid queue name '"
						+ this.queue + "-m7': only ASCII letters, digits and underscores are allowed, starting with a "
						+ "letter or underscore; the name comes from queue = \"${test.queue}-m7\"")
				// as written: the annotation's value, not an attribute the user never wrote
				.hasMessageContaining(MisconfiguredListeners.class.getName() + ".placeholderValue: Invalid queue name '"
						+ this.queue + "-m8': only ASCII letters, digits and underscores are allowed, starting with a "
						+ "letter or underscore; the name comes from @QueueListener(\"${test.queue}-m8\")");
			// the well-configured listener of ListenerConfiguration was found first, and never started reading
			assertThat(Thread.getAllStackTraces().keySet()).noneMatch((thread) -> thread.isAlive()
					&& thread.getName().startsWith("queue-" + this.queue));
		});
	}

	@Test
	void heartbeatIntervalNotShorterThanTheVisibilityTimeoutFailsStartUpNamingBothProperties() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.heartbeat-interval=40s",
					"edge-runtime.queue.consumer.visibility-timeout=30s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("edge-runtime.queue.consumer.heartbeat-interval")
				.hasMessageContaining("must be shorter than consumer.visibility-timeout (30s)"));
	}

	@Test
	void visibilityTimeoutTooShortForItsHeartbeatFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.visibility-timeout=250ms")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("edge-runtime.queue.consumer.visibility-timeout")
				.hasMessageContaining("must be at least 300ms"));
	}

	@Test
	void prefetchDefaultsToTheSmallerOfConcurrencyAndBatchSize() {
		this.contextRunner.withPropertyValues("edge-runtime.queue.consumer.concurrency=4").run((context) -> {
			QueueConsumers consumers = context.getBean(QueueConsumers.class);
			QueueListenerAnnotationBeanPostProcessor listeners = context
				.getBean(QueueListenerAnnotationBeanPostProcessor.class);
			assertThat(listeners.endpoints()).isNotEmpty()
				.allSatisfy((endpoint) -> assertThat(consumers.settings(endpoint).prefetch()).isEqualTo(4));
		});
	}

	@Test
	void listenerMayTakeThePayloadItself() {
		this.contextRunner.withUserConfiguration(PayloadListenerConfiguration.class).run((context) -> {
			PayloadListener listener = context.getBean(PayloadListener.class);
			context.getBean(PgmqTemplate.class).send(this.queue + "_p", new Order("plain", 7));
			await().atMost(WAIT).until(() -> listener.received.size() == 1);
			assertThat(listener.received).containsExactly(new Order("plain", 7));
		});
	}

	@Test
	void backoffGrowsExponentiallyUpToTheMaximumWithJitterTakenOff() {
		QueueConsumer.Settings settings = new QueueConsumer.Settings(1, 1, 0, Duration.ofSeconds(30),
				Duration.ofSeconds(10), 5, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5), 0.5, false,
				Duration.ofSeconds(1), Duration.ofSeconds(1));
		assertThat(QueueConsumer.backoff(settings, 1, 0)).isEqualTo(Duration.ofSeconds(1));
		assertThat(QueueConsumer.backoff(settings, 2, 0)).isEqualTo(Duration.ofSeconds(2));
		assertThat(QueueConsumer.backoff(settings, 3, 0)).isEqualTo(Duration.ofSeconds(4));
		assertThat(QueueConsumer.backoff(settings, 4, 0)).isEqualTo(Duration.ofSeconds(5));
		assertThat(QueueConsumer.backoff(settings, 3, 0.5)).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void backoffAfterAnyNumberOfAttemptsIsAtMostTheMaximumAndNeverNegative() {
		// multiplier^attempt is Infinity long before these attempts, and 0 times Infinity is NaN
		for (double multiplier : new double[] { 1.0, 2.0, 1e300, Double.MAX_VALUE }) {
			QueueConsumer.Settings settings = new QueueConsumer.Settings(1, 1, 0, Duration.ofSeconds(30),
					Duration.ofSeconds(10), Integer.MAX_VALUE, Duration.ofSeconds(1), multiplier,
					PgmqTemplate.MAX_DURATION, 0.5, false, Duration.ofSeconds(1), Duration.ofSeconds(1));
			for (int attempt : new int[] { 1, 2, 1_000, 100_000, Integer.MAX_VALUE }) {
				for (double random : new double[] { 0, 0.5, 0.999_999 }) {
					assertThat(QueueConsumer.backoff(settings, attempt, random)).isGreaterThanOrEqualTo(Duration.ZERO)
						.isLessThanOrEqualTo(PgmqTemplate.MAX_DURATION);
				}
			}
			if (multiplier > 2) {
				assertThat(QueueConsumer.backoff(settings, Integer.MAX_VALUE, 0)).isEqualTo(PgmqTemplate.MAX_DURATION);
			}
		}
		QueueConsumer.Settings noBackoff = new QueueConsumer.Settings(1, 1, 0, Duration.ofSeconds(30),
				Duration.ofSeconds(10), Integer.MAX_VALUE, Duration.ZERO, Double.MAX_VALUE, Duration.ofMinutes(10), 0.2,
				false, Duration.ofSeconds(1), Duration.ofSeconds(1));
		assertThat(QueueConsumer.backoff(noBackoff, Integer.MAX_VALUE, 0.5)).isZero();
	}

	@Test
	void retryAfterVeryManyAttemptsIsMadeVisibleAfterTheMaximumBackoff() {
		this.contextRunner
			.withPropertyValues("edge-runtime.queue.consumer.max-attempts=1000000",
					"edge-runtime.queue.consumer.backoff.initial=1s", "edge-runtime.queue.consumer.backoff.multiplier=10",
					"edge-runtime.queue.consumer.backoff.max=1h", "edge-runtime.queue.consumer.backoff.jitter=0")
			.run((context) -> {
				OrderListener listener = context.getBean(OrderListener.class);
				listener.behaviour = (message) -> {
					throw new IllegalStateException("fails again");
				};
				JdbcTemplate jdbc = jdbc(context);
				long id = context.getBean(PgmqTemplate.class).send(this.queue, new Order("late", 1), Duration.ofHours(1));
				// read 99,999 times before: 10^99999 seconds is far past any number
				jdbc.update("UPDATE pgmq.q_" + this.queue + " SET read_ct = 99999, vt = clock_timestamp() WHERE msg_id = ?",
						id);
				await().atMost(WAIT).until(() -> "100000".equals(jdbc.queryForObject("SELECT headers->>'"
						+ QueueHeaders.FAILED_ATTEMPT + "' FROM pgmq.q_" + this.queue + " WHERE msg_id = ?", String.class,
						id)));
				assertThat(listener.received).extracting(QueueMessage::readCount).containsExactly(100000);
				// retried an hour from now (no jitter), not failed in the database and dead-lettered
				Double seconds = jdbc.queryForObject("SELECT extract(epoch FROM vt - clock_timestamp())::float8 FROM pgmq.q_"
						+ this.queue + " WHERE msg_id = ?", Double.class, id);
				assertThat(seconds).isBetween(3600.0 - 60, 3600.0);
				assertThat(rows(context, "a")).isZero();
			});
	}

	@Test
	void listenerDurationsLongerThanTheDurableTiersMaximumFailStartUpNamingTheMethodAndAttribute() {
		this.contextRunner.withUserConfiguration(TooLongListenerConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("@QueueListener on " + TooLongListener.class.getName() + ".handle")
				.hasMessageContaining("visibilityTimeout '18251d' must be at most 18250d (50 years), the longest "
						+ "duration the durable tier takes")
				.hasMessageContaining("backoff '300000d' must be at most 18250d (50 years)"));
	}

	@Test
	void listenerDurationsWrittenAsPlaceholdersFailStartUpSayingOnlyTheQueueNameResolvesThem() {
		this.contextRunner.withUserConfiguration(PlaceholderDurationsListenerConfiguration.class)
			.withPropertyValues("app.visibility=10s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("@QueueListener on " + PlaceholderDurationsListener.class.getName() + ".handle")
				.hasMessageContaining("visibilityTimeout '${app.visibility}' is not a duration such as \"30s\": "
						+ "placeholders are resolved in the queue name only; write the duration itself, or leave "
						+ "visibilityTimeout empty for edge-runtime.queue.consumer.visibility-timeout")
				.hasMessageContaining("backoff '${app.backoff:2s}' is not a duration such as \"30s\": placeholders "
						+ "are resolved in the queue name only; write the duration itself, or leave backoff empty for "
						+ "edge-runtime.queue.consumer.backoff.initial"));
	}

	@Test
	void lazyListenerMisusedFailsAsItsBeanIsMade() {
		this.contextRunner.withUserConfiguration(LazyBadListenerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> context.getBean(BadListener.class))
				.havingRootCause()
				.withMessageContaining(BadListener.class.getName() + ".handle must take exactly one parameter");
		});
	}

	@Test
	void listenerWithTwoParametersFailsStartUpNamingTheMethod() {
		this.contextRunner.withUserConfiguration(BadListenerConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining(BadListener.class.getName() + ".handle")
				.hasMessageContaining("exactly one parameter"));
	}

	private static void block(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private void showHidden(AssertableApplicationContext context) {
		jdbc(context).update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp()");
	}

	private long leased(AssertableApplicationContext context) {
		Long count = jdbc(context).queryForObject(
				"SELECT count(*) FROM pgmq.q_" + this.queue + " WHERE vt > clock_timestamp()", Long.class);
		return (count != null) ? count : 0;
	}

	private long rows(AssertableApplicationContext context, String kind) {
		Long count = jdbc(context).queryForObject("SELECT count(*) FROM pgmq." + kind + "_" + this.queue, Long.class);
		return (count != null) ? count : 0;
	}

	private static JdbcTemplate jdbc(AssertableApplicationContext context) {
		return new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
	}

	record Order(String sku, int quantity) {
	}

	static class OrderListener {

		final List<QueueMessage<Order>> received = new CopyOnWriteArrayList<>();

		volatile Consumer<QueueMessage<Order>> behaviour = (message) -> {
		};

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<Order> message) {
			this.received.add(message);
			this.behaviour.accept(message);
		}

	}

	static class DeadLetters {

		final List<MessageDeadLetteredEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void on(MessageDeadLetteredEvent event) {
			this.events.add(event);
		}

	}

	static class UnloadListener {

		final List<UnloadReason> reasons = new CopyOnWriteArrayList<>();

		@EventListener
		void on(BeforeUnloadEvent event) {
			this.reasons.add(event.reason());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		OrderListener orderListener() {
			return new OrderListener();
		}

		@Bean
		DeadLetters deadLetters() {
			return new DeadLetters();
		}

		@Bean
		UnloadListener unloadListener() {
			return new UnloadListener();
		}

	}

	static class ShortBackoffListener {

		final List<QueueMessage<Order>> received = new CopyOnWriteArrayList<>();

		@QueueListener(queue = "${test.queue}_r", backoff = "200ms", maxAttempts = 3)
		void handle(QueueMessage<Order> message) {
			this.received.add(message);
			if (message.readCount() < 3) {
				throw new IllegalStateException("attempt " + message.readCount() + " fails");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ShortBackoffConfiguration {

		@Bean
		ShortBackoffListener shortBackoffListener() {
			return new ShortBackoffListener();
		}

	}

	static class ReadCountingPgmqTemplate extends PgmqTemplate {

		private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();

		ReadCountingPgmqTemplate(DataSource dataSource, QueueNotifier notifier) {
			super(new JdbcTemplate(dataSource), new JsonMapper(), 1024 * 1024, Duration.ofHours(1), notifier);
		}

		@Override
		List<Leased> lease(String queue, Duration visibilityTimeout, int quantity) {
			this.reads.computeIfAbsent(queue, (name) -> new AtomicInteger()).incrementAndGet();
			return super.lease(queue, visibilityTimeout, quantity);
		}

		int reads(String queue) {
			AtomicInteger count = this.reads.get(queue);
			return (count != null) ? count.get() : 0;
		}

	}

	/** Holds the first read that returns a message until released. */
	static class HeldReadPgmqTemplate extends PgmqTemplate {

		final CountDownLatch read = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		HeldReadPgmqTemplate(DataSource dataSource, QueueNotifier notifier) {
			super(new JdbcTemplate(dataSource), new JsonMapper(), 1024 * 1024, Duration.ofHours(1), notifier);
		}

		@Override
		List<Leased> lease(String queue, Duration visibilityTimeout, int quantity) {
			List<Leased> leased = super.lease(queue, visibilityTimeout, quantity);
			if (!leased.isEmpty() && this.read.getCount() > 0) {
				this.read.countDown();
				block(this.release);
			}
			return leased;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HeldReadConfiguration {

		@Bean
		HeldReadPgmqTemplate heldReadPgmqTemplate(DataSource dataSource, QueueNotifier notifier) {
			return new HeldReadPgmqTemplate(dataSource, notifier);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReadCountingConfiguration {

		@Bean
		ReadCountingPgmqTemplate readCountingPgmqTemplate(DataSource dataSource, QueueNotifier notifier) {
			return new ReadCountingPgmqTemplate(dataSource, notifier);
		}

	}

	static class PayloadListener {

		final List<Order> received = new CopyOnWriteArrayList<>();

		@QueueListener("${test.queue}_p")
		void handle(Order order) {
			this.received.add(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PayloadListenerConfiguration {

		@Bean
		PayloadListener payloadListener() {
			return new PayloadListener();
		}

	}

	static class BadListener {

		@QueueListener(queue = "${test.queue}")
		void handle(Order order, String extra) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadListenerConfiguration {

		@Bean
		BadListener badListener() {
			return new BadListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyBadListenerConfiguration {

		@Bean
		@Lazy
		BadListener badListener() {
			return new BadListener();
		}

	}

	static class TooLongListener {

		@QueueListener(queue = "${test.queue}_long", visibilityTimeout = "18251d", backoff = "300000d")
		void handle(Order order) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TooLongListenerConfiguration {

		@Bean
		TooLongListener tooLongListener() {
			return new TooLongListener();
		}

	}

	static class PlaceholderDurationsListener {

		@QueueListener(queue = "${test.queue}_ph", visibilityTimeout = "${app.visibility}", backoff = "${app.backoff:2s}")
		void handle(Order order) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderDurationsListenerConfiguration {

		@Bean
		PlaceholderDurationsListener placeholderDurationsListener() {
			return new PlaceholderDurationsListener();
		}

	}

	static class MisconfiguredListeners {

		@QueueListener(queue = "${test.queue}_m1", backoff = "-1s")
		void negativeBackoff(Order order) {
		}

		@QueueListener(queue = "${test.queue}_m2", concurrency = -2)
		void negativeConcurrency(Order order) {
		}

		@QueueListener(queue = "${test.queue}_m3", visibilityTimeout = "250ms")
		void shortVisibility(Order order) {
		}

		@QueueListener(queue = "${test.queue}_m4", visibilityTimeout = "250ms", backoff = "soon")
		void twoProblems(Order order) {
		}

		@QueueListener(queue = "bad-queue")
		void invalidQueue(Order order) {
		}

		@QueueListener(queue = "${test.queue}_m6")
		void twoParameters(Order order, String extra) {
		}

		@QueueListener(queue = "${test.queue}-m7")
		void placeholderQueue(Order order) {
		}

		@QueueListener("${test.queue}-m8")
		void placeholderValue(Order order) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MisconfiguredListenersConfiguration {

		@Bean
		MisconfiguredListeners misconfiguredListeners() {
			return new MisconfiguredListeners();
		}

	}

	static class BadPrefetchListener {

		@QueueListener(queue = "${test.queue}_bad", prefetch = -2)
		void handle(Order order) {
		}

	}

	static class LongBackoffListener {

		@QueueListener(queue = "${test.queue}_lb", backoff = "1h")
		void handle(Order order) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LongBackoffListenerConfiguration {

		@Bean
		LongBackoffListener longBackoffListener() {
			return new LongBackoffListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadPrefetchListenerConfiguration {

		@Bean
		BadPrefetchListener badPrefetchListener() {
			return new BadPrefetchListener();
		}

	}

}
