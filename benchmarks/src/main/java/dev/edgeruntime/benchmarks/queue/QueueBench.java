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
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListener;

import org.jspecify.annotations.Nullable;

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
 * or two consumer instances (each a {@code @QueueListener} with concurrency 10 and batch size 10 whose
 * handler only counts; the second one a JVM of its own, see {@link #SEPARATE_PROCESSES}) read, handle and
 * delete them; messages handled per second after a warm-up. Two baselines, each run in the same run on the same database with {@code pgbench}
 * running the statements the runtime sends:
 * <ul>
 * <li>with a backlog (the baseline of the goal): pgbench in the runtime's place, one client producing as
 * the runtime's producer does ({@code pgmq.send_batch} of 10, the same length check) and 2 or 4 clients
 * consuming ({@code pgmq.read} of up to 10, one {@code pgmq.delete} of the messages read);</li>
 * <li>coupled: each client's transaction is {@code pgmq.send_batch} of 10, {@code pgmq.read} of up to 10
 * and one {@code pgmq.delete} of the messages read, so the queue stays nearly empty. A different workload,
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

	/** The producer's reads of the queue's length from the database ({@code -Dbench.queue.backlog-check=sql}). */
	static final AtomicLong LENGTH_CHECKS = new AtomicLong();

	/** The producer's checks that found the backlog full (each followed by a 1 ms sleep). */
	static final AtomicLong FULL_CHECKS = new AtomicLong();

	static final ConcurrentLinkedQueue<Long> pickups = new ConcurrentLinkedQueue<>();

	private static final int BATCH = 10;

	private static final int MAX_BACKLOG = Integer.getInteger("bench.queue.backlog", 2_000);

	private static final int WARM_UP_SECONDS = Integer.getInteger("bench.queue.warmup", 20);

	/**
	 * Messages in the queue before a drain starts: more than the fastest consumer takes in the run (by
	 * default 1.5 million, or 45,000 per second of warm-up and measurement when that is more).
	 */
	private static int prefillMessages = 1_500_000;

	/**
	 * Milliseconds between VACUUMs of the queue's table while a throughput is measured, on every side alike
	 * (default 2,000); 0 leaves it to autovacuum, whose run, at most once a minute, lands anywhere in a
	 * window and moves every figure by up to half.
	 */
	private static final int VACUUM_EVERY = Integer.getInteger("bench.queue.vacuum-every", 2_000);

	/**
	 * Whether the runtime's consumers VACUUM their queue's table themselves, every {@link #VACUUM_EVERY}
	 * milliseconds ({@code edge-runtime.queue.vacuum-interval}), rather than the harness (default false).
	 * pgbench's queue is vacuumed by the harness either way.
	 */
	private static final boolean RUNTIME_VACUUM = Boolean.getBoolean("bench.queue.runtime-vacuum");

	private static final int PICKUP_MESSAGES = 100;

	/**
	 * Whether a second consumer instance runs as a JVM of its own ({@link SecondInstance}, started with this
	 * JVM's options and class path), as a second application instance would: the default,
	 * {@code -Dbench.queue.instances=processes}. With {@code contexts} it is a second Spring context in this
	 * JVM, sharing its heap, collector and compiled code, as in the rounds before the fourteenth.
	 */
	static final boolean SEPARATE_PROCESSES = !"contexts"
		.equals(System.getProperty("bench.queue.instances", "processes"));

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
		prefillMessages = Integer.getInteger("bench.queue.prefill", Math.max(1_500_000, (WARM_UP_SECONDS + seconds) * 45_000));

		if ("drain".equals(System.getProperty("bench.queue.only"))) {
			drain(url, 1, seconds);
			return;
		}
		if ("producer".equals(System.getProperty("bench.queue.only"))) {
			// One instance behind the producer alone: for profiles of the consumer's and the producer's path.
			throughput(url, 1, seconds);
			return;
		}
		if ("runtime".equals(System.getProperty("bench.queue.only"))) {
			// The runtime's consumers alone, no baseline and no pickup: for profiles and trials of settings.
			drain(url, 1, seconds);
			drain(url, 2, seconds);
			throughput(url, 1, seconds);
			throughput(url, 2, seconds);
			return;
		}
		// Draining a prefilled queue: the baseline of the goal. Then with a producer (the runtime's own batches).
		double drainPg2 = pgbenchDrain(url, pgbench, 2, seconds, work);
		double drainOne = drain(url, 1, seconds);
		double drainPg4 = pgbenchDrain(url, pgbench, 4, seconds, work);
		double drainTwo = drain(url, 2, seconds);
		double pg2 = pgbench(url, pgbench, 2, seconds, work);
		double one = throughput(url, 1, seconds);
		double pg4 = pgbench(url, pgbench, 4, seconds, work);
		double two = throughput(url, 2, seconds);
		double drainPg = Math.max(drainPg2, drainPg4);
		double coupled = Math.max(pg2, pg4);
		boolean backlogBaseline = Boolean.getBoolean("bench.queue.backlog-baseline");
		double backlog2 = backlogBaseline ? pgbenchBacklog(url, pgbench, 2, seconds, work) : Double.NaN;
		double backlog4 = backlogBaseline ? pgbenchBacklog(url, pgbench, 4, seconds, work) : Double.NaN;
		double backlog = Math.max(backlog2, backlog4);

		System.out.println();
		System.out.printf(Locale.ROOT, "Throughput: %d s per measurement after %d s of warm-up; messages per second; "
				+ "pgbench's figure is the better of -c 2 and -c 4.%n%n", seconds, WARM_UP_SECONDS);
		System.out.printf(Locale.ROOT, "Draining a queue prefilled with %,d messages (the goal's baseline: the same "
				+ "reads and deletes from pgbench's clients):%n%n", prefillMessages);
		System.out.println("| consumers | edge-runtime, msg/s | pgbench, -c 2 / -c 4, msg/s | ratio |");
		System.out.println("|---|---:|---:|---:|");
		System.out.printf(Locale.ROOT, "| 1 instance | %,.0f | %,.0f / %,.0f | %.2fx |%n", drainOne, drainPg2, drainPg4,
				drainOne / drainPg);
		System.out.printf(Locale.ROOT, "| 2 instances | %,.0f | %,.0f / %,.0f | %.2fx |%n", drainTwo, drainPg2, drainPg4,
				drainTwo / drainPg);
		System.out.println();
		System.out.printf(Locale.ROOT, "With a producer: the runtime's consumers behind one producer thread keeping up to "
				+ "%d messages queued; pgbench coupled, each client sending, reading and deleting its own batch (its "
				+ "queue nearly empty)%s:%n%n", MAX_BACKLOG,
				backlogBaseline ? "; pgbench with a backlog, 1 producing client keeping the same backlog" : "");
		System.out.println("| consumers | edge-runtime, msg/s | pgbench coupled, -c 2 / -c 4, msg/s | ratio |"
				+ (backlogBaseline ? " pgbench with a backlog, -c 2 / -c 4, msg/s | ratio |" : ""));
		System.out.println("|---|---:|---:|---:|" + (backlogBaseline ? "---:|---:|" : ""));
		System.out.printf(Locale.ROOT, "| 1 instance | %,.0f | %,.0f / %,.0f | %.2fx |%s%n", one, pg2, pg4, one / coupled,
				backlogBaseline ? String.format(Locale.ROOT, " %,.0f / %,.0f | %.2fx |", backlog2, backlog4, one / backlog)
						: "");
		System.out.printf(Locale.ROOT, "| 2 instances | %,.0f | %,.0f / %,.0f | %.2fx |%s%n", two, pg2, pg4, two / coupled,
				backlogBaseline ? String.format(Locale.ROOT, " %,.0f / %,.0f | %.2fx |", backlog2, backlog4, two / backlog)
						: "");

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
		List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + url,
				"--spring.datasource.hikari.maximum-pool-size=" + Integer.getInteger("bench.queue.pool", 16),
				// Counts calls of the pgmq functions in pg_stat_user_functions (for the statements per message).
				"--spring.datasource.hikari.connection-init-sql=SET track_functions = 'all'",
				"--bench.queue=" + queue, "--edge-runtime.queue.notify.enabled=" + (notify && Boolean.parseBoolean(System.getProperty("bench.queue.notify", "true"))),
				// prefetch left at its default: min(concurrency, batch-size), 10 here.
				"--edge-runtime.queue.consumer.concurrency=" + Integer.getInteger("bench.queue.concurrency", 10),
				"--edge-runtime.queue.consumer.batch-size=10"));
		if (RUNTIME_VACUUM && VACUUM_EVERY > 0) {
			args.add("--edge-runtime.queue.vacuum-interval=" + VACUUM_EVERY + "ms");
		}
		return new SpringApplicationBuilder(QueueBench.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.run(args.toArray(new String[0]));
	}

	static double throughput(String url, int instances, int seconds) throws Exception {
		String queue = "bench_tp" + instances;
		Instances consumers = new Instances(url, queue);
		PgmqTemplate pgmq = consumers.first().getBean(PgmqTemplate.class);
		pgmq.purgeQueue(queue);
		consumed.set(0);
		LENGTH_CHECKS.set(0);
		FULL_CHECKS.set(0);
		for (int i = 1; i < instances; i++) {
			consumers.add();
		}
		JdbcTemplate jdbc = jdbc(url);
		vacuum(jdbc, queue);
		double[] before = functionCalls(jdbc);
		AtomicLong sent = new AtomicLong();
		SingleConnectionDataSource producerConnection = new SingleConnectionDataSource(url, true);
		Thread producer = producer(pgmq, new JdbcTemplate(producerConnection), queue, sent, consumers::handled);
		double rate;
		try (Vacuuming vacuuming = new Vacuuming(url, queue, !RUNTIME_VACUUM)) {
			rate = measure(consumers, instances, seconds, "with a producer");
		}
		producer.interrupt();
		producer.join(10_000);
		producerConnection.destroy();
		System.out.printf(Locale.ROOT, "edge-runtime with a producer, %d instance(s): sent %d in all; the backlog "
				+ "full at %d checks; %d lengths read from the database%n", instances,
				sent.get(), FULL_CHECKS.get(), LENGTH_CHECKS.get());
		consumers.close();
		printCalls(jdbc, before, consumers.handled(), "edge-runtime, " + instances + " instance(s)");
		return rate;
	}

	/**
	 * The runtime's consumers draining a queue prefilled with {@link #prefillMessages} messages: no producer, so
	 * nothing but the reads and deletes (as pgbench's in {@link #pgbenchDrain}).
	 */
	static double drain(String url, int instances, int seconds) throws Exception {
		String queue = "bench_dr" + instances;
		JdbcTemplate jdbc = jdbc(url);
		createEmpty(url, queue, jdbc);
		prefill(jdbc, queue);
		double[] before = functionCalls(jdbc);
		consumed.set(0);
		Instances consumers;
		double rate;
		try (Vacuuming vacuuming = new Vacuuming(url, queue, !RUNTIME_VACUUM)) {
			consumers = new Instances(url, queue);
			for (int i = 1; i < instances; i++) {
				consumers.add();
			}
			rate = measure(consumers, instances, seconds, "draining");
		}
		consumers.close();
		long left = left(jdbc, queue);
		if (left == 0) {
			System.out.println("WARNING: the queue ran empty; raise -Dbench.queue.prefill");
		}
		printCalls(jdbc, before, prefillMessages - left, "edge-runtime draining, " + instances + " instance(s)");
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		return rate;
	}

	/**
	 * pgbench's clients draining a queue prefilled with {@link #prefillMessages} messages, each transaction
	 * {@code pgmq.read} of up to 10 and the deletes of {@link #deletes}.
	 */
	static double pgbenchDrain(String url, String pgbench, int clients, int seconds, Path work)
			throws IOException, InterruptedException {
		String queue = "bench_pgd";
		URI uri = URI.create(url.substring("jdbc:".length()));
		JdbcTemplate jdbc = jdbc(url);
		createEmpty(url, queue, jdbc);
		prefill(jdbc, queue);
		String consume = consumeScript(queue);
		double[] before = functionCalls(jdbc);
		Path output = work.resolve("pgbench-drain-c" + clients + ".txt");
		int exit;
		try (Vacuuming vacuuming = new Vacuuming(url, queue, true)) {
			exit = pgbench(uri, pgbench, work, "pgbench-drain-c" + clients, consume, clients, seconds + WARM_UP_SECONDS)
				.start()
				.waitFor();
		}
		String text = Files.readString(output, StandardCharsets.UTF_8);
		Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(text);
		if (exit != 0 || !processed.find()) {
			throw new IllegalStateException("pgbench failed (exit " + exit + "), see " + output);
		}
		long transactions = Long.parseLong(processed.group(1));
		long left = left(jdbc, queue);
		long done = prefillMessages - left;
		double rate = windowTps(text) * done / transactions;
		System.out.printf(Locale.ROOT, "pgbench draining, -c %d: %d reads, %d messages consumed: %.0f msg/s after the "
				+ "%d s warm-up (%.2f messages per read)%n", clients, transactions, done, rate, WARM_UP_SECONDS,
				done / (double) transactions);
		if (left == 0) {
			System.out.println("WARNING: the queue ran empty; raise -Dbench.queue.prefill");
		}
		printCalls(jdbc, before, done, "pgbench draining, -c " + clients);
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
		return rate;
	}

	/**
	 * Creates a queue (and the schema) with a context whose consumer stops before anything is sent, and
	 * empties it.
	 */
	static void createEmpty(String url, String queue, JdbcTemplate jdbc) {
		try (ConfigurableApplicationContext context = start(url, queue, true)) {
			context.getBean(PgmqTemplate.class).createQueue(queue);
		}
		jdbc.queryForList("SELECT pgmq.purge_queue(?)", queue);
	}

	/**
	 * Fills a queue with {@link #prefillMessages} messages in one statement (not measured), then vacuums and
	 * analyzes its table, so every drain starts from the same state.
	 */
	static void prefill(JdbcTemplate jdbc, String queue) {
		jdbc.update("INSERT INTO pgmq.q_" + queue + " (vt, message) SELECT clock_timestamp(), '{\"sent\":0}'::jsonb "
				+ "FROM generate_series(1, ?)", prefillMessages);
		jdbc.execute("VACUUM ANALYZE pgmq.q_" + queue);
	}

	static long left(JdbcTemplate jdbc, String queue) {
		Long left = jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + queue, Long.class);
		return (left != null) ? left : 0;
	}

	/**
	 * Counts the messages handled in each second of the warm-up and of the measurement, prints them, and
	 * returns the rate over the measurement.
	 */
	static double measure(Instances consumers, int instances, int seconds, String what) throws InterruptedException {
		// Messages handled in each second, warm-up included: the JVM's code is still being compiled in the
		// first seconds, on the same two cores as PostgreSQL, and the rate climbs until it is.
		StringBuilder perSecond = new StringBuilder();
		long previous = consumers.handled();
		for (int i = 0; i < WARM_UP_SECONDS; i++) {
			TimeUnit.SECONDS.sleep(1);
			long now = consumers.handled();
			perSecond.append(now - previous).append(' ');
			previous = now;
		}
		long c0 = consumers.handled();
		long t0 = System.nanoTime();
		for (int i = 0; i < seconds; i++) {
			TimeUnit.SECONDS.sleep(1);
			long now = consumers.handled();
			perSecond.append((i == 0) ? "| " : "").append(now - previous).append(' ');
			previous = now;
		}
		long c1 = consumers.handled();
		long t1 = System.nanoTime();
		double rate = (c1 - c0) / ((t1 - t0) / 1e9);
		System.out.printf(Locale.ROOT, "edge-runtime %s, %d instance(s), handled per second (warm-up | measured): %s%n",
				what, instances, perSecond.toString().trim());
		System.out.printf(Locale.ROOT, "edge-runtime %s, %d instance(s): %d handled in %.1f s: %.0f msg/s%n", what,
				instances, c1 - c0, (t1 - t0) / 1e9, rate);
		return rate;
	}

	/**
	 * The consumer instances of one measurement: the first a Spring context in this JVM (the producer sends
	 * through it), each further one a {@link SecondInstance} JVM or, with {@code -Dbench.queue.instances=contexts},
	 * another context in this JVM.
	 */
	static final class Instances implements AutoCloseable {

		private final String url;

		private final String queue;

		private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

		private final List<SecondInstance.Handle> processes = new ArrayList<>();

		Instances(String url, String queue) {
			this.url = url;
			this.queue = queue;
			this.contexts.add(start(url, queue, true));
		}

		ConfigurableApplicationContext first() {
			return this.contexts.get(0);
		}

		void add() throws IOException, InterruptedException {
			if (SEPARATE_PROCESSES) {
				this.processes.add(SecondInstance.launch(this.url, this.queue));
			}
			else {
				this.contexts.add(start(this.url, this.queue, true));
			}
		}

		/** Messages handled so far by every instance (another JVM's count is at most 50 ms old). */
		long handled() {
			long handled = consumed.get();
			for (SecondInstance.Handle process : this.processes) {
				handled += process.handled();
			}
			return handled;
		}

		@Override
		public void close() throws InterruptedException {
			for (int i = this.processes.size() - 1; i >= 0; i--) {
				this.processes.get(i).close();
			}
			for (int i = this.contexts.size() - 1; i >= 0; i--) {
				this.contexts.get(i).close();
			}
		}

	}

	/**
	 * A consumer instance in a JVM of its own: starts the same context as {@link #start}, prints
	 * {@code READY} once started, then {@code HANDLED <n>} every 50 ms, and closes its context and ends when its
	 * standard input is closed, after a last count.
	 */
	public static final class SecondInstance {

		private SecondInstance() {
		}

		public static void main(String[] args) throws Exception {
			ConfigurableApplicationContext context = start(args[0], args[1], true);
			System.out.println("READY");
			Thread reporter = new Thread(() -> {
				try {
					while (true) {
						System.out.println("HANDLED " + consumed.get());
						Thread.sleep(50);
					}
				}
				catch (InterruptedException ex) {
					// closing
				}
			}, "bench-reporter");
			reporter.setDaemon(true);
			reporter.start();
			while (System.in.read() != -1) {
				// until the harness closes this process's standard input
			}
			context.close();
			reporter.interrupt();
			reporter.join();
			System.out.println("HANDLED " + consumed.get());
			System.out.flush();
			System.exit(0);
		}

		/** Starts a second instance with this JVM's options and class path, and waits until it is started. */
		static Handle launch(String url, String queue) throws IOException, InterruptedException {
			List<String> command = new ArrayList<>();
			command.add(ProcessHandle.current().info().command().orElse("java"));
			for (String option : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
				// one recording and one debugger per file and port: those stay with the harness's JVM
				if (!option.startsWith("-XX:StartFlightRecording") && !option.startsWith("-agentlib:jdwp")) {
					command.add(option);
				}
			}
			command.addAll(List.of("-cp", System.getProperty("java.class.path"), SecondInstance.class.getName(), url,
					queue));
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			Handle handle = new Handle(process);
			if (!handle.ready.await(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("The second consumer instance did not start within 120 s");
			}
			return handle;
		}

		static final class Handle {

			private final Process process;

			private final AtomicLong handled = new AtomicLong();

			private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

			private final Thread reader;

			Handle(Process process) {
				this.process = process;
				this.reader = new Thread(this::read, "bench-second-instance-output");
				this.reader.setDaemon(true);
				this.reader.start();
			}

			private void read() {
				try (java.io.BufferedReader lines = process.inputReader(StandardCharsets.UTF_8)) {
					String line;
					while ((line = lines.readLine()) != null) {
						if (line.startsWith("HANDLED ")) {
							this.handled.set(Long.parseLong(line.substring("HANDLED ".length())));
						}
						else if (line.equals("READY")) {
							this.ready.countDown();
						}
						else {
							System.out.println("[second instance] " + line);
						}
					}
				}
				catch (IOException ex) {
					System.out.println("[second instance] output lost: " + ex);
				}
			}

			long handled() {
				return this.handled.get();
			}

			void close() throws InterruptedException {
				try {
					this.process.getOutputStream().close();
				}
				catch (IOException ex) {
					// already ended
				}
				if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
					System.out.println("WARNING: the second consumer instance did not end within 60 s; killed");
					this.process.destroyForcibly();
				}
				this.reader.join(10_000);
			}

		}

	}

	static double pgbench(String url, String pgbench, int clients, int seconds, Path work)
			throws IOException, InterruptedException {
		String queue = "bench_pg";
		URI uri = URI.create(url.substring("jdbc:".length()));
		JdbcTemplate jdbc = jdbc(url);
		createEmpty(url, queue, jdbc);
		vacuum(jdbc, queue);

		StringBuilder script = new StringBuilder();
		String[] messages = new String[BATCH];
		Arrays.fill(messages, "{\"sent\":0}");
		script.append("SELECT * FROM pgmq.send_batch('").append(queue).append("', ARRAY['")
			.append(String.join("','", messages))
			.append("']::text[]::jsonb[], NULL::text[]::jsonb[], clock_timestamp() + make_interval(secs => 0));\n");
		script.append("SELECT coalesce(array_agg(msg_id ORDER BY msg_id), '{}') AS ids FROM pgmq.read('").append(queue)
			.append("', 30, ").append(BATCH).append(", '{}'::jsonb) \\gset\n");
		script.append(deletes(queue));
		Path output = work.resolve("pgbench-c" + clients + ".txt");
		ProcessBuilder builder = pgbench(uri, pgbench, work, "pgbench-c" + clients, script, clients,
				seconds + WARM_UP_SECONDS);
		double[] before = functionCalls(jdbc);
		long t0 = System.nanoTime();
		int exit;
		try (Vacuuming vacuuming = new Vacuuming(url, queue, true)) {
			exit = builder.start().waitFor();
		}
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
	 * {@link #producer} does with {@code -Dbench.queue.backlog-check=sql} (batches of 10 with
	 * {@code pgmq.send_batch} while the queue holds fewer than the backlog's limit, its length read before
	 * every tenth batch and every millisecond while full; a pgbench client cannot count in the harness), and
	 * {@code clients} other pgbench clients consume with {@code pgmq.read} of up to 10 and the deletes of
	 * {@link #deletes}. The queue keeps a backlog, as it does for the runtime's consumers.
	 */
	static double pgbenchBacklog(String url, String pgbench, int clients, int seconds, Path work)
			throws IOException, InterruptedException {
		String queue = "bench_pgc";
		URI uri = URI.create(url.substring("jdbc:".length()));
		JdbcTemplate jdbc = jdbc(url);
		createEmpty(url, queue, jdbc);
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
		String consume = consumeScript(queue);
		String sequence = "pg_sequence_last_value(pg_get_serial_sequence('pgmq.q_" + queue + "', 'msg_id'))";
		Long first = jdbc.queryForObject("SELECT coalesce(" + sequence + ", 0)", Long.class);
		double[] before = functionCalls(jdbc);
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
		printCalls(jdbc, before, done, "pgbench with a backlog, -c " + clients);
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
	 * fast as it can while fewer than the backlog's limit wait. By default the backlog is counted in this
	 * process, as the messages sent less those the instances have handled (a second instance's count is at
	 * most 50 ms old), before every batch, and every millisecond while it is full: the database does nothing
	 * for it, as it does nothing for the coupled pgbench's clients. With
	 * {@code -Dbench.queue.backlog-check=sql} (the rounds before the sixteenth) the queue's length is read
	 * from the database before every tenth batch, and every millisecond while the queue is full, as pgbench's
	 * producer in {@link #pgbenchBacklog} does: a count of up to 2,000 rows, several hundred times a second.
	 */
	static Thread producer(PgmqTemplate pgmq, JdbcTemplate jdbc, String queue, AtomicLong sent,
			java.util.function.LongSupplier handled) {
		List<Ping> batch = Collections.nCopies(BATCH, new Ping(0));
		String length = "SELECT count(*) FROM (SELECT 1 FROM pgmq.q_" + queue + " LIMIT " + MAX_BACKLOG + ") s";
		boolean sqlCheck = "sql".equals(System.getProperty("bench.queue.backlog-check", "counted"));
		long handledBefore = handled.getAsLong();
		Thread producer = new Thread(() -> {
			try {
				int batches = 0;
				while (!Thread.currentThread().isInterrupted()) {
					if (!sqlCheck) {
						while (sent.get() - (handled.getAsLong() - handledBefore) >= MAX_BACKLOG) {
							FULL_CHECKS.incrementAndGet();
							Thread.sleep(1);
						}
					}
					else if (batches++ % 10 == 0) {
						while (queueLength(jdbc, length) >= MAX_BACKLOG) {
							FULL_CHECKS.incrementAndGet();
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

	private static long queueLength(JdbcTemplate jdbc, String sql) {
		LENGTH_CHECKS.incrementAndGet();
		Long length = jdbc.queryForObject(sql, Long.class);
		return (length != null) ? length : 0;
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

	/**
	 * VACUUMs a queue's table every {@link #VACUUM_EVERY} milliseconds from its own connection until
	 * closed; does nothing when that is 0.
	 */
	static final class Vacuuming implements AutoCloseable {

		private final @Nullable Thread thread;

		Vacuuming(String url, String queue, boolean byHarness) {
			if (VACUUM_EVERY <= 0 || !byHarness) {
				this.thread = null;
				return;
			}
			JdbcTemplate jdbc = jdbc(url);
			this.thread = new Thread(() -> {
				try {
					while (!Thread.currentThread().isInterrupted()) {
						Thread.sleep(VACUUM_EVERY);
						vacuum(jdbc, queue);
					}
				}
				catch (InterruptedException ex) {
					// closed
				}
			}, "bench-vacuum");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		@Override
		public void close() throws InterruptedException {
			if (this.thread != null) {
				this.thread.interrupt();
				this.thread.join(60_000);
			}
		}

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

	/** pgbench's consuming transaction: {@code pgmq.read} of up to 10, then the deletes of {@link #deletes}. */
	static String consumeScript(String queue) {
		return "SELECT coalesce(array_agg(msg_id ORDER BY msg_id), '{}') AS ids FROM pgmq.read('" + queue + "', 30, " + BATCH
				+ ", '{}'::jsonb) \\gset\n" + deletes(queue);
	}

	/**
	 * pgbench's deletes of the messages one read returned: one {@code pgmq.delete} of all of them (the
	 * default, as the runtime's handlers that finish together do, at best), or with
	 * {@code -Dbench.queue.pgbench-delete=single} one per message (as the runtime did before it completed
	 * handlers together).
	 */
	static String deletes(String queue) {
		if ("single".equals(System.getProperty("bench.queue.pgbench-delete", "batch"))) {
			StringBuilder script = new StringBuilder();
			for (int i = 1; i <= BATCH; i++) {
				script.append("SELECT pgmq.delete('").append(queue).append("', (:ids::bigint[])[").append(i).append("]);\n");
			}
			return script.toString();
		}
		return "SELECT * FROM pgmq.delete('" + queue + "', :ids::bigint[]);\n";
	}

	/**
	 * Calls so far of {@code pgmq.send_batch}, {@code read}, {@code delete} of one message and
	 * {@code delete} of several (the first four), and the time PostgreSQL spent in each, in milliseconds (the
	 * last four), from {@code pg_stat_user_functions}; counted only in sessions that set
	 * {@code track_functions}.
	 */
	static double[] functionCalls(JdbcTemplate jdbc) {
		// The statistics of other sessions reach the view within a second or so of their transactions.
		try {
			Thread.sleep(1_500);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		jdbc.execute("SELECT pg_stat_clear_snapshot()");
		double[] calls = new double[8];
		String[] names = { "send_batch", "read", "delete", "delete" };
		String[] secondArgument = { "", "", "int8", "_int8" };
		for (int i = 0; i < names.length; i++) {
			Map<String, Object> row = jdbc.queryForMap("""
					SELECT coalesce(sum(s.calls), 0) AS calls, coalesce(sum(s.total_time), 0) AS total_time
					FROM pg_stat_user_functions s JOIN pg_proc p ON p.oid = s.funcid
					WHERE s.schemaname = 'pgmq' AND s.funcname = ?
					AND (? = '' OR p.proargtypes[1] = ?::regtype)
					AND (? <> 'send_batch' OR p.pronargs = 4 AND p.proargtypes[3] = 'timestamptz'::regtype)
					""", names[i], secondArgument[i], secondArgument[i].isEmpty() ? "int8" : secondArgument[i], names[i]);
			calls[i] = ((Number) row.get("calls")).doubleValue();
			calls[4 + i] = ((Number) row.get("total_time")).doubleValue();
		}
		return calls;
	}

	static void printCalls(JdbcTemplate jdbc, double[] before, long messages, String who) {
		double[] after = functionCalls(jdbc);
		double[] per = new double[8];
		for (int i = 0; i < 8; i++) {
			per[i] = (after[i] - before[i]) / messages;
		}
		System.out.printf(Locale.ROOT, "%s: per message handled: %.3f send_batch, %.3f read, %.3f delete (one id), "
				+ "%.3f delete (several) calls; time inside them, us per message: %.1f, %.1f, %.1f, %.1f "
				+ "(%d messages, warm-up included)%n", who, per[0], per[1], per[2], per[3], per[4] * 1000, per[5] * 1000,
				per[6] * 1000, per[7] * 1000, messages);
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
