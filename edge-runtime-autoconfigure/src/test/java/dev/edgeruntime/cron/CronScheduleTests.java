package dev.edgeruntime.cron;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link CronSchedule}.
 *
 * @author edge-runtime developers
 */
class CronScheduleTests {

	@Test
	void fiveFieldCronShouldFireOnTheMinuteInUtc() {
		CronSchedule schedule = CronSchedule.parse("*/15 * * * *");
		assertThat(schedule.next(Instant.parse("2030-01-01T10:07:12Z"))).isEqualTo("2030-01-01T10:15:00Z");
		assertThat(schedule.latestAtOrBefore(Instant.parse("2030-01-01T10:07:12Z")))
			.isEqualTo("2030-01-01T10:00:00Z");
		assertThat(schedule.latestAtOrBefore(Instant.parse("2030-01-01T10:15:00Z")))
			.isEqualTo("2030-01-01T10:15:00Z");
	}

	@Test
	void dailyCronShouldFindTheLatestTickDaysBack() {
		CronSchedule schedule = CronSchedule.parse("0 3 * * *");
		assertThat(schedule.latestAtOrBefore(Instant.parse("2030-01-05T02:59:59Z")))
			.isEqualTo("2030-01-04T03:00:00Z");
	}

	@Test
	void macroAndSixFieldCronShouldBeAccepted() {
		assertThat(CronSchedule.parse("@hourly").next(Instant.parse("2030-01-01T10:07:12Z")))
			.isEqualTo("2030-01-01T11:00:00Z");
		assertThat(CronSchedule.parse("*/5 * * * * *").next(Instant.parse("2030-01-01T10:07:12Z")))
			.isEqualTo("2030-01-01T10:07:15Z");
	}

	@Test
	void intervalShouldTickOnMultiplesSinceTheEpoch() {
		CronSchedule schedule = CronSchedule.parse("7 seconds");
		Instant time = Instant.ofEpochSecond(7 * 1000 + 3, 500);
		assertThat(schedule.next(time)).isEqualTo(Instant.ofEpochSecond(7 * 1001));
		assertThat(schedule.latestAtOrBefore(time)).isEqualTo(Instant.ofEpochSecond(7 * 1000));
		assertThat(CronSchedule.intervalSeconds("30 seconds")).isEqualTo(30);
		assertThat(CronSchedule.intervalSeconds("1 second")).isEqualTo(1);
		assertThat(CronSchedule.intervalSeconds("0 3 * * *")).isNull();
	}

	@Test
	void invalidSchedulesShouldBeRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("60 seconds"))
			.withMessageContaining("1 to 59 seconds");
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("@reboot"));
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("every day"));
	}

}
