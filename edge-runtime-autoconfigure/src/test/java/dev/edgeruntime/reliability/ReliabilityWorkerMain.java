package dev.edgeruntime.reliability;

import javax.sql.DataSource;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A consumer in a JVM of its own, for {@link CrashReliabilityTests}: each message it handles is recorded in
 * the table named by {@code --test.processed-table} (with a few milliseconds of work in the database, so
 * that the run lasts long enough to be killed in the middle), then deleted by the consumer as usual.
 *
 * @author edge-runtime developers
 */
public final class ReliabilityWorkerMain {

	private ReliabilityWorkerMain() {
	}

	public static void main(String[] args) {
		new SpringApplicationBuilder(WorkerConfiguration.class).web(WebApplicationType.NONE).run(args);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class })
	static class WorkerConfiguration {

		@Bean
		RecordingListener recordingListener(DataSource dataSource, Environment environment) {
			return new RecordingListener(new JdbcTemplate(dataSource),
					environment.getRequiredProperty("test.processed-table"), "worker");
		}

	}

	/**
	 * Records each message it handles; used by the worker JVM and by the test's restarted consumer.
	 */
	static class RecordingListener {

		private final JdbcTemplate jdbc;

		private final String table;

		private final String consumer;

		RecordingListener(JdbcTemplate jdbc, String table, String consumer) {
			this.jdbc = jdbc;
			this.table = table;
			this.consumer = consumer;
		}

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			// the work: 5 ms in the database, then the record that it was done
			this.jdbc.queryForList("SELECT pg_sleep(0.005)");
			this.jdbc.update("INSERT INTO " + this.table + " (msg_id, consumer) VALUES (?, ?)", message.id(),
					this.consumer);
		}

	}

}
