package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.testsupport.TestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * A recurring job that this instance fires in-app while pg_cron holds it active too (an instance in another
 * {@code edge-runtime.cron.mode} registered it), against the real PostgreSQL with pg_cron: the dashboard's
 * snapshots carry it as {@code alsoFiredBy}, over MockMvc and real HTTP, its page marks the job in headless
 * Chromium, and the {@code cron} health lists it while staying {@code UP}. Not in the run on the pgmq
 * extension's database, where pg_cron cannot be created.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "edge-runtime.dashboard.enabled=true",
				"edge-runtime.dashboard.refresh-interval=250ms", "edge-runtime.queue.notify.enabled=false",
				"management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always" })
@AutoConfigureMockMvc
class DashboardCronFiredTwiceTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String PREFIX = "dashboard-" + TestDatabase.uniqueName("") + ":";

	private static final String QUEUE = TestDatabase.uniqueName("cron_dash_");

	private static final String JOB = PREFIX + "nightly-export";

	private static final String EVENTS = "/background-tasks-dashboard/events";

	private static final String FIRED_TWICE = "$.queue.cronJobs[?(@.name == 'nightly-export' && @.alsoFiredBy == "
			+ "'pg_cron')]";

	private static @Nullable Chromium chromium;

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
		registry.add("edge-runtime.cron.mode", () -> "in-app");
		registry.add("edge-runtime.cron.job-name-prefix", () -> PREFIX);
		registry.add("edge-runtime.cron.jobs.nightly-export.schedule", () -> "0 3 * * *");
		registry.add("edge-runtime.cron.jobs.nightly-export.queue", () -> QUEUE);
		// looks at cron.job for the jobs pg_cron fires too at this rhythm
		registry.add("edge-runtime.cron.in-app.poll-interval", () -> "200ms");
	}

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
	void registerTheJobInPgCronToo() {
		// as an instance started in edge-runtime.cron.mode=pg-cron after this one registers it, with the
		// application's mark (docs/cron.md)
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		String mark = "/* edge-runtime owner " + HexFormat.of().formatHex(PREFIX.getBytes(StandardCharsets.UTF_8))
				+ " */ ";
		this.jdbc.queryForObject("SELECT cron.schedule(?, '0 3 * * *', ?)", Long.class, JOB, mark + "SELECT 1");
	}

	@AfterEach
	void unscheduleTheJob() {
		this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = ?", JOB);
	}

	@Test
	void snapshotsOverRealHttpShouldSayThatPgCronFiresTheJobToo() throws Exception {
		HttpResponse<Stream<String>> events = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + EVENTS)).GET().build(),
				HttpResponse.BodyHandlers.ofLines());
		try {
			assertThat(events.statusCode()).isEqualTo(200);
			Iterator<String> lines = events.body().iterator();
			await().atMost(WAIT).until(() -> firedTwice(nextSnapshot(lines)));
			List<Map<String, Object>> jobs = JsonPath.parse(nextSnapshot(lines))
				.read("$.queue.cronJobs[?(@.name == 'nightly-export')]");
			assertThat(jobs).singleElement()
				.satisfies((job) -> assertThat(job).containsEntry("scheduler", "in-app")
					.containsEntry("alsoFiredBy", "pg_cron"));
			unscheduleTheJob();
			await().atMost(WAIT).until(() -> JsonPath.parse(nextSnapshot(lines))
				.<List<Object>>read("$.queue.cronJobs[?(@.name == 'nightly-export' && @.alsoFiredBy == null)]")
				.size() == 1);
		}
		finally {
			events.body().close();
		}
	}

	@Test
	void snapshotsOverMockMvcShouldSayThatPgCronFiresTheJobToo() throws Exception {
		MvcResult stream = this.mvc.perform(get(EVENTS)).andExpect(request().asyncStarted()).andReturn();
		// the snapshots are written to the response as they are pushed, every refresh-interval
		await().atMost(WAIT).until(() -> firedTwice(lastSnapshot(stream.getResponse().getContentAsString())));
		List<Map<String, Object>> jobs = JsonPath.parse(lastSnapshot(stream.getResponse().getContentAsString()))
			.read("$.queue.cronJobs[?(@.name == 'nightly-export')]");
		assertThat(jobs).singleElement()
			.satisfies((job) -> assertThat(job).containsEntry("scheduler", "in-app")
				.containsEntry("alsoFiredBy", "pg_cron"));
	}

	@Test
	void cronHealthShouldListTheJobFiredTwiceAndStayUp() throws Exception {
		URI health = URI.create("http://localhost:" + this.port + "/actuator/health");
		await().atMost(WAIT)
			.until(() -> "in-app and pg_cron".equals(
					JsonPath.parse(fetch(health).body()).read("$.components.cron.details.firedTwice.nightly-export")));
		String body = fetch(health).body();
		assertThat(JsonPath.parse(body).<String>read("$.components.cron.status")).isEqualTo("UP");
		assertThat(JsonPath.parse(body).<String>read("$.components.cron.details.scheduler")).isEqualTo("in-app");
		assertThat(JsonPath.parse(body).<String>read("$.status")).as("a warning, not an outage").isEqualTo("UP");
		this.mvc.perform(get("/actuator/health/cron"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("UP"))
			.andExpect(jsonPath("$.details.firedTwice.nightly-export").value("in-app and pg_cron"));
		unscheduleTheJob();
		await().atMost(WAIT)
			.until(() -> JsonPath.parse(fetch(health).body())
				.<Map<String, Object>>read("$.components.cron.details.firedTwice")
				.isEmpty());
	}

	@Test
	void pageShouldMarkTheJobFiredTwiceWithWhatFiresIt() {
		ChromeDriver driver = driver();
		driver.get("http://localhost:" + this.port + "/background-tasks-dashboard");
		WebDriverWait waiting = new WebDriverWait(driver, WAIT);
		waiting.until((page) -> Boolean.TRUE.equals(page.findElement(By.id("cron-block")).isDisplayed())
				&& !page.findElements(By.cssSelector("#cron tbody span.fired-twice")).isEmpty());
		// read in one script: the table is redrawn by every push, so elements found earlier go stale
		@SuppressWarnings("unchecked")
		List<String> marker = (List<String>) driver.executeScript("""
				var marker = document.querySelector('#cron tbody span.fired-twice');
				return [marker.closest('tr').textContent, marker.textContent, marker.title];
				""");
		assertThat(marker.get(0)).startsWith("nightly-export0 3 * * *" + QUEUE + "in-app fired twice");
		assertThat(marker.get(1)).isEqualTo("fired twice: in-app and pg_cron");
		assertThat(marker.get(2)).contains("Each tick sends two messages").contains("edge-runtime.cron.mode");
		unscheduleTheJob();
		waiting.until((page) -> page.findElements(By.cssSelector("#cron tbody span.fired-twice")).isEmpty()
				&& page.findElement(By.cssSelector("#cron tbody")).getText().contains("nightly-export"));
	}

	private static ChromeDriver driver() {
		assertThat(chromium).as("the browser").isNotNull();
		return chromium.driver();
	}

	private static boolean firedTwice(String snapshot) {
		return JsonPath.parse(snapshot).<List<Object>>read(FIRED_TWICE).size() == 1;
	}

	/** The data of the next {@code snapshot} event of a stream. */
	private static String nextSnapshot(Iterator<String> lines) {
		while (true) {
			String line = lines.next();
			if (line.startsWith("data:")) {
				return line.substring("data:".length());
			}
		}
	}

	/** The data of the latest {@code snapshot} event of a stream's text, or an empty object before the first. */
	private static String lastSnapshot(String text) {
		String last = "{\"queue\":{\"cronJobs\":[]}}";
		for (String line : text.split("\n")) {
			if (line.startsWith("data:")) {
				last = line.substring("data:".length());
			}
		}
		return last;
	}

	private HttpResponse<String> fetch(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
