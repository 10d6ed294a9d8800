package dev.edgeruntime.benchmarks.drain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.EdgeRuntime;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Drain time at shutdown (issue 8, item 5), run as its own JVM by {@code scripts/bench.sh drain}.
 * <p>
 * N tasks (10,000) are started and held at a gate, so that all N are in flight; then the gate opens (each
 * task then sleeps {@code sleepMillis}, 5 ms) and, at the same instant:
 * <ul>
 * <li><b>close</b>: the Spring context (the runtime with the auto-configuration's defaults, grace period
 * 20 s) is closed; the figure is how long {@code close()} takes, and every task must have completed;</li>
 * <li><b>complete</b> (baseline 1): the same tasks through the runtime simply complete, no close; the
 * figure is how long until the last one has run and the runtime has released its place (what the drain
 * waits for);</li>
 * <li><b>bare</b> (baseline 2): the same tasks on a bare executor of the same kind as the runtime's
 * ({@code ThreadPoolExecutor(0, MAX, 60 s, SynchronousQueue)} on platform threads, a virtual thread per task
 * with {@code spring.threads.virtual.enabled=true}), then {@code shutdown()} and
 * {@code awaitTermination};</li>
 * <li><b>idle close</b>: closing the same context with no task in flight, the part of the close that is not
 * draining.</li>
 * </ul>
 * Arguments: tasks, sleep in ms, rounds, {@code virtual} or {@code platform}. Prints a Markdown table of
 * the medians over the rounds.
 *
 * @author edge-runtime developers
 */
@SpringBootApplication(proxyBeanMethods = false)
public class DrainBench {

	public static void main(String[] args) throws Exception {
		int tasks = Integer.parseInt(args[0]);
		long sleepMillis = Long.parseLong(args[1]);
		int rounds = Integer.parseInt(args[2]);
		boolean virtual = "virtual".equals(args[3]);
		List<Double> close = new ArrayList<>();
		List<Double> complete = new ArrayList<>();
		List<Double> bare = new ArrayList<>();
		List<Double> idle = new ArrayList<>();
		for (int round = -1; round < rounds; round++) {
			// Round -1 warms up and is not counted.
			double c = runtime(tasks, sleepMillis, virtual, true);
			double b = runtime(tasks, sleepMillis, virtual, false);
			double e = bare(tasks, sleepMillis, virtual);
			double i = idleClose(virtual);
			System.out.printf(Locale.ROOT, "round %d: close %.1f ms, complete %.1f ms, bare %.1f ms, idle close %.1f ms%n",
					round, c, b, e, i);
			if (round >= 0) {
				close.add(c);
				complete.add(b);
				bare.add(e);
				idle.add(i);
			}
		}
		double mc = median(close);
		double mb = median(complete);
		double me = median(bare);
		System.out.println();
		System.out.printf(Locale.ROOT, "Drain of %,d in-flight tasks of %d ms each, %s threads, Java %s; median of %d rounds, ms.%n%n",
				tasks, sleepMillis, virtual ? "virtual" : "platform", Runtime.version().feature(), rounds);
		System.out.println("| threads | close with N in flight | baseline: N complete, no close | ratio | baseline: bare executor shutdown+awaitTermination | ratio | idle close |");
		System.out.println("|---|---:|---:|---:|---:|---:|---:|");
		System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2fx | %.1f | %.2fx | %.1f |%n", virtual ? "virtual" : "platform",
				mc, mb, mc / mb, me, mc / me, median(idle));
	}

	static ConfigurableApplicationContext start(int tasks, boolean virtual) {
		return new SpringApplicationBuilder(DrainBench.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.run("--edge-runtime.max-in-flight=" + (tasks + 1), "--spring.threads.virtual.enabled=" + virtual,
					"--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
	}

	/** Milliseconds from opening the gate to the close returning (close) or the last task ending. */
	static double runtime(int tasks, long sleepMillis, boolean virtual, boolean close) throws InterruptedException {
		ConfigurableApplicationContext context = start(tasks, virtual);
		EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
		CountDownLatch gate = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(tasks);
		CountDownLatch done = new CountDownLatch(tasks);
		AtomicInteger interrupted = new AtomicInteger();
		for (int i = 0; i < tasks; i++) {
			runtime.waitUntil(() -> work(gate, started, done, sleepMillis, interrupted));
		}
		started.await();
		long t0 = System.nanoTime();
		gate.countDown();
		if (close) {
			context.close();
		}
		else {
			done.await();
			// Until the runtime has finished with every task (its place released), as the drain waits for.
			while (runtime.status().inFlight() > 0) {
				Thread.sleep(0, 100_000);
			}
		}
		long t1 = System.nanoTime();
		if (!close) {
			context.close();
		}
		if (done.getCount() != 0 || interrupted.get() != 0) {
			throw new IllegalStateException(done.getCount() + " tasks not completed, " + interrupted + " interrupted");
		}
		return (t1 - t0) / 1e6;
	}

	static double bare(int tasks, long sleepMillis, boolean virtual) throws Exception {
		ExecutorService executor = virtual
				? (ExecutorService) Class.forName("java.util.concurrent.Executors")
					.getMethod("newVirtualThreadPerTaskExecutor")
					.invoke(null)
				: new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
						new CustomizableThreadFactory("bare-"));
		CountDownLatch gate = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(tasks);
		CountDownLatch done = new CountDownLatch(tasks);
		AtomicInteger interrupted = new AtomicInteger();
		for (int i = 0; i < tasks; i++) {
			executor.execute(() -> work(gate, started, done, sleepMillis, interrupted));
		}
		started.await();
		long t0 = System.nanoTime();
		gate.countDown();
		executor.shutdown();
		if (!executor.awaitTermination(60, TimeUnit.SECONDS) || done.getCount() != 0) {
			throw new IllegalStateException("the bare executor did not terminate");
		}
		return (System.nanoTime() - t0) / 1e6;
	}

	static double idleClose(boolean virtual) {
		ConfigurableApplicationContext context = start(1, virtual);
		long t0 = System.nanoTime();
		context.close();
		return (System.nanoTime() - t0) / 1e6;
	}

	static void work(CountDownLatch gate, CountDownLatch started, CountDownLatch done, long sleepMillis,
			AtomicInteger interrupted) {
		started.countDown();
		try {
			gate.await();
			Thread.sleep(sleepMillis);
			done.countDown();
		}
		catch (InterruptedException ex) {
			interrupted.incrementAndGet();
			Thread.currentThread().interrupt();
		}
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

}
