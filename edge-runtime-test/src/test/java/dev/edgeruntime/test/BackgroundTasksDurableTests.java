package dev.edgeruntime.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.autoconfigure.BackgroundTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDurableTaskAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link BackgroundTasks#awaitSettled(org.springframework.context.ApplicationContext, Duration)}
 * with the durable tier, on the real PostgreSQL of the library's tests.
 *
 * @author edge-runtime developers
 */
class BackgroundTasksDurableTests {

	private final String taskQueue = TestDatabase.uniqueName("bts_");

	private final String listenerQueue = TestDatabase.uniqueName("btl_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class,
				EdgeRuntimeTestAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("edge-runtime.queue.tasks.queue=" + this.taskQueue,
				"edge-runtime.queue.consumer.backoff.initial=0s", "test.listener-queue=" + this.listenerQueue)
		.withUserConfiguration(Config.class);

	@Test
	void awaitSettledWhenADurableTaskIsHandledShouldWaitUntilItHasEnded() {
		this.contextRunner.run((context) -> {
			Mailbox mailbox = context.getBean(Mailbox.class);
			CountDownLatch release = new CountDownLatch(1);
			mailbox.blockUntil = release;
			context.getBean(Receipts.class).send("order-1");
			await().atMost(Duration.ofSeconds(20)).until(() -> mailbox.started.getCount() == 0);
			try {
				assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> BackgroundTasks.awaitSettled(context, Duration.ofMillis(200)))
					.withMessageContaining("Durable work did not settle within PT0.2S")
					.withMessageContaining("queue '" + this.taskQueue + "' holds 1 message")
					.withMessageContaining("1 being handled here");
			}
			finally {
				release.countDown();
			}
			BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
			assertThat(mailbox.sent).containsExactly("order-1");
			assertThat(context.getBean(PgmqTemplate.class).statistics(this.taskQueue).length()).isZero();
		});
	}

	@Test
	void awaitSettledShouldFollowWorkFromATaskToAQueueAndBackToATask() {
		this.contextRunner.run((context) -> {
			EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
			Mailbox mailbox = context.getBean(Mailbox.class);
			PgmqTemplate pgmq = context.getBean(PgmqTemplate.class);
			// a task sends a message; its listener starts a task that sends a durable call; that call's body
			// records the receipt: each step is handed on before the one before it ends
			runtime.waitUntil(TaskOptions.named("checkout"), () -> pgmq.send(this.listenerQueue, "order-2"));
			BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
			assertThat(mailbox.sent).containsExactly("order-2");
		});
	}

	@Test
	void awaitSettledWhenADurableTaskIsDeadLetteredShouldReturn() {
		this.contextRunner.run((context) -> {
			Mailbox mailbox = context.getBean(Mailbox.class);
			mailbox.failWith = "mail server down";
			context.getBean(Receipts.class).send("order-3");
			BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
			assertThat(mailbox.attempts).hasSize(2);
			assertThat(context.getBean(PgmqTemplate.class).statistics(this.taskQueue).deadLettered()).isEqualTo(1);
		});
	}

	@Test
	void awaitSettledWithoutTheDurableTierShouldWaitForTheRuntimeAlone() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class))
			.run((context) -> {
				EdgeRuntime runtime = context.getBean(EdgeRuntime.class);
				List<String> done = new CopyOnWriteArrayList<>();
				runtime.waitUntil(TaskOptions.named("quick"), () -> done.add("done"));
				BackgroundTasks.awaitSettled(context, Duration.ofSeconds(20));
				assertThat(done).containsExactly("done");
			});
	}

	static class Mailbox {

		final List<String> sent = new CopyOnWriteArrayList<>();

		final List<String> attempts = new CopyOnWriteArrayList<>();

		final CountDownLatch started = new CountDownLatch(1);

		volatile CountDownLatch blockUntil;

		volatile String failWith;

	}

	public static class Receipts {

		private final Mailbox mailbox;

		public Receipts(Mailbox mailbox) {
			this.mailbox = mailbox;
		}

		@BackgroundTask(name = "receipt", durable = true, maxAttempts = 2)
		public void send(String order) {
			this.mailbox.attempts.add(order);
			this.mailbox.started.countDown();
			CountDownLatch block = this.mailbox.blockUntil;
			if (block != null) {
				try {
					block.await(1, TimeUnit.MINUTES);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted", ex);
				}
			}
			String failure = this.mailbox.failWith;
			if (failure != null) {
				throw new IllegalStateException(failure);
			}
			this.mailbox.sent.add(order);
		}

	}

	public static class Orders {

		private final EdgeRuntime runtime;

		private final Receipts receipts;

		public Orders(EdgeRuntime runtime, Receipts receipts) {
			this.runtime = runtime;
			this.receipts = receipts;
		}

		@QueueListener(queue = "${test.listener-queue}")
		public void onOrder(QueueMessage<String> message) {
			this.runtime.waitUntil(TaskOptions.named("order"), () -> this.receipts.send(message.payload()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Mailbox mailbox() {
			return new Mailbox();
		}

		@Bean
		Receipts receipts(Mailbox mailbox) {
			return new Receipts(mailbox);
		}

		@Bean
		Orders orders(EdgeRuntime runtime, Receipts receipts) {
			return new Orders(runtime, receipts);
		}

	}

}
