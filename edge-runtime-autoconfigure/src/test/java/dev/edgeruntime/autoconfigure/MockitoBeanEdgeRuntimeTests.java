package dev.edgeruntime.autoconfigure;

import java.util.concurrent.CompletableFuture;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.then;

/**
 * A test's {@code @MockitoBean EdgeRuntime}, in an application with a {@code @BackgroundTask} controller
 * method, over a real server: the application starts, the code under test calls the mock, and a
 * {@code @BackgroundTask} method, which needs the starter's runtime, fails at the call saying what to use instead
 * (with {@code edge-runtime.tasks.inline=true} too, which only the starter's runtime reads).
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "edge-runtime.tasks.inline=true")
class MockitoBeanEdgeRuntimeTests {

	@MockitoBean
	private EdgeRuntime runtime;

	@Autowired
	private Notifier notifier;

	@Autowired
	private Mailer mailer;

	@Test
	void applicationWithBackgroundTaskMethodsShouldStartWithAMockedRuntime() {
		this.notifier.notifyLater();
		then(this.runtime).should().waitUntil(any(CompletableFuture.class));
	}

	@Test
	void backgroundTaskMethodCalledWithAMockedRuntimeShouldFailSayingWhatToUseInstead() {
		assertThatIllegalStateException().isThrownBy(this.mailer::send)
			.withMessageStartingWith("@BackgroundTask method ")
			.withMessageContaining("Mailer.send()")
			.withMessageContaining("is not the starter's runtime (a test's @MockitoBean EdgeRuntime replaces it")
			.withMessageContaining("use @MockitoSpyBean EdgeRuntime");
	}

	@Test
	void backgroundTaskMethodCalledWithAMockedRuntimeShouldFailInlineTooSayingTheMockMustGo() {
		// edge-runtime.tasks.inline=true (this class's) is the starter's runtime's: the mock still runs nothing
		assertThatIllegalStateException().isThrownBy(this.mailer::send)
			.withMessageContaining("drop the mock and set edge-runtime.tasks.inline=true");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Notifier notifier(EdgeRuntime runtime) {
			return new Notifier(runtime);
		}

		@Bean
		Mailer mailer() {
			return new Mailer();
		}

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

	record Notifier(EdgeRuntime runtime) {

		void notifyLater() {
			this.runtime.waitUntil(CompletableFuture.completedFuture("sent"));
		}

	}

	static class Mailer {

		@BackgroundTask
		public void send() {
		}

	}

	@RestController
	static class Reports {

		@BackgroundTask
		@PostMapping("/reports")
		public void create() {
		}

	}

}
