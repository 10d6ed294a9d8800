package dev.edgeruntime.aot;

import java.sql.Connection;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CronRuntimeHints}.
 *
 * @author edge-runtime developers
 */
class CronRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void schemaScriptsAndTheKeptConnectionsProxyShouldBeRegistered() {
		new CronRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.resource().forResource("dev/edgeruntime/cron/schema/cron-v1.sql"))
			.accepts(this.hints);
		// PgCronDataSource hands its kept connection out behind a JDK proxy
		assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Connection.class)).accepts(this.hints);
	}

}
