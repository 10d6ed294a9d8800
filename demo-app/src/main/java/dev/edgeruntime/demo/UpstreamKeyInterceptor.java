package dev.edgeruntime.demo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * The echo upstream's check before the upgrade: only a client with the relay's upstream key
 * ({@code Authorization: Bearer <key>}) is let in, as the blog's upstream lets in only a client with the
 * relay's OpenAI key. Without it anyone could open sessions straight to the upstream, past the relay's
 * token check, each holding a place in {@code max-in-flight} for the whole WebSocket budget.
 *
 * @author edge-runtime developers
 */
final class UpstreamKeyInterceptor implements HandshakeInterceptor {

	private final byte[] expected;

	UpstreamKeyInterceptor(String key) {
		this.expected = ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Map<String, Object> attributes) throws Exception {
		String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		// compared in constant time: the time taken says nothing of how much of the key was right
		if (authorization != null
				&& MessageDigest.isEqual(this.expected, authorization.getBytes(StandardCharsets.UTF_8))) {
			return true;
		}
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		response.getBody().write("/echo-ws takes the relay's connections only".getBytes(StandardCharsets.UTF_8));
		return false;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			@Nullable Exception exception) {
	}

}
