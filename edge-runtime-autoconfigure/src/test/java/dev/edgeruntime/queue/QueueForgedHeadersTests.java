package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Headers that another writer of the queue (a producer, plain SQL) forged: an {@code x-max-attempts} that is
 * no number of attempts is ignored with a WARN naming the message and the listener's own maximum applies, and
 * headers that are JSON {@code null} are no headers; neither stops the consumer.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueForgedHeadersTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final String queue = TestDatabase.uniqueName("forged_");

	private final JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.get().dataSource());

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.consumer.polling-interval=200ms",
				"edge-runtime.queue.consumer.backoff.initial=0s", "edge-runtime.queue.consumer.max-attempts=2")
		.withUserConfiguration(Config.class);

	@Test
	void maxAttemptsHeaderThatIsNoNumberOfAttemptsShouldBeIgnoredWithAWarningAndTheListenersMaximumApply(
			CapturedOutput output) {
		// zero, negative, text, a fraction, a boolean, and beyond an int: cut to its low 32 bits, 2^32 + 1 was
		// taken as 1 attempt and ten billion as 1410065408 (retried for ever)
		List<String> forged = List.of("0", "-3", "\"7\"", "2.5", "true", "4294967297", "10000000000", "1e300");
		this.contextRunner.run((context) -> {
			context.getBean(Listener.class).failing = true;
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.createQueue(this.queue);
			for (String value : forged) {
				this.jdbc.queryForObject("SELECT pgmq.send(?, '{\"n\": 1}'::jsonb, jsonb_build_object('x-max-attempts', "
						+ "?::jsonb), 0)", Long.class, this.queue, value);
			}
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == forged.size());
			assertThat(deadLetters.events).as("dead-lettered after the listener's 2 attempts, each")
				.allSatisfy((event) -> assertThat(event.attempts()).isEqualTo(2));
			List<Long> ids = this.jdbc.queryForList("SELECT msg_id FROM pgmq.a_" + this.queue + " ORDER BY msg_id",
					Long.class);
			assertThat(ids).hasSize(forged.size());
			for (int i = 0; i < forged.size(); i++) {
				// 1e300 is printed as PostgreSQL keeps it, its 301 digits cut
				String printed = forged.get(i).equals("1e300") ? "1000000000" : forged.get(i).replace("\"", "");
				assertThat(output).contains("Message " + ids.get(i) + " of queue '" + this.queue + "' has an "
						+ "x-max-attempts header that is no number of attempts (" + printed);
			}
			assertThat(output).contains("it must be a whole number from 1 to 2147483647; the listener's "
					+ "maxAttempts (2) applies");
		});
	}

	@Test
	void maxAttemptsHeaderThatIsANumberOfAttemptsShouldBeTakenWithoutAWarning(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			context.getBean(Listener.class).failing = true;
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.createQueue(this.queue);
			pgmq.send(this.queue, Map.of("n", 1), Map.of(QueueHeaders.MAX_ATTEMPTS, 3), Duration.ZERO);
			DeadLetters deadLetters = context.getBean(DeadLetters.class);
			await().atMost(WAIT).until(() -> deadLetters.events.size() == 1);
			assertThat(deadLetters.events.get(0).attempts()).isEqualTo(3);
			assertThat(output).doesNotContain("x-max-attempts header");
		});
	}

	@Test
	void headersThatAreJsonNullShouldBeNoHeadersAndTheConsumerShouldGoOn() {
		this.contextRunner.run((context) -> {
			Listener listener = context.getBean(Listener.class);
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			pgmq.createQueue(this.queue);
			long forged = this.jdbc.queryForObject("SELECT pgmq.send(?, '{\"n\": 1}'::jsonb, 'null'::jsonb, 0)",
					Long.class, this.queue);
			long plain = pgmq.send(this.queue, Map.of("n", 2));
			await().atMost(WAIT).until(() -> listener.received.size() == 2);
			assertThat(listener.received).extracting(QueueMessage::id).containsExactly(forged, plain);
			assertThat(listener.received.get(0).headers()).isEmpty();
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue,
						Long.class)).isZero());
			assertThat(context.getBean(QueueConsumers.class).status()).allSatisfy((status) -> assertThat(status.healthy())
				.isTrue());
		});
	}

	static class Listener {

		final List<QueueMessage<JsonNode>> received = new CopyOnWriteArrayList<>();

		volatile boolean failing;

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			this.received.add(message);
			if (this.failing) {
				throw new IllegalStateException("fails every time");
			}
		}

	}

	static class DeadLetters {

		final List<MessageDeadLetteredEvent> events = new CopyOnWriteArrayList<>();

		@org.springframework.context.event.EventListener
		void on(MessageDeadLetteredEvent event) {
			this.events.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listener listener() {
			return new Listener();
		}

		@Bean
		DeadLetters deadLetters() {
			return new DeadLetters();
		}

	}

}
