package dev.edgeruntime.runtime;

import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Now, in nanoseconds since the epoch: the form tasks keep their timestamps in.
 * <p>
 * The system clock is read as {@link System#nanoTime()} from an anchor on the wall clock that is renewed
 * every second. Every task takes three timestamps, and {@code Instant.now()} goes through a native call
 * ({@code VM.getNanoTimeAdjustment}) where {@code nanoTime()} is an intrinsic. Between renewals the two
 * clocks drift apart by parts per million; a wall-clock step shows within a second. Any other
 * {@link InstantSource} (a test's) is read as it is, every time.
 *
 * @author edge-runtime developers
 */
final class TaskClock {

	private static final long RENEW_AFTER_NANOS = 1_000_000_000L;

	private final InstantSource source;

	private final boolean system;

	private volatile Anchor anchor;

	TaskClock(InstantSource source) {
		this.source = source;
		this.system = isSystem(source);
		this.anchor = renew();
	}

	private static boolean isSystem(InstantSource source) {
		if (source == InstantSource.system()) {
			return true;
		}
		return source instanceof Clock clock && clock.equals(Clock.system(clock.getZone()));
	}

	long epochNanos() {
		if (!this.system) {
			return TrackedTask.epochNanos(this.source.instant());
		}
		Anchor anchor = this.anchor;
		long since = System.nanoTime() - anchor.nanoTime;
		if (since < 0 || since >= RENEW_AFTER_NANOS) {
			anchor = renew();
			since = System.nanoTime() - anchor.nanoTime;
		}
		return anchor.epochNanos + since;
	}

	private Anchor renew() {
		long before = System.nanoTime();
		Instant wall = this.source.instant();
		long after = System.nanoTime();
		Anchor anchor = new Anchor(TrackedTask.epochNanos(wall), before + (after - before) / 2);
		this.anchor = anchor;
		return anchor;
	}

	private record Anchor(long epochNanos, long nanoTime) {
	}

}
