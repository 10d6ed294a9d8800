package dev.edgeruntime.cron;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

	private static final Pattern NUMBER = Pattern.compile("\\d{1,9}");

	// a step from a single value, as Spring reads '5/15' (5, 20, 35, 50); pg_cron steps ranges only
	private static final Pattern STEP_FROM_VALUE = Pattern.compile("(\\d{1,2})/(\\d{1,2})");

	// the value a parse failure of Spring's quotes at its end
	private static final Pattern QUOTED_VALUE = Pattern.compile("\\s'[^']*'$");

	/** The five fields, and the values each takes in pg_cron (a day of the week 7 is Sunday, as 0). */
	private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");

	private static final List<int[]> RANGES = List.of(new int[] { 0, 59 }, new int[] { 0, 23 }, new int[] { 1, 31 },
			new int[] { 1, 12 }, new int[] { 0, 7 });

	/** How many values each field has: a step larger than that leaves only the first value of its range. */
	private static final List<Integer> VALUES = List.of(60, 24, 31, 12, 7);

	/** The names pg_cron reads, in the order of their values (a month from 1, a day of the week from 0). */
	private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
			"OCT", "NOV", "DEC");

	private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

	/** The macros both schedulers read, as pg_cron reads them: in lower case only. */
	private static final List<String> MACROS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
			"@midnight", "@hourly");

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
						"an interval schedule takes 1 to 59 seconds, as in pg_cron, not " + trimmed.split("\\s+")[0]);
			}
			return new Interval(trimmed, seconds);
		}
		if (trimmed.equalsIgnoreCase("@reboot")) {
			throw new IllegalArgumentException("@reboot is not a recurring schedule");
		}
		String[] fields = trimmed.split("\\s+");
		if (trimmed.startsWith("@") || fields.length != 5) {
			// fields apart as pg_cron reads them (tabs too), where Spring's parser reads only single spaces
			return new Cron(trimmed, List.of(CronExpression.parse(String.join(" ", fields))));
		}
		// As pg_cron (and every cron after vixie cron) reads it: with both day fields restricted (neither starts
		// with '*'), a day that matches either one fires; Spring's expressions need both to match.
		boolean eitherDay = !fields[2].startsWith("*") && !fields[4].startsWith("*");
		fields[4] = pgCronDaysOfWeek(fields[4]);
		if (eitherDay) {
			return new Cron(trimmed, List.of(
					CronExpression.parse("0 " + fields[0] + " " + fields[1] + " " + fields[2] + " " + fields[3] + " *"),
					CronExpression.parse("0 " + fields[0] + " " + fields[1] + " * " + fields[3] + " " + fields[4])));
		}
		return new Cron(trimmed, List.of(CronExpression.parse("0 " + String.join(" ", fields))));
	}

	/**
	 * A day-of-week field with its steps from {@code *} counted as pg_cron counts them: from Sunday, 0
	 * ({@code *}{@code /2} is Sunday, Tuesday, Thursday and Saturday), where Spring's {@code *} starts on Monday,
	 * 1 (Monday, Wednesday, Friday and Sunday).
	 */
	private static String pgCronDaysOfWeek(String field) {
		List<String> items = new ArrayList<>();
		for (String item : field.split(",", -1)) {
			items.add(item.startsWith("*/") ? "0-7" + item.substring(1) : item);
		}
		return String.join(",", items);
	}

	/**
	 * Why the in-app scheduler cannot run a schedule, in the terms it was written in (the field and the value,
	 * not the six-field expression a five-field schedule becomes), or {@code null} when it can.
	 * @param text the schedule
	 * @return why it is refused, or {@code null}
	 */
	static @Nullable String inAppProblem(String text) {
		String common = commonProblem(text);
		if (common != null) {
			return common;
		}
		String step = stepsBeyondField(text);
		if (step != null) {
			return step;
		}
		try {
			parse(text);
			return null;
		}
		catch (IllegalArgumentException ex) {
			String[] fields = text.trim().split("\\s+");
			if (!text.trim().startsWith("@") && fields.length == 5) {
				for (int i = 0; i < fields.length; i++) {
					String[] alone = { "0", "*", "*", "*", "*", "*" };
					alone[i + 1] = fields[i];
					try {
						CronExpression.parse(String.join(" ", alone));
					}
					catch (IllegalArgumentException fieldFailure) {
						return "its " + FIELDS.get(i) + " field '" + fields[i] + "' is not valid: "
								+ reason(fieldFailure);
					}
				}
			}
			return reason(ex);
		}
	}

	/**
	 * Why no scheduler, neither pg_cron nor the in-app one, can run a schedule as written: fewer than five
	 * fields, or more than six (pg_cron 1.4 takes those without a word though it reads five, so it would not
	 * fire them as written, as it would not a six-field one), a value out of its field's range, an interval out of 1 to
	 * 59 seconds. {@code null} when one of them may run it: what only one of them reads (pg_cron's {@code $}
	 * and {@code @reboot}, Spring's {@code L}, {@code W}, {@code ?}, six fields) is left to the scheduler that
	 * runs the job.
	 * @param text the schedule
	 * @return why it is refused, or {@code null}
	 */
	static @Nullable String commonProblem(String text) {
		String trimmed = text.trim();
		Integer seconds = intervalSeconds(trimmed);
		if (seconds != null) {
			return (seconds < 1 || seconds > 59)
					? "an interval takes 1 to 59 seconds, as in pg_cron, not " + trimmed.split("\\s+")[0]
					: null;
		}
		if (trimmed.startsWith("@")) {
			return null;
		}
		String[] fields = trimmed.split("\\s+");
		if (fields.length == 6) {
			return null;
		}
		if (fields.length != 5) {
			return "it has " + fields.length + ((fields.length == 1) ? " field" : " fields") + "; a schedule is "
					+ "five-field cron (minute hour day-of-month month day-of-week), a macro such as @hourly, or "
					+ "'N seconds' (and six-field cron, with seconds, for the in-app scheduler only)";
		}
		for (int i = 0; i < fields.length; i++) {
			int[] range = RANGES.get(i);
			for (String item : fields[i].split(",")) {
				Matcher number = NUMBER.matcher(item.split("/", 2)[0]);
				while (number.find()) {
					long value = Long.parseLong(number.group());
					if (value < range[0] || value > range[1]) {
						return "its " + FIELDS.get(i) + " field '" + fields[i] + "' is out of range: " + value
								+ " is not a " + FIELDS.get(i) + " (" + range[0] + " to " + range[1] + ")";
					}
				}
			}
		}
		return null;
	}

	/**
	 * What to write for pg_cron instead of a schedule it refuses, for what the in-app scheduler reads and
	 * pg_cron does not: {@code ?}, {@code L}, {@code W}, a step from a single value ({@code 5/15}), a macro not
	 * in lower case ({@code @HOURLY}).
	 * @param text the schedule
	 * @return what to write instead, field by field, or {@code null} when there is nothing particular to say
	 */
	static @Nullable String pgCronAdvice(String text) {
		String trimmed = text.trim();
		String[] fields = trimmed.split("\\s+");
		if (trimmed.startsWith("@")) {
			// Spring's parser reads '@HOURLY' as '@hourly'; pg_cron's compares the name as written
			String lower = trimmed.toLowerCase(Locale.ROOT);
			return (!lower.equals(trimmed) && MACROS.contains(lower))
					? "pg_cron reads a macro in lower case only: write '" + lower + "'" : null;
		}
		if (fields.length != 5) {
			return null;
		}
		List<String> advice = new ArrayList<>();
		for (int i = 0; i < fields.length; i++) {
			String field = fields[i];
			String upper = field.toUpperCase(Locale.ROOT);
			String its = "its " + FIELDS.get(i) + " field '" + field + "'";
			if (field.contains("?")) {
				advice.add(its + " has '?', which pg_cron does not read: write '*'");
			}
			else if (i == 2 && upper.contains("L")) {
				advice.add(its + " has 'L' (the last day of the month), which pg_cron does not read: pg_cron 1.5 "
						+ "and later read '$' for it");
			}
			else if (i == 2 && upper.contains("W")) {
				advice.add(its + " has 'W' (the nearest weekday), which pg_cron has no equivalent of");
			}
			else if (i == 4 && upper.contains("L")) {
				advice.add(its + " has 'L' (the last such day of the month), which pg_cron does not read");
			}
			else {
				for (String item : field.split(",")) {
					Matcher step = STEP_FROM_VALUE.matcher(item);
					if (step.matches()) {
						advice.add(its + " steps from a single value, which pg_cron does not read: write '"
								+ step.group(1) + "-" + RANGES.get(i)[1] + "/" + step.group(2) + "'");
					}
				}
			}
		}
		return advice.isEmpty() ? null : String.join("; ", advice);
	}

	/**
	 * What pg_cron would not run as written in a five-field schedule it takes. pg_cron's parser (vixie cron's)
	 * reads a field's list of values, ranges and steps and then skips whatever else the field holds without a
	 * word: {@code MON#2}, Spring's second Monday of the month, is taken and read as {@code MON}, every Monday.
	 * It also takes a range from a higher value to a lower one ({@code 5-2}, or {@code FRI-SUN}, Sunday being 0)
	 * and fires on none of its values rather than wrapping around, and a step larger than its field
	 * ({@code *}{@code /61}), which leaves only the first value. Only meaningful for a schedule pg_cron takes: one
	 * it refuses is reported with pg_cron's own reason.
	 * @param text the schedule
	 * @return what pg_cron would not run as written, field by field, or {@code null} when it reads every field
	 * as written
	 */
	static @Nullable String pgCronIgnored(String text) {
		String trimmed = text.trim();
		String[] fields = trimmed.split("\\s+");
		if (trimmed.startsWith("@") || fields.length != 5 || intervalSeconds(trimmed) != null) {
			return null;
		}
		List<String> ignored = new ArrayList<>();
		for (int i = 0; i < fields.length; i++) {
			String field = fields[i];
			// '$' (the last day of the month) is pg_cron 1.5's own; an older pg_cron refuses it
			int read = field.contains("$") ? field.length() : pgCronReads(field);
			if (read <= 0) {
				continue;
			}
			String misread = pgCronMisread(i, field, field.substring(0, read));
			if (misread != null) {
				ignored.add(misread);
			}
			if (read == field.length()) {
				continue;
			}
			String tail = field.substring(read);
			ignored.add("its " + FIELDS.get(i) + " field '" + field + "' is read by pg_cron as '"
					+ field.substring(0, read) + "', the '" + tail + "' after it skipped"
					+ ((tail.startsWith("#") && i == 4)
							? " (pg_cron has no '#', the nth such day of the month: it would fire on every one of "
									+ "those days)"
							: ""));
		}
		return ignored.isEmpty() ? null : String.join("; ", ignored);
	}

	/**
	 * What of the list pg_cron reads from a field it would not fire as written: a range from a higher value to
	 * a lower one, or a step larger than the field.
	 */
	private static @Nullable String pgCronMisread(int index, String field, String list) {
		if (field.contains("$")) {
			return null;
		}
		List<String> misread = new ArrayList<>();
		for (String item : list.split(",")) {
			String range = item.split("/", 2)[0];
			int dash = range.indexOf('-');
			if (dash < 0) {
				continue;
			}
			Integer from = pgCronValue(index, range.substring(0, dash));
			Integer to = pgCronValue(index, range.substring(dash + 1));
			if (from == null || to == null || from <= to) {
				continue;
			}
			int[] bounds = RANGES.get(index);
			String numbers = from + "-" + to;
			// Sunday is both 0 and 7: a range from 7 starts on Sunday, as the in-app scheduler reads it (Spring
			// takes a 7 that starts a range as 0), so 7-3 is 0-3, and 7-0 Sunday alone
			boolean fromSunday = index == 4 && from == 7;
			String instead = fromSunday ? ((to == 0) ? "0" : "0-" + to)
					: (index == 4 && to == 0) ? from + "-7"
							: ((from == bounds[1]) ? String.valueOf(from) : from + "-" + bounds[1]) + ","
									+ ((to == bounds[0]) ? String.valueOf(to) : bounds[0] + "-" + to);
			misread.add("its " + FIELDS.get(index) + " field '" + field + "' has the range '" + range + "'"
					+ (numbers.equals(range) ? "" : " (" + numbers + ((index == 4) ? ", Sunday being 0" : "") + ")")
					+ ", from a higher value to a lower one, which pg_cron does not wrap around: pg_cron 1.4 fires on "
					+ "none of its values"
					+ (fromSunday ? " (Sunday is both 0 and 7; the in-app scheduler reads a range from 7 as one from 0, "
							+ "Sunday" + ((to == 0) ? ", so Sunday alone" : ", to " + to) + ")" : "")
					+ (item.contains("/") ? "" : ": write '" + instead + "'"));
		}
		String step = stepsBeyondField(index, field, list);
		if (step != null) {
			misread.add(step);
		}
		return misread.isEmpty() ? null : String.join("; ", misread);
	}

	/**
	 * A value of a field as pg_cron reads it: digits, or a name (a month, {@code JAN} being 1, or a day of the
	 * week, {@code SUN} being 0), {@code null} for what pg_cron does not read as a value.
	 */
	private static @Nullable Integer pgCronValue(int index, String value) {
		if (NUMBER.matcher(value).matches()) {
			return Integer.valueOf(value);
		}
		List<String> names = (index == 3) ? MONTHS : (index == 4) ? DAYS : List.of();
		int at = names.indexOf(value.toUpperCase(Locale.ROOT));
		return (at < 0) ? null : at + RANGES.get(index)[0];
	}

	/**
	 * Why a five-field schedule steps by more than a field's values ({@code *}{@code /61} in the minutes), which
	 * both schedulers take and fire only on the range's first value, or {@code null}.
	 */
	private static @Nullable String stepsBeyondField(String text) {
		String trimmed = text.trim();
		String[] fields = trimmed.split("\\s+");
		if (trimmed.startsWith("@") || fields.length != 5) {
			return null;
		}
		List<String> steps = new ArrayList<>();
		for (int i = 0; i < fields.length; i++) {
			String step = stepsBeyondField(i, fields[i], fields[i]);
			if (step != null) {
				steps.add(step);
			}
		}
		return steps.isEmpty() ? null : String.join("; ", steps);
	}

	private static @Nullable String stepsBeyondField(int index, String field, String list) {
		int values = VALUES.get(index);
		for (String item : list.split(",")) {
			String[] rangeAndStep = item.split("/", 2);
			if (rangeAndStep.length < 2 || !NUMBER.matcher(rangeAndStep[1]).matches()
					|| Integer.parseInt(rangeAndStep[1]) <= values) {
				continue;
			}
			String range = rangeAndStep[0];
			String first = range.equals("*") ? String.valueOf(RANGES.get(index)[0]) : range.split("-", 2)[0];
			return "its " + FIELDS.get(index) + " field '" + field + "' steps by " + rangeAndStep[1]
					+ ", more than the " + values + " values of the field, so only the first value of its range, "
					+ first + ", would fire: write '" + first + "' if that is meant";
		}
		return null;
	}

	/**
	 * How many characters of a field pg_cron's parser reads before it skips the rest of the field: a list of
	 * {@code *}, a value or a range of values (digits or names), each with an optional step. {@code -1} where
	 * the field does not start as such a list (pg_cron refuses it).
	 */
	private static int pgCronReads(String field) {
		int at = 0;
		while (true) {
			if (at < field.length() && field.charAt(at) == '*') {
				at++;
			}
			else {
				int end = alphanumericEnd(field, at);
				if (end == at) {
					return -1;
				}
				at = end;
				if (at < field.length() && field.charAt(at) == '-') {
					end = alphanumericEnd(field, at + 1);
					if (end == at + 1) {
						return -1;
					}
					at = end;
				}
				else if (at < field.length() && field.charAt(at) == '/') {
					// a step from a single value: refused
					return -1;
				}
			}
			if (at < field.length() && field.charAt(at) == '/') {
				int end = alphanumericEnd(field, at + 1);
				if (end == at + 1) {
					return -1;
				}
				at = end;
			}
			if (at < field.length() && field.charAt(at) == ',') {
				at++;
				continue;
			}
			return at;
		}
	}

	private static int alphanumericEnd(String field, int from) {
		int at = from;
		while (at < field.length() && field.charAt(at) < 128 && Character.isLetterOrDigit(field.charAt(at))) {
			at++;
		}
		return at;
	}

	/** The reason of a parse failure, without the expression it quotes (six fields for a five-field schedule). */
	private static String reason(IllegalArgumentException ex) {
		String message = String.valueOf(ex.getMessage());
		int expression = message.indexOf(" in cron expression \"");
		if (expression >= 0) {
			message = message.substring(0, expression);
		}
		if (message.startsWith("For input string")) {
			return "not a number, a name, a range, a list or a step";
		}
		return QUOTED_VALUE.matcher(message).replaceFirst("");
	}

	/**
	 * The seconds of a {@code "N seconds"} schedule.
	 * @param text the schedule
	 * @return the seconds, or {@code null} when the schedule is not an interval
	 */
	static @Nullable Integer intervalSeconds(String text) {
		Matcher matcher = SECONDS.matcher(text.trim());
		if (!matcher.matches()) {
			return null;
		}
		// a number too large for an int is as far out of 1 to 59 as Integer.MAX_VALUE
		BigInteger seconds = new BigInteger(matcher.group(1));
		return (seconds.bitLength() < 32) ? seconds.intValue() : Integer.MAX_VALUE;
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
