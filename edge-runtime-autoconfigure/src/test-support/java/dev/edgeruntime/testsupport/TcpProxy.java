package dev.edgeruntime.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * A TCP forwarder on a loopback port, started and stopped by a test to take a database away and bring it
 * back without touching the database itself.
 *
 * @author edge-runtime developers
 */
public final class TcpProxy implements AutoCloseable {

	private final int port;

	private final String targetHost;

	private final int targetPort;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	// held while a connection is added and while stop() cuts them, so that none is added after the cut
	private final Object lock = new Object();

	private volatile @Nullable ServerSocket server;

	private volatile boolean blackHole;

	/**
	 * Creates a proxy on a free port, not yet accepting connections.
	 * @param targetHost the host to forward to
	 * @param targetPort the port to forward to
	 * @throws IOException when no port can be found
	 */
	public TcpProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			this.port = probe.getLocalPort();
		}
	}

	/**
	 * The proxy's port.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Accepts connections and forwards them.
	 * @throws IOException when the port cannot be bound
	 */
	public void start() throws IOException {
		ServerSocket socket = new ServerSocket();
		socket.setReuseAddress(true);
		socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
		this.server = socket;
		Thread acceptor = new Thread(() -> accept(socket), "tcp-proxy-" + this.port);
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private void accept(ServerSocket socket) {
		while (!socket.isClosed()) {
			try {
				Socket client = socket.accept();
				Socket target = new Socket(this.targetHost, this.targetPort);
				synchronized (this.lock) {
					// a connection accepted as stop() ran would otherwise be added after it cut the others, and
					// forward through a proxy that is stopped
					if (socket.isClosed()) {
						closeQuietly(client);
						closeQuietly(target);
						return;
					}
					this.sockets.add(client);
					this.sockets.add(target);
				}
				pump(client, target);
				pump(target, client);
			}
			catch (IOException ex) {
				// Closed, or the target refused: the client sees its connection closed.
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				byte[] buffer = new byte[8192];
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (!this.blackHole) {
						out.write(buffer, 0, read);
						out.flush();
					}
				}
			}
			catch (IOException ex) {
				// Either side closed.
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "tcp-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Drops every byte from now on, in both directions, and keeps the connections open: a link that died
	 * without a word, as behind a firewall that forgets a connection. New connections are accepted and get
	 * no answer either.
	 * @param blackHole whether to drop
	 */
	public void blackHole(boolean blackHole) {
		this.blackHole = blackHole;
	}

	/**
	 * Stops accepting and cuts every forwarded connection.
	 */
	public void stop() {
		synchronized (this.lock) {
			ServerSocket socket = this.server;
			if (socket != null) {
				closeQuietly(socket);
				this.server = null;
			}
			this.sockets.forEach(TcpProxy::closeQuietly);
			this.sockets.clear();
		}
	}

	@Override
	public void close() {
		stop();
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Closing anyway.
		}
	}

}
