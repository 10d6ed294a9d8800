package dev.edgeruntime.runtime;

import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskClock}.
 *
 * @author edge-runtime developers
 */
class TaskClockTests {

	/** What the anchored clock may differ from the wall clock by: drift within a second is far less. */
	private static final long TOLERANCE_NANOS = 5_000_000;

	@Test
	void systemClockShouldTellTheWallClockTime() {
		TaskClock clock = new TaskClock(InstantSource.system());
		for (int i = 0; i < 1_000; i++) {
			long before = TrackedTask.epochNanos(Instant.now());
			long now = clock.epochNanos();
			long after = TrackedTask.epochNanos(Instant.now());
			assertThat(now).isBetween(before - TOLERANCE_NANOS, after + TOLERANCE_NANOS);
		}
	}

	@Test
	void systemClockShouldNotGoBackByMoreThanTheDriftAtARenewal() {
		TaskClock clock = new TaskClock(Clock.systemUTC());
		long previous = clock.epochNanos();
		for (int i = 0; i < 10_000; i++) {
			long now = clock.epochNanos();
			assertThat(now).isGreaterThanOrEqualTo(previous - TOLERANCE_NANOS);
			previous = now;
		}
	}

	@Test
	void otherSourcesShouldBeReadEveryTime() {
		AtomicReference<Instant> time = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
		TaskClock clock = new TaskClock(time::get);
		assertThat(clock.epochNanos()).isEqualTo(TrackedTask.epochNanos(Instant.parse("2026-01-01T00:00:00Z")));
		time.set(Instant.parse("2026-01-01T00:00:01.000000123Z"));
		assertThat(clock.epochNanos()).isEqualTo(TrackedTask.epochNanos(Instant.parse("2026-01-01T00:00:01.000000123Z")));
	}

	@Test
	void fixedClockShouldBeReadAsItIs() {
		Instant fixed = Instant.parse("2030-06-01T12:00:00.5Z");
		TaskClock clock = new TaskClock(Clock.fixed(fixed, ZoneOffset.UTC));
		assertThat(clock.epochNanos()).isEqualTo(TrackedTask.epochNanos(fixed));
	}

}
