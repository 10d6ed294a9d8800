package dev.edgeruntime.cron;

import java.util.List;

import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link PgCronVersion}.
 *
 * @author edge-runtime developers
 */
class CronPgCronVersionTests {

	private static final CronJobDefinition EVERY_30_SECONDS = new CronJobDefinition("heartbeat", "30 seconds",
			"beats", "{}", "edge-runtime.cron.jobs.heartbeat");

	private static final CronJobDefinition EVERY_MINUTE = new CronJobDefinition("sweep", "* * * * *", "sweeps", "{}",
			"edge-runtime.cron.jobs.sweep");

	@Test
	void debianVersionShouldNotSupportSeconds() {
		PgCronVersion version = PgCronVersion.parse("1.4-1");
		assertThat(version.major()).isEqualTo(1);
		assertThat(version.minor()).isEqualTo(4);
		assertThat(version.supportsSeconds()).isFalse();
	}

	@Test
	void versionsFromOneDotFiveShouldSupportSeconds() {
		assertThat(PgCronVersion.parse("1.5").supportsSeconds()).isTrue();
		assertThat(PgCronVersion.parse("1.6").supportsSeconds()).isTrue();
		assertThat(PgCronVersion.parse("2.0").supportsSeconds()).isTrue();
		assertThat(PgCronVersion.parse("1.3").supportsSeconds()).isFalse();
	}

	@Test
	void secondsScheduleOnOneDotFourShouldBeRefusedNamingJobScheduleVersionAndFix() {
		assertThatExceptionOfType(UnsupportedCronScheduleException.class)
			.isThrownBy(() -> PgCronVersion.parse("1.4-1").requireSupported(EVERY_30_SECONDS))
			.withMessageContaining("'heartbeat'")
			.withMessageContaining("'30 seconds'")
			.withMessageContaining("pg_cron 1.4-1")
			.withMessageContaining("pg_cron 1.5 or later")
			.withMessageContaining("edge-runtime.cron.mode=in-app")
			.satisfies((ex) -> assertThat(ex.getInstalledVersion()).isEqualTo("1.4-1"));
	}

	@Test
	void sixFieldScheduleShouldBeRefusedByEveryVersionNamingJobScheduleAndFix() {
		CronJobDefinition everyFiveSeconds = new CronJobDefinition("ticker", " */5 * * * * * ", "ticks", "{}",
				"edge-runtime.cron.jobs.ticker");
		for (String installed : List.of("1.4-1", "1.6")) {
			assertThatExceptionOfType(UnsupportedCronScheduleException.class)
				.isThrownBy(() -> PgCronVersion.parse(installed).requireSupported(everyFiveSeconds))
				.withMessageContaining("Cron job 'ticker' (edge-runtime.cron.jobs.ticker)")
				.withMessageContaining("six-field schedule '*/5 * * * * *', with seconds, which pg_cron does not run")
				.withMessageContaining("edge-runtime.cron.mode=in-app");
		}
		CronJobDefinition hourly = new CronJobDefinition("sweep", "@hourly", "sweeps", "{}", "edge-runtime.cron.jobs.sweep");
		assertThatNoException().isThrownBy(() -> PgCronVersion.parse("1.4-1").requireSupported(hourly));
	}

	@Test
	void minuteScheduleOnOneDotFourShouldBeAccepted() {
		assertThatNoException().isThrownBy(() -> PgCronVersion.parse("1.4-1").requireSupported(EVERY_MINUTE));
		assertThatNoException().isThrownBy(() -> PgCronVersion.parse("1.5").requireSupported(EVERY_30_SECONDS));
	}

	@Test
	void testDatabaseShouldHaveDebiansPgCronThatRefusesSeconds() {
		JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());
		jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		String installed = jdbc.queryForObject("SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'",
				String.class);
		assertThat(installed).as("the test database should have Debian's pg_cron 1.4").startsWith("1.4");
		assertThatExceptionOfType(UnsupportedCronScheduleException.class)
			.isThrownBy(() -> PgCronVersion.parse(installed).requireSupported(EVERY_30_SECONDS));
	}

}
