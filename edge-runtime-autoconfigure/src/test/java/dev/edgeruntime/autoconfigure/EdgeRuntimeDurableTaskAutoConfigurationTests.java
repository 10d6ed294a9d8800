package dev.edgeruntime.autoconfigure;

import javax.sql.DataSource;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.queue.DurableTaskMethods;
import dev.edgeruntime.queue.PgmqDurableTaskDispatcher;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeDurableTaskAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeDurableTaskAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeQueueAutoConfiguration.class,
				EdgeRuntimeDurableTaskAutoConfiguration.class));

	// The shared pool, behind a wrapper the context cannot close.
	private static DataSource dataSource() {
		return new DelegatingDataSource(TestDatabase.get().dataSource());
	}

	@Test
	void withoutDurableTierShouldBackOff() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(DurableTaskDispatcher.class).doesNotHaveBean(DurableTaskMethods.class);
		});
	}

	@Test
	void withDurableTierShouldCreateTheDispatcher() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeDurableTaskAutoConfigurationTests::dataSource)
			.run((context) -> assertThat(context).hasSingleBean(PgmqDurableTaskDispatcher.class)
				.hasSingleBean(DurableTaskMethods.class));
	}

	@Test
	void whenTasksAreDisabledShouldBackOff() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeDurableTaskAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.tasks.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DurableTaskDispatcher.class));
	}

	@Test
	void whenHasCustomDispatcherShouldBackOff() {
		DurableTaskDispatcher custom = (invocation) -> (TaskHandle<?>) null;
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeDurableTaskAutoConfigurationTests::dataSource)
			.withBean(DurableTaskDispatcher.class, () -> custom)
			.run((context) -> assertThat(context.getBean(DurableTaskDispatcher.class)).isSameAs(custom));
	}

	@Test
	void invalidDefaultQueueShouldFailStartUpNamingThePropertyNotTheDurableMethodsThatUseIt() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeDurableTaskAutoConfigurationTests::dataSource)
			.withBean(DefaultQueueMethod.class)
			.withPropertyValues("edge-runtime.queue.tasks.queue=bad-name!", "edge-runtime.queue.consumer.max-attempts=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.queue.tasks.queue = 'bad-name!': must be a valid queue name")
					.hasMessageContaining("edge-runtime.queue.consumer.max-attempts = '0': must be at least 1")
					.hasMessageNotContaining(DefaultQueueMethod.class.getName());
			});
	}

	@Test
	void invalidTaskSettingsShouldFailStartUpNamingTheProperties() {
		this.contextRunner.withBean(DataSource.class, EdgeRuntimeDurableTaskAutoConfigurationTests::dataSource)
			.withPropertyValues("edge-runtime.queue.tasks.max-attempts=0", "edge-runtime.queue.tasks.queue=bad-name",
					"edge-runtime.queue.tasks.prefetch=-1")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.queue.tasks.max-attempts")
					.hasMessageContaining("edge-runtime.queue.tasks.queue")
					.hasMessageContaining("edge-runtime.queue.tasks.prefetch");
			});
	}

	static class DefaultQueueMethod {

		@BackgroundTask(durable = true)
		public void run(String payload) {
		}

	}

}
