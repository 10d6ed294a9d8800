package dev.edgeruntime.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The pgmq functions, called as SQL, against the real PostgreSQL: the bundled pgmq-compatible schema's, and in
 * the build's {@code pgmq-extension} run the real extension's, so both are held to the same behaviour. How
 * the schema gets installed is {@link PgmqSchemaInitializerTests}'.
 *
 * @author edge-runtime developers
 */
class PgmqSqlTests {

	private static DataSource dataSource;

	private JdbcTemplate jdbc;

	private String queue;

	@BeforeAll
	static void installSchema() {
		dataSource = TestDatabase.get().dataSource();
		assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.BUNDLED).install()).isTrue();
	}

	@BeforeEach
	void createQueue() {
		this.jdbc = new JdbcTemplate(dataSource);
		this.queue = TestDatabase.uniqueName("sql_");
		this.jdbc.queryForList("SELECT pgmq.create(?)", this.queue);
	}

	@Test
	void createIsIdempotentAndListQueuesShowsTheQueue() {
		this.jdbc.queryForList("SELECT pgmq.create(?)", this.queue);
		List<Map<String, Object>> queues = this.jdbc
			.queryForList("SELECT * FROM pgmq.list_queues() WHERE queue_name = ?", this.queue);
		assertThat(queues).singleElement().satisfies((row) -> {
			assertThat(row).containsEntry("is_partitioned", false).containsEntry("is_unlogged", false);
			assertThat(row.get("created_at")).isNotNull();
		});
		assertThat(tableExists("q_" + this.queue)).isTrue();
		assertThat(tableExists("a_" + this.queue)).isTrue();
	}

	@Test
	void createUnloggedMakesAnUnloggedTable() {
		String unlogged = this.queue + "_u";
		this.jdbc.queryForList("SELECT pgmq.create_unlogged(?)", unlogged);
		assertThat(this.jdbc.queryForObject("SELECT is_unlogged FROM pgmq.meta WHERE queue_name = ?", Boolean.class,
				unlogged))
			.isTrue();
		assertThat(this.jdbc.queryForObject("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(?)",
				String.class, "pgmq.q_" + unlogged))
			.isEqualTo("u");
	}

	@Test
	void sendReturnsIncreasingIdsAndReadTakesThemInOrder() {
		long first = send("{\"n\": 1}");
		long second = send("{\"n\": 2}");
		long third = send("{\"n\": 3}");
		assertThat(second).isGreaterThan(first);
		assertThat(third).isGreaterThan(second);
		List<Map<String, Object>> read = read(30, 2);
		assertThat(read).extracting((row) -> row.get("msg_id")).containsExactly(first, second);
		assertThat(read).extracting((row) -> row.get("read_ct")).containsExactly(1, 1);
		assertThat(read(30, 10)).extracting((row) -> row.get("msg_id")).containsExactly(third);
	}

	@Test
	void readWithoutConditionTakesPayloadsThatAreNotObjects() {
		long text = send("\"plain text\"");
		long number = send("42");
		long array = send("[1, 2]");
		assertThat(read(30, 10)).extracting((row) -> row.get("msg_id")).containsExactly(text, number, array);
	}

	@Test
	void readHidesMessagesForTheVisibilityTimeoutAndCountsReads() {
		long id = send("{\"n\": 1}");
		Map<String, Object> row = read(30, 1).get(0);
		assertThat(this.jdbc.queryForObject("SELECT ?::timestamptz > now() + interval '29 seconds'", Boolean.class,
				row.get("vt")))
			.isTrue();
		assertThat(read(30, 1)).isEmpty();
		this.jdbc.queryForList("SELECT * FROM pgmq.set_vt(?, ?, 0)", this.queue, id);
		assertThat(read(0, 1)).singleElement().satisfies((again) -> assertThat(again.get("read_ct")).isEqualTo(2));
		assertThat(read(0, 1)).singleElement().satisfies((again) -> assertThat(again.get("read_ct")).isEqualTo(3));
	}

	@Test
	void sendWithDelayInSecondsOrTimestampIsInvisibleUntilThen() {
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{\"d\": 1}', 3600)", this.queue);
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{\"d\": 2}', now() + interval '1 hour')", this.queue);
		long past = this.jdbc.queryForObject("SELECT * FROM pgmq.send(?, '{\"d\": 3}', now() - interval '1 second')",
				Long.class, this.queue);
		assertThat(read(30, 10)).extracting((row) -> row.get("msg_id")).containsExactly(past);
		assertThat(count("q_" + this.queue)).isEqualTo(3);
	}

	@Test
	void sendWithHeadersKeepsThem() {
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{\"a\": 1}', '{\"trace\": \"t1\"}'::jsonb)", this.queue);
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{\"a\": 2}', '{\"trace\": \"t2\"}'::jsonb, 0)",
				this.queue);
		assertThat(read(30, 10)).extracting((row) -> row.get("headers").toString())
			.containsExactly("{\"trace\": \"t1\"}", "{\"trace\": \"t2\"}");
	}

	@Test
	void sendBatchReturnsIdsInOrderWithOptionalHeaders() {
		List<Long> ids = this.jdbc.queryForList(
				"SELECT * FROM pgmq.send_batch(?, ARRAY['{\"b\": 1}', '{\"b\": 2}', '{\"b\": 3}']::jsonb[])",
				Long.class, this.queue);
		assertThat(ids).hasSize(3).isSorted();
		List<Long> withHeaders = this.jdbc.queryForList("""
				SELECT * FROM pgmq.send_batch(?, ARRAY['{"b": 4}', '{"b": 5}']::jsonb[],
					ARRAY['{"h": 4}', '{"h": 5}']::jsonb[], 0)
				""", Long.class, this.queue);
		List<Map<String, Object>> read = read(30, 10);
		assertThat(read).extracting((row) -> row.get("message").toString())
			.containsExactly("{\"b\": 1}", "{\"b\": 2}", "{\"b\": 3}", "{\"b\": 4}", "{\"b\": 5}");
		assertThat(read.get(4).get("msg_id")).isEqualTo(withHeaders.get(1));
		assertThat(read.get(4).get("headers").toString()).isEqualTo("{\"h\": 5}");
		List<Long> delayed = this.jdbc.queryForList(
				"SELECT * FROM pgmq.send_batch(?, ARRAY['{\"b\": 6}']::jsonb[], 3600)", Long.class, this.queue);
		assertThat(delayed).hasSize(1);
		assertThat(read(30, 10)).isEmpty();
	}

	@Test
	void conditionalReadTakesOnlyContainingMessages() {
		send("{\"kind\": \"a\", \"n\": 1}");
		long b = send("{\"kind\": \"b\", \"n\": 2}");
		send("{\"kind\": \"a\", \"n\": 3}");
		List<Map<String, Object>> read = this.jdbc.queryForList(
				"SELECT * FROM pgmq.read(?, 30, 10, '{\"kind\": \"b\"}'::jsonb)", this.queue);
		assertThat(read).extracting((row) -> row.get("msg_id")).containsExactly(b);
		assertThat(read(30, 10)).hasSize(2);
	}

	@Test
	void readSkipsMessagesLockedByAnotherTransaction() throws Exception {
		for (int i = 0; i < 4; i++) {
			send("{\"n\": " + i + "}");
		}
		try (Connection first = dataSource.getConnection(); Connection second = dataSource.getConnection()) {
			first.setAutoCommit(false);
			second.setAutoCommit(false);
			List<Long> firstIds = readIds(first, 2);
			List<Long> secondIds = readIds(second, 10);
			assertThat(firstIds).hasSize(2);
			assertThat(secondIds).hasSize(2).doesNotContainAnyElementsOf(firstIds);
			first.commit();
			second.commit();
		}
	}

	@Test
	void readWithPollReturnsVisibleMessagesOrNothingAfterTheMaximumWait() {
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.read_with_poll(?, 30, 1, 1, 50)", this.queue))
			.isEmpty();
		long id = send("{\"p\": 1}");
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.read_with_poll(?, 30, 5, 5, 50)", this.queue))
			.extracting((row) -> row.get("msg_id"))
			.containsExactly(id);
	}

	@Test
	void popReadsAndDeletes() {
		long first = send("{\"n\": 1}");
		send("{\"n\": 2}");
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.pop(?)", this.queue))
			.extracting((row) -> row.get("msg_id"))
			.containsExactly(first);
		assertThat(count("q_" + this.queue)).isEqualTo(1);
	}

	@Test
	void deleteReturnsWhetherTheMessageExisted() {
		long id = send("{\"n\": 1}");
		long other = send("{\"n\": 2}");
		assertThat(this.jdbc.queryForObject("SELECT pgmq.delete(?, ?::bigint)", Boolean.class, this.queue, id))
			.isTrue();
		assertThat(this.jdbc.queryForObject("SELECT pgmq.delete(?, ?::bigint)", Boolean.class, this.queue, id))
			.isFalse();
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.delete(?, ARRAY[?, ?]::bigint[])", Long.class,
				this.queue, id, other))
			.containsExactly(other);
		assertThat(count("q_" + this.queue)).isZero();
	}

	@Test
	void archiveMovesMessagesToTheArchive() {
		long id = send("{\"n\": 1}");
		long second = send("{\"n\": 2}");
		long third = send("{\"n\": 3}");
		assertThat(this.jdbc.queryForObject("SELECT pgmq.archive(?, ?::bigint)", Boolean.class, this.queue, id))
			.isTrue();
		assertThat(this.jdbc.queryForObject("SELECT pgmq.archive(?, ?::bigint)", Boolean.class, this.queue, id))
			.isFalse();
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.archive(?, ARRAY[?, ?, 999999]::bigint[])", Long.class,
				this.queue, second, third))
			.containsExactlyInAnyOrder(second, third);
		assertThat(count("q_" + this.queue)).isZero();
		List<Map<String, Object>> archived = this.jdbc
			.queryForList("SELECT * FROM pgmq.a_" + this.queue + " ORDER BY msg_id");
		assertThat(archived).extracting((row) -> row.get("msg_id")).containsExactly(id, second, third);
		assertThat(archived.get(0).get("archived_at")).isNotNull();
		assertThat(archived.get(0).get("message").toString()).isEqualTo("{\"n\": 1}");
	}

	@Test
	void setVtChangesVisibilityAndReturnsTheMessage() {
		long id = send("{\"n\": 1}");
		List<Map<String, Object>> updated = this.jdbc.queryForList("SELECT * FROM pgmq.set_vt(?, ?, 3600)", this.queue,
				id);
		assertThat(updated).singleElement().satisfies((row) -> assertThat(row.get("msg_id")).isEqualTo(id));
		assertThat(read(30, 1)).isEmpty();
		this.jdbc.queryForList("SELECT * FROM pgmq.set_vt(?, ?, 0)", this.queue, id);
		assertThat(read(30, 1)).hasSize(1);
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.set_vt(?, 999999, 0)", this.queue)).isEmpty();
	}

	@Test
	void purgeQueueDeletesAllMessagesAndCountsThem() {
		send("{}");
		send("{}");
		assertThat(this.jdbc.queryForObject("SELECT pgmq.purge_queue(?)", Long.class, this.queue)).isEqualTo(2);
		assertThat(count("q_" + this.queue)).isZero();
	}

	@Test
	void dropQueueRemovesTablesAndMetaAndReturnsFalseWhenMissing() {
		assertThat(this.jdbc.queryForObject("SELECT pgmq.drop_queue(?)", Boolean.class, this.queue)).isTrue();
		assertThat(tableExists("q_" + this.queue)).isFalse();
		assertThat(tableExists("a_" + this.queue)).isFalse();
		assertThat(this.jdbc.queryForList("SELECT * FROM pgmq.list_queues() WHERE queue_name = ?", this.queue))
			.isEmpty();
		assertThat(this.jdbc.queryForObject("SELECT pgmq.drop_queue(?)", Boolean.class, this.queue)).isFalse();
	}

	@Test
	void metricsCountMessagesAndAges() {
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{}', now() - interval '10 seconds')", this.queue);
		this.jdbc.execute("UPDATE pgmq.q_" + this.queue + " SET enqueued_at = now() - interval '60 seconds'");
		send("{}");
		this.jdbc.queryForList("SELECT * FROM pgmq.send(?, '{}', 3600)", this.queue);
		Map<String, Object> metrics = this.jdbc.queryForMap("SELECT * FROM pgmq.metrics(?)", this.queue);
		assertThat(metrics).containsEntry("queue_name", this.queue)
			.containsEntry("queue_length", 3L)
			.containsEntry("queue_visible_length", 2L)
			.containsEntry("total_messages", 3L);
		assertThat((Integer) metrics.get("oldest_msg_age_sec")).isBetween(59, 70);
		assertThat((Integer) metrics.get("newest_msg_age_sec")).isBetween(0, 5);
		this.jdbc.queryForList("SELECT pgmq.purge_queue(?)", this.queue);
		Map<String, Object> empty = this.jdbc.queryForMap("SELECT * FROM pgmq.metrics(?)", this.queue);
		assertThat(empty).containsEntry("queue_length", 0L).containsEntry("total_messages", 3L);
		assertThat(empty.get("oldest_msg_age_sec")).isNull();
		assertThat(this.jdbc.queryForList("SELECT queue_name FROM pgmq.metrics_all()", String.class))
			.contains(this.queue);
	}

	@Test
	void missingQueueRaisesAnError() {
		assertThatExceptionOfType(BadSqlGrammarException.class)
			.isThrownBy(() -> this.jdbc.queryForList("SELECT * FROM pgmq.read('no_such_queue', 30, 1)"))
			.satisfies((ex) -> assertThat(ex.getMostSpecificCause().getMessage())
				.contains("relation \"pgmq.q_no_such_queue\" does not exist"));
		assertThatExceptionOfType(BadSqlGrammarException.class)
			.isThrownBy(() -> this.jdbc.queryForList("SELECT * FROM pgmq.send('no_such_queue', '{}')"));
		assertThatExceptionOfType(BadSqlGrammarException.class).isThrownBy(
				() -> this.jdbc.queryForObject("SELECT pgmq.delete('no_such_queue', 1::bigint)", Boolean.class));
	}

	@Test
	void invalidOrOverlongQueueNamesRaiseErrors() {
		this.jdbc.queryForList("SELECT pgmq.create(?)", "q" + "x".repeat(46));
		this.jdbc.queryForList("SELECT pgmq.drop_queue(?)", "q" + "x".repeat(46));
		assertThatExceptionOfType(UncategorizedSQLException.class)
			.isThrownBy(() -> this.jdbc.queryForList("SELECT pgmq.create(?)", "q" + "x".repeat(47)))
			.withMessageContaining("maximum length is 47 characters");
		for (String name : List.of("a;b", "a--b", "a'b", "a$b")) {
			assertThatExceptionOfType(UncategorizedSQLException.class)
				.isThrownBy(() -> this.jdbc.queryForList("SELECT pgmq.create(?)", name));
		}
	}

	@Test
	void anEmptyQueueNameIsRefusedByTheBundledSchemaAndAcceptedByThePgmqExtension() {
		// A difference between the two; PgmqTemplate refuses the name before any SQL either way
		// (PgmqTemplateTests).
		if (TestDatabase.pgmqExtension()) {
			this.jdbc.queryForList("SELECT pgmq.create('')");
			assertThat(tableExists("q_")).isTrue();
			assertThat(this.jdbc.queryForObject("SELECT pgmq.drop_queue('')", Boolean.class)).isTrue();
		}
		else {
			assertThatExceptionOfType(UncategorizedSQLException.class)
				.isThrownBy(() -> this.jdbc.queryForList("SELECT pgmq.create('')"))
				.withMessageContaining("queue name");
		}
	}

	private long send(String json) {
		Long id = this.jdbc.queryForObject("SELECT * FROM pgmq.send(?, ?::jsonb)", Long.class, this.queue, json);
		assertThat(id).isNotNull();
		return id;
	}

	private List<Map<String, Object>> read(int vt, int qty) {
		return this.jdbc.queryForList("SELECT * FROM pgmq.read(?, ?, ?)", this.queue, vt, qty);
	}

	private List<Long> readIds(Connection connection, int qty) throws Exception {
		List<Long> ids = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement
					.executeQuery("SELECT msg_id FROM pgmq.read('" + this.queue + "', 30, " + qty + ")")) {
			while (rs.next()) {
				ids.add(rs.getLong(1));
			}
		}
		return ids;
	}

	private long count(String table) {
		return this.jdbc.queryForObject("SELECT count(*) FROM pgmq." + table, Long.class);
	}

	private boolean tableExists(String table) {
		return Boolean.TRUE.equals(
				this.jdbc.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, "pgmq." + table));
	}

}
