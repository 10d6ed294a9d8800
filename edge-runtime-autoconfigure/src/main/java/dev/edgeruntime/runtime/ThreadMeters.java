package dev.edgeruntime.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Reads the CPU time and allocated bytes of platform threads from the JVM.
 *
 * @author edge-runtime developers
 */
final class ThreadMeters {

	private static final Log logger = LogFactory.getLog(ThreadMeters.class);

	private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	private final com.sun.management.@org.jspecify.annotations.Nullable ThreadMXBean extended;

	private final boolean cpuSupported;

	ThreadMeters() {
		boolean cpu = this.threads.isThreadCpuTimeSupported();
		if (cpu && !this.threads.isThreadCpuTimeEnabled()) {
			try {
				this.threads.setThreadCpuTimeEnabled(true);
			}
			catch (UnsupportedOperationException | SecurityException ex) {
				cpu = false;
			}
		}
		this.cpuSupported = cpu;
		com.sun.management.ThreadMXBean ext = null;
		if (this.threads instanceof com.sun.management.ThreadMXBean candidate
				&& candidate.isThreadAllocatedMemorySupported()) {
			if (!candidate.isThreadAllocatedMemoryEnabled()) {
				candidate.setThreadAllocatedMemoryEnabled(true);
			}
			ext = candidate;
		}
		this.extended = ext;
		if (!this.cpuSupported || this.extended == null) {
			String what = !this.cpuSupported && this.extended == null ? "threads' CPU time and allocation"
					: !this.cpuSupported ? "threads' CPU time" : "threads' allocation";
			logger.warn("This JVM cannot measure " + what + ": "
					+ (!this.cpuSupported && this.extended == null ? "CPU-time and memory budgets are"
							: !this.cpuSupported ? "CPU-time budgets are" : "memory budgets are")
					+ " not enforced");
		}
	}

	/**
	 * CPU time of a platform thread in nanoseconds, or -1 when it cannot be measured.
	 */
	@SuppressWarnings("deprecation") // Thread.getId(): threadId() needs Java 19
	long cpuTimeNanos(Thread thread) {
		return this.cpuSupported ? this.threads.getThreadCpuTime(thread.getId()) : -1;
	}

	/**
	 * Bytes allocated by a platform thread since it started, or -1 when they cannot be measured.
	 */
	@SuppressWarnings("deprecation")
	long allocatedBytes(Thread thread) {
		return (this.extended != null) ? this.extended.getThreadAllocatedBytes(thread.getId()) : -1;
	}

}
