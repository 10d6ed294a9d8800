package dev.edgeruntime.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message sent to the relay before its upstream is open is answered with an error frame, not dropped:
 * the upstream here accepts the TCP connection and never answers the upgrade.
 *
 * @author edge-runtime developers
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class WebSocketRelayUpstreamNotReadyTests {

	private static final ServerSocket silentUpstream = open();

	private static final CompletableFuture<Socket> upstreamConnection = new CompletableFuture<>();

	@LocalServerPort
	int port;

	@Autowired
	DemoProperties properties;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) {
		Thread acceptor = new Thread(() -> {
			try {
				upstreamConnection.complete(silentUpstream.accept());
			}
			catch (IOException ex) {
				upstreamConnection.completeExceptionally(ex);
			}
		}, "silent-upstream");
		acceptor.setDaemon(true);
		acceptor.start();
		registry.add("demo.relay-ws.upstream", () -> "ws://127.0.0.1:" + silentUpstream.getLocalPort() + "/never");
	}

	@AfterAll
	static void closeUpstream() throws IOException {
		silentUpstream.close();
	}

	@Test
	void messageBeforeUpstreamIsOpenShouldGetAnErrorFrame() throws Exception {
		String token = new RelayTokens(this.properties.getRelayWs().getJwtSecret())
			.issue("erin", Instant.now().plusSeconds(600));
		RelayWebSocketClient client = RelayWebSocketClient
			.connect(URI.create("ws://localhost:" + this.port + "/relay-ws?jwt=" + token));
		try {
			// the relay is connecting: the upstream has the TCP connection and says nothing
			upstreamConnection.get(RelayWebSocketClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			client.send("too early");
			assertThat(client.next()).isEqualTo(WebSocketRelayHandler.NOT_READY);
		}
		finally {
			client.close();
		}
	}

	private static ServerSocket open() {
		try {
			return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
