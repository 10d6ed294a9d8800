package dev.edgeruntime.queue;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.edgeruntime.queue.DatabasePrivileges.Privilege;
import dev.edgeruntime.runtime.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.InvalidDataAccessResourceUsageException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Sends, reads and acknowledges messages through pgmq's SQL functions, with JSON payloads mapped by
 * Jackson. Every call runs on the {@link JdbcTemplate}'s connection, so it takes part in the caller's
 * Spring transaction: a message sent in a transaction that rolls back was never sent, and one deleted in
 * it comes back.
 *
 * <pre class="code">
 * long id = pgmq.send("emails", new Email(to, subject));
 * List&lt;QueueMessage&lt;Email&gt;&gt; batch = pgmq.read("emails", Email.class, Duration.ofSeconds(30), 10);
 * </pre>
 *
 * Queue names are checked with {@link QueueName} before any SQL is sent.
 *
 * @author edge-runtime developers
 */
public class PgmqTemplate {

	private static final Log logger = LogFactory.getLog(PgmqTemplate.class);

	private static final String DURABLE_QUEUE_PRIVILEGES = "docs/durable-queue.md, \"Database privileges\"";

	private static final String CREATE = """
			SELECT pgmq.create(?)
			""";

	private static final String CREATE_UNLOGGED = """
			SELECT pgmq.create_unlogged(?)
			""";

	// pgmq names a queue's tables after the name in lower case
	private static final String QUEUE_EXISTS = """
			SELECT to_regclass('pgmq.q_' || lower(?)) IS NOT NULL AND to_regclass('pgmq.a_' || lower(?)) IS NOT NULL
			""";

	private static final String DROP_QUEUE = """
			SELECT pgmq.drop_queue(?)
			""";

	private static final String PURGE_QUEUE = """
			SELECT pgmq.purge_queue(?)
			""";

	private static final String LIST_QUEUES = """
			SELECT queue_name, is_partitioned, is_unlogged, created_at FROM pgmq.list_queues()
			""";

	private static final String SEND = """
			SELECT * FROM pgmq.send(?, ?::jsonb, ?::jsonb,
				coalesce(?::timestamptz, clock_timestamp() + make_interval(secs => ?)))
			""";

	private static final String SEND_BATCH = """
			SELECT * FROM pgmq.send_batch(?, ?::text[]::jsonb[], ?::text[]::jsonb[],
				clock_timestamp() + make_interval(secs => ?))
			""";

	private static final String SEND_IDEMPOTENT = """
			SELECT edge_runtime.send_idempotent(?, ?, make_interval(secs => ?), ?::jsonb, ?::jsonb)
			""";

	// ORDER BY: the pgmq extension returns a batch in the table's order (a requeued message, written
	// last, comes first), the bundled schema in id order; both are sorted to send order here.
	private static final String READ = """
			SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM pgmq.read(?, ?, ?, ?::jsonb)
			ORDER BY msg_id
			""";

	private static final String READ_WITH_POLL = """
			SELECT msg_id, read_ct, enqueued_at, vt, message, headers
			FROM pgmq.read_with_poll(?, ?, ?, ?, ?, ?::jsonb)
			ORDER BY msg_id
			""";

	private static final String POP = """
			SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM pgmq.pop(?)
			""";

	private static final String DELETE = """
			SELECT pgmq.delete(?, ?::bigint)
			""";

	private static final String DELETE_BATCH = """
			SELECT * FROM pgmq.delete(?, ?::bigint[])
			""";

	private static final String ARCHIVE = """
			SELECT pgmq.archive(?, ?::bigint)
			""";

	private static final String ARCHIVE_BATCH = """
			SELECT * FROM pgmq.archive(?, ?::bigint[])
			""";

	private static final String SET_VT = """
			SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM pgmq.set_vt(?, ?::bigint, ?)
			""";

	private static final String MERGE_HEADERS = """
			UPDATE pgmq.q_%s SET headers = coalesce(headers, '{}'::jsonb) || ?::jsonb WHERE msg_id = ?
			""";

	// The same, after taking the named headers away (a text[] literal such as {"x-last-error"}).
	private static final String REPLACE_HEADERS = """
			UPDATE pgmq.q_%s SET headers = (coalesce(headers, '{}'::jsonb) - ?::text[]) || ?::jsonb WHERE msg_id = ?
			""";

	// The statements of a consumer's lease (heartbeat, retry, dead letter, hand-back) act only while read_ct is
	// that of the consumer's read: a message read again since (its lease ran out) belongs to another consumer.
	// And while enqueued_at is that of the read: a dead letter requeued since (under its id, read_ct 0 and
	// enqueued_at the requeue's time) is another message, whose read counts start again at the one read here.
	private static final String SET_VT_IF_HELD = """
			UPDATE pgmq.q_%s SET vt = clock_timestamp() + make_interval(secs => ?) WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz
			""";

	// A heartbeat: as SET_VT_IF_HELD, but it passes over a row another transaction holds rather than waiting
	// for it, and tells that case (extended 0, held 1) from a lease gone (held 0). Both counts come from the
	// statement's one snapshot, before its update.
	private static final String HEARTBEAT_IF_HELD = """
			WITH free AS (
				SELECT msg_id FROM pgmq.q_%1$s WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz FOR UPDATE SKIP LOCKED),
			extended AS (
				UPDATE pgmq.q_%1$s q SET vt = clock_timestamp() + make_interval(secs => ?) FROM free
				WHERE q.msg_id = free.msg_id
				RETURNING q.msg_id)
			SELECT (SELECT count(*) FROM extended), (SELECT count(*) FROM pgmq.q_%1$s WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz)
			""";

	// Waits for a leased message's row and holds it until the transaction ends, while the lease is the caller's.
	private static final String LOCK_IF_HELD = """
			SELECT count(*) FROM (SELECT 1 FROM pgmq.q_%s WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz FOR UPDATE) held
			""";

	private static final String RETRY_IF_HELD = """
			UPDATE pgmq.q_%s SET headers = coalesce(headers, '{}'::jsonb) || ?::jsonb,
				vt = clock_timestamp() + make_interval(secs => ?)
			WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz
			""";

	private static final String REPLACE_HEADERS_IF_HELD = """
			UPDATE pgmq.q_%s SET headers = (coalesce(headers, '{}'::jsonb) - ?::text[]) || ?::jsonb
			WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz
			""";

	// A handled message's delete (or archive) written again after it failed (the database was unreachable):
	// only for the messages still leased under the consumer's read (read_ct unchanged), each row held from
	// the check until pgmq.delete or pgmq.archive has moved it. %2$s is delete or archive.
	private static final String COMPLETE_IF_HELD = """
			SELECT * FROM pgmq.%2$s(?, ARRAY(
				SELECT q.msg_id FROM pgmq.q_%1$s q
					JOIN unnest(?::bigint[], ?::int[], ?::text[]::timestamptz[]) AS held(msg_id, read_ct, enqueued_at)
					ON q.msg_id = held.msg_id AND q.read_ct = held.read_ct AND q.enqueued_at = held.enqueued_at
				FOR UPDATE OF q))
			""";

	// A handled message's delete: of the message its handler ran, read again since or not (a success is the
	// message's outcome, whoever holds it now), but not of a dead letter requeued since under its id (a new
	// enqueued_at), which is to run again. The DELETE pgmq.delete runs, with the enqueued_at in its condition:
	// a row changed by another transaction meanwhile is checked again as it now is, with no lock taken before
	// (a row lock would write each row once more before its delete, on the consumer's busiest statement).
	private static final String DELETE_HANDLED = """
			DELETE FROM pgmq.q_%s q
			USING unnest(?::bigint[], ?::text[]::timestamptz[]) AS handled(msg_id, enqueued_at)
			WHERE q.msg_id = handled.msg_id AND q.enqueued_at = handled.enqueued_at
			RETURNING q.msg_id
			""";

	// A handled message's archive, with the same condition as DELETE_HANDLED: pgmq.archive moves the rows, each
	// held from the check on.
	private static final String ARCHIVE_HANDLED = """
			SELECT * FROM pgmq.archive(?, ARRAY(
				SELECT q.msg_id FROM pgmq.q_%s q
					JOIN unnest(?::bigint[], ?::text[]::timestamptz[]) AS handled(msg_id, enqueued_at)
					ON q.msg_id = handled.msg_id AND q.enqueued_at = handled.enqueued_at
				FOR UPDATE OF q))
			""";

	// A handled message's dead letter written meanwhile, unrun, by the read after the handler's own (its lease ran
	// out, and that read was past the maximum attempts), which a late success takes back: deleted, or archived as
	// handled (its time that of the success, its read count that of the handler's read, as the read that
	// dead-lettered it ran nothing). The read after the handler's has read_ct one more, and its dead
	// letter counts the handler's delivery as its last attempt (x-attempts); a dead letter of a failure (its
	// x-attempts its own read_ct) or of a later read is left alone.
	private static final String UNRUN_DEAD_LETTER = """
			a.msg_id = handled.msg_id AND a.read_ct = handled.read_ct + 1 AND a.enqueued_at = handled.enqueued_at
				AND a.headers @> jsonb_build_object('x-dead-lettered', true, 'x-attempts', handled.read_ct)
			""";

