package dev.edgeruntime.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches the old generation after each garbage collection: when what survives a collection is above a
 * ratio of the pool's maximum, the instance is under memory pressure until it falls below again. Its start
 * and its end are each reported once, the start on the JVM's notification thread or the watchdog's, the end
 * on the watchdog's.
 *
 * @author edge-runtime developers
 */
final class MemoryPressureMonitor {

	private static final Log logger = LogFactory.getLog(MemoryPressureMonitor.class);

	private final double threshold;

	private final Runnable onPressure;

	private final Runnable onRelief;

	private final @Nullable MemoryPoolMXBean pool;

	private final NotificationListener listener = this::handle;

	private long thresholdBytes = -1;

	private long previousThreshold;

	private volatile boolean pressure;

	MemoryPressureMonitor(double threshold, @Nullable MemoryPoolMXBean pool, Runnable onPressure,
			Runnable onRelief) {
		this.threshold = threshold;
		this.pool = pool;
		this.onPressure = onPressure;
		this.onRelief = onRelief;
	}

	static @Nullable MemoryPoolMXBean findOldGeneration() {
		for (MemoryPoolMXBean candidate : ManagementFactory.getMemoryPoolMXBeans()) {
			String name = candidate.getName();
			if (candidate.getType() == MemoryType.HEAP && candidate.isCollectionUsageThresholdSupported()
					&& (name.contains("Old") || name.contains("Tenured"))) {
				return candidate;
			}
		}
		return null;
	}

	void start() {
		MemoryPoolMXBean pool = this.pool;
		if (pool == null) {
			logger.info("No old-generation memory pool found; memory pressure is not watched");
			return;
		}
		long max = pool.getUsage().getMax();
		if (max <= 0) {
			logger.info("Memory pool '" + pool.getName() + "' has no maximum; memory pressure is not watched");
			return;
		}
		this.thresholdBytes = Math.max(1, (long) (max * this.threshold));
		this.previousThreshold = pool.getCollectionUsageThreshold();
		pool.setCollectionUsageThreshold(this.thresholdBytes);
		((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(this.listener, null,
				null);
	}

	void stop() {
		MemoryPoolMXBean pool = this.pool;
		if (pool == null || this.thresholdBytes < 0) {
			return;
		}
		try {
			((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(this.listener);
		}
		catch (ListenerNotFoundException ex) {
			// already removed
		}
		if (pool.getCollectionUsageThreshold() == this.thresholdBytes) {
			pool.setCollectionUsageThreshold(this.previousThreshold);
		}
	}

	private void handle(Notification notification, @Nullable Object handback) {
		if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
			enterIfAbove();
		}
	}

	private void enterIfAbove() {
		synchronized (this) {
			if (this.pressure || !isAboveThreshold()) {
				return;
			}
			this.pressure = true;
		}
		logger.warn("Memory pressure: " + describe() + "; new background tasks are refused until it falls");
		this.onPressure.run();
	}

	/**
	 * Looks at the old generation after the latest collection: enters pressure above the threshold (the
	 * pool's notification is the quick way, but its threshold is one for the whole JVM, and another runtime
	 * or a library may have set its own), and clears it once the usage has fallen below.
	 * @return whether the instance is under pressure
	 */
	boolean poll() {
		if (!this.pressure) {
			enterIfAbove();
		}
		else {
			synchronized (this) {
				if (!this.pressure || isAboveThreshold()) {
					return this.pressure;
				}
				this.pressure = false;
			}
			logger.info("Memory pressure is over: " + describe());
			this.onRelief.run();
		}
		return this.pressure;
	}

	boolean isUnderPressure() {
		return this.pressure;
	}

	private boolean isAboveThreshold() {
		MemoryPoolMXBean pool = this.pool;
		if (pool == null || this.thresholdBytes < 0) {
			return false;
		}
		MemoryUsage usage = pool.getCollectionUsage();
		return usage != null && usage.getUsed() >= this.thresholdBytes;
	}

	private String describe() {
		MemoryPoolMXBean pool = this.pool;
		MemoryUsage usage = (pool != null) ? pool.getCollectionUsage() : null;
		return "'" + ((pool != null) ? pool.getName() : "?") + "' holds " + ((usage != null) ? usage.getUsed() : -1)
				+ " bytes after collection, threshold " + this.thresholdBytes + " bytes ("
				+ Math.round(this.threshold * 100) + "% of its maximum)";
	}

}
