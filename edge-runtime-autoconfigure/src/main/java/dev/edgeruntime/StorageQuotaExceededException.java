package dev.edgeruntime;

import java.io.IOException;

/**
 * Thrown when a task's ephemeral storage would grow past {@code edge-runtime.storage.quota}.
 *
 * @author edge-runtime developers
 */
public class StorageQuotaExceededException extends IOException {

	private static final long serialVersionUID = 1L;

	private final long quotaBytes;

	/**
	 * Creates a new instance.
	 * @param message the detail message
	 * @param quotaBytes the quota in bytes
	 */
	public StorageQuotaExceededException(String message, long quotaBytes) {
		super(message);
		this.quotaBytes = quotaBytes;
	}

	/**
	 * The quota that was exceeded.
	 * @return the quota in bytes
	 */
	public long getQuotaBytes() {
		return this.quotaBytes;
	}

	/**
	 * A size as {@code edge-runtime.storage.quota} would be written: in the largest unit that divides it
	 * ({@code 300MB}, {@code 1GB}, {@code 1536KB}), else in bytes ({@code 1000B}).
	 * @param bytes the size in bytes
	 * @return the size as text
	 */
	public static String sizeText(long bytes) {
		if (bytes < 0 && bytes != Long.MIN_VALUE) {
			return "-" + sizeText(-bytes);
		}
		String[] units = { "TB", "GB", "MB", "KB" };
		for (int i = 0; i < units.length; i++) {
			long unit = 1L << (10 * (units.length - i));
			if (bytes >= unit && bytes % unit == 0) {
				return (bytes / unit) + units[i];
			}
		}
		return bytes + "B";
	}

}
