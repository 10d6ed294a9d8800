package dev.edgeruntime.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.testsupport.TestDatabase;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A durable {@code @BackgroundTask} controller method, its status resource and the durable tier in the
 * {@code backgroundtasks} endpoint, over real HTTP against the real PostgreSQL.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "management.endpoints.web.exposure.include=backgroundtasks",
				"edge-runtime.queue.consumer.polling-interval=200ms", "edge-runtime.queue.metrics-cache-interval=0s" })
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class DurableTaskHttpIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	static final String QUEUE = TestDatabase.uniqueName("http_");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private ExportController controller;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private MockMvcTester mvc;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		for (String property : TestDatabase.get().springProperties()) {
			int equals = property.indexOf('=');
			registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
		}
		registry.add("edge-runtime.queue.tasks.queue", () -> QUEUE);
		// a failed export waits for its retry long enough to be cancelled
		registry.add("edge-runtime.queue.consumer.backoff.initial", () -> "1h");
		registry.add("edge-runtime.queue.consumer.backoff.max", () -> "1h");
		registry.add("edge-runtime.cron.mode", () -> "in-app");
		registry.add("edge-runtime.cron.job-name-prefix", () -> "endpoint-test:");
		registry.add("edge-runtime.cron.jobs.nightly-export.schedule", () -> "0 3 * * *");
		registry.add("edge-runtime.cron.jobs.nightly-export.queue", () -> QUEUE);
	}

	@Test
	void endpointListsTheRecurringJobs() throws Exception {
		HttpResponse<String> response = get(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks"));
		assertThat(response.statusCode()).isEqualTo(200);
		List<Map<String, Object>> jobs = JsonPath.parse(response.body())
			.read("$.queue.cronJobs[?(@.name == 'nightly-export')]");
		assertThat(jobs).singleElement().satisfies((job) -> {
			assertThat(job).containsEntry("schedule", "0 3 * * *").containsEntry("queue", QUEUE);
			assertThat(job).containsEntry("scheduler", "in-app");
		});
	}

	@Test
	void endpointShowsAQueueWhoseTablesAreGoneAsUnavailableBesideTheOthersFigures() throws Exception {
		// a queue the application's own role created (it may create queues), its tables dropped with the role
		String role = "endpoint_user_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
		String broken = TestDatabase.uniqueName("gone_");
		this.jdbc.execute("CREATE ROLE " + role);
		try {
			this.jdbc.execute("GRANT USAGE, CREATE ON SCHEMA pgmq TO " + role);
			this.jdbc.execute("GRANT INSERT, DELETE ON pgmq.meta TO " + role);
			// one statement, on one connection of the pool
			this.jdbc.execute("SET ROLE " + role + "; SELECT pgmq.create('" + broken + "'); RESET ROLE");
			this.jdbc.execute("DROP OWNED BY " + role);
			HttpResponse<String> response = get(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks"));
			assertThat(response.statusCode()).isEqualTo(200);
			DocumentContext body = JsonPath.parse(response.body());
			assertThat(body.<String>read("$.queue.unavailable." + broken)).startsWith("it is listed in pgmq.meta, but "
					+ "its tables are missing");
			assertThat(body.<List<String>>read("$.queue.queues[*].name")).contains(QUEUE).doesNotContain(broken);
			assertThat(body.<Map<String, Object>>read("$.queue")).doesNotContainKey("error");
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.meta WHERE queue_name = ?", broken);
			this.jdbc.execute("DROP OWNED BY " + role);
			this.jdbc.execute("DROP ROLE " + role);
		}
	}

	@Test
	void durableControllerMethodAnswers202AndItsStatusResourceShowsTheTaskSucceeded() throws Exception {
		HttpResponse<String> accepted = post("/exports/42");
		assertThat(accepted.statusCode()).isEqualTo(202);
		DocumentContext body = JsonPath.parse(accepted.body());
		assertThat(body.<String>read("$.name")).isEqualTo("export");
		assertThat(body.<String>read("$.state")).isEqualTo("SCHEDULED");
		String location = accepted.headers().firstValue("Location").orElseThrow();
		assertThat(location).endsWith("/background-tasks/" + body.<String>read("$.id"));
		await().atMost(WAIT).until(() -> this.controller.exported().contains(42));
		await().atMost(WAIT).until(() -> JsonPath.parse(get(URI.create(location)).body())
			.<String>read("$.state")
			.equals("SUCCEEDED"));
		DocumentContext status = JsonPath.parse(get(URI.create(location)).body());
		assertThat(status.<String>read("$.id")).isEqualTo(body.<String>read("$.id"));
		assertThat(status.<String>read("$.name")).isEqualTo("export");
		assertThat(status.<String>read("$.finishedAt")).isNotNull();
		assertThat(status.<Object>read("$.budget")).as("a durable task runs under no in-process budget").isNull();
		assertThat(status.<Object>read("$.usage")).isNull();
	}

	@Test
	void headRequestToADurableGetControllerMethodSendsNothingToTheQueue() throws Exception {
		HttpResponse<String> head = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/snapshots/5"))
					.method("HEAD", HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(head.statusCode()).isEqualTo(202);
		assertThat(head.headers().firstValue("Location")).isEmpty();
		HttpResponse<String> accepted = get(URI.create("http://localhost:" + this.port + "/snapshots/6"));
		assertThat(accepted.statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> this.controller.snapshots().contains(6));
		// the message of the GET is archived once handled; one sent for the HEAD would be there too, or queued
		String sent = "select count(*) from (select message from pgmq.q_%1$s union all select message from "
				+ "pgmq.a_%1$s) m where m.message::text like '%%snapshot%%'";
		assertThat(this.jdbc.queryForObject(sent.formatted(QUEUE), Integer.class)).isOne();
		assertThat(this.controller.snapshots()).containsExactly(6);
	}

	@Test
	void endpointListsTheQueuesAndThisInstancesConsumers() throws Exception {
		HttpResponse<String> accepted = post("/exports/7");
		assertThat(accepted.statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> this.controller.exported().contains(7));
		HttpResponse<String> response = get(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks"));
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		String queue = "$.queue.queues[?(@.name == '" + QUEUE + "')]";
		assertThat(json.<List<Object>>read(queue + ".totalMessages")).singleElement()
			.satisfies((total) -> assertThat(((Number) total).longValue()).isGreaterThanOrEqualTo(1));
		assertThat(json.<List<Object>>read(queue + ".depth")).hasSize(1);
		assertThat(json.<List<Object>>read(queue + ".deadLettered")).containsExactly(0);
		List<Map<String, Object>> consumers = json.read("$.queue.consumers[?(@.queue == '" + QUEUE + "')]");
		assertThat(consumers).singleElement().satisfies((consumer) -> {
			assertThat(consumer).containsEntry("running", true).containsEntry("healthy", true);
			assertThat((String) consumer.get("listener")).contains("DurableTaskExecutor");
		});
		// the actuator leaves out null members: no error
		assertThat(json.<Map<String, Object>>read("$.queue")).doesNotContainKey("error");
	}

	@Test
	void endpointReadsAndCancelsDurableTasksNoConsumerHolds() throws Exception {
		String failing = JsonPath.parse(post("/exports/-1").body()).read("$.id");
		URI failingTask = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + failing);
		// the first attempt failed: the task waits an hour for its retry, held by no consumer
		await().atMost(WAIT).until(() -> get(failingTask).statusCode() == 200
				&& "export -1 failed".equals(JsonPath.parse(get(failingTask).body()).read("$.error.message")));
		DocumentContext waiting = JsonPath.parse(get(failingTask).body());
		assertThat(waiting.<String>read("$.state")).isEqualTo("SCHEDULED");
		assertThat(waiting.<Integer>read("$.attempt")).isEqualTo(1);
		assertThat(waiting.<Map<String, Object>>read("$")).as("a durable task has no budget, nor a known start")
			.doesNotContainKeys("budgets", "elapsed", "startedAt")
			.containsKeys("submittedAt", "origin");
		// the status resource tells a client the same: the attempt that failed, and its error
		DocumentContext resource = JsonPath
			.parse(get(URI.create("http://localhost:" + this.port + "/background-tasks/" + failing)).body());
		assertThat(resource.<String>read("$.state")).isEqualTo("SCHEDULED");
		assertThat(resource.<Integer>read("$.attempt")).isEqualTo(1);
		assertThat(resource.<String>read("$.error.message")).isEqualTo("export -1 failed");
		HttpResponse<String> cancelled = delete(failingTask);
		assertThat(cancelled.statusCode()).isEqualTo(200);
		DocumentContext outcome = JsonPath.parse(cancelled.body());
		assertThat(outcome.<Boolean>read("$.cancelled")).isTrue();
		assertThat(outcome.<String>read("$.task.state")).isEqualTo("CANCELLED");
		assertThat(outcome.<String>read("$.task.finishedAt")).isNotNull();
		HttpResponse<String> again = delete(failingTask);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(JsonPath.parse(again.body()).<Boolean>read("$.cancelled")).isFalse();
		HttpResponse<String> status = get(URI.create("http://localhost:" + this.port + "/background-tasks/" + failing));
		assertThat(JsonPath.parse(status.body()).<String>read("$.state")).isEqualTo("CANCELLED");
		// one that has ended is not cancelled, and an unknown id is not found
		String succeeded = JsonPath.parse(post("/exports/5").body()).read("$.id");
		URI succeededTask = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + succeeded);
		await().atMost(WAIT).until(() -> get(succeededTask).statusCode() == 200
				&& "SUCCEEDED".equals(JsonPath.parse(get(succeededTask).body()).read("$.state")));
		HttpResponse<String> ended = delete(succeededTask);
		assertThat(ended.statusCode()).isEqualTo(409);
		assertThat(JsonPath.parse(ended.body()).<String>read("$.task.state")).isEqualTo("SUCCEEDED");
		assertThat(delete(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + UUID.randomUUID()))
			.statusCode()).isEqualTo(404);
		assertThat(this.controller.exported()).containsOnlyOnce(-1);
	}

	@Test
	void endpointRunsAFailedDurableTaskAgain(CapturedOutput output) throws Exception {
		this.controller.broken(true);
		String failed = JsonPath.parse(post("/imports/7").body()).read("$.id");
		URI task = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + failed);
		// one attempt only: the task is dead-lettered at once
		await().atMost(WAIT).until(() -> get(task).statusCode() == 200
				&& "FAILED".equals(JsonPath.parse(get(task).body()).read("$.state")));
		this.controller.broken(false);
		HttpResponse<String> retried = post(task);
		assertThat(retried.statusCode()).isEqualTo(200);
		DocumentContext outcome = JsonPath.parse(retried.body());
		assertThat(outcome.<Boolean>read("$.retried")).isTrue();
		assertThat(outcome.<String>read("$.task.state")).isNotEqualTo("FAILED");
		// the log says how it was run again, as it says how a task was cancelled
		assertThat(output).containsOnlyOnce(
				"Durable task " + failed + " (import) was run again through the backgroundtasks endpoint");
		await().atMost(WAIT).until(() -> "SUCCEEDED".equals(JsonPath.parse(get(task).body()).read("$.state")));
		assertThat(this.controller.imported()).containsExactly(7, 7);
		HttpResponse<String> again = post(task);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(JsonPath.parse(again.body()).<Boolean>read("$.retried")).isFalse();
		assertThat(JsonPath.parse(again.body()).<String>read("$.task.state")).isEqualTo("SUCCEEDED");
		assertThat(post(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + UUID.randomUUID()))
			.statusCode()).isEqualTo(404);
	}

	@Test
	void durableControllerMethodWhose202CannotBeWrittenIsCancelledInItsQueue(CapturedOutput output) throws Exception {
		// the one handler of the queue is busy, so the next task waits in the queue, held by no consumer
		CountDownLatch release = this.controller.hold();
		try {
			assertThat(post("/holds").statusCode()).isEqualTo(202);
			await().atMost(WAIT).until(() -> this.controller.holding());
			HttpResponse<String> refused = this.http.send(
					HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/exports/99"))
						.header("Accept", "text/plain")
						.POST(HttpRequest.BodyPublishers.noBody())
						.build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(refused.statusCode()).isEqualTo(406);
			assertThat(refused.headers().firstValue("Location")).isEmpty();
			await().atMost(WAIT).untilAsserted(() -> assertThat(output).containsPattern("Durable task [0-9a-f-]{36} "
					+ "\\(export\\) was cancelled: its request failed before the 202 Accepted was written "
					+ "\\(HttpMediaTypeNotAcceptableException"));
		}
		finally {
			release.countDown();
		}
		// tasks of one queue run in the order they were sent: had 99 stayed in the queue, it would run before 100
		assertThat(post("/exports/100").statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> this.controller.exported().contains(100));
		assertThat(this.controller.exported()).doesNotContain(99);
	}

	@Test
	void durableControllerMethodWhoseRequestFailsAfterThe202IsCancelledInItsQueue(CapturedOutput output)
			throws Exception {
		CountDownLatch release = this.controller.hold();
		try {
			assertThat(post("/holds").statusCode()).isEqualTo(202);
			await().atMost(WAIT).until(() -> this.controller.holding());
			// an interceptor's postHandle throws after the 202 went out complete (it has its Content-Length):
			// the request failed, so its tasks do not run, and the status resource says so
			HttpResponse<String> failed = this.http.send(
					HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/exports/98"))
						.header(FailAfterHandlerInterceptor.HEADER, "true")
						.POST(HttpRequest.BodyPublishers.noBody())
						.build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(failed.statusCode()).isEqualTo(202);
			String id = JsonPath.parse(failed.body()).read("$.id");
			await().atMost(WAIT).untilAsserted(() -> assertThat(output).containsPattern("Durable task " + id
					+ " \\(export\\) was cancelled: its request failed after the 202 Accepted was written: the "
					+ "request failed with .*IllegalStateException: the interceptor failed after the handler"));
			HttpResponse<String> status = get(URI.create(failed.headers().firstValue("Location").orElseThrow()));
			assertThat(JsonPath.parse(status.body()).<String>read("$.state")).isEqualTo("CANCELLED");
		}
		finally {
			release.countDown();
		}
		assertThat(post("/exports/97").statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> this.controller.exported().contains(97));
		assertThat(this.controller.exported()).doesNotContain(98);
	}

	@Test
	void statusOfADurableTaskWhoseHeadersAreTooLargeToReadIsNotFoundForItsAccessRuleCannotBeApplied()
			throws Exception {
		String id = UUID.randomUUID().toString();
		long message = insertWithTooLargeHeaders("q", id, false);
		try {
			// Answered as an unknown id is: the access rule cannot be applied to an origin that is not read, and a
			// different answer would confirm to anyone that the id exists.
			HttpResponse<String> status = get(URI.create("http://localhost:" + this.port + "/background-tasks/" + id));
			String unknownId = UUID.randomUUID().toString();
			HttpResponse<String> unknown = get(
					URI.create("http://localhost:" + this.port + "/background-tasks/" + unknownId));
			assertThat(status.statusCode()).isEqualTo(404).isEqualTo(unknown.statusCode());
			assertThat(status.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(status.headers().firstValue("Cache-Control")).hasValue("no-store");
			assertThat(status.body()).isEqualTo(unknown.body().replace(unknownId, id));
			// the endpoint tells an operator why, with the message and the limit: no task it can show, and no
			// server error (the record is another writer's)
			HttpResponse<String> read = get(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + id));
			assertThat(read.statusCode()).isEqualTo(404);
			assertThat(JsonPath.parse(read.body()).<String>read("$.message")).contains(id)
				.contains("message " + message + " of queue '" + QUEUE + "'")
				.contains("beyond the 2097152 bytes a read parses");
			assertThat(read.body()).as("nothing of the headers").doesNotContain("xxxx");
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	@Test
	void durableTaskWhoseHeadersCannotBeParsedIsNotFoundWithTheReasonNotReadAsATaskWithoutHeaders()
			throws Exception {
		// a dead letter of a principal's task, with a header nested deeper than a read parses: read as no headers,
		// it showed as SUCCEEDED, nobody's, to anyone
		String id = UUID.randomUUID().toString();
		long message = this.jdbc.queryForObject("""
				INSERT INTO pgmq.a_%1$s (msg_id, vt, message, headers)
				VALUES (nextval(pg_get_serial_sequence('pgmq.q_%1$s', 'msg_id')), clock_timestamp(), '{}'::jsonb,
					jsonb_build_object('x-task-id', ?::text, 'x-task-name', 'export', 'x-dead-lettered', true,
						'x-task-origin', jsonb_build_object('principal', 'alice'),
						'note', (repeat('[', 3000) || repeat(']', 3000))::jsonb))
				RETURNING msg_id""".formatted(QUEUE), Long.class, id);
		try {
			HttpResponse<String> status = get(URI.create("http://localhost:" + this.port + "/background-tasks/" + id));
			String unknownId = UUID.randomUUID().toString();
			HttpResponse<String> unknown = get(
					URI.create("http://localhost:" + this.port + "/background-tasks/" + unknownId));
			assertThat(status.statusCode()).isEqualTo(404);
			assertThat(status.body()).isEqualTo(unknown.body().replace(unknownId, id));
			HttpResponse<String> read = get(URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + id));
			assertThat(read.statusCode()).isEqualTo(404);
			assertThat(JsonPath.parse(read.body()).<String>read("$.message")).contains(id)
				.contains("message " + message + " of queue '" + QUEUE + "'")
				.contains("its headers cannot be parsed");
			assertThat(read.body()).as("no stack trace").doesNotContain("at dev.edgeruntime");
			this.mvc.get()
				.uri("/actuator/backgroundtasks/{id}", id)
				.assertThat()
				.hasStatus(404)
				.bodyJson()
				.extractingPath("$.message")
				.asString()
				.contains("its headers cannot be parsed");
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	@Test
	void cancelOfADurableTaskWhoseHeadersAreTooLargeToReadChangesNothingAndSaysWhy() throws Exception {
		String id = UUID.randomUUID().toString();
		long message = insertWithTooLargeHeaders("q", id, false);
		try {
			URI task = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + id);
			HttpResponse<String> cancel = delete(task);
			assertThat(cancel.statusCode()).isEqualTo(404);
			assertThat(JsonPath.parse(cancel.body()).<String>read("$.message")).contains(id).contains("cannot be read");
			// refused, not done: its answer could not tell the task, nor its event carry it
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?",
					Long.class, message)).isOne();
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?",
					Long.class, message)).isZero();
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", message);
			this.jdbc.update("DELETE FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	@Test
	void retryOfAFailedDurableTaskWhoseHeadersAreTooLargeToReadChangesNothingAndSaysWhy() throws Exception {
		String id = UUID.randomUUID().toString();
		long message = insertWithTooLargeHeaders("a", id, true);
		try {
			URI task = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks/" + id);
			HttpResponse<String> retry = post(task);
			assertThat(retry.statusCode()).isEqualTo(404);
			assertThat(JsonPath.parse(retry.body()).<String>read("$.message")).contains(id).contains("cannot be read");
			// never sent back: a consumer would read it at once and dead-letter it again, so what tells is that
			// the dead letter is the one written here, never requeued
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM pgmq.a_" + QUEUE
					+ " WHERE msg_id = ? AND NOT jsonb_exists(headers, 'x-requeued-at')", Long.class, message)).isOne();
		}
		finally {
			this.jdbc.update("DELETE FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", message);
			this.jdbc.update("DELETE FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", message);
		}
	}

	/**
	 * A durable task's message as another writer of the queue could write it: 3 MB of headers, beyond the 2 MB
	 * a read parses (twice the 1MB max-payload-size). In the queue ({@code q}), hidden for an hour so that no
	 * consumer reads it meanwhile, or in the archive ({@code a}).
	 */
	private long insertWithTooLargeHeaders(String table, String id, boolean deadLettered) {
		// the archive's msg_id is no identity: the queue's sequence gives one that no other message has
		String msgId = table.equals("q") ? "DEFAULT"
				: "nextval(pg_get_serial_sequence('pgmq.q_" + QUEUE + "', 'msg_id'))";
		return this.jdbc.queryForObject("""
				INSERT INTO pgmq.%s_%s (msg_id, vt, message, headers)
				VALUES (%s, clock_timestamp() + interval '1 hour', '{}'::jsonb,
					jsonb_build_object('x-task-id', ?::text, 'x-task-name', 'export', 'x-dead-lettered', ?,
						'note', repeat('x', 3 * 1024 * 1024)))
				RETURNING msg_id""".formatted(table, QUEUE, msgId), Long.class, id, deadLettered);
	}

	private HttpResponse<String> post(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).DELETE().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ExportController.class)
	static class TestApplication implements WebMvcConfigurer {

		@Override
		public void addInterceptors(InterceptorRegistry registry) {
			registry.addInterceptor(new FailAfterHandlerInterceptor());
		}

	}

	/** Fails a request that asks for it after its handler returned, as a faulty interceptor would. */
	static class FailAfterHandlerInterceptor implements HandlerInterceptor {

		static final String HEADER = "X-Fail-After-Handler";

		@Override
		public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
				@Nullable ModelAndView modelAndView) {
			if (request.getHeader(HEADER) != null) {
				throw new IllegalStateException("the interceptor failed after the handler");
			}
		}

	}

	@RestController
	static class ExportController {

		private final List<Integer> exported = new CopyOnWriteArrayList<>();

		// a method, not the field: the bean is a proxy
		public List<Integer> exported() {
			return this.exported;
		}

		private final List<Integer> imported = new CopyOnWriteArrayList<>();

		volatile boolean broken;

		public List<Integer> imported() {
			return this.imported;
		}

		public void broken(boolean broken) {
			this.broken = broken;
		}

		private final List<Integer> snapshots = new CopyOnWriteArrayList<>();

		public List<Integer> snapshots() {
			return this.snapshots;
		}

		@BackgroundTask(name = "snapshot", durable = true)
		@GetMapping("/snapshots/{id}")
		public void snapshot(@PathVariable int id) {
			this.snapshots.add(id);
		}

		@BackgroundTask(name = "import", durable = true, maxAttempts = 1)
		@PostMapping("/imports/{id}")
		public void importFile(@PathVariable int id) {
			this.imported.add(id);
			if (this.broken) {
				throw new IllegalStateException("import " + id + " failed: the store is down");
			}
		}

		private volatile CountDownLatch release = new CountDownLatch(0);

		private volatile boolean holding;

		public CountDownLatch hold() {
			this.release = new CountDownLatch(1);
			return this.release;
		}

		public boolean holding() {
			return this.holding;
		}

		@BackgroundTask(name = "hold", durable = true)
		@PostMapping("/holds")
		public void holdTheHandler() throws InterruptedException {
			this.holding = true;
			try {
				this.release.await(60, TimeUnit.SECONDS);
			}
			finally {
				this.holding = false;
			}
		}

		@BackgroundTask(name = "export", durable = true)
		@PostMapping("/exports/{id}")
		public void export(@PathVariable int id) {
			this.exported.add(id);
			if (id < 0) {
				throw new IllegalArgumentException("export " + id + " failed");
			}
		}

	}

}
