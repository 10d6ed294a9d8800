package dev.edgeruntime.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

	@Test
	void stepOfTheSystemClockShouldMoveShownInstantsButNotTheTimeline() {
		SteppableSystemClock wall = new SteppableSystemClock();
		TaskClock clock = new TaskClock(wall);
		long before = clock.epochNanos();
		Instant shownBefore = clock.instant(before);
		assertThat(shownBefore).isBetween(Instant.now().minusSeconds(1), Instant.now().plusSeconds(1));
		wall.step = Duration.ofHours(2); // an operator sets the clock, or NTP steps it
		// the timeline goes on as time passes: two hours do not pass at once
		assertThat(clock.epochNanos() - before).isLessThan(Duration.ofMinutes(1).toNanos());
		// what is shown follows the wall clock within a second
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(clock.instant(before))
			.isAfterOrEqualTo(shownBefore.plus(Duration.ofHours(2)).minusSeconds(1)));
	}

	@Test
	void shownTimestampShouldReadTheSameEveryTimeWhateverEachMeasurementMovesBy() {
		SteppableSystemClock wall = new SteppableSystemClock();
		wall.jitterNanos = 500; // as reading the wall clock moves by fractions of a microsecond
		TaskClock clock = new TaskClock(wall, 0); // measured at every instant shown
		long timestamp = clock.epochNanos();
		Set<Instant> shown = new HashSet<>();
		for (int i = 0; i < 2_000; i++) {
			shown.add(clock.instant(timestamp));
		}
		assertThat(shown).hasSize(1);
	}

	@Test
	void stepOfTheSystemClockBeyondAMillisecondShouldBeFollowedAtTheNextMeasurement() {
		SteppableSystemClock wall = new SteppableSystemClock();
		TaskClock clock = new TaskClock(wall, 0);
		long timestamp = clock.epochNanos();
		Instant before = clock.instant(timestamp);
		wall.step = Duration.ofMillis(50);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(Duration.between(before, clock.instant(timestamp)))
				.isBetween(Duration.ofMillis(40), Duration.ofMillis(60)));
	}

	@Test
	void stepOfTheSystemClockShouldNotUseUpARunningTasksWallClockBudget() throws Exception {
		SteppableSystemClock wall = new SteppableSystemClock();
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		}).clock(wall).checkInterval(Duration.ofDays(1)).memoryPressureThreshold(0).build();
		runtime.start();
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		try {
			java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
			dev.edgeruntime.TaskHandle<Boolean> task = runtime.waitUntil(
					dev.edgeruntime.TaskOptions.named("hour").wallClock(Duration.ofHours(1)), () -> {
						started.countDown();
						return release.await(1, java.util.concurrent.TimeUnit.MINUTES);
					});
			assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			Instant shownStart = task.info().startedAt();
			wall.step = Duration.ofHours(2);
			// once the shown times have followed the step, the budget is checked
			await().atMost(Duration.ofSeconds(10))
				.until(() -> task.info().startedAt().isAfter(shownStart.plus(Duration.ofMinutes(90))));
			runtime.checkBudgets();
			assertThat(task.state()).isEqualTo(dev.edgeruntime.TaskState.RUNNING);
			assertThat(task.info().usage().wallClock()).isLessThan(Duration.ofMinutes(1));
		}
		finally {
			release.countDown();
			runtime.close();
		}
	}

	/** The system clock, whose wall time a test moves as an operator (or NTP's step) would. */
	static final class SteppableSystemClock extends Clock {

		volatile Duration step = Duration.ZERO;

		/** At most how far each reading is off, either way, at random. */
		volatile long jitterNanos;

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			long jitter = this.jitterNanos;
			Instant now = Clock.systemUTC().instant().plus(this.step);
			return (jitter > 0) ? now.plusNanos(ThreadLocalRandom.current().nextLong(-jitter, jitter + 1)) : now;
		}

		@Override
		public boolean equals(Object other) {
			// taken for the system clock, as a clock with this zone that reads the system's time
			return other == this || Clock.systemUTC().equals(other);
		}

		@Override
		public int hashCode() {
			return Clock.systemUTC().hashCode();
		}

	}

}
