package dev.edgeruntime.queue;

import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
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
 * A consumer in a JVM of its own, for {@link QueueCrashTests}: it records each message it starts in the
 * table named by {@code --test.started-table} and then never finishes, holding its leases until the test
 * kills the process, or with {@code --test.exit=true} calls {@code System.exit}.
 *
 * @author edge-runtime developers
 */
public final class QueueWorkerMain {

	private QueueWorkerMain() {
	}

	public static void main(String[] args) {
		new SpringApplicationBuilder(WorkerConfiguration.class).web(WebApplicationType.NONE).run(args);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JacksonAutoConfiguration.class,
			EdgeRuntimeAutoConfiguration.class, EdgeRuntimeQueueAutoConfiguration.class })
	static class WorkerConfiguration {

		@Bean
		StuckListener stuckListener(DataSource dataSource, Environment environment) {
			return new StuckListener(new JdbcTemplate(dataSource),
					environment.getRequiredProperty("test.started-table"),
					environment.getProperty("test.exit", Boolean.class, false));
		}

	}

	static class StuckListener {

		private final JdbcTemplate jdbc;

		private final String table;

		private final boolean exit;

		StuckListener(JdbcTemplate jdbc, String table, boolean exit) {
			this.jdbc = jdbc;
			this.table = table;
			this.exit = exit;
		}

		@QueueListener(queue = "${test.queue}")
		void handle(QueueMessage<JsonNode> message) {
			this.jdbc.update("INSERT INTO " + this.table + " (msg_id) VALUES (?)", message.id());
			if (this.exit) {
				// a handler that takes its JVM down the orderly way: the shutdown hooks, and so the drain, run
				// while this call waits for them
				System.exit(3);
			}
			while (true) {
				LockSupport.park(this);
			}
		}

	}

}
