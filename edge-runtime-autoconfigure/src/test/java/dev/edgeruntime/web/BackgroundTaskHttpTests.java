package dev.edgeruntime.web;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Receipts;
import dev.edgeruntime.web.BackgroundTaskTestApplication.RecordingTransactionManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @BackgroundTask} over real HTTP.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class BackgroundTaskHttpTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient client = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private Gates gates;

	@Autowired
	private dev.edgeruntime.EdgeRuntime runtime;

	@Autowired
	private Receipts receipts;

	@Autowired
	private RecordingTransactionManager transactionManager;

	@Test
	void controllerMethodWhenBlockedShouldAnswer202ThenShowRunningThenSucceeded() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = post("/reports?key=" + key);
		// the method is still blocked on its gate: nothing opened it yet
		assertThat(this.gates.gate(key).getCount()).isOne();
		assertThat(response.statusCode()).isEqualTo(202);
		Map<String, Object> body = read(response);
		String location = response.headers().firstValue("Location").orElseThrow();
		assertThat(location).isEqualTo(uri("/background-tasks/" + body.get("id")).toString());
		assertThat(body).containsEntry("name", "report").containsEntry("statusUrl", location);
		assertThat(body.get("state")).isIn("SCHEDULED", "RUNNING");
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Object> status = read(get(URI.create(location)));
			assertThat(status).containsEntry("state", "RUNNING");
			assertThat(status.get("progress")).asInstanceOf(
					org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("done", 1);
		});
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Object> status = read(get(URI.create(location)));
			assertThat(status).containsEntry("state", "SUCCEEDED").containsEntry("result", "report " + key)
				.containsEntry("attempt", 1);
			assertThat(status.get("finishedAt")).isNotNull();
			assertThat(status.get("error")).isNull();
		});
	}

	@Test
	void statusResourceShouldNotBeStoredByCachesAndOriginShouldHoldNoPathParameters() throws Exception {
		String key = UUID.randomUUID().toString();
		// a session id and a token as path parameters, which Spring MVC does not match on
		HttpResponse<String> response = post("/reports;jsessionid=SECRETSESSION;token=SECRETTOKEN?key=" + key);
		try {
			assertThat(response.statusCode()).isEqualTo(202);
			String location = response.headers().firstValue("Location").orElseThrow();
			HttpResponse<String> status = get(URI.create(location));
			assertThat(status.headers().firstValue("Cache-Control")).hasValue("no-store");
			assertThat(status.body()).doesNotContain("SECRET");
			UUID id = UUID.fromString((String) read(status).get("id"));
			assertThat(this.runtime.find(id).orElseThrow().info().origin().path()).isEqualTo("/reports");
			HttpResponse<String> unknown = get(uri("/background-tasks/" + UUID.randomUUID()));
			assertThat(unknown.statusCode()).isEqualTo(404);
			assertThat(unknown.headers().firstValue("Cache-Control")).hasValue("no-store");
		}
		finally {
			this.gates.open(key);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void controllerMethodShouldAnswer202WithContentLengthAndNotChunked() throws Exception {
		String key = UUID.randomUUID().toString();
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			RawHttp.send(out, "POST /reports?key=" + key + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n");
			byte[] body = RawHttp.readAcceptedWithContentLength(in);
			Map<String, Object> accepted = this.json.readValue(body, Map.class);
			assertThat(accepted).containsEntry("name", "report").containsKey("id");
			// the length delimits the body: the connection is ready for the next request
			RawHttp.send(out, "GET /background-tasks/" + accepted.get("id") + " HTTP/1.1\r\nHost: localhost\r\n"
					+ "Connection: close\r\n");
			assertThat(RawHttp.readHead(in)).startsWith("HTTP/1.1 200 ");
		}
		finally {
			this.gates.open(key);
		}
	}

	@Test
	void controllerMethodWhenItThrowsShouldShowFailedWithMessage() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = post("/failing-reports?key=" + key);
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Object> status = read(get(location));
			assertThat(status).containsEntry("state", "FAILED");
			assertThat(status.get("error")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
				.containsEntry("type", IllegalStateException.class.getName())
				.containsEntry("message", "report " + key + " failed");
			assertThat(status.get("result")).isNull();
		});
	}

	@Test
	void headRequestToAGetControllerMethodShouldAnswer202WithoutStartingTheTask() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> head = this.client.send(
				HttpRequest.newBuilder(uri("/exports?key=" + key)).method("HEAD", HttpRequest.BodyPublishers.noBody())
					.build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		assertThat(head.statusCode()).isEqualTo(202);
		assertThat(head.headers().firstValue("Location")).isEmpty();
		// a task is admitted, and listed, at the call: one started for the HEAD would be here by now
		assertThat(this.runtime.tasks()).noneMatch((task) -> "export".equals(task.name()));
		assertThat(this.gates.gate(key).getCount()).isOne();
		HttpResponse<String> get = this.client.send(HttpRequest.newBuilder(uri("/exports?key=" + key)).GET().build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		assertThat(get.statusCode()).isEqualTo(202);
		URI location = URI.create(get.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "export " + key));
		assertThat(this.runtime.tasks()).filteredOn((task) -> "export".equals(task.name())).hasSize(1);
	}

	@Test
	void headRequestToAMethodMappedToHeadShouldStartTheTask() throws Exception {
		HttpResponse<String> head = this.client.send(
				HttpRequest.newBuilder(uri("/probes")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		assertThat(head.statusCode()).isEqualTo(202);
		URI location = URI.create(head.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "probed"));
	}

	@Test
	void taskUsingARequestScopedBeanShouldFailSayingTheRequestHasEnded() throws Exception {
		HttpResponse<String> response = post("/localized-reports");
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Map<String, Object> status = read(get(location));
			assertThat(status).containsEntry("state", "FAILED");
			// not Spring's advice to define a scoped proxy: the bean is one, and its request is over
			assertThat(status.get("error")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
				.containsEntry("type", IllegalStateException.class.getName())
				.extractingByKey("message")
				.asString()
				.startsWith("Background task 'localized-report' used bean 'scopedTarget.")
				.contains("whose scope is not active on the task's thread")
				.contains("pass what the task needs from it as an argument");
		});
	}

	@Test
	void waitUntilTaskUsingARequestScopedBeanShouldFailSayingTheRequestHasEnded() throws Exception {
		HttpResponse<String> response = post("/localized-waits");
		assertThat(response.statusCode()).isEqualTo(200);
		UUID id = UUID.fromString(response.body());
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(this.runtime.find(id)).get()
			.satisfies((task) -> assertThat(task.state()).isEqualTo(dev.edgeruntime.TaskState.FAILED)));
		// not Spring's advice to define a scoped proxy, as for a @BackgroundTask method
		assertThat(this.runtime.find(id).orElseThrow().result()).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageStartingWith("Background task 'localized-wait' used bean 'scopedTarget.")
			.withMessageContaining("pass what the task needs from it as an argument");
	}

	@Test
	void serviceMethodCalledByControllerShouldStartOnlyAfterTheClientReceivedTheResponse() throws Exception {
		String key = UUID.randomUUID().toString();
		CompletableFuture<HttpResponse<String>> response = postAsync("/orders?key=" + key);
		await().atMost(TIMEOUT).until(() -> this.receipts.handles.containsKey(key));
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		// the handler is still running, held at its gate: the receipt waits
		assertThat(receipt.state()).isEqualTo(TaskState.SCHEDULED);
		assertThat(response).isNotDone();
		this.gates.open(key + "-handler");
		assertThat(response.get().statusCode()).isEqualTo(200);
		assertThat(response.get().body()).isEqualTo("ordered " + key);
		await().atMost(TIMEOUT).until(() -> receipt.state() == TaskState.SUCCEEDED);
		assertThat(this.receipts.handlerReturnedAtStart).containsEntry(key, true);
	}

	@Test
	void serviceMethodWhenHandlerThrowsShouldBeDropped() throws Exception {
		String key = UUID.randomUUID().toString();
		CompletableFuture<HttpResponse<String>> response = postAsync("/orders?fail=true&key=" + key);
		await().atMost(TIMEOUT).until(() -> this.receipts.handles.containsKey(key));
		this.gates.open(key + "-handler");
		assertThat(response.get().statusCode()).isEqualTo(500);
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		await().atMost(TIMEOUT).until(() -> receipt.state().isTerminal());
		assertThat(receipt.state()).isEqualTo(TaskState.DROPPED);
		assertThat(this.receipts.handlerReturnedAtStart).doesNotContainKey(key);
		Map<String, Object> status = read(get(uri("/background-tasks/" + receipt.id())));
		assertThat(status).containsEntry("state", "DROPPED");
		assertThat(status.get("error")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.extractingByKey("message")
			.asString()
			.contains("order " + key + " failed");
	}

	@Test
	void serviceMethodWhenTransactionRollsBackShouldBeDropped() throws Exception {
		String key = UUID.randomUUID().toString();
		int rollbacks = this.transactionManager.rollbacks.get();
		HttpResponse<String> response = post("/rolled-back-orders?key=" + key);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(this.transactionManager.rollbacks.get()).isEqualTo(rollbacks + 1);
		TaskHandle<Void> receipt = this.receipts.handles.get(key);
		assertThat(receipt.state()).isEqualTo(TaskState.DROPPED);
		assertThat(this.receipts.handlerReturnedAtStart).doesNotContainKey(key);
		Map<String, Object> status = read(get(uri("/background-tasks/" + receipt.id())));
		assertThat(status.get("error")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.extractingByKey("message")
			.asString()
			.contains("rolled back");
	}

	@Test
	void multipartUploadShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = postMultipart("/uploads?key=" + key, "file", "greeting.txt",
				"hello from " + key);
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		// another request on the client's connection: the upload's request is over and cleaned up by now, and
		// the task (started just after the 202 went out) waits at its gate
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "RUNNING"));
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location)))
			.containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "greeting.txt: hello from " + key));
	}

	@Test
	void listOfUploadsShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = postMultipart("/multi-uploads?key=" + key, "files", "a.txt", "first",
				"files", "b.txt", "second");
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "RUNNING"));
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location)))
			.containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "a.txt: first;b.txt: second;"));
	}

	@Test
	void requestBodyStreamShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpRequest request = HttpRequest.newBuilder(uri("/imports?key=" + key))
			.header("Content-Type", "text/csv")
			.POST(HttpRequest.BodyPublishers.ofString("a,b\n1,2"))
			.build();
		HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "RUNNING"));
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location)))
			.containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "imported a,b\n1,2"));
	}

	@Test
	void requestBodyReaderShouldBeReadableByTheTaskAfterTheRequestFinished() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpRequest request = HttpRequest.newBuilder(uri("/reader-imports?key=" + key))
			.header("Content-Type", "text/plain;charset=UTF-8")
			.POST(HttpRequest.BodyPublishers.ofString("grüße, ünïcödé", StandardCharsets.UTF_8))
			.build();
		HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		// another request on the client's connection: the upload's request is over and recycled by now
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location))).containsEntry("state", "RUNNING"));
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location)))
			.containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "read grüße, ünïcödé"));
	}

	@Test
	void requestBodyResourceShouldBeACopyWithAFileAfterTheRequestFinished() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpRequest request = HttpRequest.newBuilder(uri("/resource-imports?key=" + key))
			.header("Content-Type", "application/octet-stream")
			.POST(HttpRequest.BodyPublishers.ofString("0123456789"))
			.build();
		HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(202);
		URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
		this.gates.open(key);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(get(location)))
			.containsEntry("state", "SUCCEEDED")
			.containsEntry("result", "file 10 0123456789"));
	}

	@Test
	void statusOfUnknownIdShouldBe404ProblemDetails() throws Exception {
		HttpResponse<String> response = get(uri("/background-tasks/" + UUID.randomUUID()));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(read(response)).containsEntry("status", 404).containsEntry("title", "Background task not found");
		// what UUID.fromString takes but is not an id as the runtime writes them is no task either
		assertThat(get(uri("/background-tasks/1-1-1-1-1")).statusCode()).isEqualTo(400);
	}

	@Test
	void statusOfMalformedIdShouldBe400ProblemDetailsThatSaySo() throws Exception {
		HttpResponse<String> response = get(uri("/background-tasks/not-a-uuid"));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(read(response)).containsEntry("status", 400)
			.containsEntry("title", "Malformed background task id")
			.containsEntry("detail", "'not-a-uuid' is not a task id: task ids are UUIDs such as "
					+ "3f1c2a9e-5b7d-4e2a-9c61-0d8f4b2e7a15");
	}

	@Test
	@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // it once waited for the async timeout
	void controllerReturningATasksFutureShouldAnswerWithItsResultNotWaitForTheAsyncTimeout() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> returned = post("/returned-quotes?key=" + key);
		assertThat(returned.statusCode()).isEqualTo(200);
		assertThat(returned.body()).isEqualTo("quote " + key);
		// called inside a transaction, and chained: the task starts after the commit, then the request's result
		HttpResponse<String> committed = post("/committed-quotes?key=" + key);
		assertThat(committed.statusCode()).isEqualTo(200);
		assertThat(committed.body()).isEqualTo("committed quote " + key);
	}

	@Test
	@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // it waited for the async timeout
	void controllerReturningTheResultOfATasksHandleShouldAnswerWithItNotWaitForTheAsyncTimeout() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = post("/handle-quotes?key=" + key);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("handled quote " + key);
	}

	@Test
	@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the refusal, the wait never ends
	void waitingInTheRequestForATaskThatStartsAfterTheResponseShouldBeRefusedNotHang() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> response = post("/quotes?key=" + key);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).startsWith("refused: Background task ")
			.contains("(quote) starts only after the response to its request is sent");
		// once the response is sent, the task runs
		assertThat(this.receipts.quotes.get(key).get(20, TimeUnit.SECONDS)).isEqualTo("quote " + key);
	}

	@Test
	void requestWithoutTasksShouldKeepTheContainersErrorPage() throws Exception {
		// the hook commits responses only for requests that detached work, so error pages still render
		HttpResponse<String> response = get(uri("/no-such-page"));
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(read(response)).containsEntry("status", 404).containsEntry("path", "/no-such-page");
	}


	private HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return this.client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	/**
	 * Posts a multipart form of text files, given as (part name, file name, content) triples.
	 */
	private HttpResponse<String> postMultipart(String path, String... parts) throws IOException, InterruptedException {
		String boundary = "boundary-" + UUID.randomUUID();
		StringBuilder body = new StringBuilder();
		for (int i = 0; i < parts.length; i += 3) {
			body.append("--").append(boundary).append("\r\n")
				.append("Content-Disposition: form-data; name=\"").append(parts[i]).append("\"; filename=\"")
				.append(parts[i + 1]).append("\"\r\n")
				.append("Content-Type: text/plain\r\n\r\n")
				.append(parts[i + 2]).append("\r\n");
		}
		body.append("--").append(boundary).append("--\r\n");
		HttpRequest request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofString(body.toString()))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private CompletableFuture<HttpResponse<String>> postAsync(String path) {
		return this.client.sendAsync(
				HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return this.client.send(HttpRequest.newBuilder(uri).GET().build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> read(HttpResponse<String> response) {
		return this.json.readValue(response.body(), Map.class);
	}

}