	private static final String DELETE_UNRUN_DEAD_LETTERS = """
			DELETE FROM pgmq.a_%s a
			USING unnest(?::bigint[], ?::int[], ?::text[]::timestamptz[]) AS handled(msg_id, read_ct, enqueued_at)
			WHERE %s
			RETURNING a.msg_id
			""";

	private static final String ARCHIVE_UNRUN_DEAD_LETTERS_AS_HANDLED = """
			UPDATE pgmq.a_%s a SET archived_at = clock_timestamp(), read_ct = handled.read_ct,
				headers = a.headers - 'x-dead-lettered' - 'x-dead-lettered-at' - 'x-error' - 'x-attempts'
			FROM unnest(?::bigint[], ?::int[], ?::text[]::timestamptz[]) AS handled(msg_id, read_ct, enqueued_at)
			WHERE %s
			RETURNING a.msg_id
			""";

	// A durable task's attempt starts: the time, from the database's clock as its other times are.
	private static final String MARK_STARTED_IF_HELD = """
			UPDATE pgmq.q_%s SET headers = coalesce(headers, '{}'::jsonb) || jsonb_build_object('x-started-at',
				to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
			WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz
			""";

	private static final String RETURN_UNHANDLED = """
			UPDATE pgmq.q_%s SET vt = clock_timestamp(), read_ct = read_ct - 1 WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz
			""";

	// A hand-back at shutdown: visible now, the read taken back (read_ct less 1) or not (less 0); as a
	// heartbeat, it passes over a row another transaction holds and tells that case (handed back 0, held 1).
	private static final String HAND_BACK_IF_HELD = """
			WITH free AS (
				SELECT msg_id FROM pgmq.q_%1$s WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz FOR UPDATE SKIP LOCKED),
			handed AS (
				UPDATE pgmq.q_%1$s q SET vt = clock_timestamp(), read_ct = q.read_ct - ? FROM free
				WHERE q.msg_id = free.msg_id
				RETURNING q.msg_id)
			SELECT (SELECT count(*) FROM handed), (SELECT count(*) FROM pgmq.q_%1$s WHERE msg_id = ? AND read_ct = ? AND enqueued_at = ?::timestamptz)
			""";

	// Dead letters back from the archive to the queue, under the ids they had, visible now, and read as
	// never delivered; the marks of their failure go, the time of the requeue is added. The condition on
	// the array is left out (%2$s empty) to requeue every dead letter of the queue.
	private static final String REQUEUE_DEAD_LETTERS = """
			WITH requeued AS (
				DELETE FROM pgmq.a_%1$s
				WHERE headers @> '{"x-dead-lettered": true}'::jsonb%2$s
				RETURNING msg_id, message, headers)
			INSERT INTO pgmq.q_%1$s (msg_id, read_ct, enqueued_at, vt, message, headers)
			OVERRIDING SYSTEM VALUE
			SELECT msg_id, 0, clock_timestamp(), clock_timestamp(), message,
				(headers - 'x-dead-lettered' - 'x-dead-lettered-at' - 'x-error' - 'x-attempts' - 'x-last-error'
					- 'x-failed-attempt' - 'x-started-at') || jsonb_build_object('x-requeued-at',
						to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
			FROM requeued
			RETURNING msg_id
			""";

	private static final String METRICS = """
			SELECT queue_name, queue_length, queue_visible_length, newest_msg_age_sec, oldest_msg_age_sec,
				total_messages, scrape_time
			FROM pgmq.metrics(?)
			""";

	private static final String DEAD_LETTERED = """
			SELECT count(*) FROM pgmq.a_%s WHERE headers @> '{"x-dead-lettered": true}'::jsonb
			""";

	private static final String OLDEST_VISIBLE_AGE = """
			SELECT floor(extract(epoch FROM clock_timestamp() - min(enqueued_at)))::int
			FROM pgmq.q_%s WHERE vt <= clock_timestamp()
			""";

	/**
	 * The longest idempotency key {@link #sendIdempotent(String, String, Object)} takes, in bytes of UTF-8:
	 * what the index of keys surely takes with the queue's name (an entry of at most about 2.7 KB), so that a
	 * long key made of several ids, or a URL, is taken as it was before keys were checked.
	 */
	public static final int MAX_IDEMPOTENCY_KEY_BYTES = 2048;

	/**
	 * The longest duration the durable tier takes, 50 years (18250 days): every delay, visibility timeout,
	 * lease, backoff, interval and window of {@code edge-runtime.queue.*}, of {@code @QueueListener} and of this
	 * template is at most this, and {@link #sendAt} takes an instant at most this far ahead. PostgreSQL adds
	 * such durations to its clock, and pgmq's {@code read} and {@code set_vt} take them in whole seconds of a
	 * 32-bit integer, which ends at about 68 years; a timestamp ends in year 294276, and
	 * {@code make_interval} fails before that. Far more than any work waits for, and far from every one of
	 * those limits.
	 */
	public static final Duration MAX_DURATION = Duration.ofDays(18_250);

	/**
	 * What {@link #MAX_DURATION} is, as messages say it.
	 */
	public static final String MAX_DURATION_TEXT = "18250d (50 years)";

	/**
	 * The rule of {@link #MAX_DURATION}, as the messages that refuse a longer duration (a property, an attribute,
	 * an argument) end.
	 */
	public static final String MAX_DURATION_RULE = "must be at most " + MAX_DURATION_TEXT
			+ ", the longest duration the durable tier takes (PostgreSQL cannot add much longer ones to its clock)";

	/**
	 * The earliest instant {@link #sendAt} takes: earlier ones are visible at once all the same, and neither
	 * Java's {@code Timestamp} nor PostgreSQL holds every instant Java has.
	 */
	private static final Instant MIN_VISIBLE_AT = Instant.parse("0001-01-01T00:00:00Z");

	/**
	 * The least size of headers a send accepts, whatever {@code max-payload-size} is: headers are not the
	 * application's payload, and the consumers add their own (an error, at most 16K characters).
	 */
	private static final long MIN_MAX_HEADERS_BYTES = 1024 * 1024;

	/**
	 * How many times the size a send accepts a read parses: PostgreSQL prints jsonb with a space after every
	 * {@code :} and {@code ,}, up to one and a half times the JSON the application sent.
	 */
	private static final int READ_ALLOWANCE = 2;

	/**
	 * The most bytes a number counts for in the size of JSON read, when it is no longer than
	 * {@link #MAX_SHORT_NUMBER_LENGTH}: PostgreSQL prints a number in full, {@code 1.0E-300} with its 300
	 * zeros, and the parsed number takes a few bytes whatever its digits.
	 */
	private static final int NUMBER_READ_SIZE = 4;

	/**
	 * The longest number, as PostgreSQL prints it, that counts as {@link #NUMBER_READ_SIZE} bytes: any
	 * {@code double} or {@code long} Jackson writes (4.9E-324 prints as 326 characters) is within it.
	 */
	private static final int MAX_SHORT_NUMBER_LENGTH = 400;

	private final JdbcTemplate jdbc;

	private final ObjectMapper objectMapper;

	private final long maxPayloadBytes;

	private final Duration idempotencyWindow;

	private final @Nullable SendNotifier notifier;

	private @Nullable QueueObservations observations;

	/**
	 * Creates a new instance.
	 * @param jdbc the JDBC template, whose data source is the queue's database
	 * @param objectMapper maps payloads and headers to and from JSON
	 * @param maxPayloadBytes the largest JSON payload (and headers, at least 1MB) a send accepts, in bytes; a
	 * read parses twice that
	 * @param idempotencyWindow how long an idempotency key is remembered
	 * @param notifier wakes consumers after a send, or {@code null} for none
	 */
	public PgmqTemplate(JdbcTemplate jdbc, ObjectMapper objectMapper, long maxPayloadBytes, Duration idempotencyWindow,
			@Nullable SendNotifier notifier) {
		Assert.isTrue(maxPayloadBytes > 0, "maxPayloadBytes must be positive");
		requireAtMostMax("idempotencyWindow", idempotencyWindow);
		this.jdbc = jdbc;
		this.objectMapper = objectMapper;
		this.maxPayloadBytes = maxPayloadBytes;
		this.idempotencyWindow = idempotencyWindow;
		this.notifier = notifier;
	}

	/**
	 * Observes every send, writing the current trace context into the message's headers; without (the
	 * default) a send observes nothing.
	 * @param observations the observations, or {@code null} for none
	 */
	public void setObservations(@Nullable QueueObservations observations) {
		this.observations = observations;
	}

	/**
	 * The mapper of payloads and headers.
	 * @return the mapper
	 */
	public ObjectMapper objectMapper() {
		return this.objectMapper;
	}

	/**
	 * Creates a queue (and its archive) unless it exists. A queue that exists is left as it is, so a database
	 * user without the right to create queues uses those their owner created.
	 * @param queue the queue name
	 * @throws InsufficientPrivilegeException when the queue does not exist and the database user may not
	 * create it, saying what to grant
	 */
	public void createQueue(String queue) {
		create(CREATE, QueueName.requireValid(queue));
	}

