package dev.edgeruntime.benchmarks.queue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListener;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;

/**
 * Durable-queue throughput and pickup latency (issue 8, item 4), run as its own JVM by
 * {@code scripts/bench.sh queue} against the project's test database ({@code scripts/dev-postgres.sh}).
 * <p>
 * Throughput: one producer thread sends batches of 10 messages ({@code PgmqTemplate.sendBatch}) while
 * the queue holds fewer than 2,000 (its length read from the database before every tenth batch), and one
 * or two consumer instances (Spring contexts in this JVM, each a {@code @QueueListener} with concurrency 10
 * and batch size 10 whose handler only counts) read, handle and delete them; messages handled per second
 * after a warm-up. Two baselines, each run in the same run on the same database with {@code pgbench}
 * running the statements the runtime sends:
 * <ul>
 * <li>with a backlog (the baseline of the goal): pgbench in the runtime's place, one client producing as
 * the runtime's producer does ({@code pgmq.send_batch} of 10, the same length check) and 2 or 4 clients
 * consuming ({@code pgmq.read} of up to 10, {@code pgmq.delete} of each message read);</li>
 * <li>coupled: each client's transaction is {@code pgmq.send_batch} of 10, {@code pgmq.read} of up to 10
 * and {@code pgmq.delete} of each message read, so the queue stays nearly empty. A different workload,
 * which suits PostgreSQL better (see docs/benchmarks.md); kept as pgbench's best case.</li>
 * </ul>
 * Messages consumed per second: sent less those left in the queue, at pgbench's rate over the seconds
 * after the same warm-up.
 * <p>
 * Pickup latency: 100 single sends spaced 50-150 ms apart, each carrying {@link System#nanoTime()};
 * the handler records the time since the send began. With NOTIFY, and with polling only
 * ({@code edge-runtime.queue.notify.enabled=false}, the default 5 s polling interval).
 * <p>
 * Arguments: the JDBC URL (with user and password), the pgbench executable, the seconds per throughput
 * measurement, a folder for pgbench's scripts and output. Prints Markdown tables.
 *
 * @author edge-runtime developers
 */
@SpringBootApplication(proxyBeanMethods = false)
public class QueueBench {

	static final AtomicLong consumed = new AtomicLong();

	static final ConcurrentLinkedQueue<Long> pickups = new ConcurrentLinkedQueue<>();

	private static final int BATCH = 10;

	private static final int MAX_BACKLOG = Integer.getInteger("bench.queue.backlog", 2_000);

	private static final int WARM_UP_SECONDS = Integer.getInteger("bench.queue.warmup", 20);

	private static final int PICKUP_MESSAGES = 100;

	/**
	 * The message.
	 * @param sent {@link System#nanoTime()} when the send began, or 0 when not timed
	 */
	public record Ping(long sent) {
	}

	@Component
	public static class Sink {

		@QueueListener(queue = "${bench.queue}")
		public void handle(Ping ping) {
			if (ping.sent() != 0) {
				pickups.add(System.nanoTime() - ping.sent());
			}
			consumed.incrementAndGet();
		}

	}

