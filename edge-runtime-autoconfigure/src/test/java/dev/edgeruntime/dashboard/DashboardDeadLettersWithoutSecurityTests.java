package dev.edgeruntime.dashboard;

import java.security.Principal;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeDashboardAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeEndpointAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration;
import dev.edgeruntime.testsupport.LogCapture;
import dev.edgeruntime.testsupport.TcpProxy;
import dev.edgeruntime.testsupport.TestDatabase;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The dashboard's "Run again" of a queue's dead letters without Spring Security, where anyone who can reach
 * the page may cancel: so may they requeue, within {@code cancel-enabled} and the endpoint's access; a
 * cross-origin form cannot send it; the database being down is answered {@code 503} with the reason.
 *
 * @author edge-runtime developers
 */
class DashboardDeadLettersWithoutSecurityTests {

	private static final String ROUTE = "/background-tasks-dashboard/queues/orders/dead-letters/requeue";

	private final AtomicInteger requeues = new AtomicInteger();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class,
				EdgeRuntimeEndpointAutoConfiguration.class, EdgeRuntimeDashboardAutoConfiguration.class,
				EndpointAutoConfiguration.class))
		.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
		.withPropertyValues("edge-runtime.dashboard.enabled=true");

	private WebApplicationContextRunner withCountingDeadLetters() {
		return this.contextRunner.withBean(DashboardDeadLetters.class, () -> (queue) -> {
			this.requeues.incrementAndGet();
			return OptionalLong.of(4);
		});
	}

	@Test
	void requeueWithoutSpringSecurityShouldBeAllowedAndLogTheUserPrintably() {
		try (LogCapture log = LogCapture.of(DashboardController.class)) {
			withCountingDeadLetters().run((context) -> {
				MockHttpServletRequest request = request();
				Principal forger = () -> "alice\nINFO Dead letters of queue 'x': 0 sent back";
				request.setUserPrincipal(forger);
				ResponseEntity<?> response = requeue(context, request);
				assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
				assertThat(this.requeues).hasValue(1);
			});
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.containsExactly("Dead letters of queue 'orders': 4 sent back to be run again from the dashboard by "
						+ "alice\\nINFO Dead letters of queue 'x': 0 sent back");
		}
	}

	@Test
	void requeueWithoutSpringSecurityWhenCancelDisabledShouldBeRefused() {
		withCountingDeadLetters().withPropertyValues("edge-runtime.dashboard.cancel-enabled=false").run((context) -> {
			assertThat(requeue(context, request()).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
			assertThat(this.requeues).hasValue(0);
		});
	}

	@Test
	void requeueWhenEndpointIsReadOnlyShouldBeRefusedWhateverTheCustomAccessSays() {
		withCountingDeadLetters()
			.withPropertyValues("management.endpoint.backgroundtasks.access=READ_ONLY")
			.withBean(DashboardAccess.class, () -> (request) -> true)
			.run((context) -> {
				assertThat(requeue(context, request()).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
				assertThat(this.requeues).hasValue(0);
			});
	}

	@Test
	void customAccessWrittenForCancellingShouldNotGrantRequeueing() {
		// an application's rule of who may cancel, from before there was anything else to allow
		withCountingDeadLetters().withBean(DashboardAccess.class, () -> (request) -> true).run((context) -> {
			assertThat(requeue(context, request()).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
			assertThat(this.requeues).hasValue(0);
			assertThat(context.getBean(DashboardController.class).page(new MockHttpServletRequest("GET", "/"))
				.getBody()).contains("<meta name=\"edge-runtime-can-cancel\" content=\"true\">")
				.contains("<meta name=\"edge-runtime-can-requeue\" content=\"false\">");
		});
	}

	@Test
	void customAccessThatAllowsRequeueingShouldBeFollowed() {
		withCountingDeadLetters().withBean(DashboardAccess.class, () -> new DashboardAccess() {

			@Override
			public boolean canCancel(HttpServletRequest request) {
				return false;
			}

			@Override
			public boolean canRequeue(HttpServletRequest request) {
				return true;
			}

		}).run((context) -> {
			assertThat(requeue(context, request()).getStatusCode()).isEqualTo(HttpStatus.OK);
			assertThat(this.requeues).hasValue(1);
		});
	}

	@Test
	void requeueWithoutTheDurableTierShouldAnswerThatNoSuchQueueIsKnown() {
		this.contextRunner.run((context) -> assertThat(requeue(context, request()).getStatusCode())
			.isEqualTo(HttpStatus.NOT_FOUND));
	}

	@Test
	void requeueAsACrossOriginFormCouldSendItShouldBeRefused() {
		withCountingDeadLetters()
			.withConfiguration(AutoConfigurations.of(DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class))
			.run((context) -> {
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
				// the content types a page of another site may send without a CORS pre-flight
				for (MediaType type : List.of(MediaType.TEXT_PLAIN, MediaType.APPLICATION_FORM_URLENCODED,
						MediaType.MULTIPART_FORM_DATA)) {
					mvc.perform(post(ROUTE).contentType(type).content("x=1"))
						.andExpect(status().isUnsupportedMediaType());
				}
				assertThat(this.requeues).hasValue(0);
				mvc.perform(post(ROUTE).contentType(MediaType.APPLICATION_JSON).content("{}"))
					.andExpect(status().isOk())
					.andExpect(jsonPath("$.queue").value("orders"))
					.andExpect(jsonPath("$.requeued").value(4));
				assertThat(this.requeues).hasValue(1);
			});
	}

	@Test
	void requeueWhenTheDatabaseIsDownShouldAnswer503WithTheReason() throws Exception {
		TestDatabase database = TestDatabase.get();
		try (TcpProxy proxy = database.proxy()) {
			this.contextRunner
				.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
						EdgeRuntimeQueueAutoConfiguration.class))
				.withPropertyValues(database.springPropertiesThrough(proxy))
				.withPropertyValues("spring.datasource.hikari.connection-timeout=500",
						"edge-runtime.queue.notify.enabled=false")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					ResponseEntity<?> response = requeue(context, request());
					assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
					assertThat(response.getBody()).asString()
						.contains("status=503")
						.contains("message=The database cannot be reached: CannotGetJdbcConnectionException: ");
				});
		}
	}

	private static ResponseEntity<?> requeue(AssertableWebApplicationContext context, MockHttpServletRequest request) {
		return context.getBean(DashboardController.class).requeueDeadLetters("orders", request);
	}

	private static MockHttpServletRequest request() {
		return new MockHttpServletRequest("POST", ROUTE);
	}

}
