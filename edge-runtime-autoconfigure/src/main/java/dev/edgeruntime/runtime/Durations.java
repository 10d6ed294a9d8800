package dev.edgeruntime.runtime;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.convert.DurationStyle;

/**
 * Durations in messages, written as a property would be: {@code 30s}, {@code 250ms}, {@code 2m}.
 *
 * @author edge-runtime developers
 */
public final class Durations {

	private static final ChronoUnit[] WHOLE_SECOND_UNITS = { ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES,
			ChronoUnit.SECONDS };

	private static final ChronoUnit[] SUB_SECOND_UNITS = { ChronoUnit.MILLIS, ChronoUnit.MICROS };

	private Durations() {
	}

	/**
	 * A duration in the largest unit that divides it exactly, in the form Spring Boot reads back
	 * ({@link DurationStyle#SIMPLE}).
	 * @param duration the duration
	 * @return the text, such as {@code 30s} or {@code -5s}
	 */
	public static String text(Duration duration) {
		if (duration.isZero()) {
			return "0s";
		}
		if (duration.getNano() == 0) {
			long seconds = duration.getSeconds();
			for (ChronoUnit unit : WHOLE_SECOND_UNITS) {
				if (seconds % unit.getDuration().getSeconds() == 0) {
					return DurationStyle.SIMPLE.print(duration, unit);
				}
			}
		}
		// the whole seconds divide by any unit below a second, so the nanoseconds part decides
		long nanos = duration.getNano();
		for (ChronoUnit unit : SUB_SECOND_UNITS) {
			if (nanos % unit.getDuration().toNanos() == 0) {
				return DurationStyle.SIMPLE.print(duration, unit);
			}
		}
		return DurationStyle.SIMPLE.print(duration, ChronoUnit.NANOS);
	}

	/**
	 * A duration in nanoseconds, {@link Long#MAX_VALUE} for one too long to count so (about 292 years and
	 * more): a budget or an age that long never runs out.
	 * @param duration the duration, not negative
	 * @return the nanoseconds
	 */
	public static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

}