	public static void main(String[] args) throws Exception {
		String url = args[0];
		String pgbench = args[1];
		int seconds = Integer.parseInt(args[2]);
		Path work = Path.of(args[3]);
		Files.createDirectories(work);

		double pg2 = pgbench(url, pgbench, 2, seconds, work);
		double one = throughput(url, 1, seconds);
		double pg4 = pgbench(url, pgbench, 4, seconds, work);
		double two = throughput(url, 2, seconds);
		double backlog2 = pgbenchBacklog(url, pgbench, 2, seconds, work);
		double backlog4 = pgbenchBacklog(url, pgbench, 4, seconds, work);
		double coupled = Math.max(pg2, pg4);
		double backlog = Math.max(backlog2, backlog4);

		System.out.println();
		System.out.printf(Locale.ROOT, "Throughput: %d s per measurement after %d s of warm-up; messages per second. "
				+ "Baselines, the better of two pgbench runs each (-c 2 and -c 4): with a backlog, pgbench in the "
				+ "runtime's place (1 producing client keeping up to %d messages queued, consumer clients reading and "
				+ "deleting); coupled, each client sending, reading and deleting its own batch (the queue nearly empty).%n%n",
				seconds, WARM_UP_SECONDS, MAX_BACKLOG);
		System.out.println("| consumers | edge-runtime, msg/s | pgbench with a backlog, -c 2 / -c 4, msg/s | ratio | "
				+ "pgbench coupled, -c 2 / -c 4, msg/s | ratio |");
		System.out.println("|---|---:|---:|---:|---:|---:|");
		System.out.printf(Locale.ROOT, "| 1 instance | %,.0f | %,.0f / %,.0f | %.2fx | %,.0f / %,.0f | %.2fx |%n", one,
				backlog2, backlog4, one / backlog, pg2, pg4, one / coupled);
		System.out.printf(Locale.ROOT, "| 2 instances | %,.0f | %,.0f / %,.0f | %.2fx | %,.0f / %,.0f | %.2fx |%n", two,
				backlog2, backlog4, two / backlog, pg2, pg4, two / coupled);

		double[] notify = pickup(url, true);
		double[] polling = pickup(url, false);
		System.out.println();
		System.out.printf(Locale.ROOT, "Pickup latency, send to handler start: %d messages each, ms.%n%n", PICKUP_MESSAGES);
		System.out.println("| wake-up | messages | p50 | p99 | max |");
		System.out.println("|---|---:|---:|---:|---:|");
		System.out.printf(Locale.ROOT, "| NOTIFY | %.0f | %.1f | %.1f | %.1f |%n", notify[0], notify[1], notify[2], notify[3]);
		System.out.printf(Locale.ROOT, "| polling only (5 s) | %.0f | %.1f | %.1f | %.1f |%n", polling[0], polling[1],
				polling[2], polling[3]);
	}

