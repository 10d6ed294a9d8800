package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's cancel of a durable task, over real HTTP against the real PostgreSQL, while the
 * {@code backgroundtasks} endpoint is not exposed.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = DashboardDurableCancelTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "edge-runtime.dashboard.enabled=true",
				"edge-runtime.queue.notify.enabled=false" })
class DashboardDurableCancelTests {

	private static final String QUEUE = TestDatabase.uniqueName("dash_cancel_");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		for (String property : TestDatabase.get().springProperties()) {
			int equals = property.indexOf('=');
			registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
		}
		registry.add("edge-runtime.queue.tasks.queue", () -> QUEUE);
	}

	@Test
	void cancelOfAWaitingDurableTaskShouldCancelItThoughTheEndpointIsNotExposed() throws Exception {
		// the backgroundtasks endpoint is not exposed here: the dashboard cancels through an endpoint of its own
		UUID id = UUID.randomUUID();
		long message = insertWaiting(id, "'{}'::jsonb");
		try {
			HttpResponse<String> cancel = cancel(id);
			assertThat(cancel.statusCode()).isEqualTo(200);
			assertThat(cancel.body()).contains("\"cancelled\":true").contains("\"id\":\"" + id + "\"");
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + QUEUE
					+ " WHERE msg_id = ? AND headers @> '{\"x-cancelled\": true}'::jsonb", Long.class, message)).isOne();
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", message);
			this.jdbc.update("DELETE FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	/**
	 * A durable task's message, hidden for an hour so that no consumer reads it meanwhile, with more headers.
	 */
	private long insertWaiting(UUID id, String moreHeaders) {
		return this.jdbc.queryForObject("""
				INSERT INTO pgmq.q_%s (vt, message, headers)
				VALUES (clock_timestamp() + interval '1 hour', '{}'::jsonb,
					jsonb_build_object('x-task-id', ?::text, 'x-task-name', 'export') || %s)
				RETURNING msg_id""".formatted(QUEUE, moreHeaders), Long.class, id.toString());
	}

	private HttpResponse<String> cancel(UUID id) throws Exception {
		URI uri = URI.create("http://localhost:" + this.port + "/background-tasks-dashboard/tasks/" + id);
		return this.http.send(HttpRequest.newBuilder(uri).DELETE().build(), HttpResponse.BodyHandlers.ofString());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		// anyone may cancel here, so that what is answered is about the id
		@Bean
		DashboardAccess dashboardAccess() {
			return (request) -> true;
		}

		@Bean
		Exports exports() {
			return new Exports();
		}

	}

	static class Exports {

		// the durable task whose queue the dashboard's cancel looks in
		@BackgroundTask(name = "export", durable = true)
		public void export(int id) {
		}

	}

}
