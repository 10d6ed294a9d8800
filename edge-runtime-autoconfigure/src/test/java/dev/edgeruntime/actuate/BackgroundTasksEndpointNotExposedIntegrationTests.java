package dev.edgeruntime.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code backgroundtasks} endpoint is absent over HTTP when it is not exposed (Spring Boot exposes
 * only {@code health} by default).
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class BackgroundTasksEndpointNotExposedIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Test
	void endpointWhenNotExposedShouldNotBeReachable() throws Exception {
		assertThat(status("/actuator/health")).isEqualTo(200);
		assertThat(status("/actuator/backgroundtasks")).isEqualTo(404);
		assertThat(status("/actuator/backgroundtasks/" + UUID.randomUUID())).isEqualTo(404);
		assertThat(this.context.getBeanNamesForType(BackgroundTasksEndpoint.class)).isEmpty();
	}

	private int status(String path) throws Exception {
		return this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).GET().build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