	static ConfigurableApplicationContext start(String url, String queue, boolean notify) {
		return new SpringApplicationBuilder(QueueBench.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.run("--spring.datasource.url=" + url, "--spring.datasource.hikari.maximum-pool-size=16",
					// Counts calls of the pgmq functions in pg_stat_user_functions (for the statements per message).
					"--spring.datasource.hikari.connection-init-sql=SET track_functions = 'all'",
					"--bench.queue=" + queue, "--edge-runtime.queue.notify.enabled=" + (notify && Boolean.parseBoolean(System.getProperty("bench.queue.notify", "true"))),
					// prefetch left at its default: min(concurrency, batch-size), 10 here.
					"--edge-runtime.queue.consumer.concurrency=" + Integer.getInteger("bench.queue.concurrency", 10),
					"--edge-runtime.queue.consumer.batch-size=10");
	}

	static double throughput(String url, int instances, int seconds) throws Exception {
		String queue = "bench_tp" + instances;
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		contexts.add(start(url, queue, true));
		PgmqTemplate pgmq = contexts.get(0).getBean(PgmqTemplate.class);
		pgmq.purgeQueue(queue);
		consumed.set(0);
		for (int i = 1; i < instances; i++) {
			contexts.add(start(url, queue, true));
		}
		JdbcTemplate jdbc = jdbc(url);
		vacuum(jdbc, queue);
		long[] before = functionCalls(jdbc);
		AtomicLong sent = new AtomicLong();
		SingleConnectionDataSource producerConnection = new SingleConnectionDataSource(url, true);
		Thread producer = producer(pgmq, new JdbcTemplate(producerConnection), queue, sent);
		// Messages handled in each second, warm-up included: the JVM's code is still being compiled in the
		// first seconds, on the same two cores as PostgreSQL, and the rate climbs until it is.
		StringBuilder perSecond = new StringBuilder();
		long previous = 0;
		for (int i = 0; i < WARM_UP_SECONDS; i++) {
			TimeUnit.SECONDS.sleep(1);
			long now = consumed.get();
			perSecond.append(now - previous).append(' ');
			previous = now;
		}
		long c0 = consumed.get();
		long t0 = System.nanoTime();
		for (int i = 0; i < seconds; i++) {
			TimeUnit.SECONDS.sleep(1);
			long now = consumed.get();
			perSecond.append((i == 0) ? "| " : "").append(now - previous).append(' ');
			previous = now;
		}
		long c1 = consumed.get();
		long t1 = System.nanoTime();
		System.out.printf(Locale.ROOT, "edge-runtime, %d instance(s), handled per second (warm-up | measured): %s%n",
				instances, perSecond.toString().trim());
		producer.interrupt();
		producer.join(10_000);
		producerConnection.destroy();
		double rate = (c1 - c0) / ((t1 - t0) / 1e9);
		System.out.printf(Locale.ROOT, "edge-runtime, %d instance(s): %d handled in %.1f s: %.0f msg/s (sent %d in all)%n",
				instances, c1 - c0, (t1 - t0) / 1e9, rate, sent.get());
		for (int i = contexts.size() - 1; i >= 0; i--) {
			contexts.get(i).close();
		}
		printCalls(jdbc, before, consumed.get(), "edge-runtime, " + instances + " instance(s)");
		return rate;
	}

	static double pgbench(String url, String pgbench, int clients, int seconds, Path work)
			throws IOException, InterruptedException {
		String queue = "bench_pg";
		URI uri = URI.create(url.substring("jdbc:".length()));
		try (ConfigurableApplicationContext context = start(url, queue, true)) {
			// Only to create the queue (and the schema); its consumer is stopped before pgbench runs.
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.createQueue(queue);
		}
		JdbcTemplate jdbc = jdbc(url);
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		vacuum(jdbc, queue);

		StringBuilder script = new StringBuilder();
		String[] messages = new String[BATCH];
		Arrays.fill(messages, "{\"sent\":0}");
		script.append("SELECT * FROM pgmq.send_batch('").append(queue).append("', ARRAY['")
			.append(String.join("','", messages))
			.append("']::text[]::jsonb[], NULL::text[]::jsonb[], clock_timestamp() + make_interval(secs => 0));\n");
		script.append("SELECT coalesce(array_agg(msg_id), '{}') AS ids FROM pgmq.read('").append(queue)
			.append("', 30, ").append(BATCH).append(", '{}'::jsonb) \\gset\n");
		for (int i = 1; i <= BATCH; i++) {
			script.append("SELECT pgmq.delete('").append(queue).append("', (:ids::bigint[])[").append(i).append("]);\n");
		}
		Path output = work.resolve("pgbench-c" + clients + ".txt");
		ProcessBuilder builder = pgbench(uri, pgbench, work, "pgbench-c" + clients, script, clients,
				seconds + WARM_UP_SECONDS);
		long[] before = functionCalls(jdbc);
		long t0 = System.nanoTime();
		int exit = builder.start().waitFor();
		double elapsed = (System.nanoTime() - t0) / 1e9;
		String text = Files.readString(output, StandardCharsets.UTF_8);
		Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(text);
		Matcher tps = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(text);
		if (exit != 0 || !processed.find() || !tps.find()) {
			throw new IllegalStateException("pgbench failed (exit " + exit + "), see " + output);
		}
		long transactions = Long.parseLong(processed.group(1));
		Long left = jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + queue, Long.class);
		long done = transactions * BATCH - ((left != null) ? left : 0);
		// Messages per transaction times pgbench's rate over the seconds the consumers are measured in: after
		// the same warm-up from the same freshly vacuumed table (the queue table slows down as dead rows pile up
		// between autovacuum runs, so pgbench's average over its whole run would include its fastest seconds).
		double windowTps = windowTps(text);
		double rate = windowTps * done / transactions;
		double wholeRun = Double.parseDouble(tps.group(1)) * done / transactions;
		System.out.printf(Locale.ROOT, "pgbench -c %d: %d transactions, %d messages consumed in %.1f s: %.0f msg/s "
				+ "after the %d s warm-up (%.0f msg/s over the whole run)%n", clients, transactions, done, elapsed, rate,
				WARM_UP_SECONDS, wholeRun);
		printCalls(jdbc, before, done, "pgbench -c " + clients);
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		return rate;
	}

