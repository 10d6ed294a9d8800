package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link QueueMetrics#forget(String)} against the real PostgreSQL: figures read before a change and cached
 * after it was forgotten (a page's push racing the dashboard's requeue) must not be kept for the cache
 * interval.
 *
 * @author edge-runtime developers
 */
class QueueMetricsForgetTests {

	private static DataSource dataSource;

	@BeforeAll
	static void schema() {
		dataSource = TestDatabase.get().dataSource();
		assertThat(new PgmqSchemaInitializer(dataSource, PgmqSchemaMode.AUTO).install()).isTrue();
	}

	@Test
	void figuresReadBeforeAForgetShouldNotBeCachedAfterIt() throws Exception {
		CountDownLatch read = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Thread[] slowReader = new Thread[1];
		PgmqTemplate pgmq = new PgmqTemplate(new JdbcTemplate(dataSource), JsonMapper.builder().build(), 1024,
				Duration.ofHours(1), null) {

			@Override
			public QueueStatistics statistics(String queue) {
				QueueStatistics statistics = super.statistics(queue);
				if (Thread.currentThread() == slowReader[0]) {
					// read, not yet cached: the requeue and its forget happen now
					read.countDown();
					await(release);
				}
				return statistics;
			}

		};
		String queue = TestDatabase.uniqueName("forget_");
		pgmq.createQueue(queue);
		long id = pgmq.send(queue, Map.of("n", 1));
		pgmq.archiveWithHeaders(queue, id, Map.of(QueueHeaders.DEAD_LETTERED, true));
		QueueMetrics metrics = new QueueMetrics(pgmq, List::of, Duration.ofHours(1));

		CompletableFuture<Optional<QueueStatistics>> push = new CompletableFuture<>();
		slowReader[0] = new Thread(() -> push.complete(metrics.queue(queue)), "slow-push");
		slowReader[0].start();
		assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(pgmq.requeueDeadLetters(queue)).containsExactly(id);
		metrics.forget(queue);
		release.countDown();
		assertThat(push.get(30, TimeUnit.SECONDS).orElseThrow().deadLettered()).as("read before the requeue")
			.isEqualTo(1);

		assertThat(metrics.queue(queue).orElseThrow().deadLettered()).as("the next read, after the forget")
			.isZero();
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
