package dev.edgeruntime.web;

import java.time.Duration;
import java.util.UUID;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Receipts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @BackgroundTask} through MockMvc, with room for one task in flight.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, properties = "edge-runtime.max-in-flight=1")
@AutoConfigureMockMvc
class BackgroundTaskMockMvcTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private Gates gates;

	@Autowired
	private Receipts receipts;

	@Autowired
	private EdgeRuntime runtime;

	@Autowired
	private RequestMappingHandlerAdapter adapter;

	@AfterEach
	void tasksReleasedTheirPlace() {
		// a task releases its place just after it ends; the next test needs the only place there is
		await().atMost(TIMEOUT).until(() -> this.runtime.status().inFlight() == 0);
	}

	@Test
	void controllerMethodShouldAnswer202WithLocationAndBodyAndLaterTheResult() {
		String key = UUID.randomUUID().toString();
		MvcTestResult result = this.mvc.post().uri("/reports").param("key", key).exchange();
		assertThat(result).hasStatus(HttpStatus.ACCEPTED).hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
		assertThat(result.getResponse().getContentLength())
			.isEqualTo(result.getResponse().getContentAsByteArray().length);
		assertThat(result).bodyJson().extractingPath("$.name").isEqualTo("report");
		String location = result.getResponse().getHeader("Location");
		assertThat(location).startsWith("http://localhost/background-tasks/");
		assertThat(result).bodyJson().extractingPath("$.statusUrl").isEqualTo(location);
		String id = location.substring(location.lastIndexOf('/') + 1);
		assertThat(result).bodyJson().extractingPath("$.id").isEqualTo(id);
		assertThat(this.gates.gate(key).getCount()).isOne();
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> {
			MvcTestResult status = this.mvc.get().uri("/background-tasks/{id}", id).exchange();
			assertThat(status).hasStatusOk();
			assertThat(status).bodyJson().extractingPath("$.state").isEqualTo("SUCCEEDED");
			assertThat(status).bodyJson().extractingPath("$.result").isEqualTo("report " + key);
		});
	}

	@Test
	void acceptedBodyShouldReadTheSameWhenTheShortcutWritesIt() throws Exception {
		for (int i = 0; i < 3; i++) {
			tasksReleasedTheirPlace();
			MvcTestResult result = this.mvc.post().uri("/counts").accept(MediaType.APPLICATION_JSON).exchange();
			assertThat(result).hasStatus(HttpStatus.ACCEPTED).hasContentType("application/json");
			String location = result.getResponse().getHeader("Location");
			String id = location.substring(location.lastIndexOf('/') + 1);
			assertThat(result.getResponse().getContentAsString())
				.isEqualTo(AcceptedBodies.expectedBody(id, "count", "SCHEDULED", location));
			assertThat(result.getResponse().getContentLength())
				.isEqualTo(result.getResponse().getContentAsByteArray().length);
			// written by the converters the first time, by the shortcut after that
			assertThat(AcceptedBodies.shortcut(this.adapter).isVerified(AcceptedBodyShortcut.Accept.JSON)).isTrue();
		}
	}

	@Test
	void serviceMethodCalledByControllerShouldStartAfterTheResponseIsCommitted() {
		String key = UUID.randomUUID().toString();
		this.gates.open(key + "-handler");
		MvcTestResult result = this.mvc.post()
			.uri("/orders")
			.param("key", key)
			.param("recordCommit", "true")
			.exchange();
		assertThat(result).hasStatusOk().hasBodyTextEqualTo("ordered " + key);
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		await().atMost(TIMEOUT).until(() -> receipt.state() == TaskState.SUCCEEDED);
		assertThat(this.receipts.committedAtStart).containsEntry(key, true);
		assertThat(this.receipts.handlerReturnedAtStart).containsEntry(key, true);
	}

	@Test
	void serviceMethodInTransactionDuringRequestShouldStartAfterCommitAndResponse() {
		String key = UUID.randomUUID().toString();
		MvcTestResult result = this.mvc.post().uri("/committed-orders").param("key", key).exchange();
		assertThat(result).hasStatusOk().hasBodyTextEqualTo("committed " + key);
		assertThat(this.receipts.stateAfterCommit).containsEntry(key, TaskState.SCHEDULED);
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		await().atMost(TIMEOUT).until(() -> receipt.state() == TaskState.SUCCEEDED);
		assertThat(this.receipts.committedAtStart).containsEntry(key, true);
	}

	@Test
	void controllerReturningATasksFutureShouldAnswerWithItsResult() {
		String key = UUID.randomUUID().toString();
		MvcTestResult returned = this.mvc.post().uri("/returned-quotes").param("key", key).exchange();
		assertThat(returned).hasStatusOk().hasBodyTextEqualTo("quote " + key);
		MvcTestResult committed = this.mvc.post().uri("/committed-quotes").param("key", key).exchange();
		assertThat(committed).hasStatusOk().hasBodyTextEqualTo("committed quote " + key);
	}

	@Test
	void viewAndPrimitiveHandlerMethodsShouldAlsoAnswer202() {
		MvcTestResult view = this.mvc.post().uri("/view-reports").exchange();
		assertThat(view).hasStatus(HttpStatus.ACCEPTED).hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
		assertThat(view).bodyJson().extractingPath("$.name").isEqualTo("view-report");
		tasksReleasedTheirPlace();
		MvcTestResult count = this.mvc.post().uri("/counts").exchange();
		assertThat(count).hasStatus(HttpStatus.ACCEPTED);
		String location = count.getResponse().getHeader("Location");
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(this.mvc.get().uri(location).exchange()).bodyJson()
			.extractingPath("$.result")
			.isEqualTo(42));
	}

	@Test
	void serviceMethodWhenHandlerThrowsShouldBeDropped() {
		String key = UUID.randomUUID().toString();
		this.gates.open(key + "-handler");
		MvcTestResult result = this.mvc.post().uri("/orders").param("key", key).param("fail", "true").exchange();
		assertThat(result).hasFailed();
		assertThat(this.receipts.handles.get(key).state()).isEqualTo(TaskState.DROPPED);
		assertThat(this.receipts.handlerReturnedAtStart).doesNotContainKey(key);
	}

	@Test
	void controllerMethodWhen202CannotBeWrittenShouldDropTheTask() {
		long dropped = dropped();
		MvcTestResult result = this.mvc.post()
			.uri("/reports")
			.param("key", UUID.randomUUID().toString())
			.accept(MediaType.IMAGE_PNG)
			.exchange();
		assertThat(result).hasStatus(HttpStatus.NOT_ACCEPTABLE);
		assertThat(dropped()).isEqualTo(dropped + 1);
	}

	@Test
	void statusOfMalformedIdShouldBe400AndOfUnknownId404() {
		MvcTestResult malformed = this.mvc.get().uri("/background-tasks/{id}", "12345").exchange();
		assertThat(malformed).hasStatus(HttpStatus.BAD_REQUEST)
			.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(malformed).bodyJson().extractingPath("$.detail").asString().startsWith("'12345' is not a task id");
		MvcTestResult unknown = this.mvc.get().uri("/background-tasks/{id}", UUID.randomUUID()).exchange();
		assertThat(unknown).hasStatus(HttpStatus.NOT_FOUND);
		assertThat(unknown).bodyJson().extractingPath("$.title").isEqualTo("Background task not found");
	}

	private long dropped() {
		return this.runtime.status().totalsByState().getOrDefault(TaskState.DROPPED, 0L);
	}

	@Test
	void controllerMethodWhenNoRoomShouldAnswer503WithRetryAfter() {
		String key = UUID.randomUUID().toString();
		assertThat(this.mvc.post().uri("/reports").param("key", key).exchange()).hasStatus(HttpStatus.ACCEPTED);
		try {
			MvcTestResult refused = this.mvc.post().uri("/reports").param("key", key + "-refused").exchange();
			assertThat(refused).hasStatus(HttpStatus.SERVICE_UNAVAILABLE)
				.hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
				.hasHeader("Retry-After", "1");
			assertThat(refused).bodyJson().extractingPath("$.reason").isEqualTo("early_drop");
			assertThat(refused).bodyJson().extractingPath("$.status").isEqualTo(503);
		}
		finally {
			this.gates.open(key);
		}
	}

}
