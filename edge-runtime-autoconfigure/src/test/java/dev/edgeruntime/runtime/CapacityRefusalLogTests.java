package dev.edgeruntime.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskRejectedException;
import dev.edgeruntime.testsupport.LogCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the log line of refusals for {@code edge-runtime.max-in-flight}: one at the first refusal, then at
 * most one a minute with the count since the last.
 *
 * @author edge-runtime developers
 */
class CapacityRefusalLogTests {

	@Test
	void refusalsForMaxInFlightShouldBeLoggedAtMostOnceAMinuteWithTheirCount() throws Exception {
		MovableClock wall = new MovableClock();
		DefaultEdgeRuntime runtime = DefaultEdgeRuntime.builder((event) -> {
		})
			.clock(wall)
			.maxInFlight(1)
			.budgets(Duration.ofDays(1), null, null)
			.checkInterval(Duration.ofDays(1))
			.memoryPressureThreshold(0)
			.build();
		runtime.start();
		CountDownLatch release = new CountDownLatch(1);
		try (LogCapture log = LogCapture.of(dev.edgeruntime.EdgeRuntime.class)) {
			runtime.waitUntil(TaskOptions.named("holder"), () -> release.await(1, TimeUnit.MINUTES));
			refuse(runtime, "first");
			refuse(runtime, "second");
			refuse(runtime, "third");
			assertThat(warnings(log)).containsExactly("Background tasks refused: 1 are in flight, the most "
					+ "edge-runtime.max-in-flight allows (1 refused since this was last logged, the latest 'first'). "
					+ "Each is a TaskRejectedException, in a request a 503 with Retry-After; "
					+ "edge.runtime.tasks.rejected{cause=max_in_flight} counts them. Logged at most once a minute.");
			wall.now = wall.now.plus(Duration.ofSeconds(59));
			refuse(runtime, "fourth");
			assertThat(warnings(log)).hasSize(1);
			wall.now = wall.now.plus(Duration.ofSeconds(1));
			refuse(runtime, "fifth");
			assertThat(warnings(log)).hasSize(2)
				.last()
				.asString()
				.contains("(4 refused since this was last logged, the latest 'fifth')");
		}
		finally {
			release.countDown();
			runtime.close();
		}
	}

	private static void refuse(DefaultEdgeRuntime runtime, String name) {
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> runtime.waitUntil(TaskOptions.named(name), () -> name));
	}

	private static java.util.List<String> warnings(LogCapture log) {
		return log.events()
			.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	static final class MovableClock implements InstantSource {

		volatile Instant now = Instant.parse("2026-11-25T00:00:00Z");

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
