package dev.edgeruntime.demo;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * The demo's upstream for the relay, standing in for the blog's OpenAI Realtime API so that no internet
 * is needed: every message comes back, text prefixed with {@code echo: }.
 *
 * @author edge-runtime developers
 */
final class WebSocketEchoHandler extends AbstractWebSocketHandler {

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
		session.sendMessage(new TextMessage("echo: " + message.getPayload()));
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws Exception {
		session.sendMessage(message);
	}

}