	/**
	 * pgbench in the runtime's place, with the runtime's workload: one pgbench client produces as
	 * {@link #producer} does (batches of 10 with {@code pgmq.send_batch} while the queue holds fewer than the
	 * backlog's limit, its length read before every tenth batch and every millisecond while full), and
	 * {@code clients} other pgbench clients consume with {@code pgmq.read} of up to 10 and {@code pgmq.delete}
	 * of each message read. The queue keeps a backlog, as it does for the runtime's consumers.
	 */
	static double pgbenchBacklog(String url, String pgbench, int clients, int seconds, Path work)
			throws IOException, InterruptedException {
		String queue = "bench_pgc";
		URI uri = URI.create(url.substring("jdbc:".length()));
		try (ConfigurableApplicationContext context = start(url, queue, true)) {
			// Only to create the queue; its consumer is stopped before pgbench runs.
			context.getBean(PgmqTemplate.class).createQueue(queue);
		}
		JdbcTemplate jdbc = jdbc(url);
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		vacuum(jdbc, queue);
		String[] messages = new String[BATCH];
		Arrays.fill(messages, "{\"sent\":0}");
		StringBuilder produce = new StringBuilder();
		produce.append("SELECT (count(*) < ").append(MAX_BACKLOG).append(")::int AS room FROM (SELECT 1 FROM pgmq.q_")
			.append(queue).append(" LIMIT ").append(MAX_BACKLOG).append(") s \\gset\n\\if :room\n");
		for (int i = 0; i < 10; i++) {
			produce.append("SELECT * FROM pgmq.send_batch('").append(queue).append("', ARRAY['")
				.append(String.join("','", messages))
				.append("']::text[]::jsonb[], NULL::text[]::jsonb[], clock_timestamp() + make_interval(secs => 0));\n");
		}
		produce.append("\\else\n\\sleep 1 ms\n\\endif\n");
		StringBuilder consume = new StringBuilder();
		consume.append("SELECT coalesce(array_agg(msg_id), '{}') AS ids FROM pgmq.read('").append(queue)
			.append("', 30, ").append(BATCH).append(", '{}'::jsonb) \\gset\n");
		for (int i = 1; i <= BATCH; i++) {
			consume.append("SELECT pgmq.delete('").append(queue).append("', (:ids::bigint[])[").append(i).append("]);\n");
		}
		String sequence = "pg_sequence_last_value(pg_get_serial_sequence('pgmq.q_" + queue + "', 'msg_id'))";
		Long first = jdbc.queryForObject("SELECT coalesce(" + sequence + ", 0)", Long.class);
		// One producing client, as the runtime has one producer thread: a second one would also double the
		// length checks made while the queue is full, each a scan of up to 2,000 rows, on the same two cores
		Process producer = pgbench(uri, pgbench, work, "pgbench-backlog-producer", produce, 1, 3 * (seconds + WARM_UP_SECONDS))
			.start();
		// A backlog before the consumers start, as the runtime's consumers find one.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + queue, Long.class) < MAX_BACKLOG
				&& System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		Path output = work.resolve("pgbench-backlog-c" + clients + ".txt");
		int exit = pgbench(uri, pgbench, work, "pgbench-backlog-c" + clients, consume, clients, seconds + WARM_UP_SECONDS)
			.start()
			.waitFor();
		producer.destroy();
		producer.waitFor();
		String text = Files.readString(output, StandardCharsets.UTF_8);
		Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(text);
		if (exit != 0 || !processed.find()) {
			throw new IllegalStateException("pgbench failed (exit " + exit + "), see " + output);
		}
		long transactions = Long.parseLong(processed.group(1));
		Long last = jdbc.queryForObject("SELECT coalesce(" + sequence + ", 0)", Long.class);
		Long left = jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + queue, Long.class);
		long done = last - first - left;
		double rate = windowTps(text) * done / transactions;
		double perRead = done / (double) transactions;
		System.out.printf(Locale.ROOT, "pgbench with a backlog, 1 producing + %d consuming clients: %d reads, %d messages "
				+ "consumed: %.0f msg/s after the %d s warm-up (%.2f messages per read)%n", clients, transactions, done, rate,
				WARM_UP_SECONDS, perRead);
		if (perRead < BATCH - 0.05) {
			System.out.printf(Locale.ROOT, "WARNING: pgbench's consumers found the queue empty at times (%.2f messages per "
					+ "read, not %d): the producer did not keep the backlog, and this figure is partly a near-empty "
					+ "queue's%n", perRead, BATCH);
		}
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		return rate;
	}

	static ProcessBuilder pgbench(URI uri, String pgbench, Path work, String name, CharSequence script, int clients,
			int seconds) throws IOException {
		Path file = work.resolve(name + ".sql");
		Files.writeString(file, script);
		ProcessBuilder builder = new ProcessBuilder(pgbench, "-h", uri.getHost(), "-p", String.valueOf(uri.getPort()),
				"-U", param(uri, "user"), "-n", "-M", "prepared", "-P", "1", "-f", file.toString(), "-c",
				String.valueOf(clients), "-j", String.valueOf(Math.min(clients, 2)), "-T", String.valueOf(seconds),
				uri.getPath().substring(1));
		builder.environment().put("PGPASSWORD", param(uri, "password"));
		// counts the calls of the pgmq functions in pg_stat_user_functions, as in the runtime's sessions
		builder.environment().put("PGOPTIONS", "-c track_functions=all");
		builder.redirectErrorStream(true).redirectOutput(work.resolve(name + ".txt").toFile());
		return builder;
	}

	/**
	 * The producer of the runtime's throughput runs: batches of 10 through {@link PgmqTemplate#sendBatch}, as
	 * fast as it can while the queue holds fewer than the backlog's limit. The queue's length is read from the
	 * database before every tenth batch, and every millisecond while the queue is full, as pgbench's producer
	 * in {@link #pgbenchBacklog} does.
	 */
	static Thread producer(PgmqTemplate pgmq, JdbcTemplate jdbc, String queue, AtomicLong sent) {
		List<Ping> batch = Collections.nCopies(BATCH, new Ping(0));
		String length = "SELECT count(*) FROM (SELECT 1 FROM pgmq.q_" + queue + " LIMIT " + MAX_BACKLOG + ") s";
		Thread producer = new Thread(() -> {
			try {
				int batches = 0;
				while (!Thread.currentThread().isInterrupted()) {
					if (batches++ % 10 == 0) {
						while (jdbc.queryForObject(length, Long.class) >= MAX_BACKLOG) {
							Thread.sleep(1);
						}
					}
					pgmq.sendBatch(queue, batch);
					sent.addAndGet(BATCH);
				}
			}
			catch (InterruptedException ex) {
				// stopped
			}
			catch (RuntimeException ex) {
				if (!Thread.currentThread().isInterrupted()) {
					throw ex;
				}
			}
		}, "bench-producer");
		producer.start();
		return producer;
	}

	/**
	 * The mean of pgbench's per-second progress reports ({@code -P 1}) after the warm-up.
	 */
	static double windowTps(String output) {
		Matcher progress = Pattern.compile("progress: ([0-9.]+) s, ([0-9.]+) tps").matcher(output);
		double sum = 0;
		int seconds = 0;
		while (progress.find()) {
			if (Double.parseDouble(progress.group(1)) > WARM_UP_SECONDS) {
				sum += Double.parseDouble(progress.group(2));
				seconds++;
			}
		}
		if (seconds == 0) {
			throw new IllegalStateException("pgbench printed no progress after the warm-up:\n" + output);
		}
		return sum / seconds;
	}

	/** Vacuums a queue's table, so that every measurement starts from the same state of the table. */
	static void vacuum(JdbcTemplate jdbc, String queue) {
		jdbc.execute("VACUUM pgmq.q_" + queue);
	}

	static double[] pickup(String url, boolean notify) throws Exception {
		String queue = notify ? "bench_pickup_notify" : "bench_pickup_poll";
		try (ConfigurableApplicationContext context = start(url, queue, notify)) {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.purgeQueue(queue);
			// A few untimed messages first, so the first timed ones do not pay for class loading and JIT.
			for (int i = 0; i < 20; i++) {
				pgmq.send(queue, new Ping(0));
				Thread.sleep(20);
			}
			Thread.sleep(notify ? 500 : 6_000);
			pickups.clear();
			for (int i = 0; i < PICKUP_MESSAGES; i++) {
				pgmq.send(queue, new Ping(System.nanoTime()));
				Thread.sleep(ThreadLocalRandom.current().nextLong(50, 151));
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
			while (pickups.size() < PICKUP_MESSAGES && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
		}
		List<Long> sorted = new ArrayList<>(pickups);
		Collections.sort(sorted);
		return new double[] { sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99),
				sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1) / 1e6 };
	}

	static double percentile(List<Long> sorted, double p) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
	}

	/**
	 * Calls so far of pgmq.send_batch, pgmq.read and pgmq.delete (one message id), from
	 * pg_stat_user_functions; counted only in sessions that set track_functions.
	 */
	static long[] functionCalls(JdbcTemplate jdbc) {
		// The statistics of other sessions reach the view within a second or so of their transactions.
		try {
			Thread.sleep(1_500);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		jdbc.execute("SELECT pg_stat_clear_snapshot()");
		long[] calls = new long[3];
		String[] names = { "send_batch", "read", "delete" };
		for (int i = 0; i < names.length; i++) {
			Long value = jdbc.queryForObject("""
					SELECT coalesce(sum(s.calls), 0) FROM pg_stat_user_functions s JOIN pg_proc p ON p.oid = s.funcid
					WHERE s.schemaname = 'pgmq' AND s.funcname = ? AND (? <> 'delete' OR p.proargtypes[1] = 'int8'::regtype)
					AND (? <> 'send_batch' OR p.pronargs = 4 AND p.proargtypes[3] = 'timestamptz'::regtype)
					""", Long.class, names[i], names[i], names[i]);
			calls[i] = (value != null) ? value : 0;
		}
		return calls;
	}

	static void printCalls(JdbcTemplate jdbc, long[] before, long messages, String who) {
		long[] after = functionCalls(jdbc);
		System.out.printf(Locale.ROOT, "%s: per message handled: %.3f send_batch, %.3f read, %.3f delete calls "
				+ "(%d messages, warm-up included)%n", who, (after[0] - before[0]) / (double) messages,
				(after[1] - before[1]) / (double) messages, (after[2] - before[2]) / (double) messages, messages);
	}

	static JdbcTemplate jdbc(String url) {
		return new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(url));
	}

	static String param(URI uri, String name) {
		for (String pair : uri.getQuery().split("&")) {
			if (pair.startsWith(name + "=")) {
				return pair.substring(name.length() + 1);
			}
		}
		throw new IllegalArgumentException("the JDBC URL has no " + name);
	}

}
