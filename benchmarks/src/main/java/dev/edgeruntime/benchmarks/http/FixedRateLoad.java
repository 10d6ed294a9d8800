package dev.edgeruntime.benchmarks.http;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP load generator for the HTTP benchmark (issue 8, item 3): GET requests at a fixed rate,
 * spread over keep-alive connections, each request's latency measured from the moment it was <em>meant</em>
 * to be sent. {@code wrk} keeps every connection busy, so two endpoints run at different request rates and
 * their latencies are not comparable; here both get the same offered rate. When a response is late, the
 * requests due meanwhile on its connection go out late, and their wait counts in their latency (as
 * {@code wrk2} does), so a pause of the server is not hidden by the load slowing down with it.
 * <p>
 * Arguments: host, port, path, requests per second, seconds measured, connections, seconds of warm-up
 * (sent at the same rate, not counted). Prints one line: requests, errors, achieved rate, and latency
 * percentiles in milliseconds. Any status other than 202 counts as an error; a connection that fails
 * (other than closed by the server after a response that said so) ends its share of the load and counts as
 * one error, and the requests it did not send are missing from the count of requests.
 *
 * @author edge-runtime developers
 */
public final class FixedRateLoad {

	private FixedRateLoad() {
	}

	public static void main(String[] args) throws Exception {
		String host = args[0];
		int port = Integer.parseInt(args[1]);
		String path = args[2];
		double rate = Double.parseDouble(args[3]);
		int seconds = Integer.parseInt(args[4]);
		int connections = Integer.parseInt(args[5]);
		int warmUp = Integer.parseInt(args[6]);

		byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: */*\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		long interval = (long) (connections * 1e9 / rate);
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
		long measureFrom = start + TimeUnit.SECONDS.toNanos(warmUp);
		long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
		int perConnection = (int) ((end - measureFrom) / interval) + 1;
		long[][] latencies = new long[connections][perConnection];
		int[] counts = new int[connections];
		AtomicLong errors = new AtomicLong();
		Thread[] threads = new Thread[connections];
		for (int c = 0; c < connections; c++) {
			int connection = c;
			// the connections' sends are staggered evenly over one interval
			long first = start + interval * c / connections;
			threads[c] = new Thread(() -> {
				Socket socket = null;
				try {
					InputStream in = null;
					OutputStream out = null;
					for (long intended = first; intended < end; intended += interval) {
						long wait;
						while ((wait = intended - System.nanoTime()) > 0) {
							LockSupport.parkNanos(wait);
						}
						if (socket == null) {
							// Tomcat closes a keep-alive connection after 100 requests (Connection: close), as
							// it does for wrk; the new connection's set-up counts in the request's latency
							socket = new Socket();
							socket.setTcpNoDelay(true);
							socket.connect(new InetSocketAddress(host, port), 10_000);
							socket.setSoTimeout(30_000);
							out = socket.getOutputStream();
							in = new BufferedInputStream(socket.getInputStream(), 8192);
						}
						out.write(request);
						out.flush();
						Response response = readResponse(in);
						long latency = System.nanoTime() - intended;
						if (response.status() != 202) {
							errors.incrementAndGet();
						}
						if (response.close()) {
							socket.close();
							socket = null;
						}
						if (intended >= measureFrom && counts[connection] < perConnection) {
							latencies[connection][counts[connection]++] = latency;
						}
					}
				}
				catch (IOException ex) {
					errors.incrementAndGet();
					System.err.println("connection " + connection + ": " + ex);
				}
				finally {
					if (socket != null) {
						try {
							socket.close();
						}
						catch (IOException ex) {
							// done with it
						}
					}
				}
			}, "load-" + c);
			threads[c].start();
		}
		for (Thread thread : threads) {
			thread.join();
		}
		int total = 0;
		for (int count : counts) {
			total += count;
		}
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < connections; c++) {
			System.arraycopy(latencies[c], 0, all, at, counts[c]);
			at += counts[c];
		}
		Arrays.sort(all);
		System.out.printf(Locale.ROOT,
				"requests %d errors %d rate %.0f/s p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f (ms; offered %.0f/s, "
						+ "%d connections)%n",
				total, errors.get(), total / (double) seconds, percentile(all, 0.50), percentile(all, 0.90),
				percentile(all, 0.99), percentile(all, 0.999), (total > 0) ? all[total - 1] / 1e6 : Double.NaN, rate,
				connections);
	}

	static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
	}

	/**
	 * A response's status, and whether the server closes the connection after it.
	 */
	record Response(int status, boolean close) {
	}

	/**
	 * Reads one response (status line, headers, and a body by {@code Content-Length} or chunked).
	 */
	static Response readResponse(InputStream in) throws IOException {
		String statusLine = readLine(in);
		int status = Integer.parseInt(statusLine.substring(9, 12));
		long length = 0;
		boolean chunked = false;
		boolean close = false;
		String line;
		while (!(line = readLine(in)).isEmpty()) {
			int colon = line.indexOf(':');
			if (colon < 0) {
				continue;
			}
			String name = line.substring(0, colon).trim();
			String value = line.substring(colon + 1).trim();
			if (name.equalsIgnoreCase("Content-Length")) {
				length = Long.parseLong(value);
			}
			else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
				chunked = true;
			}
			else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
				close = true;
			}
		}
		if (chunked) {
			long size;
			while ((size = Long.parseLong(readLine(in).split(";", 2)[0].trim(), 16)) > 0) {
				skip(in, size);
				readLine(in);
			}
			while (!readLine(in).isEmpty()) {
				// trailers
			}
		}
		else {
			skip(in, length);
		}
		return new Response(status, close);
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder(64);
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new EOFException("connection closed by the server");
			}
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	private static void skip(InputStream in, long bytes) throws IOException {
		long left = bytes;
		while (left > 0) {
			long skipped = in.skip(left);
			if (skipped <= 0) {
				if (in.read() < 0) {
					throw new EOFException("connection closed by the server");
				}
				skipped = 1;
			}
			left -= skipped;
		}
	}

}
