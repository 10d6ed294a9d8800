package dev.edgeruntime.autoconfigure;

import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.runtime.MdcTaskLifecycleListener;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the MDC part of {@link EdgeRuntimeAutoConfiguration}: the auto-configured runtime puts the
 * task id and name in the MDC of its tasks.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeMdcAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class));

	@Test
	void runtimeWhenSlf4jIsPresentShouldPutTaskIdAndNameInTheMdc() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(MdcTaskLifecycleListener.class);
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			TaskHandle<String> task = runtime.waitUntil(TaskOptions.named("audit"),
					() -> MDC.get(MdcTaskLifecycleListener.TASK_NAME) + " " + MDC.get(MdcTaskLifecycleListener.TASK_ID));
			assertThat(task.result().get(30, TimeUnit.SECONDS)).isEqualTo("audit " + task.id());
		});
	}

}
