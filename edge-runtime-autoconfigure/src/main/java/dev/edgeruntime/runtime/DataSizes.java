package dev.edgeruntime.runtime;

/**
 * Sizes in messages, written as a property would be: {@code 300MB}, {@code 1KB}, {@code 1000B}; the
 * counterpart of {@link Durations}.
 *
 * @author edge-runtime developers
 */
public final class DataSizes {

	private static final String[] UNITS = { "TB", "GB", "MB", "KB" };

	private DataSizes() {
	}

	/**
	 * A size in the largest unit that divides it ({@code 300MB}, {@code 1GB}, {@code 1536KB}), else in bytes
	 * ({@code 1000B}), in the form Spring Boot reads back.
	 * @param bytes the size in bytes
	 * @return the size as text
	 */
	public static String text(long bytes) {
		if (bytes < 0 && bytes != Long.MIN_VALUE) {
			return "-" + text(-bytes);
		}
		for (int i = 0; i < UNITS.length; i++) {
			long unit = 1L << (10 * (UNITS.length - i));
			if (bytes >= unit && bytes % unit == 0) {
				return (bytes / unit) + UNITS[i];
			}
		}
		return bytes + "B";
	}

}
