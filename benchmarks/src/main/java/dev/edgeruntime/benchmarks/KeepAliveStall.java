package dev.edgeruntime.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.edgeruntime.runtime.StaggeredHandOffQueue;

/**
 * Looks for the stall the HTTP benchmark saw about 60 s after a burst: a pool like the runtime's default
 * (no core threads, no maximum, a {@code SynchronousQueue}, 60 s keep-alive) starts thousands of threads
 * for a burst of sleeping tasks, which then fall idle together and reach their keep-alive together.
 * <p>
 * After the burst a steady stream of small tasks goes through the same pool (a request's hand-off to a
 * background task), at a fixed rate, and each second prints the longest time from {@code execute} to the
 * task running, and the longest oversleep of a thread that parks for 1 ms (a stall of the whole JVM,
 * such as a safepoint held up). If idle threads retiring together stall the pool or the JVM, the seconds
 * around the keep-alive show it.
 * <p>
 * {@code java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar dev.edgeruntime.benchmarks.KeepAliveStall
 * [threads] [keep-alive seconds] [seconds to watch] [staggered]}, defaults 5000, 20, 35, {@code false};
 * {@code true} uses the runtime's {@link StaggeredHandOffQueue}, whose idle threads wait the keep-alive
 * plus up to as much again at random before they retire.
 *
 * @author edge-runtime developers
 */
public final class KeepAliveStall {

	private KeepAliveStall() {
	}

	public static void main(String[] args) throws Exception {
		int threads = (args.length > 0) ? Integer.parseInt(args[0]) : 5000;
		int keepAlive = (args.length > 1) ? Integer.parseInt(args[1]) : 20;
		int watch = (args.length > 2) ? Integer.parseInt(args[2]) : 35;
		boolean staggered = args.length > 3 && Boolean.parseBoolean(args[3]);
		SynchronousQueue<Runnable> queue = staggered ? new StaggeredHandOffQueue() : new SynchronousQueue<>();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAlive, TimeUnit.SECONDS, queue);
		System.out.printf("Java %s; burst of %d sleeping tasks, keep-alive %d s, staggered %s%n", Runtime.version(),
				threads, keepAlive, staggered);
		CountDownLatch burst = new CountDownLatch(threads);
		for (int i = 0; i < threads; i++) {
			pool.execute(() -> {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
				burst.countDown();
			});
		}
		burst.await();
		long idleSince = System.nanoTime();
		System.out.printf("burst done; pool size %d%n", pool.getPoolSize());
		AtomicLong worstHandOff = new AtomicLong();
		AtomicLong worstPark = new AtomicLong();
		Thread parker = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				long start = System.nanoTime();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
				long over = System.nanoTime() - start - TimeUnit.MILLISECONDS.toNanos(1);
				worstPark.accumulateAndGet(over, Math::max);
			}
		}, "parker");
		parker.setDaemon(true);
		parker.start();
		long intervalNanos = TimeUnit.MILLISECONDS.toNanos(2); // 500 hand-offs a second
		long next = System.nanoTime();
		long secondEnds = next + TimeUnit.SECONDS.toNanos(1);
		long end = next + TimeUnit.SECONDS.toNanos(watch);
		System.out.println("second since idle, pool size, longest hand-off ms, longest 1 ms park overshoot ms");
		while (next < end) {
			long now;
			while ((now = System.nanoTime()) < next) {
				LockSupport.parkNanos(next - now);
			}
			long submitted = System.nanoTime();
			pool.execute(() -> worstHandOff.accumulateAndGet(System.nanoTime() - submitted, Math::max));
			next += intervalNanos;
			if (next >= secondEnds) {
				System.out.printf("%5.1f %6d %8.2f %8.2f%n", (secondEnds - idleSince) / 1e9, pool.getPoolSize(),
						worstHandOff.getAndSet(0) / 1e6, worstPark.getAndSet(0) / 1e6);
				secondEnds += TimeUnit.SECONDS.toNanos(1);
			}
		}
		parker.interrupt();
		pool.shutdownNow();
	}

}
