package dev.edgeruntime.runtime;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * The hand-off queue of the runtime's platform-thread pool: a {@link SynchronousQueue} whose idle threads
 * retire at staggered times. Each time an idle thread of a {@link ThreadPoolExecutor} waits for its next
 * task, it waits its keep-alive plus up to as much again, at random, before it gives up and ends.
 * <p>
 * Without this, the threads a burst of work started fall idle together and reach their keep-alive
 * together, and thousands of threads ending at once stall the pool and the JVM: in the project's
 * measurements on Java 17 (about 4,000 idle threads), new tasks waited up to 275 ms for the pool and a
 * thread parking for 1 ms overslept by up to 45 ms (see {@code KeepAliveStall} in the benchmarks, and
 * docs/benchmarks.md). Spread over a keep-alive, they end a few at a time.
 *
 * @author edge-runtime developers
 */
public final class StaggeredHandOffQueue extends SynchronousQueue<Runnable> {

	private final LongUnaryOperator extra;

	/**
	 * Creates a queue whose waits are lengthened by up to one more wait, at random.
	 */
	public StaggeredHandOffQueue() {
		this((nanos) -> (nanos > 0) ? ThreadLocalRandom.current().nextLong(nanos) : 0);
	}

	/**
	 * Creates a queue whose waits are lengthened by the given function of the wait.
	 * @param extra how much to add to a wait of the given length, in nanoseconds, at least zero
	 */
	StaggeredHandOffQueue(LongUnaryOperator extra) {
		super(false);
		this.extra = extra;
	}

	@Override
	public @Nullable Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
		return super.poll(waitNanos(unit.toNanos(timeout)), TimeUnit.NANOSECONDS);
	}

	/**
	 * How long a wait for the given time actually waits.
	 * @param nanos the time asked for
	 * @return that time and the random part, saturated at {@link Long#MAX_VALUE}
	 */
	long waitNanos(long nanos) {
		if (nanos <= 0) {
			return nanos;
		}
		long total = nanos + this.extra.applyAsLong(nanos);
		return (total < nanos) ? Long.MAX_VALUE : total;
	}

}
