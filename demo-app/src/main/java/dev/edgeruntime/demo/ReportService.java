package dev.edgeruntime.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Supabase's "massive async workloads" pattern: a report request is a durable message on the
 * {@code reports} queue (sent in the same transaction as the report's row), a queue listener builds the
 * CSV, and a nightly pg_cron job (declared in {@code application.yml}) enqueues the nightly report. The
 * work survives a restart: an unfinished message comes back after its visibility timeout.
 *
 * @author edge-runtime developers
 */
@Service
class ReportService {

	static final String QUEUE = "reports";

	private static final Logger logger = LoggerFactory.getLogger(ReportService.class);

	private static final String CREATE_TABLE = """
			CREATE TABLE IF NOT EXISTS demo_report (
				id uuid PRIMARY KEY,
				kind text NOT NULL,
				state text NOT NULL,
				requested_at timestamptz NOT NULL,
				finished_at timestamptz,
				rows_written int,
				file text,
				error text
			)""";

	private static final String INSERT = """
			INSERT INTO demo_report (id, kind, state, requested_at) VALUES (?, ?, 'QUEUED', ?)
			ON CONFLICT (id) DO NOTHING""";

	private static final String MARK_RUNNING = "UPDATE demo_report SET state = 'RUNNING' WHERE id = ?";

	private static final String MARK_DONE = """
			UPDATE demo_report SET state = 'DONE', finished_at = now(), rows_written = ?, file = ?, error = NULL
			WHERE id = ?""";

	private static final String SELECT = """
			SELECT id, kind, state, requested_at, finished_at, rows_written, file, error FROM demo_report WHERE id = ?""";

	private final JdbcTemplate jdbc;

	private final PgmqTemplate queue;

	private final Path root;

	ReportService(JdbcTemplate jdbc, PgmqTemplate queue, DemoProperties properties) {
		this.jdbc = jdbc;
		this.queue = queue;
		this.root = properties.getReports().getRoot();
		this.jdbc.execute(CREATE_TABLE);
	}

	/**
	 * Records a report request and enqueues its work in one transaction.
	 */
	@Transactional
	UUID request(String kind) {
		UUID id = UUID.randomUUID();
		this.jdbc.update(INSERT, id, kind, Timestamp.from(Instant.now()));
		this.queue.send(QUEUE, Map.of("id", id.toString(), "kind", kind));
		return id;
	}

	Optional<Map<String, Object>> find(UUID id) {
		List<Map<String, Object>> rows = this.jdbc.queryForList(SELECT, id);
		return rows.stream().findFirst();
	}

	/**
	 * Builds one report. Requests from the nightly schedule carry no id: they get one here.
	 */
	@QueueListener(queue = QUEUE, concurrency = 2, maxAttempts = 3, visibilityTimeout = "60s")
	void build(QueueMessage<ReportRequest> message) {
		ReportRequest request = message.payload();
		UUID id = (request.id() != null) ? UUID.fromString(request.id()) : UUID.randomUUID();
		String kind = (request.kind() != null) ? request.kind() : "nightly";
		this.jdbc.update(INSERT, id, kind, Timestamp.from(Instant.now()));
		this.jdbc.update(MARK_RUNNING, id);
		Path file = this.root.resolve(id + ".csv");
		int rows = writeCsv(file, kind);
		this.jdbc.update(MARK_DONE, rows, file.toString(), id);
		logger.info("Report {} ({}) written to {}: {} rows, message {} (delivery {})", id, kind, file, rows,
				message.id(), message.readCount());
	}

	private int writeCsv(Path file, String kind) {
		try {
			Files.createDirectories(file.getParent());
			int rows = 0;
			try (Writer out = Files.newBufferedWriter(file)) {
				out.write("state,tasks\n");
				for (Map<String, Object> row : this.jdbc.queryForList(
						"SELECT state, count(*) AS tasks FROM demo_report GROUP BY state ORDER BY state")) {
					out.write(row.get("state") + "," + row.get("tasks") + "\n");
					rows++;
				}
				out.write("# " + kind + " report generated at " + Instant.now() + "\n");
			}
			return rows;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The message payload: the report's id (absent for scheduled reports) and kind.
	 */
	record ReportRequest(String id, String kind) {

	}

}
