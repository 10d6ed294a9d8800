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

}
