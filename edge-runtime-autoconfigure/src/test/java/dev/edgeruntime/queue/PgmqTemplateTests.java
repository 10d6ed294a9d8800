package dev.edgeruntime.queue;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.InvalidDataAccessResourceUsageException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link PgmqTemplate} against the real PostgreSQL with the bundled schema.
 *
 * @author edge-runtime developers
 */
class PgmqTemplateTests {

	private static DataSource dataSource;

	private final JsonMapper jsonMapper = JsonMapper.builder().build();

	private PgmqTemplate pgmq;

	private String queue;

	@BeforeAll
	static void installSchema() {
		dataSource = TestDatabase.get().dataSource();
		assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
	}

	@BeforeEach
	void createQueue() {
		this.pgmq = new PgmqTemplate(new JdbcTemplate(dataSource), this.jsonMapper, 1024, Duration.ofHours(1), null);
		this.queue = TestDatabase.uniqueName("api_");
		this.pgmq.createQueue(this.queue);
	}

	@Test
	void aQueueItsOwnerCreatedShouldBeUsedByAUserWhoMayNotCreateQueues() {
		asRoleWithoutCreate((role, asRole) -> {
			new JdbcTemplate(dataSource).execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue
					+ ", pgmq.a_" + this.queue + " TO " + role);
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(asRole), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			pgmq.createQueue(this.queue);
			pgmq.createUnloggedQueue(this.queue);
			long id = pgmq.send(this.queue, new Order("a", 1));
			assertThat(pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
				.containsExactly(id);
		});
	}

