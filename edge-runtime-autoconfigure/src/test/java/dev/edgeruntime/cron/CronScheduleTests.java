package dev.edgeruntime.cron;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
	void stepOfTheDaysOfTheWeekShouldCountFromSundayAsPgCronDoes() {
		// pg_cron reads '*' in the days of the week as 0-7, Sunday first; Spring's parser as 1-7, Monday first
		Instant saturday = Instant.parse("2030-01-05T12:00:00Z");
		assertThat(ticks(CronSchedule.parse("0 9 * * */2"), saturday, 4)).containsExactly("2030-01-06T09:00:00Z",
				"2030-01-08T09:00:00Z", "2030-01-10T09:00:00Z", "2030-01-12T09:00:00Z");
		assertThat(ticks(CronSchedule.parse("0 9 * * */7"), saturday, 2)).containsExactly("2030-01-06T09:00:00Z",
				"2030-01-13T09:00:00Z");
		assertThat(ticks(CronSchedule.parse("0 9 * * MON,*/3"), saturday, 4)).containsExactly("2030-01-06T09:00:00Z",
				"2030-01-07T09:00:00Z", "2030-01-09T09:00:00Z", "2030-01-12T09:00:00Z");
		// a step from a range is read alike by both
		assertThat(ticks(CronSchedule.parse("0 9 * * 1-5/2"), saturday, 3)).containsExactly("2030-01-07T09:00:00Z",
				"2030-01-09T09:00:00Z", "2030-01-11T09:00:00Z");
		// '*/2' starts with '*': the first of a month that is a Sunday, Tuesday, Thursday or Saturday, not either
		assertThat(ticks(CronSchedule.parse("0 9 1 * */2"), saturday, 1)).containsExactly("2030-06-01T09:00:00Z");
		// six-field schedules are Spring's own, read as Spring reads them
		assertThat(ticks(CronSchedule.parse("0 0 9 * * */2"), saturday, 2)).containsExactly("2030-01-06T09:00:00Z",
				"2030-01-07T09:00:00Z");
	}

	private static List<String> ticks(CronSchedule schedule, Instant after, int count) {
		List<String> ticks = new ArrayList<>();
		Instant tick = after;
		for (int i = 0; i < count; i++) {
			tick = schedule.next(tick);
			ticks.add(tick.toString());
		}
		return ticks;
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
	void fieldsApartByTabsOrSeveralSpacesShouldBeReadAsPgCronReadsThem() {
		Instant time = Instant.parse("2030-01-01T10:07:12Z");
		for (String schedule : List.of("0\t9\t*\t*\t*", "0  9 *\t * *", "\t0 9 * * *\t")) {
			assertThat(CronSchedule.inAppProblem(schedule)).as(schedule).isNull();
			assertThat(CronSchedule.parse(schedule).next(time)).as(schedule).isEqualTo("2030-01-02T09:00:00Z");
		}
		assertThat(CronSchedule.parse("0\t0\t1\t*\t1").next(time)).isEqualTo("2030-01-07T00:00:00Z");
		assertThat(CronSchedule.parse("*/5\t*  *\t* * *").next(time)).isEqualTo("2030-01-01T10:07:15Z");
	}

	@Test
	void invalidSchedulesShouldBeRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("60 seconds"))
			.withMessageContaining("1 to 59 seconds");
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("4294967297 seconds"))
			.withMessage("an interval schedule takes 1 to 59 seconds, as in pg_cron, not 4294967297");
		assertThat(CronSchedule.parse("0000000000030 seconds").next(Instant.ofEpochSecond(31)))
			.isEqualTo(Instant.ofEpochSecond(60));
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("@reboot"));
		assertThatIllegalArgumentException().isThrownBy(() -> CronSchedule.parse("every day"));
	}

	@Test
	void inAppProblemShouldNameTheFieldAndTheValueAsWritten() {
		assertThat(CronSchedule.inAppProblem("0 3 * * *")).isNull();
		assertThat(CronSchedule.inAppProblem("*/5 * * * * *")).isNull();
		// not the six-field expression a five-field schedule becomes ("0 61 * * * *")
		assertThat(CronSchedule.inAppProblem("61 * * * *"))
			.isEqualTo("its minute field '61' is out of range: 61 is not a minute (0 to 59)");
		assertThat(CronSchedule.inAppProblem("0 5-2 * * *"))
			.isEqualTo("its hour field '5-2' is not valid: Minimum value must be less than maximum value");
		assertThat(CronSchedule.inAppProblem("0 12 $ * *"))
			.isEqualTo("its day-of-month field '$' is not valid: not a number, a name, a range, a list or a step");
		assertThat(CronSchedule.inAppProblem("* * * *")).startsWith("it has 4 fields; a schedule is five-field cron");
		assertThat(CronSchedule.inAppProblem("@reboot")).isEqualTo("@reboot is not a recurring schedule");
		assertThat(CronSchedule.inAppProblem("70 seconds"))
			.isEqualTo("an interval takes 1 to 59 seconds, as in pg_cron, not 70");
	}

	@Test
	void commonProblemShouldLeaveWhatPgCronReadsToIt() {
		// pg_cron takes these (1.4 all but '$', the last day of the month, which 1.5 added); the in-app scheduler
		// refuses them, as the scheduler chosen at start-up does
		for (String schedule : new String[] { "0 12 $ * *", "@reboot", "5-2 * * * *", "*/61 * * * *" }) {
			assertThat(CronSchedule.commonProblem(schedule)).as(schedule).isNull();
		}
		assertThat(CronSchedule.commonProblem("61 * * * *"))
			.isEqualTo("its minute field '61' is out of range: 61 is not a minute (0 to 59)");
		assertThat(CronSchedule.commonProblem("0 24 * * *")).startsWith("its hour field '24' is out of range");
		assertThat(CronSchedule.commonProblem("0 0 0 * *")).startsWith("its day-of-month field '0' is out of range");
		assertThat(CronSchedule.commonProblem("0 0 * 1-13 *")).startsWith("its month field '1-13' is out of range");
		assertThat(CronSchedule.commonProblem("0 0 * * 1,8")).startsWith("its day-of-week field '1,8' is out of range");
		assertThat(CronSchedule.commonProblem("* * * *")).startsWith("it has 4 fields");
		// pg_cron 1.4 takes seven fields without a word though it reads five: refused, as six are where it runs
		assertThat(CronSchedule.commonProblem("0 0 1 1 * * *")).startsWith("it has 7 fields");
		assertThat(CronSchedule.commonProblem("70 seconds")).startsWith("an interval takes 1 to 59 seconds");
	}

	@Test
	void pgCronIgnoredShouldNameWhatPgCronSkipsAfterAFieldsList() {
		assertThat(CronSchedule.pgCronIgnored("0 9 * * MON#2"))
			.isEqualTo("its day-of-week field 'MON#2' is read by pg_cron as 'MON', the '#2' after it skipped (pg_cron "
					+ "has no '#', the nth such day of the month: it would fire on every one of those days)");
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 1-5#3")).startsWith("its day-of-week field '1-5#3' is read by "
				+ "pg_cron as '1-5', the '#3' after it skipped (pg_cron has no '#'");
		assertThat(CronSchedule.pgCronIgnored("5%2 9 1#2 * *"))
			.isEqualTo("its minute field '5%2' is read by pg_cron as '5', the '%2' after it skipped; its day-of-month "
					+ "field '1#2' is read by pg_cron as '1', the '#2' after it skipped");
		assertThat(CronSchedule.pgCronIgnored("*/5+1 * * * *"))
			.isEqualTo("its minute field '*/5+1' is read by pg_cron as '*/5', the '+1' after it skipped");
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 1,2#2")).startsWith("its day-of-week field '1,2#2' is read by "
				+ "pg_cron as '1,2', the '#2' after it skipped");
	}

	@Test
	void pgCronIgnoredShouldNameARangeFromAHigherValueToALowerOne() {
		// pg_cron 1.4 takes such a range and sets none of its values: a field of it alone never fires
		assertThat(CronSchedule.pgCronIgnored("5-2 * * * *"))
			.isEqualTo("its minute field '5-2' has the range '5-2', from a higher value to a lower one, which pg_cron "
					+ "does not wrap around: pg_cron 1.4 fires on none of its values: write '5-59,0-2'");
		// Sunday is 0 to pg_cron: FRI-SUN runs backwards there, though Spring reads it as Friday to Sunday
		assertThat(CronSchedule.pgCronIgnored("0 9 * * FRI-SUN"))
			.isEqualTo("its day-of-week field 'FRI-SUN' has the range 'FRI-SUN' (5-0, Sunday being 0), from a higher "
					+ "value to a lower one, which pg_cron does not wrap around: pg_cron 1.4 fires on none "
					+ "of its values: write '5-7'");
		assertThat(CronSchedule.pgCronIgnored("0 0 1 dec-jan *")).isEqualTo("its month field 'dec-jan' has the range "
				+ "'dec-jan' (12-1), from a higher value to a lower one, which pg_cron does not wrap around: pg_cron 1.4 "
				+ "fires on none of its values: write '12,1'");
		assertThat(CronSchedule.pgCronIgnored("0 22-3/2 * * *")).isEqualTo("its hour field '22-3/2' has the range "
				+ "'22-3', from a higher value to a lower one, which pg_cron does not wrap around: pg_cron 1.4 fires "
				+ "on none of its values");
		assertThat(CronSchedule.pgCronIgnored("50-10,30 * * * *")).startsWith("its minute field '50-10,30' has the "
				+ "range '50-10'").endsWith("write '50-59,0-10'");
	}

	@Test
	void rangeFromSevenInTheDayOfTheWeekShouldBeAdvisedAsTheRangeFromSundayBothSchedulersRun() {
		// Sunday is both 0 and 7: '7-0' is Sunday to Sunday. pg_cron 1.4 sets none of its values (it never fires);
		// the in-app scheduler reads a 7 that starts a range as 0, Sunday, so '7-0' is Sunday alone
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 7-0"))
			.isEqualTo("its day-of-week field '7-0' has the range '7-0', from a higher value to a lower one, which "
					+ "pg_cron does not wrap around: pg_cron 1.4 fires on none of its values (Sunday is both 0 and 7; "
					+ "the in-app scheduler reads a range from 7 as one from 0, Sunday, so Sunday alone): write '0'");
		assertThat(CronSchedule.inAppProblem("0 9 * * 7-0")).isNull();
		assertThat(ticks("0 9 * * 7-0")).as("Sundays only").containsExactly("2030-01-06T09:00:00Z",
				"2030-01-13T09:00:00Z", "2030-01-20T09:00:00Z");
		assertThat(ticks("0 9 * * 0")).as("the advice, which pg_cron reads alike").isEqualTo(ticks("0 9 * * 7-0"));
		// as a wrapped range would be read: Sunday to Wednesday
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 7-3")).endsWith("(Sunday is both 0 and 7; the in-app scheduler "
				+ "reads a range from 7 as one from 0, Sunday, to 3): write '0-3'");
		assertThat(ticks("0 9 * * 0-3")).isEqualTo(ticks("0 9 * * 7-3")).startsWith("2030-01-01T09:00:00Z",
				"2030-01-02T09:00:00Z", "2030-01-06T09:00:00Z");
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 0")).isNull();
		assertThat(CronSchedule.pgCronIgnored("0 9 * * 0-3")).isNull();
	}

	/** The first three ticks of a schedule from Tuesday, 1 January 2030, 00:00 UTC, as the in-app scheduler fires. */
	private static List<String> ticks(String schedule) {
		CronSchedule parsed = CronSchedule.parse(schedule);
		List<String> ticks = new ArrayList<>();
		Instant tick = Instant.parse("2030-01-01T00:00:00Z");
		for (int i = 0; i < 3; i++) {
			tick = parsed.next(tick);
			ticks.add(tick.toString());
		}
		return ticks;
	}

	@Test
	void stepLargerThanItsFieldShouldBeRefusedByBothSchedulers() {
		String minutes = "its minute field '*/61' steps by 61, more than the 60 values of the field, so only the first "
				+ "value of its range, 0, would fire: write '0' if that is meant";
		assertThat(CronSchedule.pgCronIgnored("*/61 * * * *")).isEqualTo(minutes);
		// Spring's parser takes it and fires at minute 0 of every hour, as pg_cron does
		assertThat(CronSchedule.parse("*/61 * * * *").next(Instant.parse("2030-01-01T10:07:12Z")))
			.isEqualTo("2030-01-01T11:00:00Z");
		assertThat(CronSchedule.inAppProblem("*/61 * * * *")).isEqualTo(minutes);
		assertThat(CronSchedule.inAppProblem("0 9-17/25 * * *")).isEqualTo("its hour field '9-17/25' steps by 25, more "
				+ "than the 24 values of the field, so only the first value of its range, 9, would fire: write '9' if "
				+ "that is meant");
		assertThat(CronSchedule.pgCronIgnored("0 0 1 */13 *")).startsWith("its month field '*/13' steps by 13");
		assertThat(CronSchedule.inAppProblem("0 0 * * */8")).startsWith("its day-of-week field '*/8' steps by 8");
		// a step up to a field's size is cron's own: '*/45' fires at minutes 0 and 45 of every hour
		for (String schedule : List.of("*/45 * * * *", "*/60 * * * *", "0 */24 * * *", "0 0 */31 * *",
				"0 0 1 */12 *", "0 0 * * */7")) {
			assertThat(CronSchedule.inAppProblem(schedule)).as(schedule).isNull();
			assertThat(CronSchedule.pgCronIgnored(schedule)).as(schedule).isNull();
		}
	}

	@Test
	void pgCronAdviceShouldGiveAMacroInLowerCase() {
		assertThat(CronSchedule.inAppProblem("@HOURLY")).isNull();
		assertThat(CronSchedule.pgCronAdvice("@HOURLY")).isEqualTo("pg_cron reads a macro in lower case only: write "
				+ "'@hourly'");
		assertThat(CronSchedule.pgCronAdvice(" @Daily ")).isEqualTo("pg_cron reads a macro in lower case only: write "
				+ "'@daily'");
		assertThat(CronSchedule.pgCronAdvice("@hourly")).isNull();
		assertThat(CronSchedule.pgCronAdvice("@EVERY")).isNull();
	}

	@Test
	void pgCronIgnoredShouldBeNullForWhatPgCronReadsWholeOrRefuses() {
		for (String schedule : new String[] { "* * * * *", "*/5 * * * *", "0 9 * * 1-5", "0 0 1,15 * *",
				"0 9 * JAN-MAR MON", "30 2 * * sun", "1-10/2 * * * *", "0 12 $ * *", "*/60 * * * *", "0 9 * * 0-7/7",
				"0\t9\t*  *\t*", "@hourly", "@reboot", "30 seconds", "0 0 * * * *",
				// refused by pg_cron, which says so itself
				"5/15 * * * *", "0 0 L * *", "0 0 ? * *", "0 9 15W * *", "#2 * * * *", "1- * * * *" }) {
			assertThat(CronSchedule.pgCronIgnored(schedule)).as(schedule).isNull();
		}
	}

}
