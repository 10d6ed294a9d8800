package dev.edgeruntime.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskIds}.
 */
class TaskIdsTests {

	@TempDir
	Path temp;

	@Test
	void idsShouldBeRandomVersion4UuidsWithoutRepeats() {
		assertRandomIds(new TaskIds());
	}

	@Test
	void idsShouldComeFromTheSystemDeviceWhereThereIsOne() {
		TaskIds ids = new TaskIds();
		ids.next();
		assertThat(ids.readsDevice()).isEqualTo(Files.isReadable(Path.of("/dev/urandom")));
	}

	@Test
	void idsShouldComeFromSecureRandomWithoutADevice() {
		TaskIds ids = new TaskIds(this.temp.resolve("no-such-device").toString());
		assertThat(ids.readsDevice()).isFalse();
		assertRandomIds(ids);
	}

	@Test
	void idsShouldFallBackToSecureRandomWhenTheDeviceRunsDry() throws IOException {
		// a "device" of one block of zeros, then its end: the first 256 ids are all zero bits but version
		// and variant, every later one comes from SecureRandom
		Path device = this.temp.resolve("short-device");
		Files.write(device, new byte[16 * 256]);
		TaskIds ids = new TaskIds(device.toString());
		for (int i = 0; i < 256; i++) {
			assertThat(ids.next()).isEqualTo(new UUID(0x0000000000004000L, 0x8000000000000000L));
		}
		assertThat(ids.readsDevice()).isTrue();
		assertRandomIds(ids);
		assertThat(ids.readsDevice()).isFalse();
	}

	private static void assertRandomIds(TaskIds ids) {
		Set<UUID> seen = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			UUID id = ids.next();
			assertThat(id.version()).isEqualTo(4);
			assertThat(id.variant()).isEqualTo(2);
			assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
		}
		// random bits are spread: no fixed byte across many ids
		assertThat(seen.stream().map((id) -> id.getLeastSignificantBits() & 0xff).distinct().count()).isGreaterThan(200);
	}

}