	@Test
	void aUserWhoMayNotCreateAQueueShouldBeToldWhatToGrant() {
		String missing = TestDatabase.uniqueName("api_");
		asRoleWithoutCreate((role, asRole) -> {
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(asRole), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			assertThatExceptionOfType(InsufficientPrivilegeException.class)
				.isThrownBy(() -> pgmq.createQueue(missing))
				.withMessageStartingWith("Creating queue '" + missing + "' failed: permission denied for schema pgmq "
						+ "(database user " + role + "). The application's database user may not create queues: have the "
						+ "owner run SELECT pgmq.create('" + missing + "'); GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_"
						+ missing + ", pgmq.a_" + missing + " TO " + role + "; GRANT SELECT ON SEQUENCE pgmq.q_" + missing
						+ "_msg_id_seq TO " + role + ", or let the user create queues itself: GRANT USAGE, CREATE ON "
						+ "SCHEMA pgmq TO " + role + "; GRANT INSERT, DELETE ON pgmq.meta TO " + role);
		});
		assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT to_regclass('pgmq.q_' || ?) IS NULL",
				Boolean.class, missing)).isTrue();
	}

	@Test
	void statisticsRefusedTheQueuesSequenceShouldNameThatGrant() {
		asRoleWithoutCreate((role, asRole) -> {
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			admin.execute("GRANT SELECT ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue + " TO " + role);
			admin.execute("REVOKE ALL ON SEQUENCE pgmq.q_" + this.queue + "_msg_id_seq FROM " + role);
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(asRole), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			assertThatExceptionOfType(InsufficientPrivilegeException.class)
				.isThrownBy(() -> pgmq.statistics(this.queue))
				.withMessage("Reading the statistics of queue '" + this.queue + "' failed: permission denied for "
						+ "sequence q_" + this.queue + "_msg_id_seq (database user " + role + "). The application's "
						+ "database user lacks a privilege it needs: have the owner run GRANT SELECT ON SEQUENCE pgmq.q_"
						+ this.queue + "_msg_id_seq TO " + role + " (docs/durable-queue.md, \"Database privileges\")");
		});
	}

	@Test
	void anIdempotentSendRefusedTheTableOfKeysShouldNameItsGrantsAndSendNothing() {
		asRoleWithoutCreate((role, asRole) -> {
			JdbcTemplate admin = new JdbcTemplate(dataSource);
			admin.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue
					+ " TO " + role);
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(asRole), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			assertThatExceptionOfType(InsufficientPrivilegeException.class)
				.isThrownBy(() -> pgmq.sendIdempotent(this.queue, "order-1", new Order("a", 1)))
				.withMessage("Sending to queue '" + this.queue + "' with an idempotency key failed: permission denied "
						+ "for schema edge_runtime (database user " + role + "). The application's database user lacks a "
						+ "privilege it needs: have the owner run GRANT USAGE ON SCHEMA edge_runtime TO " + role
						+ "; GRANT SELECT, INSERT, UPDATE, DELETE ON edge_runtime.queue_idempotency TO " + role
						+ " (docs/durable-queue.md, \"Database privileges\")")
				.satisfies((ex) -> assertThat(ex.getStatements()).hasSize(2));
			assertThat(admin.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue, Long.class)).isZero();
		});
	}

	@Test
	void listingQueuesRefusedTheirTableShouldNameThatGrant() {
		asRoleWithoutCreate((role, asRole) -> {
			new JdbcTemplate(dataSource).execute("REVOKE SELECT ON pgmq.meta FROM " + role);
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(asRole), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			assertThatExceptionOfType(InsufficientPrivilegeException.class).isThrownBy(pgmq::listQueues)
				.withMessage("Listing the queues failed: permission denied for table meta (database user " + role
						+ "). The application's database user lacks a privilege it needs: have the owner run GRANT "
						+ "SELECT ON pgmq.meta TO " + role + " (docs/durable-queue.md, \"Database privileges\")");
		});
	}

	@Test
	void aQueueCreatedInADatabaseWithoutPgmqShouldSaySoAndHowItComes() {
		JdbcTemplate server = new JdbcTemplate(dataSource);
		String database = TestDatabase.uniqueName("no_pgmq_");
		server.execute("CREATE DATABASE " + database);
		try (HikariDataSource empty = TestDatabase.get().newDataSource(database, 2)) {
			PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(empty), this.jsonMapper, 1024, Duration.ofHours(1),
					null);
			assertThatExceptionOfType(InvalidDataAccessResourceUsageException.class)
				.isThrownBy(() -> pgmq.createQueue(this.queue))
				.withMessage("Creating queue '" + this.queue + "' failed: schema \"pgmq\" does not exist. The "
						+ "database has no pgmq schema: with edge-runtime.queue.schema=none edge-runtime installs nothing, "
						+ "and the schema's owner installs it (docs/durable-queue.md, \"Database privileges\"); with "
						+ "auto, bundled or extension, start-up installs it");
		}
		finally {
			server.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
		}
	}

	/** Runs the action as a new role with USAGE on schema pgmq and its sequences, without CREATE on it. */
	private static void asRoleWithoutCreate(BiConsumer<String, DataSource> action) {
		JdbcTemplate admin = new JdbcTemplate(dataSource);
		String role = "api_user_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
		admin.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'api-password'");
		try {
			admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + role);
			admin.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgmq TO " + role);
			admin.execute("GRANT SELECT ON pgmq.meta TO " + role);
			action.accept(role, new DriverManagerDataSource(urlWithoutCredentials(), role, "api-password"));
		}
		finally {
			admin.execute("DROP OWNED BY " + role);
			admin.execute("DROP ROLE " + role);
		}
	}

	/** The test database's URL without the user and password it may carry, which would win over the role's. */
	private static String urlWithoutCredentials() {
		return TestDatabase.withoutCredentials(TestDatabase.get().jdbcUrl());
	}

	@Test
	void sendAndReadTypedPayloadsInOrder() {
		long first = this.pgmq.send(this.queue, new Order("a", 1));
		long second = this.pgmq.send(this.queue, new Order("b", 2));
		List<QueueMessage<Order>> read = this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10);
		assertThat(read).extracting(QueueMessage::id).containsExactly(first, second);
		assertThat(read).extracting(QueueMessage::payload).containsExactly(new Order("a", 1), new Order("b", 2));
		assertThat(read).allSatisfy((message) -> {
			assertThat(message.readCount()).isEqualTo(1);
			assertThat(message.visibleAt()).isAfter(message.enqueuedAt().plusSeconds(25));
			assertThat(message.headers()).isEmpty();
		});
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).isEmpty();
	}

	@Test
	void archiveWithHeadersTakesTheNamedHeadersAwayBeforeAddingTheOthers() {
		long id = this.pgmq.send(this.queue, new Order("a", 1),
				Map.of("trace", "t1", QueueHeaders.LAST_ERROR, "jam", "odd \"name\\", 1), Duration.ZERO);
		assertThat(this.pgmq.archiveWithHeaders(this.queue, id, Map.of(QueueHeaders.ERROR, "out of paper"),
				List.of(QueueHeaders.LAST_ERROR, "odd \"name\\"))).isTrue();
		String headers = new JdbcTemplate(dataSource).queryForObject(
				"SELECT headers::text FROM pgmq.a_" + this.queue + " WHERE msg_id = ?", String.class, id);
		assertThat(this.jsonMapper.readValue(headers, Map.class)).containsOnly(Map.entry("trace", "t1"),
				Map.entry(QueueHeaders.ERROR, "out of paper"));
		assertThat(this.pgmq.archiveWithHeaders(this.queue, id, Map.of(), List.of("x"))).as("no longer queued")
			.isFalse();
	}

	@Test
	void completeIfHeldLeavesMessagesReadAgainSinceTheirRead() {
		long kept = this.pgmq.send(this.queue, new Order("kept", 1));
		long readAgain = this.pgmq.send(this.queue, new Order("read again", 2));
		long archived = this.pgmq.send(this.queue, new Order("archived", 3));
		Map<Long, QueueMessage<Order>> first = byId(this.pgmq.read(this.queue, Order.class, Duration.ZERO, 3));
		assertThat(first).hasSize(3);
		// its lease ran out and another consumer read it: read_ct 2
		Map<Long, QueueMessage<Order>> second = byId(
				this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 3));
		assertThat(second).containsKey(readAgain);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.update("UPDATE pgmq.q_" + this.queue + " SET read_ct = 1 WHERE msg_id <> ?", readAgain);
		assertThat(this.pgmq.completeIfHeld(this.queue, List.of(first.get(kept), first.get(readAgain)), false))
			.containsExactly(kept);
		assertThat(this.pgmq.completeIfHeld(this.queue, List.of(first.get(archived)), true)).containsExactly(archived);
		assertThat(jdbc.queryForList("SELECT msg_id FROM pgmq.q_" + this.queue, Long.class))
			.containsExactly(readAgain);
		assertThat(jdbc.queryForList("SELECT msg_id FROM pgmq.a_" + this.queue, Long.class))
			.containsExactly(archived);
		assertThat(this.pgmq.completeIfHeld(this.queue, List.of(second.get(readAgain)), false))
			.containsExactly(readAgain);
	}

	@Test
	void statementsOfALeaseLeaveADeadLetterRequeuedSinceUnderItsIdAlone() {
		long id = this.pgmq.send(this.queue, new Order("requeued", 1));
		QueueMessage<Order> stale = this.pgmq.read(this.queue, Order.class, Duration.ZERO, 1).get(0);
		assertThat(this.pgmq.archiveWithHeaders(this.queue, id, Map.of(QueueHeaders.DEAD_LETTERED, true))).isTrue();
		assertThat(this.pgmq.requeueDeadLetters(this.queue, List.of(id))).containsExactly(id);
		// read again after the requeue: read_ct 1, as the stale read's, but another enqueued_at
		QueueMessage<Order> current = this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 1).get(0);
		assertThat(current.readCount()).isEqualTo(stale.readCount());
		assertThat(this.pgmq.setVisibilityTimeoutIfHeld(this.queue, stale, Duration.ZERO)).isFalse();
		assertThat(this.pgmq.retryIfHeld(this.queue, stale, Map.of("x", 1), Duration.ZERO)).isFalse();
		assertThat(this.pgmq.heartbeat(this.queue, stale, Duration.ofSeconds(30)))
			.isEqualTo(PgmqTemplate.Heartbeat.LEASE_LOST);
		assertThat(this.pgmq.markStarted(this.queue, stale)).isFalse();
		assertThat(this.pgmq.returnUnhandled(this.queue, stale)).isFalse();
		assertThat(this.pgmq.handBack(this.queue, stale, true)).isEqualTo(PgmqTemplate.HandBack.LEASE_LOST);
		assertThat(this.pgmq.archiveWithHeadersIfHeld(this.queue, stale, Map.of(QueueHeaders.DEAD_LETTERED, true),
				List.of())).isFalse();
		assertThat(this.pgmq.completeIfHeld(this.queue, List.of(stale), false)).isEmpty();
		assertThat(this.pgmq.completeHandled(this.queue, List.of(stale), false)).isEmpty();
		assertThat(new JdbcTemplate(dataSource).queryForMap("SELECT read_ct, vt > clock_timestamp() AS leased, "
				+ "headers->'x' IS NULL AS unchanged FROM pgmq.q_" + this.queue + " WHERE msg_id = ?", id))
			.containsEntry("read_ct", 1)
			.containsEntry("leased", true)
			.containsEntry("unchanged", true);
		assertThat(this.pgmq.completeHandled(this.queue, List.of(current), false)).containsExactly(id);
	}

	private static <T> Map<Long, QueueMessage<T>> byId(List<QueueMessage<T>> messages) {
		Map<Long, QueueMessage<T>> byId = new HashMap<>();
		messages.forEach((message) -> byId.put(message.id(), message));
		return byId;
	}

	@Test
	void requeueDeadLettersSendsBackOnlyDeadLettersUnderTheirIdsWithoutTheMarksOfTheirFailure() {
		long dead = this.pgmq.send(this.queue, new Order("dead", 1), Map.of("trace", "t1"), Duration.ZERO);
		long done = this.pgmq.send(this.queue, new Order("done", 2));
		long waiting = this.pgmq.send(this.queue, new Order("waiting", 3), Duration.ofHours(1));
		this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 2);
		this.pgmq.archiveWithHeaders(this.queue, dead, Map.of(QueueHeaders.DEAD_LETTERED, true, QueueHeaders.ERROR,
				"java.lang.IllegalStateException: out of paper", QueueHeaders.ATTEMPTS, 5,
				QueueHeaders.DEAD_LETTERED_AT, Instant.now().toString(), QueueHeaders.LAST_ERROR, "out of paper",
				QueueHeaders.FAILED_ATTEMPT, 5));
		this.pgmq.archive(this.queue, done);
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isEqualTo(1);
		assertThat(this.pgmq.requeueDeadLetters(this.queue, List.of(done, waiting, dead, 424242L)))
			.as("only the dead letter among them").containsExactly(dead);
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isZero();
		List<QueueMessage<Order>> read = this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10);
		assertThat(read).singleElement().satisfies((message) -> {
			assertThat(message.id()).isEqualTo(dead);
			assertThat(message.payload()).isEqualTo(new Order("dead", 1));
			assertThat(message.readCount()).isEqualTo(1);
			assertThat(message.headers()).containsEntry("trace", "t1")
				.containsKey(QueueHeaders.REQUEUED_AT)
				.doesNotContainKeys(QueueHeaders.DEAD_LETTERED, QueueHeaders.ERROR, QueueHeaders.ATTEMPTS,
						QueueHeaders.DEAD_LETTERED_AT, QueueHeaders.LAST_ERROR, QueueHeaders.FAILED_ATTEMPT);
			// an instant in UTC, written as x-dead-lettered-at and x-cancelled-at are (Instant.toString)
			String requeuedAt = (String) message.headers().get(QueueHeaders.REQUEUED_AT);
			assertThat(requeuedAt).endsWith("Z");
			assertThat(java.time.Instant.parse(requeuedAt))
				.isBetween(java.time.Instant.now().minusSeconds(600), java.time.Instant.now().plusSeconds(600));
		});
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(jdbc.queryForList("SELECT msg_id FROM pgmq.a_" + this.queue, Long.class))
			.as("the message archived after success stays").containsExactly(done);
		assertThat(this.pgmq.requeueDeadLetters(this.queue, List.of(dead))).isEmpty();
		assertThat(this.pgmq.requeueDeadLetters(this.queue, List.of())).isEmpty();
	}

	@Test
	void requeueDeadLettersWithoutIdsSendsBackEveryDeadLetterOfTheQueue() {
		long first = this.pgmq.send(this.queue, new Order("a", 1));
		long second = this.pgmq.send(this.queue, new Order("b", 2));
		long next = this.pgmq.send(this.queue, new Order("c", 3));
		for (long id : List.of(second, first)) {
			this.pgmq.archiveWithHeaders(this.queue, id, Map.of(QueueHeaders.DEAD_LETTERED, true));
		}
		assertThat(this.pgmq.requeueDeadLetters(this.queue)).containsExactly(first, second);
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
			.containsExactly(first, second, next);
		assertThat(this.pgmq.requeueDeadLetters(this.queue)).isEmpty();
		assertThat(this.pgmq.send(this.queue, new Order("d", 4))).as("ids go on from the sequence").isGreaterThan(next);
	}

	@Test
	void requeueDeadLettersOfAnInvalidOrMissingQueueIsRefused() {
		assertThatExceptionOfType(InvalidQueueNameException.class)
			.isThrownBy(() -> this.pgmq.requeueDeadLetters("orders; DROP TABLE pgmq.meta"));
		assertThatExceptionOfType(InvalidQueueNameException.class)
			.isThrownBy(() -> this.pgmq.requeueDeadLetters("orders--", List.of(1L)));
		assertThatExceptionOfType(QueueNotFoundException.class)
			.isThrownBy(() -> this.pgmq.requeueDeadLetters("missing_" + this.queue));
		assertThatExceptionOfType(QueueNotFoundException.class)
			.isThrownBy(() -> this.pgmq.requeueDeadLetters("missing_" + this.queue, List.of(1L)));
	}

	@Test
	void sendWithDelayHeadersOrTime() {
		this.pgmq.send(this.queue, new Order("later", 1), Duration.ofHours(1));
		this.pgmq.sendAt(this.queue, new Order("tomorrow", 2), Map.of(), Instant.now().plus(Duration.ofDays(1)));
		long now = this.pgmq.send(this.queue, new Order("now", 3), Map.of("trace", "t1"), Duration.ZERO);
		List<QueueMessage<Order>> read = this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10);
		assertThat(read).singleElement().satisfies((message) -> {
			assertThat(message.id()).isEqualTo(now);
			assertThat(message.headers()).containsEntry("trace", "t1");
		});
	}

	@Test
	void sendBatchReturnsIdsInOrder() {
		List<Long> ids = this.pgmq.sendBatch(this.queue, List.of(new Order("a", 1), new Order("b", 2)));
		assertThat(ids).hasSize(2).isSorted();
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10))
			.extracting(QueueMessage::id)
			.containsExactlyElementsOf(ids);
		assertThat(this.pgmq.sendBatch(this.queue, List.of(new Order("c", 3)), Duration.ofHours(1))).hasSize(1);
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).isEmpty();
	}

	@Test
	void conditionalReadAndReadWithPoll() {
		this.pgmq.send(this.queue, new Order("a", 1));
		long b = this.pgmq.send(this.queue, new Order("b", 2));
		assertThat(this.pgmq.readJson(this.queue, Duration.ofSeconds(30), 10, Map.of("sku", "b")))
			.extracting(QueueMessage::id)
			.containsExactly(b);
		assertThat(this.pgmq.readWithPoll(this.queue, Order.class, Duration.ofSeconds(30), 10, Duration.ofSeconds(1),
				Duration.ofMillis(50)))
			.extracting(QueueMessage::payload)
			.containsExactly(new Order("a", 1));
		assertThat(this.pgmq.readWithPoll(this.queue, Order.class, Duration.ofSeconds(30), 10, Duration.ofSeconds(1),
				Duration.ofMillis(50)))
			.isEmpty();
	}

	@Test
	void popDeleteArchiveAndSetVisibilityTimeout() {
		long first = this.pgmq.send(this.queue, new Order("a", 1));
		long second = this.pgmq.send(this.queue, new Order("b", 2));
		long third = this.pgmq.send(this.queue, new Order("c", 3));
		long fourth = this.pgmq.send(this.queue, new Order("d", 4));
		assertThat(this.pgmq.pop(this.queue, Order.class)).hasValueSatisfying((m) -> assertThat(m.id()).isEqualTo(first));
		assertThat(this.pgmq.delete(this.queue, second)).isTrue();
		assertThat(this.pgmq.delete(this.queue, second)).isFalse();
		assertThat(this.pgmq.archive(this.queue, third)).isTrue();
		assertThat(this.pgmq.archive(this.queue, third)).isFalse();
		this.pgmq.read(this.queue, Order.class, Duration.ofHours(1), 1);
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofHours(1), 1)).isEmpty();
		assertThat(this.pgmq.setVisibilityTimeout(this.queue, fourth, Duration.ZERO)).isPresent();
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 1))
			.singleElement()
			.satisfies((m) -> assertThat(m.readCount()).isEqualTo(2));
		assertThat(this.pgmq.setVisibilityTimeout(this.queue, 999_999, Duration.ZERO)).isEmpty();
		long fifth = this.pgmq.send(this.queue, new Order("e", 5));
		assertThat(this.pgmq.archive(this.queue, List.of(fourth, fifth, 999_999L))).containsExactly(fourth, fifth);
		long sixth = this.pgmq.send(this.queue, new Order("f", 6));
		assertThat(this.pgmq.delete(this.queue, List.of(sixth, 999_999L))).containsExactly(sixth);
	}

	@Test
	void statisticsPurgeListAndDrop() {
		this.pgmq.send(this.queue, new Order("a", 1));
		long dead = this.pgmq.send(this.queue, new Order("b", 2));
		this.pgmq.send(this.queue, new Order("c", 3), Duration.ofHours(1));
		assertThat(this.pgmq.archiveWithHeaders(this.queue, dead, Map.of(QueueHeaders.DEAD_LETTERED, true))).isTrue();
		QueueStatistics statistics = this.pgmq.statistics(this.queue);
		assertThat(statistics.queue()).isEqualTo(this.queue);
		assertThat(statistics.length()).isEqualTo(2);
		assertThat(statistics.visibleLength()).isEqualTo(1);
		assertThat(statistics.totalMessages()).isEqualTo(3);
		assertThat(statistics.deadLettered()).isEqualTo(1);
		assertThat(statistics.oldestAgeSeconds()).isNotNull();
		assertThat(this.pgmq.listQueues()).anySatisfy((info) -> assertThat(info.name()).isEqualTo(this.queue));
		assertThat(this.pgmq.purgeQueue(this.queue)).isEqualTo(2);
		assertThat(this.pgmq.statistics(this.queue).oldestAgeSeconds()).isNull();
		assertThat(this.pgmq.dropQueue(this.queue)).isTrue();
		assertThat(this.pgmq.dropQueue(this.queue)).isFalse();
		assertThat(this.pgmq.listQueues()).noneSatisfy((info) -> assertThat(info.name()).isEqualTo(this.queue));
	}

	@Test
	void missingQueueIsReportedByName() {
		assertThatExceptionOfType(QueueNotFoundException.class)
			.isThrownBy(() -> this.pgmq.send("no_such_queue", new Order("a", 1)))
			.withMessageContaining("'no_such_queue'");
		assertThatExceptionOfType(QueueNotFoundException.class)
			.isThrownBy(() -> this.pgmq.read("no_such_queue", Order.class, Duration.ofSeconds(1), 1));
	}

	@Test
	void invalidQueueNamesAreRefusedBeforeAnySql() {
		PgmqTemplate offline = new PgmqTemplate(new JdbcTemplate(new UnusableDataSource()), this.jsonMapper, 1024,
				Duration.ofHours(1), null);
		for (String name : List.of("a'b", "a;drop table x", "a--b", "x".repeat(48), "", "a\"b", "a b")) {
			assertThatExceptionOfType(InvalidQueueNameException.class)
				.isThrownBy(() -> offline.send(name, new Order("a", 1)))
				.withMessageStartingWith("Invalid queue name");
			assertThatExceptionOfType(InvalidQueueNameException.class).isThrownBy(() -> offline.createQueue(name));
		}
		assertThatExceptionOfType(InvalidQueueNameException.class)
			.isThrownBy(() -> offline.send("x".repeat(48), new Order("a", 1)))
			.withMessageContaining("at most 47");
	}

	@Test
	void payloadOverTheLimitIsRefused() {
		assertThatExceptionOfType(PayloadTooLargeException.class)
			.isThrownBy(() -> this.pgmq.send(this.queue, new Order("x".repeat(2000), 1)))
			.withMessageContaining("edge-runtime.queue.max-payload-size");
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).isZero();
	}

	@Test
	void sendInRolledBackTransactionNeverHappened() {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transaction.executeWithoutResult((status) -> {
			this.pgmq.send(this.queue, new Order("rolled-back", 1));
			status.setRollbackOnly();
		});
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).isEmpty();
		long committed = transaction.execute((status) -> this.pgmq.send(this.queue, new Order("committed", 2)));
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
			.containsExactly(committed);
	}

	@Test
	void deleteInRolledBackTransactionKeepsTheMessage() {
		long id = this.pgmq.send(this.queue, new Order("a", 1));
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transaction.executeWithoutResult((status) -> {
			assertThat(this.pgmq.delete(this.queue, id)).isTrue();
			status.setRollbackOnly();
		});
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
			.containsExactly(id);
	}

	@Test
	void idempotentSendReturnsTheFirstMessageId() {
		long first = this.pgmq.sendIdempotent(this.queue, "order-1", new Order("a", 1));
		long again = this.pgmq.sendIdempotent(this.queue, "order-1", new Order("a", 1));
		long other = this.pgmq.sendIdempotent(this.queue, "order-2", new Order("b", 2));
		assertThat(again).isEqualTo(first);
		assertThat(other).isNotEqualTo(first);
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 10)).extracting(QueueMessage::id)
			.containsExactly(first, other)
			.hasSize(2);
		PgmqTemplate shortWindow = new PgmqTemplate(new JdbcTemplate(dataSource), this.jsonMapper, 1024,
				Duration.ZERO, null);
		assertThat(shortWindow.sendIdempotent(this.queue, "order-1", new Order("a", 1))).isGreaterThan(other);
	}

	@Test
	void idempotentSendDoesNotWaitForAnotherSendersOpenTransactionOverAnExpiredKey() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		this.pgmq.sendIdempotent(this.queue, "renewed", new Order("a", 1));
		jdbc.update("UPDATE edge_runtime.queue_idempotency SET created_at = now() - interval '2 hours' "
				+ "WHERE queue_name = ? AND idempotency_key = 'renewed'", this.queue);
		// the keys other tests left to expire go now, so that the clean-up below comes to this one
		jdbc.update("DELETE FROM edge_runtime.queue_idempotency WHERE created_at <= now() - interval '1 hour' "
				+ "AND NOT (queue_name = ? AND idempotency_key = 'renewed')", this.queue);
		String send = "SELECT edge_runtime.send_idempotent(?, ?, interval '1 hour', '{}'::jsonb, '{}'::jsonb)";
		try (Connection renewing = dataSource.getConnection(); Connection other = dataSource.getConnection()) {
			renewing.setAutoCommit(false);
			other.setAutoCommit(false);
			try {
				// a sender renews the expired key in a transaction that stays open (a long request's, say)
				try (PreparedStatement statement = renewing.prepareStatement(send)) {
					statement.setString(1, this.queue);
					statement.setString(2, "renewed");
					statement.execute();
				}
				// a send of another key clears expired keys away as it goes: it passes over the one held
				try (Statement settings = other.createStatement()) {
					settings.execute("SET LOCAL lock_timeout = '5s'");
				}
				try (PreparedStatement statement = other.prepareStatement(send)) {
					statement.setString(1, this.queue);
					statement.setString(2, "other");
					statement.execute();
				}
				other.commit();
			}
			finally {
				other.rollback();
				renewing.rollback();
			}
		}
	}

	@Test
	void concurrentIdempotentSendsOfOneKeySendOnce() throws Exception {
		java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
		List<java.util.concurrent.CompletableFuture<Long>> sends = new java.util.ArrayList<>();
		for (int i = 0; i < 4; i++) {
			sends.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
				try {
					start.await();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				return this.pgmq.sendIdempotent(this.queue, "same-key", new Order("a", 1));
			}));
		}
		java.util.Set<Long> ids = new java.util.HashSet<>();
		for (java.util.concurrent.CompletableFuture<Long> send : sends) {
			ids.add(send.get());
		}
		assertThat(ids).hasSize(1);
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).isEqualTo(1);
	}

	@Test
	void payloadThatCannotBeMappedIsReportedWithItsId() {
		long id = this.pgmq.send(this.queue, Map.of("sku", List.of(1, 2)));
		assertThatExceptionOfType(MessageConversionException.class)
			.isThrownBy(() -> this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 1))
			.satisfies((ex) -> assertThat(ex.getMessageId()).isEqualTo(id));
		assertThat(this.pgmq.setVisibilityTimeout(this.queue, id, Duration.ZERO)).isPresent();
		assertThat(this.pgmq.read(this.queue, JsonNode.class, Duration.ofSeconds(30), 1)).singleElement()
			.satisfies((m) -> assertThat(m.payload().get("sku").isArray()).isTrue());
	}

	@Test
	void payloadThatCannotBeParsedIsReportedWithItsIdAndLeasedForAConsumerWithTheReason() {
		// valid jsonb beyond Jackson's limits, as another pgmq client may send
		Long id = new JdbcTemplate(dataSource).queryForObject(
				"SELECT pgmq.send(?, ('[' || repeat('9', 2000) || ']')::jsonb)", Long.class, this.queue);
		assertThatExceptionOfType(MessageConversionException.class)
			.isThrownBy(() -> this.pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null))
			.satisfies((ex) -> assertThat(ex.getMessageId()).isEqualTo(id));
		new JdbcTemplate(dataSource).update("UPDATE pgmq.q_" + this.queue + " SET vt = clock_timestamp()");
		assertThat(this.pgmq.lease(this.queue, Duration.ofSeconds(30), 1)).singleElement().satisfies((leased) -> {
			assertThat(leased.message().id()).isEqualTo(id);
			assertThat(leased.message().readCount()).isEqualTo(2);
			assertThat(leased.message().payload().isMissingNode()).isTrue();
			assertThat(leased.unreadable()).isNotNull().hasMessageContaining("Message " + id + " cannot be read as");
		});
	}

	@Test
	void payloadLargerThanTheMaxPayloadSizeIsReportedUnparsedWithItsId() {
		// 1024 bytes allowed: another pgmq client wrote 4,000 characters
		Long id = new JdbcTemplate(dataSource).queryForObject(
				"SELECT pgmq.send(?, jsonb_build_object('sku', repeat('x', 4000)))", Long.class, this.queue);
		assertThatExceptionOfType(MessageConversionException.class)
			.isThrownBy(() -> this.pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null))
			.satisfies((ex) -> assertThat(ex.getMessageId()).isEqualTo(id))
			.withMessageContaining("its payload is 4011 characters of JSON, beyond the 2048 bytes a read parses "
					+ "(twice edge-runtime.queue.max-payload-size");
	}

	@Test
	void payloadAsLargeAsASendAcceptsIsReadThoughPostgresPrintsItLarger() {
		// 1024 bytes as Jackson writes it, [0,0,...]; PostgreSQL prints it [0, 0, ...], 1.5 times that
		int[] zeros = new int[511];
		assertThat(this.jsonMapper.writeValueAsString(zeros)).hasSize(1023);
		long id = this.pgmq.send(this.queue, zeros);
		assertThat(this.pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null)).singleElement()
			.satisfies((message) -> {
				assertThat(message.id()).isEqualTo(id);
				assertThat(message.payload().size()).isEqualTo(511);
			});
	}

	@Test
	void payloadOfNumbersThatPostgresPrintsInFullIsReadAsSent() {
		// 1,017 bytes as Jackson writes it, 1.0E-300 each; PostgreSQL prints every one with its 300 zeros,
		// some 34 times longer
		double[] tiny = new double[113];
		Arrays.fill(tiny, 1.0E-300);
		assertThat(this.jsonMapper.writeValueAsString(tiny)).hasSizeLessThan(1024);
		long id = this.pgmq.send(this.queue, tiny);
		assertThat(this.pgmq.read(this.queue, double[].class, Duration.ofSeconds(30), 1)).singleElement()
			.satisfies((message) -> {
				assertThat(message.id()).isEqualTo(id);
				assertThat(message.payload()).containsOnly(1.0E-300).hasSize(113);
			});
	}

	@Test
	void headersLargerThanAReadParsesAreRefusedBeforeAnySql() {
		Map<String, Object> headers = Map.of("trace", "x".repeat(1024 * 1024));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.send(this.queue, new Order("a", 1), headers, Duration.ZERO))
			.withMessage("The headers of a message for queue '" + this.queue + "' are 1048588 characters of JSON, "
					+ "beyond the 1048576 bytes allowed (edge-runtime.queue.max-payload-size, or 1MB for headers if "
					+ "more)");
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).isZero();
		// just within: sent, and read with its headers
		Map<String, Object> largest = Map.of("trace", "x".repeat(1024 * 1024 - 12));
		long id = this.pgmq.send(this.queue, new Order("a", 1), largest, Duration.ZERO);
		assertThat(this.pgmq.readJson(this.queue, Duration.ofSeconds(30), 1, null)).singleElement()
			.satisfies((message) -> {
				assertThat(message.id()).isEqualTo(id);
				assertThat(message.headers()).containsKey("trace");
			});
	}

	@Test
	void readSizeCountsANumberAsAFewBytesAndAStringOfDigitsWhole() {
		String zeros = "0".repeat(300);
		assertThat(PgmqTemplate.readSize("[0." + zeros + "1, -12]", 1000)).isEqualTo(1 + 4 + 2 + 3 + 1);
		assertThat(PgmqTemplate.readSize("{\"n\": \"" + zeros + "\"}", 1000)).isEqualTo(1 + 3 + 2 + 302 + 1);
		// an escaped quote does not end the string, and the digits after it are the string's
		assertThat(PgmqTemplate.readSize("[\"\\\"" + zeros + "\"]", 1000)).isEqualTo(1 + 1 + 2 + 300 + 1 + 1);
		assertThat(PgmqTemplate.readSize("[\"\u00e9\"]", 1000)).isEqualTo(1 + 1 + 2 + 1 + 1);
		// a number longer than any double or long prints as counts whole
		assertThat(PgmqTemplate.readSize("[1" + "0".repeat(500) + "]", 1000)).isEqualTo(503);
		assertThat(PgmqTemplate.readSize("[1" + "0".repeat(5000) + "]", 1000)).isGreaterThan(1000);
	}

	@Test
	void utf8LengthCountsBytesUpToJustPastTheLimit() {
		assertThat(PgmqTemplate.utf8Length("a\u00e9\u20ac\ud83d\ude00", 100)).isEqualTo(1 + 2 + 3 + 4);
		assertThat(PgmqTemplate.utf8Length("\u20ac".repeat(10), 100)).isEqualTo(30);
		assertThat(PgmqTemplate.utf8Length("\u20ac".repeat(10), 4)).isGreaterThan(4);
		assertThat(PgmqTemplate.utf8Length("x".repeat(10), 4)).isEqualTo(10);
	}

	@Test
	void durationsLongerThanTheMaximumAreRefusedNamingTheArgumentBeforeAnySql() {
		// 300,000 years: make_interval failed the send with an error that named no argument
		Duration tooLong = Duration.ofDays(300_000L * 365);
		String rule = " must be at most 18250d (50 years), the longest duration the durable tier takes (PostgreSQL "
				+ "cannot add much longer ones to its clock)";
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.send(this.queue, new Order("a", 1), tooLong))
			.withMessage("delay (109500000d)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.send(this.queue, new Order("a", 1), PgmqTemplate.MAX_DURATION.plusSeconds(1)))
			.withMessage("delay (1576800001s)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendBatch(this.queue, List.of(new Order("a", 1)), tooLong))
			.withMessage("delay (109500000d)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendAt(this.queue, new Order("a", 1), Map.of(), Instant.now().plus(tooLong)))
			.withMessageStartingWith("visibleAt (")
			.withMessageEndingWith(") must be at most 18250d (50 years) from now, the longest duration the durable "
					+ "tier takes");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendAt(this.queue, new Order("a", 1), Map.of(), Instant.MIN))
			.withMessage("visibleAt (" + Instant.MIN + ") must not be before 0001-01-01T00:00:00Z: an instant in the "
					+ "past makes the message visible at once");
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).as("nothing sent").isZero();
		long id = this.pgmq.send(this.queue, new Order("a", 1));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.read(this.queue, Order.class, tooLong, 1))
			.withMessage("visibilityTimeout (109500000d)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.readWithPoll(this.queue, Order.class, Duration.ofSeconds(30), 1, tooLong,
					Duration.ofMillis(100)))
			.withMessage("maxPoll (109500000d)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.setVisibilityTimeout(this.queue, id, tooLong))
			.withMessage("visibilityTimeout (109500000d)" + rule);
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new PgmqTemplate(new JdbcTemplate(dataSource), this.jsonMapper, 1024, tooLong, null))
			.withMessage("idempotencyWindow (109500000d)" + rule);
		assertThat(this.pgmq.read(this.queue, Order.class, Duration.ofSeconds(30), 1)).as("never read, still visible")
			.extracting(QueueMessage::id)
			.containsExactly(id);
	}

	@Test
	void durationsOfTheMaximumAreTakenByPostgreSql() {
		long delayed = this.pgmq.send(this.queue, new Order("a", 1), PgmqTemplate.MAX_DURATION);
		Instant latest = Instant.now().plus(PgmqTemplate.MAX_DURATION).minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
		long scheduled = this.pgmq.sendAt(this.queue, new Order("b", 2), Map.of(), latest);
		long past = this.pgmq.sendAt(this.queue, new Order("c", 3), Map.of(), Instant.parse("0001-01-01T00:00:00Z"));
		List<QueueMessage<Order>> read = this.pgmq.read(this.queue, Order.class, PgmqTemplate.MAX_DURATION, 10);
		assertThat(read).extracting(QueueMessage::id).as("the one visible since the year 1").containsExactly(past);
		assertThat(read.get(0).visibleAt()).isAfter(Instant.now().plus(PgmqTemplate.MAX_DURATION).minusSeconds(60));
		assertThat(this.pgmq.setVisibilityTimeout(this.queue, delayed, PgmqTemplate.MAX_DURATION)).isPresent();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue
				+ " WHERE vt > clock_timestamp() + interval '49 years'", Long.class)).isEqualTo(3);
		assertThat(jdbc.queryForObject("SELECT extract(epoch FROM vt)::bigint FROM pgmq.q_" + this.queue
				+ " WHERE msg_id = ?", Long.class, scheduled)).isEqualTo(latest.getEpochSecond());
	}

	@Test
	void idempotencyKeyTooLongOrHoldingNulIsRefusedSayingWhyAndNothingIsSent() {
		// a client's Idempotency-Key header, say, of random letters: beyond what PostgreSQL's index of keys takes
		String key = new java.util.Random(7).ints(4000, 'a', 'z' + 1)
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendIdempotent(this.queue, key, new Order("a", 1)))
			.withMessage("Idempotency key for queue '" + this.queue + "' has 4000 characters, beyond the 2048 bytes "
					+ "(in UTF-8) allowed");
		String euros = "\u20ac".repeat(683); // 2,049 bytes
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendIdempotent(this.queue, euros, new Order("a", 1)))
			.withMessage("Idempotency key for queue '" + this.queue + "' has 683 characters, beyond the 2048 bytes "
					+ "(in UTF-8) allowed");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.pgmq.sendIdempotent(this.queue, "a\u0000b", new Order("a", 1)))
			.withMessage("Idempotency key for queue '" + this.queue
					+ "' contains the character U+0000, which PostgreSQL's text cannot store");
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).isZero();
		String longest = key.substring(0, PgmqTemplate.MAX_IDEMPOTENCY_KEY_BYTES);
		long first = this.pgmq.sendIdempotent(this.queue, longest, new Order("a", 1));
		assertThat(this.pgmq.sendIdempotent(this.queue, longest, new Order("a", 1))).isEqualTo(first);
	}

	@Test
	void idempotencyKeyOfSeveralHundredCharactersIsTaken() {
		// a key made of several ids, as the index of keys took it before keys were checked
		String key = "tenant-" + UUID.randomUUID() + "/orders/" + "4711/".repeat(60) + "\u20ac".repeat(100);
		assertThat(key.length()).isGreaterThan(400);
		long first = this.pgmq.sendIdempotent(this.queue, key, new Order("a", 1));
		assertThat(this.pgmq.sendIdempotent(this.queue, key, new Order("b", 2))).isEqualTo(first);
		assertThat(this.pgmq.statistics(this.queue).totalMessages()).isEqualTo(1);
	}

	@Test
	void handBackWhoseWakeFailsIsStillAHandBack() {
		// the database lost between the hand-back and its notification: the message is visible again all the same,
		// and the caller, told it was not, would log that it returns only after its visibility timeout
		PgmqTemplate.SendNotifier lost = (queue) -> {
			throw new IllegalStateException("notification lost");
		};
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(dataSource), this.jsonMapper, 1024, Duration.ofHours(1),
				lost);
		long prefetched = this.pgmq.send(this.queue, new Order("prefetched", 1));
		long running = this.pgmq.send(this.queue, new Order("running", 2));
		List<QueueMessage<JsonNode>> read = pgmq.read(this.queue, JsonNode.class, Duration.ofHours(1), 2);
		assertThat(read).extracting(QueueMessage::id).containsExactly(prefetched, running);
		assertThat(pgmq.returnUnhandled(this.queue, read.get(0))).isTrue();
		assertThat(pgmq.handBack(this.queue, read.get(1), true)).isEqualTo(PgmqTemplate.HandBack.HANDED_BACK);
		assertThat(this.pgmq.read(this.queue, JsonNode.class, Duration.ofSeconds(30), 10))
			.extracting(QueueMessage::id, QueueMessage::readCount)
			.containsExactly(tuple(prefetched, 1),
					tuple(running, 1));
	}

	record Order(String sku, int quantity) {
	}

	private static final class UnusableDataSource implements DataSource {

		@Override
		public Connection getConnection() {
			throw new AssertionError("No SQL may be sent for an invalid queue name");
		}

		@Override
		public Connection getConnection(String username, String password) {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() {
			return new PrintWriter(System.err);
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getGlobal();
		}

		@Override
		public <T> T unwrap(Class<T> iface) {
			throw new UnsupportedOperationException();
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) {
			return false;
		}

	}

}
