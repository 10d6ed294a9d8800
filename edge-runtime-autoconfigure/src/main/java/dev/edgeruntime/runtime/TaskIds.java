package dev.edgeruntime.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Makes unguessable task ids (random version-4 UUIDs), drawing random bytes in blocks of 4 KiB:
 * {@link UUID#randomUUID()} asks the JDK's generator for every id, which was the largest single cost of a
 * submission in the benchmarks.
 * <p>
 * Where the operating system has {@code /dev/urandom} (Linux, macOS), the blocks are read from it
 * directly: the JDK's default generator reads the same device and then mixes every byte with SHA1PRNG's
 * output, which costs more than the read. Elsewhere, or once reading the device fails, the blocks come
 * from a {@link SecureRandom}.
 *
 * @author edge-runtime developers
 */
final class TaskIds {

	private static final Log logger = LogFactory.getLog(TaskIds.class);

	private static final String SYSTEM_DEVICE = "/dev/urandom";

	private static final int IDS_PER_BLOCK = 256;

	private final SecureRandom random = new SecureRandom();

	private final byte[] block = new byte[16 * IDS_PER_BLOCK];

	private @Nullable InputStream device;

	private int next = this.block.length;

	TaskIds() {
		this(SYSTEM_DEVICE);
	}

	/**
	 * Creates ids from the given random device.
	 * @param device the path of the device, or {@code null} to use a {@link SecureRandom} only
	 */
	TaskIds(@Nullable String device) {
		this.device = open(device);
	}

	private static @Nullable InputStream open(@Nullable String device) {
		if (device == null) {
			return null;
		}
		try {
			return new FileInputStream(device);
		}
		catch (IOException | SecurityException ex) {
			return null;
		}
	}

	synchronized UUID next() {
		if (this.next == this.block.length) {
			refill();
			this.next = 0;
		}
		long most = 0;
		long least = 0;
		for (int i = 0; i < 8; i++) {
			most = (most << 8) | (this.block[this.next + i] & 0xff);
		}
		for (int i = 8; i < 16; i++) {
			least = (least << 8) | (this.block[this.next + i] & 0xff);
		}
		// wipe what was used, so the block holds no id already handed out
		Arrays.fill(this.block, this.next, this.next + 16, (byte) 0);
		this.next += 16;
		most = (most & 0xffffffffffff0fffL) | 0x0000000000004000L; // version 4
		least = (least & 0x3fffffffffffffffL) | 0x8000000000000000L; // IETF variant
		return new UUID(most, least);
	}

	/** Whether the blocks are read from the operating system's device (rather than a SecureRandom). */
	synchronized boolean readsDevice() {
		return this.device != null;
	}

	private void refill() {
		InputStream device = this.device;
		if (device != null) {
			try {
				if (device.readNBytes(this.block, 0, this.block.length) == this.block.length) {
					return;
				}
				logger.warn("Task ids: " + SYSTEM_DEVICE + " ended early; using SecureRandom from now on");
			}
			catch (IOException ex) {
				logger.warn("Task ids: could not read " + SYSTEM_DEVICE + " (" + ex.getMessage()
						+ "); using SecureRandom from now on");
			}
			this.device = null;
			try {
				device.close();
			}
			catch (IOException ex) {
				// nothing more to do with it
			}
		}
		this.random.nextBytes(this.block);
	}

}
