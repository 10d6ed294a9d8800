package dev.edgeruntime.autoconfigure;

import dev.edgeruntime.EdgeRuntime;
import dev.edgeruntime.websocket.WebSocketSessionTracker;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of WebSocket
 * sessions as background tasks: the {@link WebSocketSessionTracker} that
 * {@link dev.edgeruntime.websocket.TrackedWebSocketHandler}s register their sessions with.
 *
 * @author edge-runtime developers
 */
@AutoConfiguration(after = EdgeRuntimeAutoConfiguration.class)
@EnableConfigurationProperties(EdgeRuntimeWebSocketProperties.class)
public final class EdgeRuntimeWebSocketAutoConfiguration {

	/**
	 * The tracker, when Spring WebSocket is on the class path.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.web.socket.WebSocketHandler")
	@ConditionalOnBean(EdgeRuntime.class)
	static class WebSocketSessionTrackerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WebSocketSessionTracker edgeRuntimeWebSocketSessionTracker(EdgeRuntime runtime,
				EdgeRuntimeWebSocketProperties properties) {
			return new WebSocketSessionTracker(runtime, properties.getWallClock(), properties.getSendTimeLimit(),
					properties.getBufferSizeLimit());
		}

	}

}
