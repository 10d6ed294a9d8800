package dev.edgeruntime.dashboard;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import dev.edgeruntime.queue.PgmqTemplate;
import dev.edgeruntime.queue.QueueHeaders;
import dev.edgeruntime.queue.QueueMessage;
import dev.edgeruntime.queue.QueueMetrics;
import dev.edgeruntime.queue.QueueName;
import dev.edgeruntime.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The dashboard's "Run again" of a queue's dead letters, against the real PostgreSQL, over real HTTP and
 * through MockMvc, behind Spring Security with HTTP Basic and CSRF protection: an operator sends them back,
 * a viewer and a request without the CSRF token are refused, bad and unknown queue names are answered
 * {@code 400} and {@code 404}.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = DashboardDeadLettersTests.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "edge-runtime.dashboard.enabled=true",
				"edge-runtime.queue.notify.enabled=false",
				// figures kept long: the page's count must still go to 0 at once after a requeue
				"edge-runtime.queue.metrics-cache-interval=1h" })
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class DashboardDeadLettersTests {

	private static final String BASE = "/background-tasks-dashboard";

	private static final Pattern META = Pattern.compile("<meta name=\"(edge-runtime-[a-z-]+)\" content=\"([^\"]*)\">");

	@LocalServerPort
	private int port;

	@Autowired
	private PgmqTemplate pgmq;

	@Autowired
	private MockMvc mvc;

	@Autowired
	private QueueMetrics queueMetrics;

	private String queue;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		for (String property : TestDatabase.get().springProperties()) {
			int equals = property.indexOf('=');
			registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
		}
	}

	@BeforeEach
	void createQueue() {
		this.queue = TestDatabase.uniqueName("dash_");
		this.pgmq.createQueue(this.queue);
	}

	@Test
	void operatorShouldSendTheQueuesDeadLettersBackVisibleWithTheirReadCountsReset(CapturedOutput output)
			throws Exception {
		List<Long> dead = deadLetters(2);
		long waiting = this.pgmq.send(this.queue, Map.of("n", 9), Duration.ofHours(1));
		Browser operator = new Browser("operator");
		Map<String, String> page = operator.page();
		assertThat(page).containsEntry("edge-runtime-can-requeue", "true");
		assertThat(this.queueMetrics.queue(this.queue).orElseThrow().deadLettered()).as("the figures the page shows")
			.isEqualTo(2);

		HttpResponse<String> response = operator.requeue(this.queue, true);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("{\"queue\":\"" + this.queue + "\",\"requeued\":2}");

		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isZero();
		assertThat(this.queueMetrics.queue(this.queue).orElseThrow().deadLettered()).isZero();
		List<QueueMessage<Map>> read = this.pgmq.read(this.queue, Map.class, Duration.ofSeconds(30), 10);
		assertThat(read).extracting(QueueMessage::id).as("visible at once; the delayed one still waits")
			.containsExactlyElementsOf(dead)
			.doesNotContain(waiting);
		assertThat(read).allSatisfy((message) -> {
			// read twice before: the count starts again, so each has all its attempts
			assertThat(message.readCount()).isEqualTo(1);
			assertThat(message.headers()).containsKey(QueueHeaders.REQUEUED_AT)
				.doesNotContainKeys(QueueHeaders.DEAD_LETTERED, QueueHeaders.ERROR);
		});
		assertThat(output).contains("Dead letters of queue '" + this.queue
				+ "': 2 sent back to be run again from the dashboard by operator");

		HttpResponse<String> again = operator.requeue(this.queue, true);
		assertThat(again.body()).as("none are left").isEqualTo("{\"queue\":\"" + this.queue + "\",\"requeued\":0}");
	}

	@Test
	void requeueWithoutTheCsrfTokenShouldBeRefusedAndLeaveTheDeadLetters() throws Exception {
		deadLetters(1);
		Browser operator = new Browser("operator");
		operator.page();
		assertThat(operator.requeue(this.queue, false).statusCode()).isEqualTo(403);
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isEqualTo(1);
	}

	@Test
	void viewerWithoutTheAuthorityShouldSeeNoButtonAndBeRefusedEvenWithTheCsrfToken(CapturedOutput output)
			throws Exception {
		deadLetters(1);
		Browser viewer = new Browser("viewer");
		assertThat(viewer.page()).containsEntry("edge-runtime-can-requeue", "false");
		HttpResponse<String> refused = viewer.requeue(this.queue, true);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(JsonPath.parse(refused.body()).<String>read("$.message")).startsWith("Running dead letters again "
				+ "from the dashboard is not allowed for this request: it takes the backgroundtasks endpoint's "
				+ "access unrestricted, and then the authority named by edge-runtime.dashboard.cancel-authority");
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isEqualTo(1);
		assertThat(output).doesNotContain("Dead letters of queue '" + this.queue);
	}

	@Test
	void invalidQueueNameShouldBeAnswered400WithTheRuleItBreaks() throws Exception {
		MockHttpSession session = new MockHttpSession();
		this.mvc.perform(requeue("bad-name", session))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.message").value("Invalid queue name 'bad-name': only ASCII letters, digits and "
					+ "underscores are allowed, starting with a letter or underscore"));
	}

	@Test
	void unknownQueueShouldBeAnswered404() throws Exception {
		MockHttpSession session = new MockHttpSession();
		this.mvc.perform(requeue("no_such_queue_here", session))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.status").value(404))
			.andExpect(jsonPath("$.message").value("No queue 'no_such_queue_here' is known"));
	}

	@Test
	void queueNamesThatAreNoQueueOfTheDatabaseShouldBeAnsweredWithWhyOverRealHttpAndRequeueNothing()
			throws Exception {
		deadLetters(1);
		Browser operator = new Browser("operator");
		operator.page();
		String tooLong = "q".repeat(QueueName.MAX_LENGTH + 1);
		Map<String, String> invalid = Map.of("bad-name", "only ASCII letters, digits and underscores are allowed",
				"a.b", "only ASCII letters, digits and underscores are allowed", tooLong,
				"it has 48 characters, at most 47 are allowed");
		for (Map.Entry<String, String> name : invalid.entrySet()) {
			HttpResponse<String> refused = operator.requeue(name.getKey(), true);
			assertThat(refused.statusCode()).as(name.getKey()).isEqualTo(400);
			assertThat(JsonPath.parse(refused.body()).<String>read("$.message"))
				.startsWith("Invalid queue name '" + name.getKey() + "'")
				.contains(name.getValue());
		}
		// valid names of no queue of the database, one of them a table of pgmq's own: never a SQL error, nor
		// a silent requeued 0
		for (String unknown : List.of("no_such_queue_here", "meta", this.queue + "_x")) {
			HttpResponse<String> notFound = operator.requeue(unknown, true);
			assertThat(notFound.statusCode()).as(unknown).isEqualTo(404);
			assertThat(JsonPath.parse(notFound.body()).<String>read("$.message"))
				.isEqualTo("No queue '" + unknown + "' is known");
		}
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isEqualTo(1);
	}

	@Test
	void requeueThroughMockMvcShouldSendTheDeadLettersBack() throws Exception {
		deadLetters(3);
		MockHttpSession session = new MockHttpSession();
		this.mvc.perform(requeue(this.queue, session))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.queue").value(this.queue))
			.andExpect(jsonPath("$.requeued").value(3));
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isZero();
		assertThat(this.pgmq.statistics(this.queue).visibleLength()).isEqualTo(3);
	}

	private org.springframework.test.web.servlet.RequestBuilder requeue(String queue, MockHttpSession session)
			throws Exception {
		MvcResult page = this.mvc.perform(get(BASE).session(session).header(HttpHeaders.AUTHORIZATION, basic("operator")))
			.andExpect(status().isOk())
			.andReturn();
		Map<String, String> meta = meta(page.getResponse().getContentAsString());
		return post(BASE + "/queues/" + queue + "/dead-letters/requeue").session(session)
			.header(HttpHeaders.AUTHORIZATION, basic("operator"))
			.header(meta.get("edge-runtime-csrf-header"), meta.get("edge-runtime-csrf-token"))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{}");
	}

	/** Messages read twice, then dead-lettered as a consumer does when their attempts are spent. */
	private List<Long> deadLetters(int count) {
		List<Long> ids = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			ids.add(this.pgmq.send(this.queue, Map.of("n", i)));
		}
		this.pgmq.read(this.queue, Map.class, Duration.ZERO, count);
		this.pgmq.read(this.queue, Map.class, Duration.ofSeconds(30), count);
		for (long id : ids) {
			this.pgmq.archiveWithHeaders(this.queue, id, Map.of(QueueHeaders.DEAD_LETTERED, true, QueueHeaders.ERROR,
					"java.lang.IllegalStateException: out of paper", QueueHeaders.ATTEMPTS, 2));
		}
		assertThat(this.pgmq.statistics(this.queue).deadLettered()).isEqualTo(count);
		return ids;
	}

	private static String basic(String user) {
		return "Basic " + Base64.getEncoder()
			.encodeToString((user + ":" + user + "-password").getBytes(StandardCharsets.UTF_8));
	}

	private static Map<String, String> meta(String html) {
		Map<String, String> meta = new java.util.HashMap<>();
		Matcher matcher = META.matcher(html);
		while (matcher.find()) {
			meta.put(matcher.group(1), matcher.group(2));
		}
		return meta;
	}

	/**
	 * A user's session over real HTTP: the page, then the requeue with the page's CSRF token.
	 */
	private final class Browser {

		private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

		private final String user;

		private Map<String, String> meta = Map.of();

		Browser(String user) {
			this.user = user;
		}

		Map<String, String> page() throws Exception {
			HttpResponse<String> response = this.client.send(request(BASE).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			this.meta = meta(response.body());
			return this.meta;
		}

		HttpResponse<String> requeue(String queue, boolean withCsrfToken) throws Exception {
			HttpRequest.Builder request = request(BASE + "/queues/" + queue + "/dead-letters/requeue")
				.header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
				.POST(HttpRequest.BodyPublishers.ofString("{}"));
			if (withCsrfToken) {
				request.header(this.meta.get("edge-runtime-csrf-header"), this.meta.get("edge-runtime-csrf-token"));
			}
			return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}

		private HttpRequest.Builder request(String path) {
			return HttpRequest.newBuilder(URI.create("http://localhost:" + DashboardDeadLettersTests.this.port + path))
				.header(HttpHeaders.AUTHORIZATION, basic(this.user));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableWebSecurity
	static class TestApplication {

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("operator").password("{noop}operator-password").roles("ADMIN").build(),
					User.withUsername("viewer").password("{noop}viewer-password").roles("USER").build());
		}

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.httpBasic(Customizer.withDefaults())
				.build();
		}

	}

}
