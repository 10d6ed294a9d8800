package dev.edgeruntime.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Submit-to-completion of one {@link Runnable}: {@code EdgeRuntime.waitUntil(Runnable)} ({@code runtime})
 * against the bare executor of the same kind and configuration ({@code bare}) and against Spring's
 * {@code @Async} on Spring Boot's default executor ({@code async}), all in the same run.
 * <ul>
 * <li>{@link #latency}: submit one task and wait until it has run (the task counts down a latch).</li>
 * <li>{@link #latencyHandle}: submit one task and wait on what the submit returned (the runtime's
 * {@code TaskHandle.result()}, the executor's {@code Future}, the {@code @Async} method's
 * {@code CompletableFuture}).</li>
 * <li>{@link #throughput}: submit a batch of {@value #BATCH} tasks, then wait until all have run; the
 * score is the average time per task.</li>
 * </ul>
 * The latencies are sampled ({@code Mode.SampleTime}): on a shared machine their median is far steadier
 * than their mean, which a few scheduler stalls dominate.
 * {@code threads=platform} uses the auto-configuration's thread pool, {@code threads=virtual} (Java 21+)
 * its virtual-thread executor.
 *
 * @author edge-runtime developers
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch" })
public class SubmitBenchmark {

	/** Tasks per batch in {@link #throughput}. */
	public static final int BATCH = 1000;

	@Param({ "bare", "runtime", "async" })
	public String target;

	@Param({ "platform" })
	public String threads;

	/**
	 * {@code none} leaves the MDC decorator and the MDC task-id listener out of the runtime (the
	 * auto-configuration applies both where SLF4J is present).
	 */
	@Param({ "mdc" })
	public String decorator;

	/** {@code none} leaves the servlet origin resolver out of the runtime (the auto-configuration uses it). */
	@Param({ "servlet" })
	public String origin;

	private Targets.Target submitter;

	@Setup(Level.Trial)
	public void setUp() {
		this.submitter = Targets.create(this.target, "virtual".equals(this.threads), "mdc".equals(this.decorator),
				"servlet".equals(this.origin));
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.submitter.close();
		if ("platform".equals(this.threads) && !"async".equals(this.target)) {
			// the pool hands a task to an idle thread or starts a new one: how often it had to start one
			System.out.println("(platform threads started by the pool in this trial: "
					+ Targets.CountingThreadFactory.created.getAndSet(0) + ")");
		}
	}

	@Benchmark
	@BenchmarkMode(Mode.SampleTime)
	public void latency() throws InterruptedException {
		CountDownLatch done = new CountDownLatch(1);
		this.submitter.fire(done::countDown);
		done.await();
	}

	@Benchmark
	@BenchmarkMode(Mode.SampleTime)
	public Object latencyHandle() throws Exception {
		CountDownLatch done = new CountDownLatch(1);
		return this.submitter.submit(done::countDown).get();
	}

	@Benchmark
	@OperationsPerInvocation(BATCH)
	public void throughput() throws InterruptedException {
		CountDownLatch done = new CountDownLatch(BATCH);
		Runnable work = done::countDown;
		for (int i = 0; i < BATCH; i++) {
			this.submitter.fire(work);
		}
		done.await();
	}

}
