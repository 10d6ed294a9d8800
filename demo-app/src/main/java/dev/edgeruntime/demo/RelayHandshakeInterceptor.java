package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The blog's checks before the upgrade, in its order: a request that is not a WebSocket upgrade gets 400;
 * one without a token in the {@code jwt} query parameter, or with a token that is not valid, gets 403 and
 * no WebSocket. Browsers cannot send headers with a WebSocket upgrade, hence the query parameter; the
 * subject of the token becomes the session's principal.
 *
 * @author edge-runtime developers
 */
final class RelayHandshakeInterceptor implements HandshakeInterceptor {

	/** The session attribute that holds the token's subject. */
	static final String SUBJECT = RelayHandshakeInterceptor.class.getName() + ".subject";

	private static final Logger logger = LoggerFactory.getLogger(RelayHandshakeInterceptor.class);

	private final RelayTokens tokens;

	RelayHandshakeInterceptor(RelayTokens tokens) {
		this.tokens = tokens;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Map<String, Object> attributes) throws IOException {
		if (!isUpgrade(request)) {
			return refuse(response, HttpStatus.BAD_REQUEST, "/relay-ws expects a WebSocket upgrade");
		}
		String token = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams().getFirst("jwt");
		if (token == null || token.isEmpty()) {
			logger.info("Relay refused: auth token not provided");
			return refuse(response, HttpStatus.FORBIDDEN, "Auth token not provided");
		}
		String subject = this.tokens.verify(token);
		if (subject == null) {
			logger.info("Relay refused: invalid token provided"); // never the token itself
			return refuse(response, HttpStatus.FORBIDDEN, "Invalid token provided");
		}
		attributes.put(SUBJECT, subject);
		return true;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			@Nullable Exception exception) {
	}

	private static boolean isUpgrade(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		String upgrade = headers.getUpgrade();
		return HttpMethod.GET.equals(request.getMethod()) && upgrade != null && upgrade.equalsIgnoreCase("websocket");
	}

	private static boolean refuse(ServerHttpResponse response, HttpStatus status, String message) throws IOException {
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		response.getBody().write(message.getBytes(StandardCharsets.UTF_8));
		return false;
	}

}
