package dev.edgeruntime.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.servlet.http.MappingMatch;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletMapping;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The dashboard in an application with a context path and its {@code DispatcherServlet} below a servlet
 * path of its own ({@code spring.mvc.servlet.path}): the page's links to its script, style sheet and event
 * stream lead below both, where they are served, not to the context path alone, where nothing is.
 *
 * @author edge-runtime developers
 */
class DashboardServletPathTests {

	private static final Pattern BASE = Pattern.compile("<meta name=\"edge-runtime-base\" content=\"([^\"]*)\">");

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void pageBelowAServletPathShouldLeadToItsAssetsAndStreamBelowIt() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DashboardApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true", "server.servlet.context-path=/app",
					"spring.mvc.servlet.path=/mvc")
			.run()) {
			String root = "http://localhost:"
					+ context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
			HttpResponse<String> page = this.http.send(
					HttpRequest.newBuilder(URI.create(root + "/app/mvc/background-tasks-dashboard")).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(page.statusCode()).isEqualTo(200);
			String base = base(page.body());
			assertThat(base).isEqualTo("/app/mvc/background-tasks-dashboard");
			assertThat(page.body()).contains("<script src=\"" + base + "/dashboard.js\"")
				.contains("<link rel=\"stylesheet\" href=\"" + base + "/dashboard.css\">");
			for (String asset : new String[] { "/dashboard.js", "/dashboard.css" }) {
				HttpResponse<String> answer = this.http.send(
						HttpRequest.newBuilder(URI.create(root + base + asset)).GET().build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(answer.statusCode()).as(asset).isEqualTo(200);
			}
			HttpResponse<Stream<String>> events = this.http.send(
					HttpRequest.newBuilder(URI.create(root + base + "/events")).GET().build(),
					HttpResponse.BodyHandlers.ofLines());
			try {
				assertThat(events.statusCode()).isEqualTo(200);
				assertThat(events.body().filter((line) -> line.startsWith("event:")).findFirst())
					.hasValue("event:snapshot");
			}
			finally {
				events.body().close();
			}
		}
	}

	@Test
	void pageBelowAServletPathShouldNameItInItsBaseThroughMockMvc() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DashboardApplication.class)
			.properties("server.port=0", "edge-runtime.dashboard.enabled=true")
			.run()) {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context).build();
			// as the container maps a DispatcherServlet registered for /mvc/* (spring.mvc.servlet.path=/mvc)
			mvc.perform(get("/app/mvc/background-tasks-dashboard").contextPath("/app").with((request) -> {
				request.setServletPath("/mvc");
				request.setHttpServletMapping(new MockHttpServletMapping("background-tasks-dashboard", "/mvc/*",
						"dispatcherServlet", MappingMatch.PATH));
				return request;
			}))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString(
						"<meta name=\"edge-runtime-base\" content=\"/app/mvc/background-tasks-dashboard\">")))
				.andExpect(content().string(containsString(
						"<script src=\"/app/mvc/background-tasks-dashboard/dashboard.js\"")));
		}
	}

	private static String base(String page) {
		Matcher matcher = BASE.matcher(page);
		assertThat(matcher.find()).as("the page's base").isTrue();
		return matcher.group(1);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class DashboardApplication {

	}

}
