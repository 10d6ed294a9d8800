package dev.edgeruntime.dashboard;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.BackgroundTasksDescriptor;
import dev.edgeruntime.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link DashboardEventStream}: bounded, and closed at shutdown.
 *
 * @author edge-runtime developers
 */
class DashboardEventStreamTests {

	private final AtomicInteger reads = new AtomicInteger();

	private final BackgroundTasksDescriptor report = DashboardSnapshotTests.report(3);

	private final DashboardEventStream stream = new DashboardEventStream(() -> {
		this.reads.incrementAndGet();
		return this.report;
	}, Duration.ofMinutes(10), 2);

	private final DashboardView view = new DashboardView(null, null, 0, 50);

	@AfterEach
	void stop() {
		this.stream.stop();
	}

	@Test
	void subscribeBeforeStartShouldBeRefused() {
		assertThat(this.stream.subscribe(this.view, false)).isNull();
	}

	@Test
	void subscribeBeyondMaxClientsShouldBeRefused() {
		this.stream.start();
		assertThat(this.stream.subscribe(this.view, false)).isNotNull();
		assertThat(this.stream.subscribe(this.view, true)).isNotNull();
		assertThat(this.stream.subscribe(this.view, true)).isNull();
		assertThat(this.stream.clientCount()).isEqualTo(2);
	}

	@Test
	void reachingMaxClientsShouldBeLoggedOnceUntilAPageIsLetInAgain() {
		try (LogCapture log = LogCapture.of(DashboardEventStream.class)) {
			this.stream.start();
			assertThat(this.stream.subscribe(this.view, false)).isNotNull();
			assertThat(this.stream.subscribe(this.view, false)).isNotNull();
			// the page retries every 5 s: one line for all of its refusals
			assertThat(this.stream.subscribe(this.view, false)).isNull();
			assertThat(this.stream.subscribe(this.view, false)).isNull();
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.WARN);
				assertThat(event.getFormattedMessage()).isEqualTo("Dashboard: 2 pages are connected, the most "
						+ "edge-runtime.dashboard.max-clients allows; further pages are answered 503 until one closes "
						+ "(each retries every 5 s)");
			});
			// the pages gone (here by a stop and a start), a page let in again, then the limit reached again
			this.stream.stop();
			this.stream.start();
			assertThat(this.stream.subscribe(this.view, false)).isNotNull();
			assertThat(this.stream.subscribe(this.view, false)).isNotNull();
			assertThat(this.stream.subscribe(this.view, false)).isNull();
			assertThat(log.events()).hasSize(2);
		}
	}

	@Test
	void subscribeShouldSendFirstSnapshotAndChangeAnother() {
		this.stream.start();
		this.stream.subscribe(this.view, false);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.reads).hasValue(1));
		this.stream.changed();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.reads).hasValue(2));
	}

	@Test
	void stopShouldCloseEveryStreamAndRefuseNewOnes() {
		this.stream.start();
		this.stream.subscribe(this.view, false);
		this.stream.stop();
		assertThat(this.stream.isRunning()).isFalse();
		assertThat(this.stream.clientCount()).isZero();
		assertThat(this.stream.subscribe(this.view, false)).isNull();
		this.stream.changed();
	}

	@Test
	void changeCutOffByAStopShouldNotHoldBackThoseAfterAStart() {
		this.stream.start();
		this.stream.subscribe(this.view, false);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.reads).hasValue(1));
		// its push is due later (the changes of a moment make one push): the stop cancels it
		this.stream.changed();
		this.stream.stop();
		this.stream.start();
		this.stream.subscribe(this.view, false);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.reads).hasValue(2));
		this.stream.changed();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.reads).hasValue(3));
	}

	@Test
	void phaseShouldStopBeforeGracefulShutdown() {
		// a higher phase stops earlier
		assertThat(this.stream.getPhase()).isGreaterThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
	}

}
