package dev.edgeruntime.queue;

/**
 * Text a message or a request brings (a payload's value quoted by a mapping error, a name in a durable
 * call, a header, the user of a dashboard request), made fit for a log line: its control characters written
 * as Java escapes (such as {@code \n}), so that a writer of the queue cannot start a forged log line of its
 * own or drive a terminal. Public for the library's other packages (the dashboard's log lines); not meant for
 * applications, and it may change without notice.
 *
 * @author edge-runtime developers
 */
public final class Printable {

	private Printable() {
	}

	/**
	 * The text with its control characters escaped.
	 * @param text the text
	 * @return the printable text
	 */
	public static String of(String text) {
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
				return cut(printed, text);
			}
			char c = text.charAt(i);
			String escape = escape(c);
			if (printed == null && (escape != null || i >= maxLength)) {
				// the common case, text without control characters and short enough, is not copied
				printed = new StringBuilder(Math.min(text.length(), maxLength) + 16).append(text, 0, i);
				if (i >= maxLength) {
					return cut(printed, text);
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

	/**
	 * The text kept, with its length told; without a character cut in half, the first of a surrogate pair
	 * whose second is left out, which a log's encoder would write as {@code ?}.
	 */
	private static String cut(StringBuilder printed, String text) {
		int kept = printed.length();
		if (kept > 0 && Character.isHighSurrogate(printed.charAt(kept - 1))) {
			printed.setLength(kept - 1);
		}
		return printed.append("... (").append(text.length()).append(" characters)").toString();
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
