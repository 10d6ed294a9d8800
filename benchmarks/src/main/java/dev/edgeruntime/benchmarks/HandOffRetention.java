package dev.edgeruntime.benchmarks;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Shows what keeps a pooled task's runnable reachable after it ran: how many payloads of tasks that have
 * finished still survive young collections, for the runtime's default pool (a {@code ThreadPoolExecutor}
 * over a {@code SynchronousQueue}) used bare, for a fixed pool over a {@code LinkedBlockingQueue}, and for
 * the runtime itself (as the benchmarks build it: MDC decorator and listener, servlet origin) on the first
 * kind of pool.
 * <p>
 * Each case starts as many threads as it has tasks and lets them fall idle, waiting in the queue; then
 * allocates until the idle threads' wait nodes have been promoted to the old generation; then hands every
 * thread a task that holds a 1 KB payload for 50 ms; then, once all have finished, allocates again (young
 * collections only) and counts the payloads still alive, and again after a full collection.
 * <p>
 * Run with a small young generation and a low tenuring threshold, so that a few hundred MB of allocation
 * promote the wait nodes: {@code java -XX:+UseG1GC -Xmx1g -Xmn64m -XX:MaxTenuringThreshold=2 -cp
 * benchmarks/target/benchmarks.jar dev.edgeruntime.benchmarks.HandOffRetention}.
 *
 * @author edge-runtime developers
 */
public final class HandOffRetention {

	private static final int TASKS = 100;

	private static final int CHURN_MB = 1000;

	private static volatile Object sink;

	private HandOffRetention() {
	}

	public static void main(String[] args) throws Exception {
		System.out.println("Java " + Runtime.version() + "; " + TASKS + " tasks per case, each payload 1 KB");
		ThreadPoolExecutor synchronous = Targets.platformExecutor();
		report("pool over a SynchronousQueue, bare", measure(synchronous));
		synchronous.shutdownNow();
		ThreadPoolExecutor linked = new ThreadPoolExecutor(TASKS, TASKS, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>());
		report("pool over a LinkedBlockingQueue, bare", measure(linked));
		linked.shutdownNow();
		Targets.RuntimeTarget runtime = Targets.runtime(false, 4 * TASKS, 1000);
		report("the runtime, pool over a SynchronousQueue", measure(runtime::fire));
		runtime.close();
	}

	private static void report(String name, long[] alive) {
		System.out.printf("%-42s payloads of finished tasks alive: after young collections %3d of %d, after"
				+ " a full collection %3d%n", name, alive[0], TASKS, alive[1]);
	}

	private static long[] measure(Executor executor) throws InterruptedException {
		fallIdle(executor);
		List<WeakReference<Object>> payloads = new ArrayList<>();
		CountDownLatch done = new CountDownLatch(TASKS);
		for (int i = 0; i < TASKS; i++) {
			Object payload = new byte[1024];
			payloads.add(new WeakReference<>(payload));
			executor.execute(() -> hold(payload, done));
		}
		done.await();
		Thread.sleep(300); // the threads are back in the queue
		churn();
		long afterYoung = payloads.stream().filter((reference) -> reference.get() != null).count();
		System.gc();
		Thread.sleep(200);
		long afterFull = payloads.stream().filter((reference) -> reference.get() != null).count();
		return new long[] { afterYoung, afterFull };
	}

	/** Starts a thread per task, lets them all fall idle in the queue, then ages their wait nodes. */
	private static void fallIdle(Executor executor) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(TASKS);
		CountDownLatch go = new CountDownLatch(1);
		for (int i = 0; i < TASKS; i++) {
			executor.execute(() -> {
				started.countDown();
				try {
					go.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		started.await();
		go.countDown();
		Thread.sleep(300);
		churn();
	}

	private static void hold(Object payload, CountDownLatch done) {
		try {
			Thread.sleep(50); // long enough that every idle thread takes one task
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (payload.hashCode() == 0) {
			System.out.print(""); // uses the payload, so the task holds it until here
		}
		done.countDown();
	}

	/** Allocates short-lived arrays: young collections only. */
	private static void churn() {
		for (int i = 0; i < CHURN_MB * 16; i++) {
			sink = new byte[64 * 1024];
		}
	}

}
