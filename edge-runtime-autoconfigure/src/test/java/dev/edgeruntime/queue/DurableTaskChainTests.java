package dev.edgeruntime.queue;

import java.time.Duration;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.DurableBackgroundTaskTests.Report;
import dev.edgeruntime.queue.DurableBackgroundTaskTests.ReportLog;
import dev.edgeruntime.queue.DurableBackgroundTaskTests.Reports;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A durable task whose body returns the handle of the next durable task it sent (a chain of steps) has
 * finished once that is sent: it succeeds on its first attempt and sends the next step once.
 *
 * @author edge-runtime developers
 */
class DurableTaskChainTests {

	private final String queue = TestDatabase.uniqueName("chn_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("edge-runtime.queue.tasks.queue=" + this.queue,
				"edge-runtime.queue.consumer.polling-interval=200ms", "edge-runtime.queue.consumer.backoff.initial=0s")
		.withUserConfiguration(Config.class);

	@Test
	void bodyReturningTheHandleOfTheDurableTaskItSentShouldSucceedOnce() {
		this.contextRunner.run((context) -> {
			Chains chains = context.getBean(Chains.class);
			ReportLog log = context.getBean(ReportLog.class);
			TaskHandle<?> first = chains.start(new Report("chained", 1));
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> dispatcher.find(first.id())
				.map(TaskInfo::state)
				.filter((state) -> state == TaskState.SUCCEEDED || state == TaskState.FAILED)
				.isPresent());
			TaskInfo info = dispatcher.find(first.id()).orElseThrow();
			assertThat(info.state()).isEqualTo(TaskState.SUCCEEDED);
			assertThat(info.attempt()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(20)).until(() -> log.received.size() >= 1);
			assertThat(log.received).hasSize(1);
		});
	}

	public static class Chains {

		private final Reports reports;

		public Chains(Reports reports) {
			this.reports = reports;
		}

		@BackgroundTask(name = "chain", durable = true, maxAttempts = 3)
		public TaskHandle<?> start(Report report) {
			// the next step, durable too: its handle is what the caller of this step would want
			return this.reports.build(report);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		ReportLog reportLog() {
			return new ReportLog();
		}

		@Bean
		Reports reports(ReportLog log) {
			return new Reports(log);
		}

		@Bean
		Chains chains(Reports reports) {
			return new Chains(reports);
		}

	}

}
