package dev.edgeruntime.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.UnloadReason;
import dev.edgeruntime.cron.CronJobs;
import dev.edgeruntime.runtime.TaskStorageArea;
import dev.edgeruntime.test.TaskEventRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo's scenarios over real HTTP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "demo.albums.max-entries=50", "demo.albums.max-uncompressed-size=3MB",
				"edge-runtime.storage.quota=8MB", "demo.relay.allowed-urls=http://localhost:*/samples/" })
@ExtendWith(OutputCaptureExtension.class)
class DemoScenariosTests {

	private static final Pattern ID = Pattern.compile("\"(?:id|task)\":\"([0-9a-f-]{36})\"");

	@TempDir
	static Path albums;

	@TempDir
	static Path reports;

	@DynamicPropertySource
	static void folders(DynamicPropertyRegistry registry) {
		registry.add("demo.albums.root", albums::toString);
		registry.add("demo.reports.root", reports::toString);
	}

	@Autowired
	CronJobs cronJobs;

	@LocalServerPort
	int port;

	@Autowired
	EdgeRuntime runtime;

	@Autowired
	TaskEventRecorder events;

	@Autowired
	ReceiptController receipts;

	@Autowired
	MeterRegistry meters;

	@Autowired
	TaskStorageArea storage;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void relayToAllowedUrlShouldAnswerAtOnceAndFetchInTheBackground(CapturedOutput output) throws Exception {
		String target = "http://localhost:" + this.port + "/samples/json";
		HttpResponse<String> response = post("/relay?url=" + target, HttpRequest.BodyPublishers.noBody(), null);
		assertThat(response.statusCode()).isEqualTo(202);
		// its fields in the order docs/demo.md shows, on every start of the JVM
		assertThat(response.body())
			.matches("\\{\"status\":\"ok\",\"task\":\"([0-9a-f-]{36})\",\"statusUrl\":\"/background-tasks/\\1\"}");
		TaskHandle<?> task = task(response);
		assertThat(task.name()).isEqualTo("fetchAndLog");
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
		assertThat(task.result().get()).isEqualTo(200);
		assertThat(output).contains("fetchAndLog " + target + " -> 200").contains("Sample Slide Show");
	}

