package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A queue dropped in the database while its consumer runs (an operator's {@code pgmq.drop_queue}, a restore
 * of an older dump), against the real PostgreSQL: the consumer creates it again, as a start would, and says
 * what happened to the messages it was handling.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueDroppedTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("dropped_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				// One lease: while its handler runs, the reader reads nothing (and so cannot notice the drop).
				"edge-runtime.queue.consumer.concurrency=1", "edge-runtime.queue.consumer.prefetch=0",
				"edge-runtime.shutdown.grace-period=200ms", "edge-runtime.queue.consumer.shutdown-max-wait=200ms")
		.withUserConfiguration(RecordingListenerConfiguration.class);

	@Test
	void consumerCreatesItsQueueAgainWhenItWasDroppedAndConsumesWhatIsSentThen() {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			listener.release.countDown();
			pgmq.send(this.queue, Map.of("n", 1));
			await().atMost(WAIT).until(() -> listener.handled.contains(1));
			assertThat(pgmq.dropQueue(this.queue)).isTrue();
			// the consumer's next read finds the queue gone and creates it: sends succeed again
			await().atMost(WAIT).ignoreExceptions().until(() -> pgmq.send(this.queue, Map.of("n", 2)) > 0);
			await().atMost(WAIT).until(() -> listener.handled.contains(2));
			QueueHealthIndicator health = context.getBean(QueueHealthIndicator.class);
			await().atMost(WAIT).until(() -> health.health(true).getStatus().equals(Status.UP));
		});
	}

	@Test
	void messageWhoseQueueWasDroppedWhileItWasHandledIsReportedGoneNotReturning(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			long id = pgmq.send(this.queue, Map.of("n", 1));
			await().atMost(WAIT).until(() -> listener.started.getCount() == 0);
			assertThat(pgmq.dropQueue(this.queue)).isTrue();
			listener.release.countDown();
			await().atMost(WAIT)
				.until(() -> output.getOut().contains("Could not complete message " + id + " of queue '" + this.queue
						+ "': the queue no longer exists (dropped while it was handled)"));
			assertThat(output.getOut()).doesNotContain("it returns after the visibility timeout");
			// and the queue is there again for what comes next
			await().atMost(WAIT).ignoreExceptions().until(() -> pgmq.send(this.queue, Map.of("n", 2)) > 0);
			await().atMost(WAIT).until(() -> listener.handled.contains(2));
		});
	}

	static class RecordingListener {

		final CountDownLatch started = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final List<Integer> handled = new CopyOnWriteArrayList<>();

		@QueueListener(queue = "${test.queue}")
		void handle(Map<String, Object> message) throws InterruptedException {
			this.started.countDown();
			this.release.await();
			this.handled.add(((Number) message.get("n")).intValue());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

}
