package dev.edgeruntime.queue;

import java.util.List;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up warns when the application's connection pool is smaller than what the queue consumers may hold
 * at once: heartbeats would wait for a connection behind handlers that hold one, and leases would run out.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueConnectionPoolWarningTests {

	private final String queue = TestDatabase.uniqueName("pool_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("test.queue=" + this.queue)
		.withUserConfiguration(Config.class);

	@Test
	void poolSmallerThanTheConsumersMayHoldShouldWarnWithTheSizeNeeded(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=4").run((context) -> {
			assertThat(context).hasNotFailed();
			// 3 handlers, the heartbeats of the one listener, the notification connection
			assertThat(output).contains("The DataSource's pool holds at most 4 connections "
					+ "(spring.datasource.hikari.maximum-pool-size); the queue consumers may need 5 at once")
				.contains("(3 handlers, one for the heartbeats of each of the 1 listeners, the notification connection)")
				.contains("raise the pool's size to at least 5, or lower the listeners' concurrency");
		});
	}

	@Test
	void poolLargeEnoughShouldNotWarn(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=5").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(QueueConsumers.class).status()).isNotEmpty();
			assertThat(output).doesNotContain("The DataSource's pool holds at most");
		});
	}

	@Test
	void connectionsNeededShouldCountHandlersAndOnePerListenerAndTheNotificationConnection() {
		assertThat(QueueConsumers.connectionsNeeded(List.of(3))).isEqualTo(5);
		// each listener's heartbeats have a thread of their own, so each may hold a connection at once; the
		// readers' and deletes' brief statements wait their turn
		assertThat(QueueConsumers.connectionsNeeded(List.of(4, 1, 1))).isEqualTo(10);
		// three listeners of the default concurrency fit Hikari's default pool of 10
		assertThat(QueueConsumers.connectionsNeeded(List.of(1, 1, 1))).isLessThanOrEqualTo(10);
	}

	static class Listener {

		@QueueListener(queue = "${test.queue}", concurrency = 3)
		void handle(String message) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

}
