package dev.edgeruntime.runtime;

import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;

import org.jspecify.annotations.Nullable;

/**
 * Now, in nanoseconds since the epoch: the form tasks keep their timestamps in.
 * <p>
 * The system clock is read as {@link System#nanoTime()} from one anchor on the wall clock, taken when the
 * clock is made: the timeline is monotonic, so differences between timestamps (a task's wall-clock budget,
 * its elapsed time, a retention age) are time that passed, whatever the system clock does meanwhile (an
 * operator setting it, NTP stepping it). When a timestamp is shown ({@link #instant(long)}) it is moved by
 * how far the wall clock now stands from the timeline, measured again at most once a second: shown
 * timestamps follow a step of the wall clock within a second. A new measurement within a millisecond (and
 * its own uncertainty) of the last one is not taken: a measurement moves by fractions of a microsecond from
 * one to the next, and a timestamp shown, a finished task's say, reads the same every time it is shown.
 * Every task takes three timestamps, and
 * {@code Instant.now()} goes through a native call ({@code VM.getNanoTimeAdjustment}) where
 * {@code nanoTime()} is an intrinsic. Any other {@link InstantSource} (a test's) is read as it is, every
 * time, and shown as it is.
 *
 * @author edge-runtime developers
 */
final class TaskClock {

	private static final long REMEASURE_AFTER_NANOS = 1_000_000_000L;

	/** How far the wall clock must have moved from the timeline before shown timestamps follow it. */
	private static final long STEP_NANOS = 1_000_000L;

	private final long remeasureAfterNanos;

	private final InstantSource source;

	private final boolean system;

	/** The timeline's anchor: the wall clock's time, and {@code nanoTime()}, when the clock was made. */
	private final long baseEpochNanos;

	private final long baseNanoTime;

	private volatile @Nullable Offset offset;

	TaskClock(InstantSource source) {
		this(source, REMEASURE_AFTER_NANOS);
	}

	/**
	 * A clock that measures the wall clock's distance from its timeline at most every so often (tests).
	 * @param source the wall clock
	 * @param remeasureAfterNanos how long a measurement is used for
	 */
	TaskClock(InstantSource source, long remeasureAfterNanos) {
		this.remeasureAfterNanos = remeasureAfterNanos;
		this.source = source;
		this.system = isSystem(source);
		long before = System.nanoTime();
		Instant wall = source.instant();
		long after = System.nanoTime();
		this.baseEpochNanos = TrackedTask.epochNanos(wall);
		this.baseNanoTime = before + (after - before) / 2;
	}

	private static boolean isSystem(InstantSource source) {
		if (source == InstantSource.system()) {
			return true;
		}
		return source instanceof Clock clock && clock.equals(Clock.system(clock.getZone()));
	}

	/**
	 * Now, on the timeline tasks keep their timestamps in.
	 * @return nanoseconds since the epoch, as the wall clock stood when the clock was made plus the time passed
	 */
	long epochNanos() {
		if (!this.system) {
			return TrackedTask.epochNanos(this.source.instant());
		}
		return this.baseEpochNanos + (System.nanoTime() - this.baseNanoTime);
	}

	/**
	 * A timestamp of the timeline, as the wall clock now reads it.
	 * @param epochNanos the timestamp
	 * @return the instant to show
	 */
	Instant instant(long epochNanos) {
		if (!this.system) {
			return Instant.ofEpochSecond(0, epochNanos);
		}
		return Instant.ofEpochSecond(0, epochNanos + offsetNanos());
	}

	private long offsetNanos() {
		Offset offset = this.offset;
		long now = System.nanoTime();
		if (offset == null || now - offset.measuredAt >= this.remeasureAfterNanos || now - offset.measuredAt < 0) {
			long before = System.nanoTime();
			Instant wall = this.source.instant();
			long after = System.nanoTime();
			long middle = before + (after - before) / 2;
			long measured = TrackedTask.epochNanos(wall) - (this.baseEpochNanos + (middle - this.baseNanoTime));
			// the wall clock was read somewhere between before and after
			long uncertainty = (after - before) / 2;
			boolean stepped = offset == null || Math.abs(measured - offset.nanos) > STEP_NANOS + uncertainty;
			offset = new Offset(stepped ? measured : offset.nanos, middle);
			this.offset = offset;
		}
		return offset.nanos;
	}

	/** How far the wall clock stood from the timeline, and when that was measured. */
	private record Offset(long nanos, long measuredAt) {
	}

}
