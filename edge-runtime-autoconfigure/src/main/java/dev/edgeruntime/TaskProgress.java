package dev.edgeruntime;

import org.jspecify.annotations.Nullable;

/**
 * Progress a task reported with {@link TaskContext#progress(long, long, String)}.
 *
 * @param done units done
 * @param total units in all, or {@code 0} when unknown
 * @param message what the task is doing, or {@code null}
 * @author edge-runtime developers
 */
public record TaskProgress(long done, long total, @Nullable String message) {

	/**
	 * The fraction done, from 0 to 1, or {@code -1} when the total is unknown.
	 * @return the fraction done
	 */
	public double fraction() {
		return (this.total > 0) ? Math.min(1.0, (double) this.done / this.total) : -1;
	}

}