	/**
	 * Creates a queue with an unlogged table unless it exists: faster, but its messages are lost when the
	 * database crashes. A queue that exists is left as it is, logged or not.
	 * @param queue the queue name
	 * @throws InsufficientPrivilegeException when the queue does not exist and the database user may not
	 * create it, saying what to grant
	 */
	public void createUnloggedQueue(String queue) {
		create(CREATE_UNLOGGED, QueueName.requireValid(queue));
	}

	/**
	 * Calls pgmq's {@code create} only for a queue that does not exist: {@code create} needs the right to
	 * create tables in the {@code pgmq} schema and to own the queue's tables even where they exist, which a
	 * database user the queue was made for by its owner (a DBA, a migration) does not have.
	 */
	private void create(String sql, String queue) {
		try {
			if (Boolean.TRUE.equals(this.jdbc.queryForObject(QUEUE_EXISTS, Boolean.class, queue, queue))) {
				return;
			}
			this.jdbc.queryForList(sql, queue);
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				String name = queue.toLowerCase(Locale.ROOT);
				String user = DatabasePrivileges.currentUser(this.jdbc);
				String grantee = DatabasePrivileges.grantee(user);
				throw new InsufficientPrivilegeException("Creating queue '" + queue + "'",
						DatabaseFailures.serverMessage(ex), user, "The application's database user may not create queues",
						List.of("SELECT pgmq.create('" + name + "')",
								"GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.q_" + name + ", pgmq.a_" + name + " TO "
										+ grantee,
								"GRANT SELECT ON SEQUENCE pgmq.q_" + name + "_msg_id_seq TO " + grantee),
						"let the user create queues itself: GRANT USAGE, CREATE ON SCHEMA pgmq TO " + grantee
								+ "; GRANT INSERT, DELETE ON pgmq.meta TO " + grantee,
						DURABLE_QUEUE_PRIVILEGES, ex);
			}
			if (DatabaseFailures.hasSqlState(ex, "3F000")) {
				throw new InvalidDataAccessResourceUsageException("Creating queue '" + queue + "' failed: "
						+ DatabaseFailures.serverMessage(ex) + ". The database has no pgmq schema: with "
						+ "edge-runtime.queue.schema=none edge-runtime installs nothing, and the schema's owner installs "
						+ "it (" + DURABLE_QUEUE_PRIVILEGES + "); with auto, bundled or extension, start-up installs it",
						ex);
			}
			throw ex;
		}
	}

	/**
	 * Drops a queue, its archive and its messages.
	 * @param queue the queue name
	 * @return whether the queue existed
	 */
	public boolean dropQueue(String queue) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject(DROP_QUEUE, Boolean.class, QueueName.requireValid(queue)));
	}

	/**
	 * Deletes every message of a queue; its archive stays.
	 * @param queue the queue name
	 * @return how many messages were deleted
	 */
	public long purgeQueue(String queue) {
		return translate(queue, () -> {
			Long count = this.jdbc.queryForObject(PURGE_QUEUE, Long.class, QueueName.requireValid(queue));
			return (count != null) ? count : 0L;
		});
	}

	/**
	 * The queues in the database.
	 * @return the queues, by name
	 */
	public List<QueueInfo> listQueues() {
		return checked(() -> "Listing the queues",
				() -> List.of(Privilege.onSchema("pgmq", "USAGE"), Privilege.onTable("pgmq.meta", "SELECT")),
				() -> this.jdbc.query(LIST_QUEUES, (rs, row) -> new QueueInfo(rs.getString(1), rs.getBoolean(2),
						rs.getBoolean(3), instant(rs, 4))));
	}

	/**
	 * Sends a message, visible at once.
	 * @param queue the queue name
	 * @param payload the message, mapped to JSON
	 * @return the message id
	 */
	public long send(String queue, Object payload) {
		return send(queue, payload, Map.of(), Duration.ZERO);
	}

	/**
	 * Sends a message that becomes visible after a delay.
	 * @param queue the queue name
	 * @param payload the message, mapped to JSON
	 * @param delay how long the message stays invisible, at most {@link #MAX_DURATION}
	 * @return the message id
	 * @throws IllegalArgumentException when the delay is negative or longer than {@link #MAX_DURATION}
	 */
	public long send(String queue, Object payload, Duration delay) {
		return send(queue, payload, Map.of(), delay);
	}

	/**
	 * Sends a message with headers that becomes visible after a delay.
	 * @param queue the queue name
	 * @param payload the message, mapped to JSON
	 * @param headers the headers, mapped to a JSON object
	 * @param delay how long the message stays invisible, at most {@link #MAX_DURATION}
	 * @return the message id
	 * @throws IllegalArgumentException when the delay is negative or longer than {@link #MAX_DURATION}
	 */
	public long send(String queue, Object payload, Map<String, ?> headers, Duration delay) {
		Assert.isTrue(!delay.isNegative(), "delay must not be negative");
		requireAtMostMax("delay", delay);
		return sendAt(queue, payload, headers, null, delay);
	}

	/**
	 * Sends a message with headers that becomes visible at a given time.
	 * @param queue the queue name
	 * @param payload the message, mapped to JSON
	 * @param headers the headers, mapped to a JSON object
	 * @param visibleAt when the message becomes visible: at most {@link #MAX_DURATION} from now, and not before
	 * the year 1 (an instant in the past makes it visible at once)
	 * @return the message id
	 * @throws IllegalArgumentException when the instant is further ahead than {@link #MAX_DURATION}, or before
	 * the year 1
	 */
	public long sendAt(String queue, Object payload, Map<String, ?> headers, Instant visibleAt) {
		if (visibleAt.isAfter(Instant.now().plus(MAX_DURATION))) {
			throw new IllegalArgumentException("visibleAt (" + visibleAt + ") must be at most " + MAX_DURATION_TEXT
					+ " from now, the longest duration the durable tier takes");
		}
		if (visibleAt.isBefore(MIN_VISIBLE_AT)) {
			throw new IllegalArgumentException("visibleAt (" + visibleAt + ") must not be before " + MIN_VISIBLE_AT
					+ ": an instant in the past makes the message visible at once");
		}
		return sendAt(queue, payload, headers, visibleAt, Duration.ZERO);
	}

	private long sendAt(String queue, Object payload, Map<String, ?> headers, @Nullable Instant visibleAt,
			Duration delay) {
		QueueName.requireValid(queue);
		String json = payloadJson(queue, payload);
		QueueObservations observations = this.observations;
		if (observations == null) {
			return insert(queue, json, headers, visibleAt, delay);
		}
		return observations.send(queue, headers, false, (observed) -> insert(queue, json, observed, visibleAt, delay));
	}

	private long insert(String queue, String json, Map<String, ?> headers, @Nullable Instant visibleAt,
			Duration delay) {
		String headersJson = headers.isEmpty() ? null : this.objectMapper.writeValueAsString(headers);
		long maxHeadersBytes = maxHeadersBytes();
		if (headersJson != null && utf8Length(headersJson, maxHeadersBytes) > maxHeadersBytes) {
			// refused here, as a payload is: a consumer would dead-letter a message with larger ones unread
			throw new IllegalArgumentException("The headers of a message for queue '" + queue + "' are "
					+ headersJson.length() + " characters of JSON, beyond the " + maxHeadersBytes + " bytes allowed "
					+ "(edge-runtime.queue.max-payload-size, or 1MB for headers if more)");
		}
		Long id = translate(queue,
				() -> this.jdbc.queryForObject(SEND, Long.class, queue, json, headersJson,
						(visibleAt != null) ? Timestamp.from(visibleAt) : null, delaySeconds(delay)));
		sent(queue, (visibleAt != null) ? Duration.between(Instant.now(), visibleAt) : delay);
		return id;
	}

	/**
	 * Sends a message unless one with the same key was sent to the same queue within
	 * {@code edge-runtime.queue.idempotency.window}.
	 * @param queue the queue name
	 * @param idempotencyKey the key, such as an order id or a request's idempotency key: at most
	 * {@value #MAX_IDEMPOTENCY_KEY_BYTES} bytes in UTF-8, without U+0000
	 * @param payload the message, mapped to JSON
	 * @return the id of the message sent now, or of the first message sent with the key
	 * @throws IllegalArgumentException when the key is longer, or holds U+0000
	 */
	public long sendIdempotent(String queue, String idempotencyKey, Object payload) {
		QueueName.requireValid(queue);
		Assert.hasText(idempotencyKey, "idempotencyKey must not be empty");
		requireValidIdempotencyKey(queue, idempotencyKey);
		String json = payloadJson(queue, payload);
		Map<String, String> headers = Map.of(QueueHeaders.IDEMPOTENCY_KEY, idempotencyKey);
		QueueObservations observations = this.observations;
		if (observations == null) {
			return insertIdempotent(queue, idempotencyKey, json, headers);
		}
		return observations.send(queue, headers, false,
				(observed) -> insertIdempotent(queue, idempotencyKey, json, observed));
	}

	/**
	 * Refuses a key the table of keys cannot take, before any SQL: the key is often a client's (a request's
	 * {@code Idempotency-Key} header), and PostgreSQL would fail the send with an error of its index (an
	 * entry of more than about 2.7 KB) or of its encoding (U+0000) that does not say what is wrong.
	 */
	private static void requireValidIdempotencyKey(String queue, String idempotencyKey) {
		if (utf8Length(idempotencyKey, MAX_IDEMPOTENCY_KEY_BYTES) > MAX_IDEMPOTENCY_KEY_BYTES) {
			throw new IllegalArgumentException("Idempotency key for queue '" + queue + "' has "
					+ idempotencyKey.length() + " characters, beyond the " + MAX_IDEMPOTENCY_KEY_BYTES
					+ " bytes (in UTF-8) allowed");
		}
		if (idempotencyKey.indexOf('\u0000') >= 0) {
			throw new IllegalArgumentException("Idempotency key for queue '" + queue
					+ "' contains the character U+0000, which PostgreSQL's text cannot store");
		}
	}

	private long insertIdempotent(String queue, String idempotencyKey, String json, Map<String, ?> headers) {
		String headersJson = this.objectMapper.writeValueAsString(headers);
		// the key belongs to the queue, whatever case its name is written in ("Orders" is orders)
		String folded = queue.toLowerCase(Locale.ROOT);
		Supplier<List<Privilege>> needed = () -> List.of(Privilege.onSchema("edge_runtime", "USAGE"),
				Privilege.onTable("edge_runtime.queue_idempotency", "SELECT", "INSERT", "UPDATE", "DELETE"),
				Privilege.onSchema("pgmq", "USAGE"), Privilege.onTable("pgmq.q_" + folded, "SELECT", "INSERT"));
		Long id = translate(queue,
				() -> checked(() -> "Sending to queue '" + queue + "' with an idempotency key", needed,
						() -> this.jdbc.queryForObject(SEND_IDEMPOTENT, Long.class, folded, idempotencyKey,
								delaySeconds(this.idempotencyWindow), json, headersJson)));
		sent(queue);
		return id;
	}

	/**
	 * Sends messages at once, visible at once, in one statement.
	 * @param queue the queue name
	 * @param payloads the messages, each mapped to JSON
	 * @return the message ids, in the order of the payloads
	 */
	public List<Long> sendBatch(String queue, List<?> payloads) {
		return sendBatch(queue, payloads, Duration.ZERO);
	}

	/**
	 * Sends messages at once that become visible after a delay, in one statement.
	 * @param queue the queue name
	 * @param payloads the messages, each mapped to JSON
	 * @param delay how long the messages stay invisible, at most {@link #MAX_DURATION}
	 * @return the message ids, in the order of the payloads
	 * @throws IllegalArgumentException when the delay is negative or longer than {@link #MAX_DURATION}
	 */
	public List<Long> sendBatch(String queue, List<?> payloads, Duration delay) {
		QueueName.requireValid(queue);
		Assert.isTrue(!delay.isNegative(), "delay must not be negative");
		requireAtMostMax("delay", delay);
		if (payloads.isEmpty()) {
			return List.of();
		}
		String[] json = new String[payloads.size()];
		for (int i = 0; i < json.length; i++) {
			json[i] = payloadJson(queue, payloads.get(i));
		}
		QueueObservations observations = this.observations;
		if (observations == null) {
			return insertBatch(queue, json, Map.of(), delay);
		}
		List<List<Long>> sent = new ArrayList<>(1);
		// one observation for the batch: every message carries its trace context
		observations.send(queue, Map.of(), true, (observed) -> {
			sent.add(insertBatch(queue, json, observed, delay));
			return 0;
		});
		return sent.get(0);
	}

	private List<Long> insertBatch(String queue, String[] json, Map<String, ?> headers, Duration delay) {
		String[] headersJson = null;
		if (!headers.isEmpty()) {
			headersJson = new String[json.length];
			Arrays.fill(headersJson, this.objectMapper.writeValueAsString(headers));
		}
		String[] eachHeaders = headersJson;
		List<Long> ids = translate(queue, () -> this.jdbc.execute((ConnectionCallback<List<Long>>) (connection) -> {
			Array messages = connection.createArrayOf("text", json);
			Array headerArray = (eachHeaders != null) ? connection.createArrayOf("text", eachHeaders) : null;
			try (var statement = connection.prepareStatement(SEND_BATCH)) {
				statement.setString(1, queue);
				statement.setArray(2, messages);
				if (headerArray != null) {
					statement.setArray(3, headerArray);
				}
				else {
					statement.setNull(3, java.sql.Types.ARRAY);
				}
				statement.setDouble(4, delaySeconds(delay));
				List<Long> result = new ArrayList<>(json.length);
				try (ResultSet rs = statement.executeQuery()) {
					while (rs.next()) {
						result.add(rs.getLong(1));
					}
				}
				return result;
			}
			finally {
				messages.free();
				if (headerArray != null) {
					headerArray.free();
				}
			}
		}));
		sent(queue, delay);
		return ids;
	}

	/**
	 * Reads visible messages in send order and hides them for the visibility timeout; each read adds one
	 * to their read count.
	 * @param <T> the payload type
	 * @param queue the queue name
	 * @param type the payload type
	 * @param visibilityTimeout how long the messages stay hidden from other readers, at most
	 * {@link #MAX_DURATION}
	 * @param quantity the most messages to read
	 * @return the messages, possibly none
	 * @throws MessageConversionException when a payload cannot be mapped to the type
	 * @throws IllegalArgumentException when the visibility timeout is longer than {@link #MAX_DURATION}
	 */
	public <T> List<QueueMessage<T>> read(String queue, Class<T> type, Duration visibilityTimeout, int quantity) {
		return convert(readJson(queue, visibilityTimeout, quantity, null), type);
	}

	/**
	 * Reads visible messages whose payload contains the given JSON ({@code message @> conditional}).
	 * @param queue the queue name
	 * @param visibilityTimeout how long the messages stay hidden from other readers, at most
	 * {@link #MAX_DURATION}
	 * @param quantity the most messages to read
	 * @param conditional the JSON the payloads must contain, or {@code null} for all
	 * @return the messages as JSON trees, possibly none
	 * @throws MessageConversionException when a payload cannot be parsed (it is leased nonetheless)
	 * @throws IllegalArgumentException when the visibility timeout is longer than {@link #MAX_DURATION}
	 */
	public List<QueueMessage<JsonNode>> readJson(String queue, Duration visibilityTimeout, int quantity,
			@Nullable Object conditional) {
		QueueName.requireValid(queue);
		Assert.isTrue(quantity > 0, "quantity must be positive");
		requireAtMostMax("visibilityTimeout", visibilityTimeout);
		String condition = (conditional != null) ? this.objectMapper.writeValueAsString(conditional) : "{}";
		return translate(queue, () -> this.jdbc.query(READ, this::jsonMessage, queue, seconds(visibilityTimeout),
				quantity, condition));
	}

	/**
	 * Reads as {@link #readJson(String, Duration, int, Object)} does for a consumer: a message whose payload
	 * cannot be parsed is leased like the others and comes with why, rather than failing the read of the
	 * messages leased with it (again at each lease, without its read count ever reaching a dead letter).
	 * @param queue the queue name
	 * @param visibilityTimeout how long the messages stay hidden from other readers
	 * @param quantity the most messages to read
	 * @return the messages, possibly none
	 */
	List<Leased> lease(String queue, Duration visibilityTimeout, int quantity) {
		QueueName.requireValid(queue);
		Assert.isTrue(quantity > 0, "quantity must be positive");
		return translate(queue, () -> this.jdbc.query(READ, this::leased, queue, seconds(visibilityTimeout), quantity,
				"{}"));
	}

	/**
	 * Reads like {@link #read(String, Class, Duration, int)}, but when no message is visible waits for
	 * one, inside the database, up to a maximum time.
	 * @param <T> the payload type
	 * @param queue the queue name
	 * @param type the payload type
	 * @param visibilityTimeout how long the messages stay hidden from other readers, at most
	 * {@link #MAX_DURATION}
	 * @param quantity the most messages to read
	 * @param maxPoll how long to wait at most (whole seconds), at most {@link #MAX_DURATION}
	 * @param pollInterval how often to look again while waiting, at most {@link #MAX_DURATION}
	 * @return the messages, possibly none
	 * @throws IllegalArgumentException when a duration is longer than {@link #MAX_DURATION}
	 */
	public <T> List<QueueMessage<T>> readWithPoll(String queue, Class<T> type, Duration visibilityTimeout,
			int quantity, Duration maxPoll, Duration pollInterval) {
		QueueName.requireValid(queue);
		Assert.isTrue(quantity > 0, "quantity must be positive");
		requireAtMostMax("visibilityTimeout", visibilityTimeout);
		requireAtMostMax("maxPoll", maxPoll);
		requireAtMostMax("pollInterval", pollInterval);
		List<QueueMessage<JsonNode>> messages = translate(queue,
				() -> this.jdbc.query(READ_WITH_POLL, this::jsonMessage, queue, seconds(visibilityTimeout), quantity,
						seconds(maxPoll), (int) Math.min(Integer.MAX_VALUE, pollInterval.toMillis()), "{}"));
		return convert(messages, type);
	}

	/**
	 * Reads and deletes the oldest visible message in one step (at-most-once).
	 * @param <T> the payload type
	 * @param queue the queue name
	 * @param type the payload type
	 * @return the message, or empty when none is visible
	 */
	public <T> Optional<QueueMessage<T>> pop(String queue, Class<T> type) {
		QueueName.requireValid(queue);
		List<QueueMessage<JsonNode>> messages = translate(queue, () -> this.jdbc.query(POP, this::jsonMessage, queue));
		return convert(messages, type).stream().findFirst();
	}

	/**
	 * Deletes a message.
	 * @param queue the queue name
	 * @param id the message id
	 * @return whether the message existed
	 */
	public boolean delete(String queue, long id) {
		QueueName.requireValid(queue);
		return translate(queue, () -> Boolean.TRUE.equals(this.jdbc.queryForObject(DELETE, Boolean.class, queue, id)));
	}

	/**
	 * Deletes messages.
	 * @param queue the queue name
	 * @param ids the message ids
	 * @return the ids of the messages that existed
	 */
	public List<Long> delete(String queue, Collection<Long> ids) {
		return batch(queue, DELETE_BATCH, ids);
	}

	/**
	 * Moves a message to the queue's archive ({@code pgmq.a_<queue>}).
	 * @param queue the queue name
	 * @param id the message id
	 * @return whether the message existed
	 */
	public boolean archive(String queue, long id) {
		QueueName.requireValid(queue);
		return translate(queue,
				() -> Boolean.TRUE.equals(this.jdbc.queryForObject(ARCHIVE, Boolean.class, queue, id)));
	}

	/**
	 * Moves messages to the queue's archive.
	 * @param queue the queue name
	 * @param ids the message ids
	 * @return the ids of the messages that existed
	 */
	public List<Long> archive(String queue, Collection<Long> ids) {
		return batch(queue, ARCHIVE_BATCH, ids);
	}

	/**
	 * Sends dead-lettered messages back to their queue, for example once the fault that failed them is
	 * mended. Each goes back under its id, visible at once, with a read count of 0 (so with all its
	 * attempts again) and without the headers of its failure ({@code x-dead-lettered}, {@code x-error},
	 * {@code x-attempts}, {@code x-dead-lettered-at}, {@code x-last-error}, {@code x-failed-attempt});
	 * {@code x-requeued-at} records when. Messages archived after success or cancelled stay where they are.
	 * Runs in the caller's transaction, and wakes the queue's consumers.
	 * @param queue the queue name
	 * @param ids the ids of dead-lettered messages of the queue's archive
	 * @return the ids of the messages sent back, in id order: those of {@code ids} that were dead letters
	 */
	public List<Long> requeueDeadLetters(String queue, Collection<Long> ids) {
		QueueName.requireValid(queue);
		String sql = REQUEUE_DEAD_LETTERS.formatted(queue.toLowerCase(Locale.ROOT), " AND msg_id = ANY(?)");
		List<Long> requeued = queryIds(queue, sql, false, ids);
		if (!requeued.isEmpty()) {
			sent(queue);
		}
		return requeued;
	}

	/**
	 * Sends every dead-lettered message of a queue's archive back to the queue, as
	 * {@link #requeueDeadLetters(String, Collection)} does.
	 * @param queue the queue name
	 * @return the ids of the messages sent back, in id order
	 */
	public List<Long> requeueDeadLetters(String queue) {
		QueueName.requireValid(queue);
		String sql = REQUEUE_DEAD_LETTERS.formatted(queue.toLowerCase(Locale.ROOT), "");
		List<Long> requeued = new ArrayList<>(translate(queue, () -> this.jdbc.queryForList(sql, Long.class)));
		Collections.sort(requeued);
		if (!requeued.isEmpty()) {
			sent(queue);
		}
		return requeued;
	}

	/**
	 * Adds headers to a message and moves it to the archive, in one transaction of the caller's (or in two
	 * statements when there is none; the archive is what counts).
	 * @param queue the queue name
	 * @param id the message id
	 * @param headers the headers to add
	 * @return whether the message existed
	 */
	public boolean archiveWithHeaders(String queue, long id, Map<String, ?> headers) {
		return archiveWithHeaders(queue, id, headers, List.of());
	}

	/**
	 * Takes headers away from a message, adds others and moves it to the archive, as
	 * {@link #archiveWithHeaders(String, long, Map)} does. The consumers dead-letter this way, taking away the
	 * marks of the retry before the last ({@code x-last-error}, {@code x-failed-attempt}).
	 * @param queue the queue name
	 * @param id the message id
	 * @param headers the headers to add
	 * @param removing the names of the headers to take away first
	 * @return whether the message existed
	 */
	public boolean archiveWithHeaders(String queue, long id, Map<String, ?> headers, Collection<String> removing) {
		QueueName.requireValid(queue);
		String json = this.objectMapper.writeValueAsString(headers);
		return translate(queue, () -> {
			if (removing.isEmpty()) {
				this.jdbc.update(MERGE_HEADERS.formatted(queue.toLowerCase(Locale.ROOT)), json, id);
			}
			else {
				this.jdbc.update(REPLACE_HEADERS.formatted(queue.toLowerCase(Locale.ROOT)), textArray(removing), json, id);
			}
			return Boolean.TRUE.equals(this.jdbc.queryForObject(ARCHIVE, Boolean.class, queue, id));
		});
	}

	/** A {@code text[]} literal: each element quoted, its quotes and backslashes escaped. */
	static String textArray(Collection<String> elements) {
		StringBuilder literal = new StringBuilder("{");
		for (String element : elements) {
			if (literal.length() > 1) {
				literal.append(',');
			}
			literal.append('"').append(element.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
		}
		return literal.append('}').toString();
	}

	/**
	 * Adds headers to a message in the queue (not the archive).
	 * @param queue the queue name
	 * @param id the message id
	 * @param headers the headers to add, replacing those of the same names
	 * @return whether the message existed
	 */
	public boolean mergeHeaders(String queue, long id, Map<String, ?> headers) {
		QueueName.requireValid(queue);
		String json = this.objectMapper.writeValueAsString(headers);
		return translate(queue, () -> this.jdbc.update(MERGE_HEADERS.formatted(queue.toLowerCase(Locale.ROOT)), json, id) > 0);
	}

	/**
	 * Sets when a message becomes visible again, counted from now: {@link Duration#ZERO} hands it back at
	 * once, a longer time extends a lease.
	 * @param queue the queue name
	 * @param id the message id
	 * @param visibilityTimeout the time from now (whole seconds, rounded up), at most {@link #MAX_DURATION}
	 * @return the message, or empty when it no longer exists
	 * @throws IllegalArgumentException when the visibility timeout is longer than {@link #MAX_DURATION}
	 */
	public Optional<QueueMessage<JsonNode>> setVisibilityTimeout(String queue, long id, Duration visibilityTimeout) {
		QueueName.requireValid(queue);
		requireAtMostMax("visibilityTimeout", visibilityTimeout);
		return translate(queue, () -> this.jdbc.query(SET_VT, this::jsonMessage, queue, id, seconds(visibilityTimeout)))
			.stream()
			.findFirst();
	}

	/**
	 * Whether a send now goes out in the current thread's transaction, on its connection: a transaction
	 * manager holds a connection of this template's {@code DataSource}, so a rollback takes the send back.
	 * @return {@code true} when a rollback would take a send made now back
	 */
	boolean sendsInTransaction() {
		DataSource dataSource = this.jdbc.getDataSource();
		return dataSource != null && TransactionSynchronizationManager.isActualTransactionActive()
				&& TransactionSynchronizationManager.hasResource(dataSource);
	}

	/**
	 * Sets when a leased message becomes visible again, counted from now, while the lease is still the
	 * caller's: a hand-back ({@link Duration#ZERO}), say.
	 * @param queue the queue name
	 * @param message the message as read
	 * @param visibilityTimeout the time from now (whole seconds, rounded up)
	 * @return {@code false} when the message was read again since (its lease ran out and another consumer
	 * holds it) or no longer exists, and nothing was changed
	 */
	boolean setVisibilityTimeoutIfHeld(String queue, QueueMessage<?> message, Duration visibilityTimeout) {
		QueueName.requireValid(queue);
		// Whole seconds, rounded up, as the lease pgmq.read gave (its vt is an integer): the consumers extend a
		// lease by their visibility timeout, and an extension is as long as the read's lease, never shorter.
		return translate(queue, () -> this.jdbc.update(SET_VT_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT)),
				seconds(visibilityTimeout), message.id(), message.readCount(), enqueuedAt(message)) > 0);
	}

	/**
	 * Extends a leased message's lease, counted from now, while the lease is still the caller's, without
	 * waiting for a transaction that holds the message's row (a {@code @Transactional} handler that wrote its
	 * own message, say): a heartbeat that waited for it would hold back the heartbeats of the consumer's other
	 * messages until it ends.
	 * @param queue the queue name
	 * @param message the message as read
	 * @param visibilityTimeout the time from now (whole seconds, rounded up)
	 * @return what came of it
	 */
	Heartbeat heartbeat(String queue, QueueMessage<?> message, Duration visibilityTimeout) {
		QueueName.requireValid(queue);
		String sql = HEARTBEAT_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT));
		// whole seconds, rounded up, as setVisibilityTimeoutIfHeld: the length of the lease pgmq.read gave
		return translate(queue, () -> this.jdbc.queryForObject(sql, (rs, row) -> {
			if (rs.getLong(1) > 0) {
				return Heartbeat.EXTENDED;
			}
			return (rs.getLong(2) > 0) ? Heartbeat.ROW_BUSY : Heartbeat.LEASE_LOST;
		}, message.id(), message.readCount(), enqueuedAt(message), seconds(visibilityTimeout), message.id(), message.readCount(), enqueuedAt(message)));
	}

	/**
	 * Waits until no other transaction holds a leased message's row, then holds it until the caller's
	 * transaction ends, while the lease is still the caller's: what a heartbeat that found the row busy
	 * ({@link Heartbeat#ROW_BUSY}) waits for, off the consumer's heartbeat thread.
	 * @param queue the queue name
	 * @param message the message as read
	 * @return whether the lease is still the caller's (the message was not read again since, nor is gone)
	 */
	boolean lockIfHeld(String queue, QueueMessage<?> message) {
		QueueName.requireValid(queue);
		String sql = LOCK_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT));
		Long held = translate(queue,
				() -> this.jdbc.queryForObject(sql, Long.class, message.id(), message.readCount(), enqueuedAt(message)));
		return held != null && held > 0;
	}

	/**
	 * Adds headers to a leased message and makes it visible again after a delay, in one statement, while
	 * the lease is still the caller's: a retry.
	 * @param queue the queue name
	 * @param message the message as read
	 * @param headers the headers to add
	 * @param delay the time from now (to the millisecond); a longer one than {@link #MAX_DURATION} is taken as
	 * that
	 * @return {@code false} when the message was read again since or no longer exists, and nothing was changed
	 */
	boolean retryIfHeld(String queue, QueueMessage<?> message, Map<String, ?> headers, Duration delay) {
		QueueName.requireValid(queue);
		Assert.isTrue(!delay.isNegative(), "delay must not be negative");
		String json = this.objectMapper.writeValueAsString(headers);
		// Our own statement, not set_vt: make_interval takes fractional seconds, so a short backoff (and its
		// jitter) is kept as it is rather than rounded up to a second.
		return translate(queue, () -> this.jdbc.update(RETRY_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT)), json,
				delaySeconds(delay), message.id(), message.readCount(), enqueuedAt(message)) > 0);
	}

	/**
	 * Dead-letters a leased message while the lease is still the caller's, as
	 * {@link #archiveWithHeaders(String, long, Map, Collection)} does: in the caller's transaction, the
	 * header update holds the row until the archive has moved it.
	 * @param queue the queue name
	 * @param message the message as read
	 * @param headers the headers to add
	 * @param removing the names of the headers to take away first
	 * @return {@code false} when the message was read again since or no longer exists, and nothing was changed
	 */
	boolean archiveWithHeadersIfHeld(String queue, QueueMessage<?> message, Map<String, ?> headers,
			Collection<String> removing) {
		QueueName.requireValid(queue);
		String json = this.objectMapper.writeValueAsString(headers);
		return translate(queue, () -> {
			if (this.jdbc.update(REPLACE_HEADERS_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT)),
					textArray(removing), json, message.id(), message.readCount(), enqueuedAt(message)) == 0) {
				return false;
			}
			return Boolean.TRUE.equals(this.jdbc.queryForObject(ARCHIVE, Boolean.class, queue, message.id()));
		});
	}

	/**
	 * Deletes (or archives) handled messages: each the message its handler ran, whether or not another
	 * consumer read it again since (its work is done), but not a dead letter requeued since under its id (sent
	 * back to run again, with a new {@code enqueued_at}), which is left to run. What a consumer writes when a
	 * handler returns; one statement for all the messages.
	 * @param queue the queue name
	 * @param messages the messages as read
	 * @param archive whether to archive rather than delete
	 * @return the ids of the messages deleted (or archived), sorted
	 */
	List<Long> completeHandled(String queue, Collection<? extends QueueMessage<?>> messages, boolean archive) {
		QueueName.requireValid(queue);
		if (messages.isEmpty()) {
			return List.of();
		}
		String table = queue.toLowerCase(Locale.ROOT);
		if (archive) {
			return idsOfReads(queue, ARCHIVE_HANDLED.formatted(table), true, messages, false);
		}
		return idsOfReads(queue, DELETE_HANDLED.formatted(table), false, messages, false);
	}

	/**
	 * Deletes (or archives) handled messages while their leases are still the caller's: what a consumer
	 * writes again once the database answers, when the statement after their handlers failed for want of it.
	 * A message read again since (its lease ran out and another consumer holds it), or requeued since, is left
	 * alone.
	 * @param queue the queue name
	 * @param messages the messages as read
	 * @param archive whether to archive rather than delete
	 * @return the ids of the messages deleted (or archived), sorted
	 */
	List<Long> completeIfHeld(String queue, Collection<? extends QueueMessage<?>> messages, boolean archive) {
		QueueName.requireValid(queue);
		if (messages.isEmpty()) {
			return List.of();
		}
		String sql = COMPLETE_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT), archive ? "archive" : "delete");
		return idsOfReads(queue, sql, true, messages, true);
	}

	/**
	 * Runs a statement that takes an array of message ids, one of their read counts when {@code readCounts},
	 * and one of their {@code enqueued_at} (after the queue name, when {@code queueFirst}), and returns message
	 * ids; the result is sorted.
	 */
	private List<Long> idsOfReads(String queue, String sql, boolean queueFirst,
			Collection<? extends QueueMessage<?>> messages, boolean readCounts) {
		Long[] ids = new Long[messages.size()];
		Integer[] reads = new Integer[ids.length];
		String[] enqueued = new String[ids.length];
		int i = 0;
		for (QueueMessage<?> message : messages) {
			ids[i] = message.id();
			reads[i] = message.readCount();
			enqueued[i] = enqueuedAt(message);
			i++;
		}
		return translate(queue, () -> this.jdbc.execute((ConnectionCallback<List<Long>>) (connection) -> {
			Array idArray = connection.createArrayOf("bigint", ids);
			Array readArray = connection.createArrayOf("int4", reads);
			Array enqueuedArray = connection.createArrayOf("text", enqueued);
			try (var statement = connection.prepareStatement(sql)) {
				int parameter = 1;
				if (queueFirst) {
					statement.setString(parameter++, queue);
				}
				statement.setArray(parameter++, idArray);
				if (readCounts) {
					statement.setArray(parameter++, readArray);
				}
				statement.setArray(parameter, enqueuedArray);
				return sortedIds(statement, ids.length);
			}
			finally {
				idArray.free();
				readArray.free();
				enqueuedArray.free();
			}
		}));
	}

	/**
	 * A message's {@code enqueued_at} as a statement compares it: to the microsecond, as read.
	 */
	private static String enqueuedAt(QueueMessage<?> message) {
		return message.enqueuedAt().toString();
	}

	/**
	 * Takes back the dead letters of handled messages that were dead-lettered unrun while their handlers ran:
	 * each handler's lease ran out, and the next read, past the message's maximum attempts, dead-lettered it
	 * as delivered without an outcome (the handler's own delivery among them). The handler's success is that
	 * outcome, so the dead letter is deleted, or with {@code archive} kept in the archive as a handled message
	 * (without the headers of the dead letter). A dead letter of a failure, or of a later read, is left alone.
	 * @param queue the queue name
	 * @param messages the handled messages as read
	 * @param archive whether a success archives rather than deletes
	 * @return the ids of the dead letters taken back, sorted
	 */
	List<Long> takeBackUnrunDeadLetters(String queue, Collection<? extends QueueMessage<?>> messages, boolean archive) {
		QueueName.requireValid(queue);
		if (messages.isEmpty()) {
			return List.of();
		}
		String sql = (archive ? ARCHIVE_UNRUN_DEAD_LETTERS_AS_HANDLED : DELETE_UNRUN_DEAD_LETTERS)
			.formatted(queue.toLowerCase(Locale.ROOT), UNRUN_DEAD_LETTER.strip());
		return idsOfReads(queue, sql, false, messages, true);
	}

	/**
	 * Writes when a durable task's attempt starts into its message ({@link QueueHeaders#STARTED_AT}), while
	 * the lease is still the caller's.
	 * @param queue the queue name
	 * @param message the message as read
	 * @return {@code false} when the message was read again since or no longer exists
	 */
	boolean markStarted(String queue, QueueMessage<?> message) {
		QueueName.requireValid(queue);
		return translate(queue, () -> this.jdbc.update(MARK_STARTED_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT)),
				message.id(), message.readCount(), enqueuedAt(message)) > 0);
	}

	/**
	 * Hands a leased message back at once, as though it had not been read (one no handler started, or one
	 * whose handler a graceful shutdown cut short): visible now and its read count as before the read, so
	 * that the hand-back does not count as a delivery (nor toward the maximum attempts). Does nothing when
	 * the message was read again since (its lease ran out and another consumer holds it) or no longer exists.
	 * A message handed back wakes the queue's consumers, on every instance, as a send does.
	 * @param queue the queue name
	 * @param message the message as read
	 * @return whether the message was handed back
	 */
	boolean returnUnhandled(String queue, QueueMessage<?> message) {
		QueueName.requireValid(queue);
		boolean returned = translate(queue, () -> this.jdbc.update(RETURN_UNHANDLED.formatted(queue.toLowerCase(Locale.ROOT)),
				message.id(), message.readCount(), enqueuedAt(message)) > 0);
		if (returned) {
			// visible again at once, as a send's message: the consumers of other instances read it now, not at
			// their next poll
			handedBack(queue);
		}
		return returned;
	}

	/**
	 * Hands a leased message back at once, while the lease is still the caller's, without waiting for a
	 * transaction that holds its row (that of a handler still running at shutdown, say).
	 * @param queue the queue name
	 * @param message the message as read
	 * @param takeBackRead whether the read is taken back, so that it counts as no delivery (nor toward the
	 * maximum attempts), as {@link #returnUnhandled} does
	 * @return what came of it; a message handed back wakes the queue's consumers, as a send does
	 */
	HandBack handBack(String queue, QueueMessage<?> message, boolean takeBackRead) {
		QueueName.requireValid(queue);
		String sql = HAND_BACK_IF_HELD.formatted(queue.toLowerCase(Locale.ROOT));
		// whole seconds, rounded up, as setVisibilityTimeoutIfHeld: the length of the lease pgmq.read gave
		HandBack outcome = translate(queue, () -> this.jdbc.queryForObject(sql, (rs, row) -> {
			if (rs.getLong(1) > 0) {
				return HandBack.HANDED_BACK;
			}
			return (rs.getLong(2) > 0) ? HandBack.ROW_BUSY : HandBack.LEASE_LOST;
		}, message.id(), message.readCount(), enqueuedAt(message), takeBackRead ? 1 : 0, message.id(), message.readCount(), enqueuedAt(message)));
		if (outcome == HandBack.HANDED_BACK) {
			handedBack(queue); // as returnUnhandled: other instances read it now
		}
		return outcome;
	}

	/**
	 * A queue's figures.
	 * @param queue the queue name
	 * @return the figures
	 */
	public QueueStatistics statistics(String queue) {
		QueueName.requireValid(queue);
		String name = queue.toLowerCase(Locale.ROOT);
		Supplier<List<Privilege>> needed = () -> List.of(Privilege.onSchema("pgmq", "USAGE"),
				Privilege.onTable("pgmq.q_" + name, "SELECT"), Privilege.onTable("pgmq.a_" + name, "SELECT"),
				Privilege.onSequence("pgmq.q_" + name + "_msg_id_seq", "SELECT"));
		return translate(queue, () -> checked(() -> "Reading the statistics of queue '" + queue + "'", needed, () -> {
			Long deadLettered = this.jdbc.queryForObject(DEAD_LETTERED.formatted(name), Long.class);
			Integer oldestVisible = this.jdbc.queryForObject(OLDEST_VISIBLE_AGE.formatted(name), Integer.class);
			return this.jdbc.queryForObject(METRICS,
					(rs, row) -> new QueueStatistics(rs.getString(1), rs.getLong(2), rs.getLong(3), integer(rs, 4),
							integer(rs, 5), oldestVisible, rs.getLong(6), (deadLettered != null) ? deadLettered : 0L,
							instant(rs, 7)),
					queue);
		}));
	}

	/**
	 * Maps a JSON payload to a type, as the typed read methods do.
	 * @param <T> the payload type
	 * @param message the message with its JSON payload
	 * @param type the payload type
	 * @return the message with the mapped payload
	 * @throws MessageConversionException when the payload cannot be mapped
	 */
	@SuppressWarnings("unchecked")
	public <T> QueueMessage<T> convert(QueueMessage<JsonNode> message, Class<T> type) {
		if (type == JsonNode.class) {
			return (QueueMessage<T>) message;
		}
		try {
			return message.withPayload(this.objectMapper.treeToValue(message.payload(), type));
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new MessageConversionException(message.id(), type, ex);
		}
	}

	private <T> List<QueueMessage<T>> convert(List<QueueMessage<JsonNode>> messages, Class<T> type) {
		List<QueueMessage<T>> result = new ArrayList<>(messages.size());
		for (QueueMessage<JsonNode> message : messages) {
			result.add(convert(message, type));
		}
		return result;
	}

	private List<Long> batch(String queue, String sql, Collection<Long> ids) {
		QueueName.requireValid(queue);
		return queryIds(queue, sql, true, ids);
	}

	/**
	 * Runs a statement that takes an array of message ids (after the queue name, when {@code queueFirst})
	 * and returns message ids; the result is sorted.
	 */
	private List<Long> queryIds(String queue, String sql, boolean queueFirst, Collection<Long> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		Long[] array = ids.toArray(Long[]::new);
		return translate(queue, () -> this.jdbc.execute((ConnectionCallback<List<Long>>) (connection) -> {
			Array sqlArray = connection.createArrayOf("bigint", array);
			try (var statement = connection.prepareStatement(sql)) {
				int parameter = 1;
				if (queueFirst) {
					statement.setString(parameter++, queue);
				}
				statement.setArray(parameter, sqlArray);
				return sortedIds(statement, array.length);
			}
			finally {
				sqlArray.free();
			}
		}));
	}

	/** The ids a statement answers (its first column), in ascending order. */
	private static List<Long> sortedIds(PreparedStatement statement, int expected) throws SQLException {
		List<Long> result = new ArrayList<>(expected);
		try (ResultSet rs = statement.executeQuery()) {
			while (rs.next()) {
				result.add(rs.getLong(1));
			}
		}
		Collections.sort(result);
		return result;
	}

	private String payloadJson(String queue, Object payload) {
		String json = this.objectMapper.writeValueAsString(payload);
		// UTF-8 length without copying for the common all-ASCII case is not worth the code: a copy is cheap
		// next to the INSERT.
		long size = json.getBytes(StandardCharsets.UTF_8).length;
		if (size > this.maxPayloadBytes) {
			throw new PayloadTooLargeException(queue, size, this.maxPayloadBytes);
		}
		if (containsNulCharacter(json)) {
			// Refused here rather than by the INSERT, whose error would not say which part of the message is wrong
			throw new IllegalArgumentException("Message for queue '" + queue
					+ "' contains the character U+0000, which PostgreSQL's jsonb cannot store");
		}
		return json;
	}

	private static boolean containsNulCharacter(String json) {
		if (json.indexOf('\u0000') >= 0) {
			return true;
		}
		// An escaped U+0000 counts only when its backslash is not itself escaped (an odd run of backslashes)
		int at = json.indexOf("\\u0000");
		while (at >= 0) {
			int backslashes = 1;
			for (int i = at - 1; i >= 0 && json.charAt(i) == '\\'; i--) {
				backslashes++;
			}
			if (backslashes % 2 == 1) {
				return true;
			}
			at = json.indexOf("\\u0000", at + 1);
		}
		return false;
	}

	/**
	 * Wakes the queue's consumers after a hand-back, which is done whatever comes of the wake: a notification
	 * that fails (the database lost just after the hand-back) is not the hand-back's failure, which the caller
	 * would report as a message kept until its visibility timeout. The consumers find the message when they poll.
	 */
	private void handedBack(String queue) {
		try {
			sent(queue);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not notify consumers of queue '" + queue + "' of a message handed back; they find it "
					+ "when they poll", ex);
		}
	}

	private void sent(String queue) {
		if (this.notifier != null) {
			this.notifier.sent(queue);
		}
	}

	private void sent(String queue, Duration delay) {
		if (this.notifier != null) {
			this.notifier.sent(queue, delay);
		}
	}

	private QueueMessage<JsonNode> jsonMessage(ResultSet rs, int row) throws SQLException {
		Leased leased = leased(rs, row);
		if (leased.unreadable() != null) {
			throw leased.unreadable();
		}
		return leased.message();
	}

	/**
	 * Maps a row without failing for a payload the mapper cannot parse: jsonb takes JSON that Jackson's
	 * limits refuse (a number of more than 1,000 digits, a deeper nesting), written by another pgmq client.
	 * A payload of more than twice {@code edge-runtime.queue.max-payload-size} as PostgreSQL prints it, its
	 * numbers counted as a few bytes (see {@link #readSize}) (or
	 * headers of more than twice what a send accepts) is not parsed either: this application's sends never
	 * write one, and jsonb takes hundreds of megabytes from any other writer, whose tree would take several
	 * times that in memory, in every message of a batch.
	 */
	private Leased leased(ResultSet rs, int row) throws SQLException {
		long id = rs.getLong(1);
		String headers = rs.getString(6);
		String json = rs.getString(5);
		String tooLarge = tooLarge("payload is", json, READ_ALLOWANCE * this.maxPayloadBytes,
				"twice edge-runtime.queue.max-payload-size");
		if (tooLarge == null) {
			tooLarge = headersTooLarge(headers);
		}
		if (tooLarge != null) {
			return new Leased(new QueueMessage<>(id, rs.getInt(2), instant(rs, 3), instant(rs, 4),
					this.objectMapper.missingNode(), Map.of()),
					new MessageConversionException(id, JsonNode.class, new IllegalStateException(tooLarge)));
		}
		Map<String, Object> headerMap = (headers != null) ? readHeaders(headers) : Map.of();
		JsonNode payload;
		MessageConversionException unreadable = null;
		try {
			payload = this.objectMapper.readTree(json);
		}
		catch (JacksonException ex) {
			payload = this.objectMapper.missingNode();
			unreadable = new MessageConversionException(id, JsonNode.class, ex);
		}
		return new Leased(new QueueMessage<>(id, rs.getInt(2), instant(rs, 3), instant(rs, 4), payload, headerMap),
				unreadable);
	}

	/**
	 * Why a message's headers, as PostgreSQL prints them, are too large for a read to parse (more than twice
	 * what a send accepts), or {@code null} when they are not: the rule of every read of a message's headers,
	 * the consumers' and a durable task's status alike.
	 * @param headers the headers' JSON, or {@code null}
	 * @return why they are not parsed, or {@code null}
	 */
	@Nullable String headersTooLarge(@Nullable String headers) {
		return tooLarge("headers are", headers, READ_ALLOWANCE * maxHeadersBytes(),
				"twice edge-runtime.queue.max-payload-size or twice 1MB, whichever is more");
	}

	private long maxHeadersBytes() {
		return Math.max(this.maxPayloadBytes, MIN_MAX_HEADERS_BYTES);
	}

	/** Why a payload or headers read are too large to parse, or {@code null} when they are not. */
	private static @Nullable String tooLarge(String what, @Nullable String json, long limit, String rule) {
		// no character counts for more than 3 bytes: the usual message is not scanned at all
		if (json == null || json.length() * 3L <= limit) {
			return null;
		}
		long size = readSize(json, limit);
		if (size <= limit) {
			return null;
		}
		// the size is counted only as far as the limit, so the text's own length is what is told
		return "its " + what + " " + json.length() + " characters of JSON, beyond the " + limit + " bytes a read "
				+ "parses (" + rule + "), so the message is not parsed; this application's sends refuse such a "
				+ "message, so another writer of the queue sent it";
	}

	/**
	 * The size of JSON read, counted up to just past a limit: its UTF-8 length, but with each number no
	 * longer than {@link #MAX_SHORT_NUMBER_LENGTH} counted as at most {@link #NUMBER_READ_SIZE} bytes, so that
	 * the numbers a send wrote in exponent form, which PostgreSQL prints with all their zeros, do not make a
	 * message a send accepted too large to read.
	 */
	static long readSize(String json, long limit) {
		long size = 0;
		boolean inString = false;
		int i = 0;
		while (i < json.length() && size <= limit) {
			char c = json.charAt(i);
			if (inString) {
				if (c == '\\' && i + 1 < json.length()) {
					size += 2;
					i += 2;
					continue;
				}
				inString = (c != '"');
			}
			else if (c == '"') {
				inString = true;
			}
			else if (c == '-' || (c >= '0' && c <= '9')) {
				int start = i;
				while (i < json.length() && isNumberPart(json.charAt(i))) {
					i++;
				}
				int length = i - start;
				size += (length <= MAX_SHORT_NUMBER_LENGTH) ? Math.min(length, NUMBER_READ_SIZE) : length;
				continue;
			}
			int bytes = utf8Bytes(json, i);
			size += bytes;
			i += (bytes == 4) ? 2 : 1;
		}
		return size;
	}

	private static boolean isNumberPart(char c) {
		return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
	}

	/**
	 * The UTF-8 length of a text, counted without encoding it, up to just past a limit: what matters is only
	 * whether it is over.
	 */
	static long utf8Length(String text, long limit) {
		if (text.length() > limit) {
			return text.length(); // at least a byte per character
		}
		long bytes = 0;
		int i = 0;
		while (i < text.length() && bytes <= limit) {
			int character = utf8Bytes(text, i);
			bytes += character;
			i += (character == 4) ? 2 : 1;
		}
		return bytes;
	}

	/**
	 * The UTF-8 bytes of the character at an index: 4 for a surrogate pair (the two chars from the index), 3
	 * for a lone surrogate (as a replacement character).
	 */
	private static int utf8Bytes(String text, int i) {
		char c = text.charAt(i);
		if (c < 0x80) {
			return 1;
		}
		if (c < 0x800) {
			return 2;
		}
		if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
			return 4;
		}
		return 3;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> readHeaders(String headers) {
		try {
			Object value = this.objectMapper.readValue(headers, Object.class);
			if (value == null) {
				// JSON null, which another writer of the queue may store: no headers (Map.of takes no null)
				return Map.of();
			}
			return (value instanceof Map<?, ?> map) ? Collections.unmodifiableMap(new LinkedHashMap<>((Map<String, Object>) map))
					: Map.of("value", value);
		}
		catch (JacksonException ex) {
			return Map.of();
		}
	}

	private static double delaySeconds(Duration delay) {
		// Relative times are added to the database's clock, so the clocks of instances need not agree. The
		// public methods refuse a longer one; the consumers' own (a retry's backoff) are taken as the longest.
		return atMostMax(delay).toMillis() / 1000.0;
	}

	private static int seconds(Duration duration) {
		Assert.isTrue(!duration.isNegative(), "duration must not be negative");
		Duration bounded = atMostMax(duration);
		return Math.toIntExact(bounded.getSeconds() + ((bounded.getNano() > 0) ? 1 : 0));
	}

	private static Duration atMostMax(Duration duration) {
		return (duration.compareTo(MAX_DURATION) > 0) ? MAX_DURATION : duration;
	}

	/**
	 * Refuses a duration longer than {@link #MAX_DURATION} before any SQL: PostgreSQL would fail the statement
	 * (or, far enough, Java the conversion) with an error that does not say which argument is wrong.
	 */
	private static void requireAtMostMax(String argument, Duration duration) {
		if (duration.compareTo(MAX_DURATION) > 0) {
			throw new IllegalArgumentException(argument + " (" + Durations.text(duration) + ") " + MAX_DURATION_RULE);
		}
	}

	private static Instant instant(ResultSet rs, int column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : Instant.EPOCH;
	}

	private static @Nullable Integer integer(ResultSet rs, int column) throws SQLException {
		int value = rs.getInt(column);
		return rs.wasNull() ? null : value;
	}

	/**
	 * Runs statements the database may refuse for want of a privilege, as it does where the application's user
	 * was granted less than they need: the failure then names the grants missing among those needed (made only
	 * then: a send that succeeds builds none of them).
	 */
	private <T> T checked(Supplier<String> operation, Supplier<List<Privilege>> needed, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isInsufficientPrivilege(ex)) {
				throw DatabasePrivileges.refused(this.jdbc, operation.get(), ex,
						"The application's database user lacks a privilege it needs", List.of(), needed.get(), null,
						DURABLE_QUEUE_PRIVILEGES);
			}
			throw ex;
		}
	}

	private static <T> T translate(String queue, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (DataAccessException ex) {
			if (DatabaseFailures.isMissingTable(ex)) {
				throw new QueueNotFoundException(queue, ex);
			}
			throw ex;
		}
	}

	/**
	 * A message as a consumer leased it.
	 * @param message the message; its payload is a missing node when it cannot be parsed
	 * @param unreadable why its payload cannot be parsed, {@code null} when it can
	 */
	record Leased(QueueMessage<JsonNode> message, @Nullable MessageConversionException unreadable) {

	}

	/**
	 * What came of a heartbeat.
	 */
	enum Heartbeat {

		/** The lease is extended. */
		EXTENDED,

		/**
		 * Another transaction holds the message's row: nothing changed, the lease is still the caller's (see
		 * {@link PgmqTemplate#lockIfHeld(String, QueueMessage)}).
		 */
		ROW_BUSY,

		/** The message was read again since (its lease ran out) or is gone: nothing changed. */
		LEASE_LOST

	}

	/**
	 * What came of a hand-back.
	 */
	enum HandBack {

		/** The message is visible again. */
		HANDED_BACK,

		/** Another transaction holds the message's row: nothing changed, the lease is still the caller's. */
		ROW_BUSY,

		/** The message was read again since (its lease ran out) or is gone: nothing changed. */
		LEASE_LOST

	}

	/**
	 * Told after each send, to wake consumers.
	 */
	@FunctionalInterface
	public interface SendNotifier {

		/**
		 * A message was sent (in the current transaction, if any).
		 * @param queue the queue name
		 */
		void sent(String queue);

		/**
		 * A message was sent (in the current transaction, if any) that becomes visible after a delay. By
		 * default the same as {@link #sent(String)}.
		 * @param queue the queue name
		 * @param delay how long the message stays invisible; zero or negative when it is visible at once
		 */
		default void sent(String queue, Duration delay) {
			sent(queue);
		}

	}

}
