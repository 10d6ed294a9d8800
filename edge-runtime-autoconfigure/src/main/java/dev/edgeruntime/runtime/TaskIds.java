package dev.edgeruntime.runtime;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Makes unguessable task ids (random version-4 UUIDs) from a {@link SecureRandom}, drawing its bytes in
 * blocks: {@link UUID#randomUUID()} asks the operating system's generator for every id, which was the
 * largest single cost of a submission in the benchmarks.
 *
 * @author edge-runtime developers
 */
final class TaskIds {

	private static final int IDS_PER_BLOCK = 256;

	private final SecureRandom random = new SecureRandom();

	private final byte[] block = new byte[16 * IDS_PER_BLOCK];

	private int next = this.block.length;

	synchronized UUID next() {
		if (this.next == this.block.length) {
			this.random.nextBytes(this.block);
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
		java.util.Arrays.fill(this.block, this.next, this.next + 16, (byte) 0);
		this.next += 16;
		most = (most & 0xffffffffffff0fffL) | 0x0000000000004000L; // version 4
		least = (least & 0x3fffffffffffffffL) | 0x8000000000000000L; // IETF variant
		return new UUID(most, least);
	}

}
