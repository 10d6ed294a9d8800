package dev.edgeruntime.dashboard;

import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDashboardAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeEndpointAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The dashboard's write routes without Spring Security, in an application whose own CORS configuration lets
 * other origins in: a pre-flight is then answered, so a page of another site could make a visitor's browser
 * requeue or cancel, were it not for the browser's {@code Sec-Fetch-Site} header, which the routes check.
 *
 * @author edge-runtime developers
 */
class DashboardCrossOriginTests {

	private static final String REQUEUE = "/background-tasks-dashboard/queues/orders/dead-letters/requeue";

	private static final String ELSEWHERE = "https://elsewhere.example";

	private final AtomicInteger requeues = new AtomicInteger();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
				EdgeRuntimeEndpointAutoConfiguration.class, EdgeRuntimeDashboardAutoConfiguration.class,
				EndpointAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
				WebMvcAutoConfiguration.class))
		.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
		.withPropertyValues("edge-runtime.dashboard.enabled=true")
		.withBean(DashboardDeadLetters.class, () -> (queue) -> {
			this.requeues.incrementAndGet();
			return OptionalLong.of(2);
		});

	@Test
	void requeueFromAPageOfAnotherOriginShouldBeRefusedWhenTheApplicationsCorsLetsItIn() {
		// the defaults of a CORS mapping: any origin, any header, GET, HEAD and POST
		this.contextRunner.withBean(WebMvcConfigurer.class, () -> new WebMvcConfigurer() {

			@Override
			public void addCorsMappings(CorsRegistry registry) {
				registry.addMapping("/**");
			}

		}).run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
			// the browser's pre-flight of the JSON body is allowed: the body alone no longer keeps others out
			mvc.perform(options(REQUEUE).header(HttpHeaders.ORIGIN, ELSEWHERE)
				.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
				.header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "content-type"))
				.andExpect(status().isOk())
				.andExpect(header().string(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
			for (String site : new String[] { "cross-site", "same-site" }) {
				mvc.perform(post(REQUEUE).header(HttpHeaders.ORIGIN, ELSEWHERE)
					.header("Sec-Fetch-Site", site)
					.contentType(MediaType.APPLICATION_JSON)
					.content("{}")).andExpect(status().isForbidden());
			}
			assertThat(this.requeues).hasValue(0);
			// the page's own request, and one of a client that is no browser, are taken
			mvc.perform(post(REQUEUE).header("Sec-Fetch-Site", "same-origin")
				.contentType(MediaType.APPLICATION_JSON)
				.content("{}")).andExpect(status().isOk());
			mvc.perform(post(REQUEUE).contentType(MediaType.APPLICATION_JSON).content("{}"))
				.andExpect(status().isOk());
			assertThat(this.requeues).hasValue(2);
		});
	}

	@Test
	void cancelFromAPageOfAnotherOriginShouldBeRefusedWhenTheApplicationsCorsLetsItIn() {
		this.contextRunner.withBean(WebMvcConfigurer.class, () -> new WebMvcConfigurer() {

			@Override
			public void addCorsMappings(CorsRegistry registry) {
				registry.addMapping("/**").allowedMethods("*");
			}

		}).run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
			String task = "/background-tasks-dashboard/tasks/" + UUID.randomUUID();
			mvc.perform(options(task).header(HttpHeaders.ORIGIN, ELSEWHERE)
				.header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "DELETE"))
				.andExpect(status().isOk())
				.andExpect(header().string(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
			// refused before the task is looked for (an unknown one would be answered 404)
			mvc.perform(delete(task).header(HttpHeaders.ORIGIN, ELSEWHERE).header("Sec-Fetch-Site", "cross-site"))
				.andExpect(status().isForbidden());
			mvc.perform(delete(task).header("Sec-Fetch-Site", "same-origin")).andExpect(status().isNotFound());
		});
	}

}
