package dev.edgeruntime.cron;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.support.CronExpression;

/**
 * A job's schedule as the in-app scheduler reads it: five-field cron (pg_cron's syntax; Spring's
 * {@link CronExpression} with a zero seconds field in front), six-field Spring cron, a macro, or pg_cron's
 * {@code "N seconds"} interval. Every tick is an instant computed from the schedule alone, in UTC like
 * pg_cron, so all instances compute the same ticks and can claim them by that key.
 *
 * @author edge-runtime developers
 */
abstract sealed class CronSchedule {

	private static final Pattern SECONDS = Pattern.compile("(\\d+)\\s+seconds?", Pattern.CASE_INSENSITIVE);

	// Searching back from now for the latest tick widens the window by these steps.
	private static final List<Duration> LOOK_BACK = List.of(Duration.ofSeconds(2), Duration.ofMinutes(2),
			Duration.ofHours(2), Duration.ofDays(2), Duration.ofDays(64), Duration.ofDays(800),
			Duration.ofDays(366 * 30));

	private final String text;

	CronSchedule(String text) {
		this.text = text;
	}

	/**
	 * Parses a schedule.
	 * @param text the schedule
	 * @return the schedule
	 * @throws IllegalArgumentException when it is not valid, with the reason
	 */
	static CronSchedule parse(String text) {
		String trimmed = text.trim();
		Integer seconds = intervalSeconds(trimmed);
		if (seconds != null) {
			if (seconds < 1 || seconds > 59) {
				throw new IllegalArgumentException(
						"an interval schedule takes 1 to 59 seconds, as in pg_cron, not " + seconds);
			}
			return new Interval(trimmed, seconds);
		}
		if (trimmed.equalsIgnoreCase("@reboot")) {
			throw new IllegalArgumentException("@reboot is not a recurring schedule");
		}
		String[] fields = trimmed.split("\\s+");
		if (trimmed.startsWith("@") || fields.length != 5) {
			return new Cron(trimmed, List.of(CronExpression.parse(trimmed)));
		}
		// As pg_cron (and every cron after vixie cron) reads it: with both day fields restricted (neither starts
		// with '*'), a day that matches either one fires; Spring's expressions need both to match.
		if (!fields[2].startsWith("*") && !fields[4].startsWith("*")) {
			return new Cron(trimmed, List.of(
					CronExpression.parse("0 " + fields[0] + " " + fields[1] + " " + fields[2] + " " + fields[3] + " *"),
					CronExpression.parse("0 " + fields[0] + " " + fields[1] + " * " + fields[3] + " " + fields[4])));
		}
		return new Cron(trimmed, List.of(CronExpression.parse("0 " + trimmed)));
	}

	/**
	 * The seconds of a {@code "N seconds"} schedule.
	 * @param text the schedule
	 * @return the seconds, or {@code null} when the schedule is not an interval
	 */
	static @Nullable Integer intervalSeconds(String text) {
		Matcher matcher = SECONDS.matcher(text.trim());
		return matcher.matches() ? Integer.parseInt(matcher.group(1)) : null;
	}

	/**
	 * The first tick strictly after a time.
	 * @param after the time
	 * @return the tick, or {@code null} when there is none
	 */
	abstract @Nullable Instant next(Instant after);

	/**
	 * The latest tick at or before a time.
	 * @param time the time
	 * @return the tick, or {@code null} when there is none in the last thirty years
	 */
	@Nullable Instant latestAtOrBefore(Instant time) {
		for (Duration window : LOOK_BACK) {
			Instant tick = next(time.minus(window));
			if (tick != null && !tick.isAfter(time)) {
				Instant following = next(tick);
				while (following != null && !following.isAfter(time)) {
					tick = following;
					following = next(tick);
				}
				return tick;
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return this.text;
	}

	/**
	 * Every N seconds, on the multiples of N seconds since the epoch.
	 */
	static final class Interval extends CronSchedule {

		private final long seconds;

		Interval(String text, long seconds) {
			super(text);
			this.seconds = seconds;
		}

		@Override
		Instant next(Instant after) {
			return Instant.ofEpochSecond(Math.floorDiv(after.getEpochSecond(), this.seconds) * this.seconds
					+ this.seconds);
		}

		@Override
		Instant latestAtOrBefore(Instant time) {
			return Instant.ofEpochSecond(Math.floorDiv(time.getEpochSecond(), this.seconds) * this.seconds);
		}

	}

	/**
	 * A cron expression, in UTC.
	 */
	static final class Cron extends CronSchedule {

		/** One, or two whose ticks are merged (a day of the month or a day of the week). */
		private final List<CronExpression> expressions;

		Cron(String text, List<CronExpression> expressions) {
			super(text);
			this.expressions = expressions;
		}

		@Override
		@Nullable Instant next(Instant after) {
			Instant earliest = null;
			for (CronExpression expression : this.expressions) {
				ZonedDateTime next = expression.next(after.atZone(ZoneOffset.UTC));
				if (next != null && (earliest == null || next.toInstant().isBefore(earliest))) {
					earliest = next.toInstant();
				}
			}
			return earliest;
		}

	}

}
