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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskCancelledEvent;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import dev.edgeruntime.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code backgroundtasks} endpoint over real HTTP.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=backgroundtasks,health",
				"edge-runtime.budget.wall-clock=2m", "edge-runtime.max-in-flight=50" })
class BackgroundTasksEndpointWebIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private EdgeRuntime runtime;

	@Autowired
	private WorkController controller;

	@Autowired
	private CancelledEvents cancelledEvents;

	@AfterEach
	void releaseWork() {
		this.controller.work.values().forEach(BlockingWork::release);
	}

	@Test
	void listWhenTaskIsRunningShouldShowItWithOriginAndBudgets() throws Exception {
		UUID id = startBlockingTask();
		HttpResponse<String> response = get("/actuator/backgroundtasks");
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		String task = "$.tasks[?(@.id == '" + id + "')]";
		assertThat(json.<List<String>>read(task + ".name")).containsExactly("blocking");
		assertThat(json.<List<String>>read(task + ".state")).containsExactly("RUNNING");
		assertThat(json.<List<String>>read(task + ".origin.method")).containsExactly("POST");
		assertThat(json.<List<String>>read(task + ".origin.path")).containsExactly("/work");
		assertThat(json.<List<String>>read(task + ".budgets.wallClock.limit")).containsExactly("PT45S");
		assertThat(json.<List<Object>>read(task + ".budgets.wallClock.used")).singleElement().isNotNull();
		assertThat(json.<List<Object>>read(task + ".budgets.wallClock.fractionUsed")).singleElement().isNotNull();
		assertThat(json.<List<Integer>>read(task + ".attempt")).containsExactly(1);
		assertThat(json.<Integer>read("$.runtime.active")).isGreaterThanOrEqualTo(1);
		assertThat(json.<Boolean>read("$.runtime.accepting")).isTrue();
		assertThat(json.<Integer>read("$.limits.maxInFlight")).isEqualTo(50);
		assertThat(json.<String>read("$.limits.wallClock")).isEqualTo("PT2M");
		assertThat(json.<Map<String, Object>>read("$.totals.byOutcome")).containsKeys("SUCCEEDED", "CANCELLED");
		assertThat(json.<Map<String, Object>>read("$.totals.byReason")).containsKeys("wall_clock", "termination");
	}

	@Test
	void listWithStateAndNameShouldFilter() throws Exception {
		UUID running = startBlockingTask();
		TaskHandle<String> finished = this.runtime.waitUntil(TaskOptions.named("quick"), () -> "ok");
		await().atMost(Duration.ofSeconds(30)).until(() -> finished.state() == TaskState.SUCCEEDED);
		DocumentContext byState = JsonPath.parse(get("/actuator/backgroundtasks?state=RUNNING").body());
		assertThat(byState.<List<String>>read("$.tasks[*].state")).isNotEmpty().allMatch("RUNNING"::equals);
		assertThat(byState.<List<String>>read("$.tasks[*].id")).contains(running.toString())
			.doesNotContain(finished.id().toString());
		DocumentContext byName = JsonPath.parse(get("/actuator/backgroundtasks?name=quick").body());
		assertThat(byName.<List<String>>read("$.tasks[*].name")).isNotEmpty().allMatch("quick"::equals);
		assertThat(byName.<List<String>>read("$.tasks[*].id")).contains(finished.id().toString());
		// an empty filter filters nothing, as an empty state does
		DocumentContext emptyName = JsonPath.parse(get("/actuator/backgroundtasks?name=").body());
		assertThat(emptyName.<List<String>>read("$.tasks[*].id")).contains(running.toString(),
				finished.id().toString());
	}

	@Test
	void readOneShouldShowTheTask() throws Exception {
		UUID id = startBlockingTask();
		HttpResponse<String> response = get("/actuator/backgroundtasks/" + id);
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.<String>read("$.id")).isEqualTo(id.toString());
		assertThat(json.<String>read("$.state")).isEqualTo("RUNNING");
		assertThat(json.<String>read("$.budgets.wallClock.limit")).isEqualTo("PT45S");
		assertThat(json.<String>read("$.startedAt")).isNotNull();
	}

	@Test
	void listWithStateInAnyCaseShouldFilter() throws Exception {
		UUID running = startBlockingTask();
		DocumentContext byState = JsonPath.parse(get("/actuator/backgroundtasks?state=running").body());
		assertThat(byState.<List<String>>read("$.tasks[*].state")).isNotEmpty().allMatch("RUNNING"::equals);
		assertThat(byState.<List<String>>read("$.tasks[*].id")).contains(running.toString());
		for (String spelling : List.of("budget-exceeded", "Budget%20Exceeded", "budgetexceeded")) {
			HttpResponse<String> overBudget = get("/actuator/backgroundtasks?state=" + spelling);
			assertThat(overBudget.statusCode()).as(spelling).isEqualTo(200);
			assertThat(JsonPath.parse(overBudget.body()).<List<String>>read("$.tasks[*].id")).as(spelling)
				.doesNotContain(running.toString());
		}
		// an empty filter filters nothing
		HttpResponse<String> unfiltered = get("/actuator/backgroundtasks?state=");
		assertThat(unfiltered.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(unfiltered.body()).<List<String>>read("$.tasks[*].id")).contains(running.toString());
	}

	@Test
	void listWithUnknownStateShouldAnswerBadRequestNamingTheStates() throws Exception {
		HttpResponse<String> response = get("/actuator/backgroundtasks?state=bogus");
		assertThat(response.statusCode()).isEqualTo(400);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.<Integer>read("$.status")).isEqualTo(400);
		assertThat(json.<String>read("$.message")).isEqualTo("Unknown task state 'bogus': the states are SCHEDULED, "
				+ "RUNNING, SUCCEEDED, FAILED, CANCELLED, BUDGET_EXCEEDED, DROPPED (in any case), or active for those "
				+ "not ended");
	}

	@Test
	void listWithActiveStateShouldListTheTasksNotEnded() throws Exception {
		UUID running = startBlockingTask();
		TaskHandle<String> finished = this.runtime.waitUntil(TaskOptions.named("quick"), () -> "ok");
		await().atMost(Duration.ofSeconds(30)).until(() -> finished.state() == TaskState.SUCCEEDED);
		for (String spelling : List.of("active", "ACTIVE", "Active")) {
			HttpResponse<String> response = get("/actuator/backgroundtasks?state=" + spelling);
			assertThat(response.statusCode()).as(spelling).isEqualTo(200);
			DocumentContext json = JsonPath.parse(response.body());
			assertThat(json.<List<String>>read("$.tasks[*].id")).as(spelling)
				.contains(running.toString())
				.doesNotContain(finished.id().toString());
			assertThat(json.<List<String>>read("$.tasks[*].state")).as(spelling)
				.allMatch((state) -> !TaskState.valueOf(state).isTerminal());
		}
	}

	@Test
	void readOneWhenUnknownShouldAnswerNotFound() throws Exception {
		UUID id = UUID.randomUUID();
		HttpResponse<String> response = get("/actuator/backgroundtasks/" + id);
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(JsonPath.parse(response.body()).<String>read("$.message"))
			.isEqualTo("No task " + id + ": it is unknown, or finished longer ago than it is retained");
	}

	@Test
	void malformedIdShouldAnswerBadRequestForEveryOperation() throws Exception {
		String message = "'not-a-task' is not a task id: task ids are UUIDs such as "
				+ "3f1c2a9e-5b7d-4e2a-9c61-0d8f4b2e7a15";
		for (HttpResponse<String> response : List.of(get("/actuator/backgroundtasks/not-a-task"),
				delete("/actuator/backgroundtasks/not-a-task"), post("/actuator/backgroundtasks/not-a-task"))) {
			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(JsonPath.parse(response.body()).<String>read("$.message")).isEqualTo(message);
		}
		// UUID.fromString alone would take these as ids (00000001-0001-0001-0001-000000000001, and so on)
		for (String loose : List.of("1-1-1-1-1", "100000000-0000-0000-0000-00000000000",
				"+0000000-0000-0000-0000-000000000001")) {
			assertThat(get("/actuator/backgroundtasks/" + loose).statusCode()).as(loose).isEqualTo(400);
		}
	}

	@Test
	void deleteWhenRunningShouldCancelTheTask() throws Exception {
		UUID id = startBlockingTask();
		HttpResponse<String> response = delete("/actuator/backgroundtasks/" + id);
		assertThat(response.statusCode()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.<Boolean>read("$.cancelled")).isTrue();
		assertThat(json.<String>read("$.task.state")).isEqualTo("CANCELLED");
		assertThat(this.controller.work.get(id).awaitInterrupted()).isTrue();
		assertThat(this.runtime.find(id)).hasValueSatisfying((task) -> {
			assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
			assertThat(task.info().finishedAt()).isNotNull();
		});
		assertThat(this.cancelledEvents.events).anySatisfy((event) -> {
			assertThat(event.task().id()).isEqualTo(id);
			assertThat(event.reason()).isEmpty();
		});
		assertThat(JsonPath.parse(get("/actuator/backgroundtasks/" + id).body()).<String>read("$.state"))
			.isEqualTo("CANCELLED");
	}

	@Test
	void deleteWhenUnknownShouldAnswerNotFound() throws Exception {
		assertThat(delete("/actuator/backgroundtasks/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
	}

	@Test
	void deleteWhenFinishedShouldAnswerConflict() throws Exception {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("quick"), () -> "ok");
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.SUCCEEDED);
		HttpResponse<String> response = delete("/actuator/backgroundtasks/" + task.id());
		assertThat(response.statusCode()).isEqualTo(409);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.<Boolean>read("$.cancelled")).isFalse();
		assertThat(json.<String>read("$.task.state")).isEqualTo("SUCCEEDED");
		assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
		assertThat(this.cancelledEvents.events).noneMatch((event) -> event.task().id().equals(task.id()));
	}

	@Test
	void retryOfAnInProcessTaskShouldAnswerConflictAndOfAnUnknownOneNotFound() throws Exception {
		TaskHandle<String> task = this.runtime.waitUntil(TaskOptions.named("quick"), () -> {
			throw new IllegalStateException("failed in memory");
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> task.state() == TaskState.FAILED);
		HttpResponse<String> response = post("/actuator/backgroundtasks/" + task.id());
		assertThat(response.statusCode()).isEqualTo(409);
		DocumentContext json = JsonPath.parse(response.body());
		assertThat(json.<Boolean>read("$.retried")).isFalse();
		assertThat(json.<String>read("$.task.state")).isEqualTo("FAILED");
		assertThat(post("/actuator/backgroundtasks/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
	}

	private HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private UUID startBlockingTask() throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri("/work")).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		UUID id = UUID.fromString(response.body());
		assertThat(this.controller.work.get(id).awaitStarted()).isTrue();
		return id;
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ WorkController.class, CancelledEvents.class })
	static class TestApplication {

	}

	@RestController
	static class WorkController {

		final Map<UUID, BlockingWork> work = new ConcurrentHashMap<>();

		private final EdgeRuntime runtime;

		WorkController(EdgeRuntime runtime) {
			this.runtime = runtime;
		}

		@PostMapping("/work")
		String start() {
			BlockingWork work = new BlockingWork();
			TaskHandle<String> task = this.runtime
				.waitUntil(TaskOptions.named("blocking").wallClock(Duration.ofSeconds(45)), work);
			this.work.put(task.id(), work);
			return task.id().toString();
		}

	}

	@Component
	static class CancelledEvents {

		final List<TaskCancelledEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void onCancelled(TaskCancelledEvent event) {
			this.events.add(event);
		}

	}

}
