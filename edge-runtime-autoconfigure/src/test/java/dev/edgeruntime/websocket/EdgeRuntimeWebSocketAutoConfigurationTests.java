package dev.edgeruntime.websocket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.autoconfigure.EdgeRuntimeAutoConfiguration;
import dev.edgeruntime.autoconfigure.EdgeRuntimeWebSocketAutoConfiguration;
import dev.edgeruntime.autoconfigure.InvalidPropertiesException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EdgeRuntimeWebSocketAutoConfiguration}.
 *
 * @author edge-runtime developers
 */
class EdgeRuntimeWebSocketAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EdgeRuntimeAutoConfiguration.class, EdgeRuntimeWebSocketAutoConfiguration.class));

	@Test
	void trackerWhenSpringWebSocketIsPresentShouldBeDefined() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(WebSocketSessionTracker.class));
	}

	@Test
	void invalidPropertiesShouldFailStartUpInOneReport() {
		this.contextRunner
			.withPropertyValues("edge-runtime.websocket.wall-clock=-5s", "edge-runtime.websocket.send-time-limit=0s",
					"edge-runtime.websocket.buffer-size-limit=-1B")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidPropertiesException.class)
					.hasMessageContaining("edge-runtime.websocket.wall-clock = '-5s': must be greater than 0")
					.hasMessageContaining("edge-runtime.websocket.send-time-limit = '0s': must be greater than 0")
					.hasMessageContaining("edge-runtime.websocket.buffer-size-limit = '-1B': must be greater than 0 "
							+ "and at most 2GB");
			});
	}

	@Test
	void sendTimeLimitUnderAMillisecondShouldFailStartUpNamingIt() {
		// sends are timed in whole milliseconds: 500us was taken, and counted as 0
		this.contextRunner.withPropertyValues("edge-runtime.websocket.send-time-limit=500us")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidPropertiesException.class)
				.hasMessageContaining("edge-runtime.websocket.send-time-limit = '500us': must be at least 1ms: a send "
						+ "is timed in whole milliseconds"));
		this.contextRunner.withPropertyValues("edge-runtime.websocket.send-time-limit=1ms")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void remoteAddressShouldPutAnIpv6HostInBrackets() throws Exception {
		byte[] ipv6Loopback = new byte[16];
		ipv6Loopback[15] = 1;
		assertThat(WebSocketSessionTracker
			.address(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 44686)))
			.isEqualTo("127.0.0.1:44686");
		assertThat(WebSocketSessionTracker.address(new InetSocketAddress(InetAddress.getByAddress(ipv6Loopback), 44686)))
			.isEqualTo("[0:0:0:0:0:0:0:1]:44686");
	}

	@Test
	void trackerWhenSpringWebSocketIsAbsentShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebSocketSessionTracker.class));
	}

	@Test
	void trackerWhenUserDefinesOneShouldBackOff() {
		this.contextRunner.withUserConfiguration(CustomTrackerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(WebSocketSessionTracker.class)
				.hasBean("customTracker"));
	}

	@Test
	void trackerWithoutRuntimeShouldBackOff() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EdgeRuntimeWebSocketAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(WebSocketSessionTracker.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomTrackerConfiguration {

		@Bean
		WebSocketSessionTracker customTracker(EdgeRuntime runtime) {
			return new WebSocketSessionTracker(runtime, Duration.ofMinutes(1), Duration.ofSeconds(1),
					DataSize.ofKilobytes(64));
		}

	}

}
