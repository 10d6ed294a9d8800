package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.queue.PgmqTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;

/**
 * Tests for {@link DurableTierCheck} with a test's {@code @MockitoBean PgmqTemplate} in a test without a
 * database (this module's tests exclude the DataSource): the application has {@code @QueueListener} and
 * {@code @CronJob} methods, and the test starts it to try what sends messages.
 *
 * @author edge-runtime developers
 */
@SpringBootTest
class DurableTierCheckMockitoBeanTests {

	@MockitoBean
	private PgmqTemplate pgmq;

	@Autowired
	private Sender sender;

	@Test
	void applicationWithListenersShouldStartWithAMockedTemplate() {
		given(this.pgmq.send(eq("emails"), any())).willReturn(42L);
		assertThat(this.sender.send("a@example.com")).isEqualTo(42L);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Sender sender(PgmqTemplate pgmq) {
			return new Sender(pgmq);
		}

		@Bean
		DurableTierCheckTests.Listener listener() {
			return new DurableTierCheckTests.Listener();
		}

		@Bean
		DurableTierCheckTests.Job job() {
			return new DurableTierCheckTests.Job();
		}

	}

	record Sender(PgmqTemplate pgmq) {

		long send(String email) {
			return this.pgmq.send("emails", email);
		}

	}

}
