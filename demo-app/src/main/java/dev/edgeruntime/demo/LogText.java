package dev.edgeruntime.demo;

import org.jspecify.annotations.Nullable;

/**
 * Text from outside (an upload's file name, a zip entry's name, the start of a relayed answer), made fit
 * for a log line: its control characters written as Java escapes, so that a name such as
 * {@code "a.txt\r\n... ERROR ..."} cannot start a forged log line of its own, and cut.
 *
 * @author edge-runtime developers
 */
final class LogText {

	/** The most characters of a client's text that are logged. */
	static final int MAX_LENGTH = 200;

	private LogText() {
	}

	/**
	 * The text with its control characters escaped, cut after {@value #MAX_LENGTH} characters.
	 * @param text the text
	 * @return the printable text
	 */
	static String of(@Nullable String text) {
		return of(text, MAX_LENGTH);
	}

	/**
	 * The text with its control characters escaped, cut after a number of characters.
	 * @param text the text
	 * @param maxLength the most characters kept
	 * @return the printable text
	 */
	static String of(@Nullable String text, int maxLength) {
		if (text == null) {
			return "null";
		}
		StringBuilder printed = new StringBuilder(Math.min(text.length(), maxLength) + 16);
		for (int i = 0; i < text.length(); i++) {
			if (printed.length() >= maxLength) {
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
