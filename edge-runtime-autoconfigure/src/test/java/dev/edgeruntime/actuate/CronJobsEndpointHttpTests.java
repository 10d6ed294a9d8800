package dev.edgeruntime.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The recurring jobs in the {@code backgroundtasks} endpoint over real HTTP, against the real PostgreSQL with
 * pg_cron: a job this instance fires in-app while pg_cron holds it active too is shown as fired by both. Not in
 * the run on the pgmq extension's database, where pg_cron cannot be created ({@code cron.database_name} is the
 * test database).
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "management.endpoints.web.exposure.include=backgroundtasks",
				"edge-runtime.queue.notify.enabled=false" })
class CronJobsEndpointHttpTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PREFIX = "endpoint-" + TestDatabase.uniqueName("") + ":";

	private static final String QUEUE = TestDatabase.uniqueName("cron_http_");

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
		registry.add("edge-runtime.cron.mode", () -> "in-app");
		registry.add("edge-runtime.cron.job-name-prefix", () -> PREFIX);
		registry.add("edge-runtime.cron.jobs.nightly-export.schedule", () -> "0 3 * * *");
		registry.add("edge-runtime.cron.jobs.nightly-export.queue", () -> QUEUE);
		// looks at cron.job for the jobs pg_cron fires too at this rhythm
		registry.add("edge-runtime.cron.in-app.poll-interval", () -> "200ms");
	}

	@Test
	void endpointShowsARecurringJobThatPgCronFiresTooWhileTheInAppSchedulerFiresIt() throws Exception {
		URI endpoint = URI.create("http://localhost:" + this.port + "/actuator/backgroundtasks");
		String job = PREFIX + "nightly-export";
		this.jdbc.execute("CREATE EXTENSION IF NOT EXISTS pg_cron");
		try {
			// as an instance started in edge-runtime.cron.mode=pg-cron after this one registers it, with the
			// application's mark (docs/cron.md)
			String mark = "/* edge-runtime owner " + HexFormat.of().formatHex(PREFIX.getBytes(StandardCharsets.UTF_8))
					+ " */ ";
			this.jdbc.queryForObject("SELECT cron.schedule(?, '0 3 * * *', ?)", Long.class, job, mark + "SELECT 1");
			await().atMost(WAIT)
				.until(() -> JsonPath.parse(get(endpoint).body())
					.<List<Object>>read("$.queue.cronJobs[?(@.name == 'nightly-export' && @.alsoFiredBy == 'pg_cron')]")
					.size() == 1);
			List<Map<String, Object>> jobs = JsonPath.parse(get(endpoint).body())
				.read("$.queue.cronJobs[?(@.name == 'nightly-export')]");
			assertThat(jobs).singleElement().satisfies((entry) -> {
				assertThat(entry).containsEntry("scheduler", "in-app").containsEntry("alsoFiredBy", "pg_cron");
			});
		}
		finally {
			this.jdbc.queryForList("SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = ?", job);
		}
		await().atMost(WAIT)
			.until(() -> JsonPath.parse(get(endpoint).body())
				.<List<Object>>read("$.queue.cronJobs[?(@.name == 'nightly-export' && @.alsoFiredBy)]")
				.isEmpty());
	}

	private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
