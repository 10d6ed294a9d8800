package dev.edgeruntime.demo;

import org.jspecify.annotations.Nullable;

/**
 * Text a client sent (an upload's file name, a zip entry's name), made fit for a log line: its control
 * characters written as Java escapes, so that a name such as {@code "a.txt\r\n... ERROR ..."} cannot start
 * a forged log line of its own, and cut after {@value #MAX_LENGTH} characters.
 *
 * @author edge-runtime developers
 */
final class LogText {

	static final int MAX_LENGTH = 200;

	private LogText() {
	}

	static String of(@Nullable String text) {
		if (text == null) {
			return "null";
		}
		StringBuilder printed = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 16);
		for (int i = 0; i < text.length(); i++) {
			if (printed.length() >= MAX_LENGTH) {
				return printed.append("... (").append(text.length()).append(" characters)").toString();
			}
			char c = text.charAt(i);
			if (c == '\r') {
				printed.append("\\r");
			}
			else if (c == '\n') {
				printed.append("\\n");
			}
			else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
				printed.append(String.format("\\u%04x", (int) c));
			}
			else {
				printed.append(c);
			}
		}
		return printed.toString();
	}

}
