package dev.edgeruntime.web;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.web.BackgroundTaskTestApplication.Gates;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The task status resource with Spring Security: only the principal that started a task reads it.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(classes = BackgroundTaskSecurityTests.SecuredApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT)
class BackgroundTaskSecurityTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private Gates gates;

	@Test
	void taskOfAUserShouldBeReadableByThatUserAndNotFoundForAnother() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> accepted = send("POST", "/reports?key=" + key, "alice");
		assertThat(accepted.statusCode()).isEqualTo(202);
		String location = accepted.headers().firstValue("Location").orElseThrow();
		this.gates.open(key);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(send("GET", location, "alice").body()).contains("\"SUCCEEDED\""));
		HttpResponse<String> other = send("GET", location, "bob");
		assertThat(other.statusCode()).isEqualTo(404);
		assertThat(other.body()).contains("Background task not found").doesNotContain("report " + key);
		// not 403: the answer is the one for an id that does not exist, so it confirms nothing
		String id = location.substring(location.lastIndexOf('/') + 1);
		String unknownId = UUID.randomUUID().toString();
		HttpResponse<String> unknown = send("GET", "/background-tasks/" + unknownId, "bob");
		assertThat(other.body().replace(id, "ID")).isEqualTo(unknown.body().replace(unknownId, "ID"));
	}

	@Test
	void anonymousTaskShouldBeReadableByAnyoneWithItsId() throws Exception {
		String key = UUID.randomUUID().toString();
		HttpResponse<String> accepted = send("POST", "/public/reports?key=" + key, null);
		assertThat(accepted.statusCode()).isEqualTo(202);
		String location = accepted.headers().firstValue("Location").orElseThrow();
		this.gates.open(key);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(send("GET", location, "bob").body()).contains("\"SUCCEEDED\""));
		assertThat(send("GET", location, "alice").statusCode()).isEqualTo(200);
	}

	@Test
	void taskShouldKeepTheCallersAuthenticationWhenTheSessionLogsOutMeanwhile() throws Exception {
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		HttpResponse<String> login = browser.send(HttpRequest.newBuilder(uri("/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("username=alice&password=alice-password"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(login.statusCode()).isEqualTo(302);
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).doesNotContain("error"));
		String key = UUID.randomUUID().toString();
		HttpResponse<String> accepted = browser.send(HttpRequest.newBuilder(uri("/whoami-reports?key=" + key))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(accepted.statusCode()).isEqualTo(202);
		String location = accepted.headers().firstValue("Location").orElseThrow();
		// the session's SecurityContext is one object for all its requests, and logging out empties it
		HttpResponse<String> logout = browser.send(
				HttpRequest.newBuilder(uri("/logout")).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(logout.statusCode()).isEqualTo(204); // logged out, answered as to a client that is no browser
		this.gates.open(key);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(send("GET", location, "alice").body())
			.contains("\"state\":\"SUCCEEDED\"")
			.contains("\"result\":\"report for alice\""));
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private HttpResponse<String> send(String method, String pathOrUri, @Nullable String user)
			throws IOException, InterruptedException {
		URI uri = pathOrUri.startsWith("http") ? URI.create(pathOrUri)
				: URI.create("http://localhost:" + this.port + pathOrUri);
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
		if (user != null) {
			String credentials = user + ":" + user + "-password";
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSecurity
	@Import({ BackgroundTaskTestApplication.class, PublicReportController.class })
	static class SecuredApplication {

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("alice").password("{noop}alice-password").roles("USER").build(),
					User.withUsername("bob").password("{noop}bob-password").roles("USER").build());
		}

		@Bean
		SecurityFilterChain securityFilterChain(HttpSecurity http) {
			return http
				.authorizeHttpRequests((requests) -> requests.requestMatchers("/public/**", "/background-tasks/**")
					.permitAll()
					.anyRequest()
					.authenticated())
				.httpBasic(Customizer.withDefaults())
				.formLogin(Customizer.withDefaults())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

	}

	@RestController
	static class PublicReportController {

		private final Gates gates;

		PublicReportController(Gates gates) {
			this.gates = gates;
		}

		@BackgroundTask(name = "whoami-report")
		@PostMapping("/whoami-reports")
		public String whoami(@RequestParam String key) throws InterruptedException {
			this.gates.await(key);
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			return "report for " + ((authentication != null) ? authentication.getName() : "nobody");
		}

		@BackgroundTask(name = "public-report")
		@PostMapping("/public/reports")
		public String report(@RequestParam String key) throws InterruptedException {
			this.gates.await(key);
			return "public report " + key;
		}

	}

}
