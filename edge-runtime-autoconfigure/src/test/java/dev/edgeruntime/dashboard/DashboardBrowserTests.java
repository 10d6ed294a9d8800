package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.dashboard.DashboardTestApplication.DeadLetters;
import dev.edgeruntime.dashboard.DashboardTestApplication.Steps;
import org.jspecify.annotations.Nullable;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in headless Chromium, behind Spring Security's form login with CSRF protection: tasks
 * started over HTTP appear and advance without a reload, an operator cancels one, and a viewer can
 * neither see a cancel button nor cancel by sending the delete itself.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "edge-runtime.dashboard.enabled=true", "edge-runtime.dashboard.refresh-interval=250ms" })
@ExtendWith(OutputCaptureExtension.class)
class DashboardBrowserTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	static final Path SCREENSHOT = Path.of("target", "dashboard", "dashboard.png");

	private static @Nullable Chromium chromium;

	private final HttpClient client = HttpClient.newHttpClient();

	private final Map<UUID, String> keys = new ConcurrentHashMap<>();

	@LocalServerPort
	private int port;

	@Autowired
	private EdgeRuntime runtime;

	@Autowired
	private Steps steps;

	@Autowired
	private DeadLetters deadLetters;

	@BeforeAll
	static void startBrowser() throws IOException {
		chromium = Chromium.start();
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (chromium != null) {
			chromium.close();
		}
	}

	@BeforeEach
	void signOut() {
		driver().manage().deleteAllCookies();
		this.deadLetters.count.set(3);
		this.deadLetters.databaseDown.set(false);
	}

	@Test
	void operatorShouldSeeTaskAppearAndAdvanceLiveAndCancelIt(CapturedOutput output) throws Exception {
		signIn("operator");
		String page = driver().getCurrentUrl();
		UUID succeeded = startTask("send-welcome-email", 1);
		UUID failed = startTask("resize-images", 2, "Image 7 of album 1042 is not a JPEG");
		UUID running = startTask("import-orders", 4);
		waitUntilState(running, "RUNNING"); // it can first show SCHEDULED, before its thread starts it
		waitUntilFraction(running, 0.0);

		this.steps.allow(key(running), 1);
		waitUntilFraction(running, 0.25);
		this.steps.allow(key(running), 1);
		waitUntilFraction(running, 0.5);
		this.steps.allow(key(succeeded), 1);
		this.steps.allow(key(failed), 2);
		waitUntilState(succeeded, "SUCCEEDED");
		waitUntilState(failed, "FAILED");
		assertThat(row(failed).getText()).contains("IllegalStateException: Image 7 of album 1042 is not a JPEG");
		assertThat(driver().findElement(By.cssSelector("#queues tbody")).getText())
			.contains("emails 12 9 42 s 38 s 3 1,840 not owner")
			.contains("reports 0 0 – – 0 31 vacuumed");
		// read in one script: the table is redrawn by every push, so elements found earlier go stale
		assertThat((Object) driver().executeScript(
				"return Array.from(document.querySelectorAll('#queues tbody td.error')).map((cell) => cell.textContent)"))
			.asInstanceOf(InstanceOfAssertFactories.LIST)
			.containsExactly("not owner");
		assertThat(driver().findElement(By.cssSelector("#consumers tbody")).getText())
			.contains("emails EmailListener.send reading 2 / 4");
		assertThat(driver().getCurrentUrl()).as("the page was never reloaded").isEqualTo(page);
		assertThat((Object) driver().executeScript("return performance.getEntriesByType('navigation').length"))
			.isEqualTo(1L);

		Files.createDirectories(SCREENSHOT.getParent());
		Files.write(SCREENSHOT, driver().getScreenshotAs(OutputType.BYTES));
		assertThat(Files.readAllBytes(SCREENSHOT)).startsWith(0x89, 'P', 'N', 'G');

		// without the CSRF token the cancel is refused, even for the operator
		assertThat(delete(running, false)).isEqualTo(403L);
		assertThat(this.runtime.find(running).orElseThrow().state()).isEqualTo(TaskState.RUNNING);

		row(running).findElement(By.cssSelector("button.cancel")).click();
		waitUntilState(running, "CANCELLED");
		assertThat(this.runtime.find(running).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
		assertThat(driver().findElement(By.id("message")).getText()).startsWith("Cancelled import-orders");
		assertThat(row(running).findElements(By.cssSelector("button.cancel"))).isEmpty();
		assertThat(output).contains("Background task " + running + " (import-orders) was cancelled from the "
				+ "dashboard by operator");
	}

	@Test
	void viewerWithoutTheAuthorityShouldHaveNoCancelButtonAndBeRefusedTheDelete() throws Exception {
		signIn("viewer");
		UUID running = startTask("nightly-export", 1);
		// the row can first show the task as SCHEDULED, before its thread has started it
		waitUntilState(running, "RUNNING");
		assertThat(driver().findElements(By.cssSelector("button.cancel"))).isEmpty();

		// the page's own CSRF token is sent, so only the missing authority can refuse it
		assertThat(delete(running, true)).isEqualTo(403L);
		assertThat(this.runtime.find(running).orElseThrow().state()).isEqualTo(TaskState.RUNNING);

		this.steps.allow(key(running), 1);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.runtime.find(running).orElseThrow().state())
				.isEqualTo(TaskState.SUCCEEDED));
	}

	@Test
	void operatorShouldRunAQueuesDeadLettersAgainAfterConfirmingAndSeeTheCountGoToZero(CapturedOutput output) {
		signIn("operator");
		waiting().until((driver) -> !requeueButtons().isEmpty());
		assertThat(requeueButtons()).as("only the queue with dead letters has one").containsExactly("emails");

		clickRequeue("emails");
		Alert question = waiting().until((driver) -> driver.switchTo().alert());
		assertThat(question.getText()).isEqualTo("Run again the 3 dead-lettered messages of queue emails?");
		question.dismiss();
		assertThat(this.deadLetters.count).as("nothing is sent without the confirmation").hasValue(3);

		this.deadLetters.databaseDown.set(true);
		clickRequeue("emails");
		waiting().until((driver) -> driver.switchTo().alert()).accept();
		waitUntilMessage("Running the dead letters of queue emails again failed: The database cannot be reached: "
				+ "Connection refused.");
		assertThat(driver().findElement(By.id("message")).getDomAttribute("class")).contains("error");
		assertThat(this.deadLetters.count).hasValue(3);

		this.deadLetters.databaseDown.set(false);
		clickRequeue("emails");
		waiting().until((driver) -> driver.switchTo().alert()).accept();
		waitUntilMessage("Sent 3 dead-lettered messages of queue emails back to be run again.");
		// the live update: the count goes to zero, and the button goes with it
		waiting().until((driver) -> driver.findElement(By.cssSelector("#queues tbody")).getText()
			.contains("emails 12 9 42 s 38 s 0 1,840 not owner"));
		assertThat(requeueButtons()).isEmpty();
		assertThat(output).contains("Dead letters of queue 'emails': 3 sent back to be run again from the dashboard "
				+ "by operator");
	}

	@Test
	void viewerWithoutTheAuthorityShouldHaveNoRunAgainButton() {
		signIn("viewer");
		waiting().until((driver) -> driver.findElement(By.cssSelector("#queues tbody")).getText()
			.contains("emails 12 9 42 s 38 s 3 1,840 not owner"));
		assertThat(requeueButtons()).isEmpty();
	}

	@SuppressWarnings("unchecked")
	private List<String> requeueButtons() {
		// read in one script: the table is redrawn by every push, so elements found earlier go stale
		return (List<String>) driver().executeScript(
				"return Array.from(document.querySelectorAll('#queues button.requeue')).map((b) => b.dataset.queue)");
	}

	private void clickRequeue(String queue) {
		// found and clicked in one script, as a push may redraw the table between two calls; clicked from a
		// timer, so that the script returns before the confirmation blocks the page
		waiting().until((driver) -> Boolean.TRUE.equals(driver().executeScript("""
				const button = document.querySelector('#queues button.requeue[data-queue="' + arguments[0] + '"]');
				if (!button || button.disabled) {
					return false;
				}
				setTimeout(() => button.click(), 0);
				return true;
				""", queue)));
	}

	private void waitUntilMessage(String text) {
		waiting().until((driver) -> text.equals(driver.findElement(By.id("message")).getText()));
	}

	private void signIn(String user) {
		driver().get(url("/background-tasks-dashboard"));
		waiting().until((driver) -> !driver.findElements(By.id("username")).isEmpty());
		driver().findElement(By.id("username")).sendKeys(user);
		driver().findElement(By.id("password")).sendKeys(user + "-password");
		driver().findElement(By.cssSelector("button[type=submit]")).click();
		waiting().until((driver) -> driver.getCurrentUrl().contains("/background-tasks-dashboard"));
		waiting().until((driver) -> "true".equals(driver.findElement(By.tagName("body")).getDomAttribute("data-ready")));
		assertThat(driver().getTitle()).isEqualTo("Background tasks");
		assertThat(driver().findElement(By.id("connection")).getText()).isEqualTo("live");
	}

	private UUID startTask(String name, int total) throws IOException, InterruptedException {
		return startTask(name, total, null);
	}

	private UUID startTask(String name, int total, @Nullable String failure) throws IOException, InterruptedException {
		String key = UUID.randomUUID().toString();
		String query = "/jobs?name=" + name + "&key=" + key + "&total=" + total
				+ ((failure != null) ? "&failure=" + failure.replace(" ", "+") : "");
		HttpResponse<String> response = this.client.send(HttpRequest.newBuilder(URI.create(url(query)))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		UUID id = UUID.fromString(response.body().replace("\"", ""));
		this.keys.put(id, key);
		return id;
	}

	private String key(UUID task) {
		return this.keys.get(task);
	}

	private WebElement row(UUID task) {
		return waiting().until((driver) -> driver.findElements(By.cssSelector("tr[data-task-id='" + task + "']"))
			.stream()
			.findFirst()
			.orElse(null));
	}

	private String stateShown(UUID task) {
		return row(task).getDomAttribute("data-state");
	}

	private double fractionShown(UUID task) {
		String fraction = row(task).findElement(By.cssSelector("td.progress .bar")).getDomAttribute("data-fraction");
		return (fraction == null || fraction.isEmpty()) ? -1 : Double.parseDouble(fraction);
	}

	private void waitUntilFraction(UUID task, double fraction) {
		waiting().until((driver) -> fractionShown(task) == fraction);
	}

	private void waitUntilState(UUID task, String state) {
		waiting().until((driver) -> state.equals(stateShown(task)));
	}

	private Object delete(UUID task, boolean withCsrfToken) {
		return driver().executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				const meta = (name) => document.querySelector('meta[name="' + name + '"]').content;
				const headers = {};
				if (arguments[1]) {
					headers[meta('edge-runtime-csrf-header')] = meta('edge-runtime-csrf-token');
				}
				fetch(meta('edge-runtime-base') + '/tasks/' + arguments[0],
						{ method: 'DELETE', headers: headers, credentials: 'same-origin' })
					.then((response) => done(response.status), () => done(-1));
				""", task.toString(), withCsrfToken);
	}

	private WebDriverWait waiting() {
		return new WebDriverWait(driver(), TIMEOUT);
	}

	private ChromeDriver driver() {
		assertThat(chromium).as("the browser").isNotNull();
		return chromium.driver();
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

}
