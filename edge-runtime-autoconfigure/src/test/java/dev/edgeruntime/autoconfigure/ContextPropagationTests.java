package dev.edgeruntime.autoconfigure;

import java.util.concurrent.TimeUnit;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the submitting thread's context reaches the task.
 */
class ContextPropagationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class));

	@AfterEach
	void clear() {
		MDC.clear();
		SecurityContextHolder.clearContext();
	}

	@Test
	void mdcShouldBeSeenInsideTheTaskAndNotLeakIntoThePool() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			MDC.put("requestId", "r-42");
			MDC.put("traceId", "trace-7");
			var task = runtime.waitUntil(() -> MDC.get("requestId"));
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("r-42");
			assertThat(task.info().origin()).isEqualTo(new TaskOrigin(null, null, "trace-7", null));
			MDC.clear();
			assertThat(runtime.waitUntil(() -> String.valueOf(MDC.get("requestId"))).result().get(10, TimeUnit.SECONDS))
				.isEqualTo("null");
		});
	}

	@Test
	void securityContextShouldBeSeenInsideTheTask() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			SecurityContextHolder.setContext(
					new SecurityContextImpl(new TestingAuthenticationToken("alice", "secret", "ROLE_USER")));
			var task = runtime.waitUntil(TaskOptions.named("secured"), () -> {
				Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
				return (authentication != null) ? authentication.getName() : "anonymous";
			});
			assertThat(task.result().get(10, TimeUnit.SECONDS)).isEqualTo("alice");
		});
	}

	@Test
	void userTaskDecoratorShouldBeApplied() {
		ThreadLocal<String> tenant = new ThreadLocal<>();
		this.contextRunner.withBean(TaskDecorator.class, () -> (runnable) -> {
			String captured = tenant.get();
			return () -> {
				tenant.set(captured);
				try {
					runnable.run();
				}
				finally {
					tenant.remove();
				}
			};
		}).run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			tenant.set("acme");
			try {
				assertThat(runtime.waitUntil(tenant::get).result().get(10, TimeUnit.SECONDS)).isEqualTo("acme");
			}
			finally {
				tenant.remove();
			}
		});
	}

}
