package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;

/**
 * The dashboard's cancel of a durable task, over real HTTP and through MockMvc, against the real PostgreSQL: a
 * task whose message's headers are too large to read (an id typed by hand, the page never lists it) is
 * answered as an unknown id, left as it is, and said in one warning.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = DashboardDurableCancelTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "edge-runtime.dashboard.enabled=true",
				"edge-runtime.queue.notify.enabled=false" })
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class DashboardDurableCancelTests {

	private static final String QUEUE = TestDatabase.uniqueName("dash_cancel_");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private MockMvc mvc;

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

	@Test
	void cancelOfADurableTaskWhoseHeadersAreTooLargeToReadShouldBeAnsweredAsAnUnknownIdAndChangeNothing(
			CapturedOutput output) throws Exception {
		UUID id = UUID.randomUUID();
		long message = insertWaiting(id, "jsonb_build_object('note', repeat('x', 3 * 1024 * 1024))");
		try {
			HttpResponse<String> cancel = cancel(id);
			UUID unknownId = UUID.randomUUID();
			HttpResponse<String> unknown = cancel(unknownId);
			assertThat(cancel.statusCode()).isEqualTo(404).isEqualTo(unknown.statusCode());
			assertThat(cancel.headers().firstValue("Content-Type"))
				.isEqualTo(unknown.headers().firstValue("Content-Type"));
			assertThat(cancel.body()).isEqualTo(unknown.body().replace(unknownId.toString(), id.toString()));
			// a name from a gateway's header, say: its line break must not start a log line of its own
			MvcResult mock = this.mvc
				.perform(delete("/background-tasks-dashboard/tasks/" + id).principal(() -> "eve\nINFO forged"))
				.andReturn();
			assertThat(mock.getResponse().getStatus()).isEqualTo(404);
			assertThat(mock.getResponse().getContentAsString()).isEqualTo(cancel.body());
			// left as it is: still in the queue, never archived nor marked cancelled
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + QUEUE
					+ " WHERE msg_id = ? AND NOT jsonb_exists(headers, 'x-cancelled')", Long.class, message)).isOne();
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?",
					Long.class, message)).isZero();
			// one line per cancel (the real HTTP one and MockMvc's), saying why, nothing of the headers
			String why = " was answered as for an unknown id, the task left as it is: Durable task " + id
					+ " (message " + message + " of queue '" + QUEUE + "') cannot be read";
			assertThat(output.getAll().lines().filter((line) -> line.contains(why)))
				.satisfiesExactlyInAnyOrder(
						(line) -> assertThat(line).contains("A cancel from the dashboard" + why),
						(line) -> assertThat(line).contains("A cancel from the dashboard by eve\\nINFO forged" + why))
				.allSatisfy((line) -> assertThat(line).contains("WARN").doesNotContain("xxxx"));
			assertThat(output.getAll().lines()).noneMatch((line) -> line.startsWith("INFO forged"));
			assertThat(output.getAll()).doesNotContain("Durable task " + id + " was cancelled")
				.doesNotContain("Request processing failed");
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", message);
			this.jdbc.update("DELETE FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	/**
	 * A durable task's message, hidden for an hour so that no consumer reads it meanwhile, with more headers:
	 * 3 MB of them, say, as another writer of the queue could write them, beyond the 2 MB a read parses (twice
	 * the 1MB max-payload-size).
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
