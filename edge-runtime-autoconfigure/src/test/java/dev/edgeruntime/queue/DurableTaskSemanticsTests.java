package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

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
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durable {@code @BackgroundTask} calls and their arguments and transactions, against the real PostgreSQL:
 * a method of a generic superclass reads its argument as the bound type; a subclass argument, which would
 * lose what it adds, is refused at the call; a handle is {@code DROPPED} only when a rollback really took
 * its message back (not in an empty {@code SUPPORTS} transaction), and also after a rollback to a savepoint;
 * an in-process call rolled back to a savepoint is dropped too.
 *
 * @author edge-runtime developers
 */
class DurableTaskSemanticsTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final String queue = TestDatabase.uniqueName("sem_");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
				EdgeRuntimeAutoConfiguration.class, BackgroundTaskAutoConfiguration.class,
				EdgeRuntimeQueueAutoConfiguration.class, EdgeRuntimeDurableTaskAutoConfiguration.class))
		.withPropertyValues(TestDatabase.get().springProperties())
		.withPropertyValues("edge-runtime.queue.tasks.queue=" + this.queue,
				"edge-runtime.queue.consumer.polling-interval=200ms", "edge-runtime.queue.consumer.backoff.initial=0s")
		.withUserConfiguration(Tasks.class);

	@Test
	void methodOfAGenericSuperclassShouldGetItsArgumentAsTheBoundType() {
		this.contextRunner.run((context) -> {
			Received received = context.getBean(Received.class);
			context.getBean(ReportJobs.class).handle(new Report("generic", 1));
			await().atMost(WAIT).until(() -> !received.items.isEmpty());
			assertThat(received.items.get(0)).isInstanceOf(Report.class);
		});
	}

	@Test
	void subclassArgumentThatWouldLoseWhatItAddsShouldBeRefusedAtTheCall() {
		this.contextRunner.run((context) -> {
			Received received = context.getBean(Received.class);
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> context.getBean(Printer.class).print(new SignedReport("signed", 2, "alice")))
				.withMessageContaining("argument 0 of")
				.withMessageContaining("is a " + SignedReport.class.getName() + ", a subclass of the declared "
						+ Report.class.getName() + ": it would be read back as a Report, without what SignedReport "
						+ "adds; declare SignedReport, or annotate Report with @JsonTypeInfo");
			long rows = new JdbcTemplate(context.getBean(DataSource.class))
				.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue, Long.class);
			assertThat(rows).as("nothing sent").isZero();
			assertThat(received.items).isEmpty();
		});
	}

	@Test
	void argumentWithADerivedGetterShouldBeReadBack() {
		this.contextRunner.run((context) -> {
			Received received = context.getBean(Received.class);
			DurableTaskDispatcher dispatcher = context.getBean(DurableTaskDispatcher.class);
			TaskHandle<?> handle = context.getBean(Invoicing.class).bill(new Invoice(5));
			await().atMost(WAIT).until(() -> dispatcher.find(handle.id())
				.map(TaskInfo::state)
				.filter((state) -> state == TaskState.SUCCEEDED || state == TaskState.FAILED)
				.isPresent());
			assertThat(dispatcher.find(handle.id()).orElseThrow().error()).isNull();
			assertThat(received.items).containsExactly(new Invoice(5));
		});
	}

	@Test
	void callInAnEmptySupportsTransactionThatRollsBackShouldNotSayDropped() {
		this.contextRunner.run((context) -> {
			Received received = context.getBean(Received.class);
			TransactionTemplate supports = transactions(context);
			supports.setPropagationBehavior(TransactionDefinition.PROPAGATION_SUPPORTS);
			TaskHandle<?> handle = supports.execute((status) -> {
				TaskHandle<?> sent = context.getBean(Printer.class).print(new Report("supports", 3));
				status.setRollbackOnly();
				return sent;
			});
			await().atMost(WAIT).until(() -> !received.items.isEmpty());
			// the send stood on its own (no transaction held its connection): it happened, and the body ran
			assertThat(handle.state()).isNotEqualTo(TaskState.DROPPED);
		});
	}

	@Test
	void durableCallRolledBackToASavepointShouldBeDropped() {
		this.contextRunner.run((context) -> {
			AtomicReference<TaskHandle<?>> durable = new AtomicReference<>();
			TransactionTemplate outer = transactions(context);
			TransactionTemplate nested = transactions(context);
			nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
			outer.executeWithoutResult((status) -> nested.executeWithoutResult((inner) -> {
				durable.set(context.getBean(Printer.class).print(new Report("nested", 4)));
				inner.setRollbackOnly();
			}));
			long rows = new JdbcTemplate(context.getBean(DataSource.class))
				.queryForObject("SELECT count(*) FROM pgmq.q_" + this.queue, Long.class);
			assertThat(rows).as("the message went with the savepoint").isZero();
			assertThat(durable.get().state()).isEqualTo(TaskState.DROPPED);
		});
	}

	@Test
	void inProcessCallRolledBackToASavepointShouldBeDropped() {
		this.contextRunner.run((context) -> {
			AtomicReference<TaskHandle<String>> task = new AtomicReference<>();
			TransactionTemplate outer = transactions(context);
			TransactionTemplate nested = transactions(context);
			nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
			outer.executeWithoutResult((status) -> nested.executeWithoutResult((inner) -> {
				task.set(context.getBean(Notes.class).note("nested"));
				inner.setRollbackOnly();
			}));
			await().atMost(WAIT).until(() -> task.get().state() != TaskState.SCHEDULED
					&& task.get().state() != TaskState.RUNNING);
			assertThat(task.get().state()).isEqualTo(TaskState.DROPPED);
		});
	}

	private static TransactionTemplate transactions(org.springframework.context.ApplicationContext context) {
		return new TransactionTemplate(new DataSourceTransactionManager(context.getBean(DataSource.class)));
	}

	static class Received {

		final List<Object> items = new CopyOnWriteArrayList<>();

	}

	public abstract static class GenericJobs<T> {

		private final Received received;

		protected GenericJobs(Received received) {
			this.received = received;
		}

		@BackgroundTask(name = "generic", durable = true, maxAttempts = 1)
		public void handle(T item) {
			this.received.items.add(item);
		}

	}

	public static class ReportJobs extends GenericJobs<Report> {

		public ReportJobs(Received received) {
			super(received);
		}

	}

	public static class SignedReport extends Report {

		private String signer;

		public SignedReport() {
		}

		public SignedReport(String name, int pages, String signer) {
			super(name, pages);
			this.signer = signer;
		}

		public String getSigner() {
			return this.signer;
		}

		public void setSigner(String signer) {
			this.signer = signer;
		}

	}

	public static class Printer {

		private final Received received;

		public Printer(Received received) {
			this.received = received;
		}

		@BackgroundTask(name = "print", durable = true, maxAttempts = 1)
		public TaskHandle<?> print(Report report) {
			this.received.items.add(report);
			return null;
		}

	}

	public record Invoice(int amount) {

		public int getAmountWithTax() {
			return this.amount * 2;
		}

	}

	public static class Invoicing {

		private final Received received;

		public Invoicing(Received received) {
			this.received = received;
		}

		@BackgroundTask(name = "bill", durable = true, maxAttempts = 1)
		public TaskHandle<?> bill(Invoice invoice) {
			this.received.items.add(invoice);
			return null;
		}

	}

	public static class Notes {

		@BackgroundTask(name = "note")
		public TaskHandle<String> note(String text) {
			return null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Tasks {

		@Bean
		Received received() {
			return new Received();
		}

		@Bean
		ReportJobs reportJobs(Received received) {
			return new ReportJobs(received);
		}

		@Bean
		Printer printer(Received received) {
			return new Printer(received);
		}

		@Bean
		Invoicing invoicing(Received received) {
			return new Invoicing(received);
		}

		@Bean
		Notes notes() {
			return new Notes();
		}

	}

}
