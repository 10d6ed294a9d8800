package dev.edgeruntime.runtime;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskIds}.
 */
class TaskIdsTests {

	@Test
	void idsShouldBeRandomVersion4UuidsWithoutRepeats() {
		TaskIds ids = new TaskIds();
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
