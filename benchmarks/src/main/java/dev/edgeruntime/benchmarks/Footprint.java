package dev.edgeruntime.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.runtime.VirtualTaskExecutor;

/**
 * Heap footprint of tracked tasks (issue 8, item 2), on virtual threads (Java 21+):
 * <ol>
 * <li>in flight: N tasks parked on a latch (as a sleeping task is), started through the runtime and,
 * separately, through the bare virtual-thread executor; the heap used after a full GC, less the heap
 * before, divided by N. The difference between the two is what tracking costs per task.</li>
 * <li>retained finished: N tasks that have finished and are kept in the registry (retention max-count N),
 * against the heap once they are evicted.</li>
 * </ol>
 * Run it with {@code java -cp benchmarks.jar dev.edgeruntime.benchmarks.Footprint 10000 100000}; give the
 * heap room ({@code -Xmx2g}). Heap use is read from the MemoryMXBean after several {@code System.gc()}.
 *
 * @author edge-runtime developers
 */
public final class Footprint {

	private static final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private static final int ROUNDS = Integer.getInteger("footprint.rounds", 3);

	private static final int WARM_UP = Integer.getInteger("footprint.warmup", 50_000);

	private static final boolean VERBOSE = Boolean.getBoolean("footprint.verbose");

	private Footprint() {
	}

	public static void main(String[] args) throws Exception {
		if (Runtime.version().feature() < 21) {
			System.out.println("The footprint harness needs Java 21+ (virtual threads); this is "
					+ Runtime.version());
			return;
		}
		int[] counts = (args.length > 0) ? new int[args.length] : new int[] { 10_000, 100_000 };
		for (int i = 0; i < args.length; i++) {
			counts[i] = Integer.parseInt(args[i]);
		}
		System.out.printf("Java %s, max heap %d MB%n", Runtime.version(),
				Runtime.getRuntime().maxMemory() / (1024 * 1024));
		// Warm up class loading and the JIT first: a task parked in interpreted code has larger frames on
		// its virtual thread's stack than the same task in compiled code.
		for (int i = 0; i < 3; i++) {
			inFlightBare(WARM_UP);
			inFlightRuntime(WARM_UP);
			retained(WARM_UP);
		}
		System.out.println();
		System.out.println("| tasks | bare executor, bytes/task | runtime, bytes/task | ratio | tracking, bytes/task |"
				+ " retained finished, bytes/task |");
		System.out.println("|---:|---:|---:|---:|---:|---:|");
		for (int n : counts) {
			// alternate the two, and keep each one's smallest figure of three
			double bare = Double.MAX_VALUE;
			double runtime = Double.MAX_VALUE;
			double retained = Double.MAX_VALUE;
			for (int round = 0; round < ROUNDS; round++) {
				double b = inFlightBare(n);
				double r = inFlightRuntime(n);
				double f = retained(n);
				bare = Math.min(bare, b);
				runtime = Math.min(runtime, r);
				retained = Math.min(retained, f);
				if (VERBOSE) {
					System.out.printf(Locale.ROOT, "  n=%d round %d: bare %.0f, runtime %.0f, retained %.0f%n", n, round,
							b, r, f);
				}
			}
			System.out.printf(Locale.ROOT, "| %,d | %,.0f | %,.0f | %.2fx | %,.0f | %,.0f |%n", n, bare, runtime,
					runtime / bare, runtime - bare, retained);
		}
	}

	/** Bytes per task parked on the bare virtual-thread executor. */
	static double inFlightBare(int n) throws InterruptedException {
		VirtualTaskExecutor executor = Targets.virtualExecutor();
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(n);
		CountDownLatch ended = new CountDownLatch(n);
		Runnable work = parked(release, started, ended);
		long before = usedAfterGc();
		for (int i = 0; i < n; i++) {
			executor.execute(work);
		}
		started.await();
		long during = usedAfterGc();
		release.countDown();
		ended.await();
		return (double) (during - before) / n;
	}

	/** Bytes per task parked in the runtime on its virtual-thread executor. */
	static double inFlightRuntime(int n) throws InterruptedException {
		try (Targets.RuntimeTarget target = Targets.runtime(true, n + 1, 1000)) {
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch started = new CountDownLatch(n);
			CountDownLatch ended = new CountDownLatch(n);
			Runnable work = parked(release, started, ended);
			long before = usedAfterGc();
			for (int i = 0; i < n; i++) {
				target.fire(work);
			}
			started.await();
			long during = usedAfterGc();
			release.countDown();
			ended.await();
			return (double) (during - before) / n;
		}
	}

	/** Bytes per finished task retained by the registry (retention max-count = n). */
	static double retained(int n) throws InterruptedException {
		try (Targets.RuntimeTarget target = Targets.runtime(true, n + 1, n)) {
			CountDownLatch ended = new CountDownLatch(n);
			long before = usedAfterGc();
			for (int i = 0; i < n; i++) {
				target.fire(ended::countDown);
			}
			ended.await();
			while (target.runtime.status().inFlight() > 0) {
				TimeUnit.MILLISECONDS.sleep(10);
			}
			long retained = usedAfterGc();
			if (target.runtime.status().retained() < n) {
				throw new IllegalStateException("Expected " + n + " retained tasks, found "
						+ target.runtime.status().retained());
			}
			return (double) (retained - before) / n;
		}
	}

	private static Runnable parked(CountDownLatch release, CountDownLatch started, CountDownLatch ended) {
		return () -> {
			started.countDown();
			try {
				release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				ended.countDown();
			}
		};
	}

	static long usedAfterGc() throws InterruptedException {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 4; i++) {
			System.gc();
			TimeUnit.MILLISECONDS.sleep(50);
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}
