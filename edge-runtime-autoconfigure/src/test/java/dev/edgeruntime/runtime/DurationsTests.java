package dev.edgeruntime.runtime;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Durations}.
 *
 * @author edge-runtime developers
 */
class DurationsTests {

	@Test
	void textShouldUseTheLargestUnitThatDividesTheDuration() {
		assertThat(Durations.text(Duration.ofSeconds(30))).isEqualTo("30s");
		assertThat(Durations.text(Duration.ofMinutes(2))).isEqualTo("2m");
		assertThat(Durations.text(Duration.ofSeconds(90))).isEqualTo("90s");
		assertThat(Durations.text(Duration.ofHours(36))).isEqualTo("36h");
		assertThat(Durations.text(Duration.ofDays(2))).isEqualTo("2d");
		assertThat(Durations.text(Duration.ofMillis(250))).isEqualTo("250ms");
		assertThat(Durations.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
		assertThat(Durations.text(Duration.ofNanos(83_333_333))).isEqualTo("83333333ns");
		assertThat(Durations.text(Duration.ofSeconds(-5))).isEqualTo("-5s");
		assertThat(Durations.text(Duration.ZERO)).isEqualTo("0s");
	}

	@Test
	void textShouldReadBackAsTheSameDuration() {
		for (Duration duration : new Duration[] { Duration.ofSeconds(30), Duration.ofMillis(1500), Duration.ofNanos(7),
				Duration.ofSeconds(-5), Duration.ofDays(400), Duration.ofNanos(1_000_001_000) }) {
			assertThat(DurationStyle.SIMPLE.parse(Durations.text(duration))).isEqualTo(duration);
		}
	}

}