	@Test
	void relayedBodyWithALineBreakShouldNotForgeALogLine(CapturedOutput output) throws Exception {
		// an allowed upstream answering with a line break and what looks like a log line of its own
		com.sun.net.httpserver.HttpServer upstream = com.sun.net.httpserver.HttpServer
			.create(new java.net.InetSocketAddress("localhost", 0), 0);
		upstream.createContext("/samples/forged", (exchange) -> {
			byte[] body = "ok\r\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		upstream.start();
		try {
			String target = "http://localhost:" + upstream.getAddress().getPort() + "/samples/forged";
			TaskHandle<?> task = task(post("/relay?url=" + target, HttpRequest.BodyPublishers.noBody(), null));
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
			await().untilAsserted(() -> assertThat(output).contains("fetchAndLog " + target + " -> 200 ok\\r\\n"
					+ "2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged"));
			assertThat(output).doesNotContain("\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged");
		}
		finally {
			upstream.stop(0);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://evil.example/samples/json", "http://localhost:%d@evil.example/samples/json",
			"http://localhost:%d/samples/../actuator/env", "http://localhost:%d/actuator/env",
			"http://localhost:%d/samples/..;/actuator/env", "http://localhost:%d/samples/..%%2f..%%2factuator",
			"file:///etc/passwd", "gopher://localhost:%d/samples/", "not a url" })
	void relayToOtherUrlShouldBeRefusedBeforeAnythingIsFetched(String url) throws Exception {
		int tasksBefore = this.runtime.tasks().size();
		HttpResponse<String> response = post("/relay?url=" + java.net.URLEncoder.encode(url.formatted(this.port),
				java.nio.charset.StandardCharsets.UTF_8), HttpRequest.BodyPublishers.noBody(), null);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("URL refused");
		assertThat(this.runtime.tasks()).hasSize(tasksBefore);
	}

	@Test
	void albumShouldBeExtractedInTheBackgroundWithProgress() throws Exception {
		byte[] zip = zip(List.of("trip/a.jpg", "trip/b.jpg", "trip/c.jpg"), 10_000, true);
		HttpResponse<String> response = post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip");
		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(response.headers().firstValue("Location")).hasValueSatisfying((location) -> assertThat(location)
			.contains("/background-tasks/"));
		TaskHandle<?> task = task(response);
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
		TaskInfo info = task.info();
		assertThat(info.progress()).isNotNull();
		assertThat(info.progress().fraction()).isEqualTo(1.0);
		Path folder = albums.resolve(task.id().toString());
		assertThat(folder.resolve("trip/a.jpg")).exists().hasSize(10_000);
		assertThat(folder.resolve("trip/c.jpg")).exists();
		// extracted beside the album and renamed to it in one step: nothing of the extraction is left
		assertThat(albums).isDirectoryNotContaining("glob:**/" + AlbumExtractor.PARTIAL_PREFIX + "*");
		HttpResponse<String> status = get("/background-tasks/" + task.id());
		assertThat(status.body()).contains("\"state\":\"SUCCEEDED\"")
			.contains("\"result\":{\"album\":\"" + task.id() + "\",\"files\":3,\"bytes\":" + zip.length + ",\"folder\":\"");
	}

	@Test
	void albumWithEntryEscapingTheFolderShouldFailAndStoreNothing(CapturedOutput output) throws Exception {
		byte[] zip = zip(List.of("ok.jpg", "../../escaped.txt"), 100, true);
		TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip"));
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
		assertThat(task.info().error().message()).isEqualTo("Entry '../../escaped.txt' escapes the album folder (zip slip)");
		// bad input, reported at the status URL: one WARN line, not an unhandled failure
		await().untilAsserted(() -> assertThat(output).contains("Album " + task.id()
				+ " rejected: Entry '../../escaped.txt' escapes the album folder (zip slip)"));
		assertThat(output).doesNotContain("Background task " + task.id() + " (album-extract) failed and nobody observed");
		assertThat(this.meters.find("edge.runtime.tasks.unhandled").tag("name", "album-extract").counter()).isNull();
		assertThat(albums.resolve(task.id().toString())).doesNotExist();
		assertThat(albums.getParent().resolve("escaped.txt")).doesNotExist();
		assertThat(albums.resolve("escaped.txt")).doesNotExist();
		assertThat(albums).isDirectoryNotContaining("glob:**/" + AlbumExtractor.PARTIAL_PREFIX + "*");
	}

	@Test
	void albumWithTwoEntriesForOneFileShouldFailAndStoreNothing() throws Exception {
		// the same name twice (ZipOutputStream refuses to write it, so the second name is patched in), and a
		// name that differs but resolves to the same file
		byte[] sameName = replace(zip(List.of("a.jpg", "b.jpg"), 100, false), "b.jpg", "a.jpg");
		byte[] sameFile = zip(List.of("trip/a.jpg", "trip/./a.jpg"), 100, true);
		for (byte[] zip : List.of(sameName, sameFile)) {
			TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip"));
			await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
			assertThat(task.info().error().message()).endsWith(
					"names a file or folder that an earlier entry of the zip already made: entries must be unique");
			assertThat(albums.resolve(task.id().toString())).doesNotExist();
		}
	}

	private static byte[] replace(byte[] zip, String name, String replacement) {
		String text = new String(zip, StandardCharsets.ISO_8859_1);
		assertThat(text).contains(name);
		return text.replace(name, replacement).getBytes(StandardCharsets.ISO_8859_1);
	}

	@Test
	void zipBombShouldBeStopped() throws Exception {
		// 20 MB of zeros compresses to about 20 KB
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream out = new ZipOutputStream(bytes)) {
			out.putNextEntry(new ZipEntry("zeros.bin"));
			byte[] zeros = new byte[1024 * 1024];
			for (int i = 0; i < 20; i++) {
				out.write(zeros);
			}
			out.closeEntry();
		}
		TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray()),
				"application/zip"));
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
		assertThat(task.info().error().message()).contains("expands more than 100 times");
		assertThat(albums.resolve(task.id().toString())).doesNotExist();
	}

	@Test
	void albumWithTooManyEntriesShouldFail() throws Exception {
		List<String> names = java.util.stream.IntStream.range(0, 51).mapToObj((i) -> "p" + i + ".jpg").toList();
		TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip(names, 10, true)),
				"application/zip"));
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
		assertThat(task.info().error().message()).contains("51 entries, more than the 50 allowed");
	}

	@Test
	void albumExpandingBeyondTheLimitShouldFail() throws Exception {
		byte[] zip = zip(List.of("a.bin", "b.bin", "c.bin"), 1200 * 1024, true);
		TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip"));
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
		assertThat(task.info().error().message())
			.isEqualTo("The zip expands to more than 3MB (demo.albums.max-uncompressed-size)");
		assertThat(albums.resolve(task.id().toString())).doesNotExist();
	}

	@Test
	void uploadLargerThanTheStorageQuotaShouldBeRefusedWith413() throws Exception {
		byte[] zip = zip(List.of("big.bin"), 9 * 1024 * 1024, false);
		int tasksBefore = (int) this.runtime.tasks().stream().filter((t) -> t.state() != TaskState.DROPPED).count();
		HttpResponse<String> response = post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip");
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("The request body would take the background task's storage over its "
				+ "quota of 8MB (edge-runtime.storage.quota)");
		assertThat(this.runtime.tasks().stream().filter((t) -> t.state() != TaskState.DROPPED)).hasSize(tasksBefore);
		// the part of the upload copied before the quota stopped it is not left in the task storage
		TaskInfo dropped = this.runtime.tasks()
			.stream()
			.filter((t) -> t.state() == TaskState.DROPPED && t.name().equals(AlbumController.TASK_NAME))
			.findFirst()
			.orElseThrow();
		await().untilAsserted(
				() -> assertThat(this.storage.getInstanceDir().resolve(dropped.id().toString())).doesNotExist());
	}

	@Test
	void uploadWithoutAMultipartBodyShouldBeRefusedWith415() throws Exception {
		HttpResponse<String> response = post("/uploads", HttpRequest.BodyPublishers.ofString("x"), "text/plain");
		assertThat(response.statusCode()).isEqualTo(415);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
	}

	@Test
	void uploadOverSpringsDefaultLimitOfOneMegabyteShouldBeStored() throws Exception {
		String boundary = "demo-boundary";
		byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
		byte[] content = new byte[2 * 1024 * 1024];
		byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(head);
		body.write(content);
		body.write(tail);
		HttpResponse<String> response = post("/uploads", HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()),
				"multipart/form-data; boundary=" + boundary);
		assertThat(response.statusCode()).isEqualTo(202);
		TaskHandle<?> task = task(response);
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
		assertThat(get("/background-tasks/" + task.id()).body()).contains("\"bytes\":" + content.length);
	}

	@Test
	void uploadWhoseFileNameHoldsALineBreakShouldNotForgeALogLine(CapturedOutput output) throws Exception {
		String boundary = "demo-boundary";
		// RFC 5987's filename*, which Spring decodes: a CR LF and what looks like a log line of its own
		StringBuilder fileName = new StringBuilder();
		for (byte b : "notes.txt\r\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged"
			.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
			boolean plain = Character.isLetterOrDigit(b) || "!#$&+-.^_`|~".indexOf(b) >= 0;
			fileName.append(plain ? String.valueOf((char) b) : "%%%02X".formatted(b));
		}
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''"
				+ fileName + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + boundary + "--\r\n";
		HttpResponse<String> response = post("/uploads", HttpRequest.BodyPublishers.ofString(body),
				"multipart/form-data; boundary=" + boundary);
		assertThat(response.statusCode()).isEqualTo(202);
		TaskHandle<?> task = task(response);
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED));
		await().untilAsserted(() -> assertThat(output)
			.contains("Stored notes.txt\\r\\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged (5 bytes"));
		assertThat(output).doesNotContain("\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged");
	}

	@Test
	void albumWhoseEntryNameHoldsALineBreakShouldNotForgeALogLine(CapturedOutput output) throws Exception {
		byte[] zip = zip(List.of("ok.jpg", "../x\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged"), 100, true);
		TaskHandle<?> task = task(post("/albums", HttpRequest.BodyPublishers.ofByteArray(zip), "application/zip"));
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.FAILED));
		await().untilAsserted(() -> assertThat(output).contains("Album " + task.id()
				+ " rejected: Entry '../x\\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged' escapes the album"));
		assertThat(output).doesNotContain("\n2026-11-24T13:00:00.000Z ERROR 1 --- [main] forged");
	}

	@Test
	void longRunningTaskWithSecondsOutOfRangeShouldBeRefusedWithAProblem() throws Exception {
		int tasksBefore = this.runtime.tasks().size();
		HttpResponse<String> negative = post("/long-running-task?seconds=-5", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(negative.statusCode()).isEqualTo(400);
		assertThat(negative.body()).contains("seconds must be from 1 to 3600, not -5");
		HttpResponse<String> notANumber = post("/long-running-task?seconds=abc", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(notANumber.statusCode()).isEqualTo(400);
		assertThat(notANumber.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(notANumber.body()).contains("\"detail\":\"Failed to convert 'seconds' with value: 'abc'\"");
		assertThat(this.runtime.tasks()).hasSize(tasksBefore);
	}

	@Test
	void reportShouldBeBuiltThroughTheDurableQueue() throws Exception {
		HttpResponse<String> response = post("/reports?kind=monthly", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(response.statusCode()).isEqualTo(202);
		// its fields in the order docs/demo.md shows, on every start of the JVM
		assertThat(response.body())
			.matches("\\{\"id\":\"([0-9a-f-]{36})\",\"state\":\"QUEUED\",\"statusUrl\":\"/reports/\\1\"}");
		Matcher matcher = ID.matcher(response.body());
		assertThat(matcher.find()).isTrue();
		String status = "/reports/" + matcher.group(1);
		assertThat(response.headers().firstValue("Location")).hasValue(status);
		await().untilAsserted(() -> assertThat(get(status).body()).contains("\"state\":\"DONE\""));
		Path csv = reports.resolve(matcher.group(1) + ".csv");
		assertThat(csv).exists();
		assertThat(Files.readAllLines(csv)).first().isEqualTo("state,tasks");
		assertThat(get("/reports/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
		assertThat(post("/reports?kind=" + java.net.URLEncoder.encode("Robert'); DROP TABLE demo_report;--",
				java.nio.charset.StandardCharsets.UTF_8), HttpRequest.BodyPublishers.noBody(),
				null).statusCode()).isEqualTo(400);
	}

	@Test
	void failedDurableReceiptShouldRunAgainThroughTheEndpointOnceTheMailServerIsBack() throws Exception {
		HttpResponse<String> accepted = post("/receipts?order=41", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(accepted.statusCode()).isEqualTo(202);
		String sentStatus = URI.create(accepted.headers().firstValue("Location").orElseThrow()).getPath();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(get(sentStatus).body()).contains("\"state\":\"SUCCEEDED\""));
		assertThat(this.receipts.sent()).contains(41);
		try {
			assertThat(post("/mail-server?up=false", HttpRequest.BodyPublishers.noBody(), null).statusCode())
				.isEqualTo(200);
			HttpResponse<String> failing = post("/receipts?order=42", HttpRequest.BodyPublishers.noBody(), null);
			Matcher matcher = ID.matcher(failing.body());
			assertThat(matcher.find()).isTrue();
			String id = matcher.group(1);
			// three attempts with backoff, then dead-lettered
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(get("/background-tasks/" + id).body()).contains("\"state\":\"FAILED\"")
					.contains("the mail server is down"));
			post("/mail-server?up=true", HttpRequest.BodyPublishers.noBody(), null);
			HttpResponse<String> retried = post("/actuator/backgroundtasks/" + id, HttpRequest.BodyPublishers.noBody(),
					null);
			assertThat(retried.statusCode()).isEqualTo(200);
			assertThat(retried.body()).contains("\"retried\":true");
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(get("/background-tasks/" + id).body()).contains("\"state\":\"SUCCEEDED\""));
			assertThat(this.receipts.sent()).containsOnlyOnce(42);
			assertThat(post("/actuator/backgroundtasks/" + id, HttpRequest.BodyPublishers.noBody(), null).statusCode())
				.isEqualTo(409);
		}
		finally {
			post("/mail-server?up=true", HttpRequest.BodyPublishers.noBody(), null);
		}
	}

	@Test
	void nightlyReportShouldBeScheduledFromApplicationYml() {
		assertThat(this.cronJobs.list()).anySatisfy((job) -> {
			assertThat(job.name()).endsWith("nightly-report");
			assertThat(job.schedule()).isEqualTo("0 3 * * *");
			assertThat(job.queue()).isEqualTo("reports");
		});
	}

	@Test
	void wallClockBudgetShouldAnnounceBeforeUnloadThenStopTheTask() throws Exception {
		HttpResponse<String> response = post("/budgets/wall-clock?seconds=30", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(response.statusCode()).isEqualTo(202);
		TaskHandle<?> task = task(response);
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
		assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.WALL_CLOCK);
		assertThat(this.events.beforeUnloadEvents()).anySatisfy((event) -> {
			assertThat(event.reason()).isEqualTo(UnloadReason.WALL_CLOCK);
			assertThat(event.task()).hasValueSatisfying((info) -> assertThat(info.id()).isEqualTo(task.id()));
		});
	}

	@Test
	void cpuBudgetShouldStopTheTaskAtTwoSecondsOfCpu() throws Exception {
		HttpResponse<String> response = post("/budgets/cpu?seconds=30", HttpRequest.BodyPublishers.noBody(), null);
		assertThat(response.statusCode()).isEqualTo(202);
		TaskHandle<?> task = task(response);
		assertThat(task.name()).isEqualTo("cpu-budget");
		await().untilAsserted(() -> assertThat(task.state()).isEqualTo(TaskState.BUDGET_EXCEEDED));
		assertThat(task.info().unloadReason()).isEqualTo(UnloadReason.CPU);
	}

	@Test
	void budgetEndpointsShouldRefuseSecondsOutOfRangeBeforeAnyTaskExists() throws Exception {
		int tasksBefore = this.runtime.tasks().size();
		for (String path : List.of("/budgets/cpu?seconds=-1", "/budgets/cpu?seconds=100000",
				"/budgets/wall-clock?seconds=0")) {
			HttpResponse<String> refused = post(path, HttpRequest.BodyPublishers.noBody(), null);
			assertThat(refused.statusCode()).as(path).isEqualTo(400);
			assertThat(refused.body()).as(path).contains("seconds must be from 1 to 3600, not ");
		}
		assertThat(this.runtime.tasks()).hasSize(tasksBefore);
	}

	private TaskHandle<?> task(HttpResponse<String> response) {
		Matcher matcher = ID.matcher(response.body());
		assertThat(matcher.find()).as(response.body()).isTrue();
		return this.runtime.find(UUID.fromString(matcher.group(1))).orElseThrow();
	}

	private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, String contentType)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.POST(body);
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	static byte[] zip(List<String> names, int size, boolean compressed) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Random random = new Random(42);
		try (ZipOutputStream out = new ZipOutputStream(bytes)) {
			out.setLevel(compressed ? 6 : 0);
			for (String name : names) {
				out.putNextEntry(new ZipEntry(name));
				byte[] content = new byte[size];
				random.nextBytes(content);
				out.write(content);
				out.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

}
