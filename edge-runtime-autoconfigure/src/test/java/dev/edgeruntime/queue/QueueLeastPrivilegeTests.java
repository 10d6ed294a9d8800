package dev.edgeruntime.queue;

import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer whose database user lacks a privilege on its queue (a DBA's grant forgotten): its WARN line and
 * its {@code lastError} carry PostgreSQL's words, which name the privilege and the table.
 *
 * @author edge-runtime developers
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueLeastPrivilegeTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final String queue = TestDatabase.uniqueName("least_");

	private final String role = "queue_user_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	private final JdbcTemplate admin = new JdbcTemplate(TestDatabase.get().dataSource());

	@BeforeEach
	void createQueueAndRole() {
		assertThat(new PgmqSchemaInitializer(TestDatabase.get().dataSource(), PgmqSchemaMode.AUTO).install()).isTrue();
		new PgmqTemplate(this.admin, JsonMapper.builder().build(), 1024, Duration.ofHours(1), null)
			.createQueue(this.queue);
		this.admin.execute("CREATE ROLE " + this.role + " LOGIN PASSWORD 'queue-password'");
		this.admin.execute("GRANT USAGE ON SCHEMA pgmq TO " + this.role);
		// SELECT without UPDATE: pgmq.read, which leases by updating the row, is refused
		this.admin.execute("GRANT SELECT ON pgmq.q_" + this.queue + ", pgmq.a_" + this.queue + " TO " + this.role);
	}

	@AfterEach
	void dropQueueAndRole() {
		this.admin.execute("DROP OWNED BY " + this.role);
		this.admin.execute("DROP ROLE " + this.role);
		this.admin.queryForList("SELECT pgmq.drop_queue(?)", this.queue);
	}

	@Test
	void aConsumerRefusedByTheDatabaseShouldSayWhichPrivilegeIsMissing(CapturedOutput output) {
		DataSource asRole = new DriverManagerDataSource(urlWithoutCredentials(), this.role, "queue-password");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, EdgeRuntimeAutoConfiguration.class,
					EdgeRuntimeQueueAutoConfiguration.class))
			.withBean(DataSource.class, () -> asRole)
			.withBean(Listener.class, Listener::new)
			.withPropertyValues("test.queue=" + this.queue, "edge-runtime.queue.schema=none",
					"edge-runtime.queue.notify.enabled=false", "edge-runtime.queue.consumer.polling-interval=100ms",
					"edge-runtime.queue.consumer.max-error-backoff=200ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				QueueConsumers consumers = context.getBean(QueueConsumers.class);
				String refused = "permission denied for table q_" + this.queue;
				await().atMost(WAIT).untilAsserted(() -> assertThat(consumers.status()).singleElement()
					.satisfies((status) -> assertThat(status.lastError()).contains(refused)));
				assertThat(output).contains("Queue consumer of '" + this.queue + "' cannot read, retrying with backoff: ")
					.contains(refused);
			});
	}

	/** The test database's URL without the user and password it may carry, which would win over the role's. */
	private static String urlWithoutCredentials() {
		return TestDatabase.withoutCredentials(TestDatabase.get().jdbcUrl());
	}

	static class Listener {

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
		}

	}

}
