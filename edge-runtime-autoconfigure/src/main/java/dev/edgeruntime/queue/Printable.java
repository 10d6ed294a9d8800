package dev.edgeruntime.queue;

/**
 * Text a message brings (a payload's value quoted by a mapping error, a name in a durable call, a header),
 * made fit for a log line: its control characters written as Java escapes (such as {@code \n}), so that
 * a writer of the queue cannot start a forged log line of its own or drive a terminal.
 *
 * @author edge-runtime developers
 */
final class Printable {

	private Printable() {
	}

	/**
	 * The text with its control characters escaped.
	 * @param text the text
	 * @return the printable text
	 */
	static String of(String text) {
		return of(text, Integer.MAX_VALUE);
	}

	/**
	 * The text with its control characters escaped, cut after a number of characters.
	 * @param text the text
	 * @param maxLength the most characters kept (escapes count as theirs)
	 * @return the printable text, with the text's length told when it was cut
	 */
	static String of(String text, int maxLength) {
		StringBuilder printed = null;
		for (int i = 0; i < text.length(); i++) {
			if (printed != null && printed.length() >= maxLength) {
				return printed.append("... (").append(text.length()).append(" characters)").toString();
			}
			char c = text.charAt(i);
			String escape = escape(c);
			if (printed == null && (escape != null || i >= maxLength)) {
				// the common case, text without control characters and short enough, is not copied
				printed = new StringBuilder(Math.min(text.length(), maxLength) + 16).append(text, 0, i);
				if (i >= maxLength) {
					return printed.append("... (").append(text.length()).append(" characters)").toString();
				}
			}
			if (printed != null) {
				if (escape != null) {
					printed.append(escape);
				}
				else {
					printed.append(c);
				}
			}
		}
		return (printed != null) ? printed.toString() : text;
	}

	private static String escape(char c) {
		return switch (c) {
			case '\r' -> "\\r";
			case '\n' -> "\\n";
			case '\t' -> "\\t";
			default -> (Character.isISOControl(c) || c == 0x2028 || c == 0x2029)
					? String.format("\\u%04x", (int) c) : null;
		};
	}

}
