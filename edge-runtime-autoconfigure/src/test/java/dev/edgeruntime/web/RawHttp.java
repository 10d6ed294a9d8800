package dev.edgeruntime.web;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/1.1 over a plain socket, for tests that must see how a response is framed (its length, chunks) and
 * when its bytes arrive, which an HTTP client hides.
 *
 * @author edge-runtime developers
 */
final class RawHttp {

	private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^Content-Length: *(\\d+)");

	private RawHttp() {
	}

	/**
	 * Sends a request without a body.
	 * @param out the connection's output
	 * @param head the request line and headers, each ending with CRLF (the empty line is added)
	 */
	static void send(OutputStream out, String head) throws IOException {
		out.write((head + "\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	/**
	 * Reads a {@code 202 Accepted} that must carry a {@code Content-Length} and must not be chunked.
	 * @param in the connection's input
	 * @return the body, exactly {@code Content-Length} bytes
	 */
	static byte[] readAcceptedWithContentLength(InputStream in) throws IOException {
		String head = readHead(in);
		assertThat(head).startsWith("HTTP/1.1 202 ");
		assertThat(head.toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding");
		Matcher contentLength = CONTENT_LENGTH.matcher(head);
		assertThat(contentLength.find()).as("Content-Length in %s", head).isTrue();
		int length = Integer.parseInt(contentLength.group(1));
		byte[] body = in.readNBytes(length);
		assertThat(body).hasSize(length);
		return body;
	}

	/**
	 * Reads the status line and headers of a response, up to the empty line.
	 * @param in the connection's input
	 * @return the head
	 */
	static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int last4 = 0;
		while (last4 != 0x0d0a0d0a) {
			int b = in.read();
			if (b == -1) {
				throw new EOFException("The connection closed in the response's head: " + head);
			}
			head.write(b);
			last4 = (last4 << 8) | b;
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

}
