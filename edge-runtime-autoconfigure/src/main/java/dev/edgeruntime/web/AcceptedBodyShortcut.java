package dev.edgeruntime.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.edgeruntime.TaskState;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Writes the {@code 202 Accepted} body of a {@code @BackgroundTask} controller method as bytes of its own,
 * without the message converters, once the converters have been seen to write exactly those bytes for the
 * same kind of request.
 * <p>
 * The message converters, content negotiation and the {@code ResponseEntity} around the body allocate
 * about as much per request as the rest of the request's handling; at high request rates that means more
 * frequent garbage collection. The shortcut serves only requests whose answer cannot depend on them:
 * <ul>
 * <li>an {@code Accept} header that is absent, {@code *}{@code /*} or {@code application/json}, in one
 * header;</li>
 * <li>a handler mapping without {@code produces};</li>
 * <li>a task name and status URL of printable ASCII without {@code "} or {@code \}, which JSON writes as
 * they are.</li>
 * </ul>
 * It is off when the application has a {@code ResponseBodyAdvice} controller advice, which may change a
 * body per request, or negotiates content by more than the {@code Accept} header. Otherwise, for each
 * kind of {@code Accept} header, the first response is written by the converters and compared, byte for
 * byte and header by header, with what the shortcut would write: if they are the same, later responses of
 * that kind are written by the shortcut; if not (another JSON library or settings, another media type, a
 * converter of the application's own), they all go through the converters.
 *
 * @author edge-runtime developers
 */
final class AcceptedBodyShortcut {

	private static final Log logger = LogFactory.getLog(AcceptedBodyShortcut.class);

	/** The {@code Accept} headers the shortcut can serve, each verified on its own. */
	enum Accept {

		/** No {@code Accept} header. */
		NONE("no Accept header"),

		/** {@code Accept: *}{@code /*}. */
		ANY("Accept: */*"),

		/** {@code Accept: application/json}. */
		JSON("Accept: application/json");

		private final String description;

		Accept(String description) {
			this.description = description;
		}

	}

	private static final int UNKNOWN = 0;

	private static final int SAME = 1;

	private static final int DIFFERENT = 2;

	private static final byte[] ID = bytes("{\"id\":\"");

	private static final byte[] NAME = bytes("\",\"name\":\"");

	private static final byte[] STATE = bytes("\",\"state\":\"");

	private static final byte[] STATUS_URL = bytes("\",\"statusUrl\":\"");

	private static final byte[] END = bytes("\"}");

	private final boolean enabled;

	private final AtomicIntegerArray verdicts = new AtomicIntegerArray(Accept.values().length);

	private final AtomicReferenceArray<String> contentTypes = new AtomicReferenceArray<>(Accept.values().length);

	/**
	 * Creates a new instance.
	 * @param enabled whether the shortcut may be used at all
	 */
	AcceptedBodyShortcut(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * The kind of the request's {@code Accept} header, if the shortcut may serve it.
	 * @param request the request
	 * @return its kind, or {@code null} if its response is always written by the converters
	 */
	@Nullable Accept accept(HttpServletRequest request) {
		if (!this.enabled || request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE) != null) {
			return null;
		}
		String accept = request.getHeader(HttpHeaders.ACCEPT);
		if (accept == null) {
			return Accept.NONE;
		}
		Accept kind = switch (accept) {
			case "*/*" -> Accept.ANY;
			case "application/json" -> Accept.JSON;
			default -> null;
		};
		if (kind != null) {
			Enumeration<String> all = request.getHeaders(HttpHeaders.ACCEPT);
			all.nextElement();
			if (all.hasMoreElements()) {
				return null; // negotiated over every Accept header
			}
		}
		return kind;
	}

	/**
	 * Whether responses of the given kind are written by the shortcut.
	 * @param accept the kind of request
	 * @return whether the converters were seen to write what the shortcut writes
	 */
	boolean isVerified(Accept accept) {
		return this.verdicts.get(accept.ordinal()) == SAME;
	}

	/**
	 * Whether a response of the given kind written by the converters should be compared.
	 * @param accept the kind of request
	 * @return whether no response of that kind was compared yet
	 */
	boolean isUnknown(Accept accept) {
		return this.verdicts.get(accept.ordinal()) == UNKNOWN;
	}

	/**
	 * Compares a response the converters wrote with what the shortcut would have written, and decides
	 * whether it writes the later responses of that kind.
	 * @param accept the kind of request
	 * @param status the status written
	 * @param headerNames the names of the headers the converters wrote
	 * @param contentType the content type written
	 * @param body the body written
	 * @param own the body the shortcut would write
	 */
	void compare(Accept accept, int status, Collection<String> headerNames, @Nullable String contentType,
			byte[] body, byte[] own) {
		boolean headersAlike = headerNames.stream()
			.allMatch((name) -> name.equalsIgnoreCase(HttpHeaders.LOCATION)
					|| name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE));
		boolean same = status == HttpServletResponse.SC_ACCEPTED && headersAlike && contentType != null
				&& Arrays.equals(body, own);
		if (same) {
			this.contentTypes.set(accept.ordinal(), contentType);
		}
		if (this.verdicts.compareAndSet(accept.ordinal(), UNKNOWN, same ? SAME : DIFFERENT)
				&& logger.isDebugEnabled()) {
			logger.debug(same
					? "202 Accepted bodies of @BackgroundTask methods, " + accept.description
							+ ": written without the message converters from now on, which wrote the same"
					: "202 Accepted bodies of @BackgroundTask methods, " + accept.description
							+ ": written by the message converters, which write them differently (" + contentType
							+ ", headers " + headerNames + ")");
		}
	}

	/**
	 * Writes a verified response.
	 * @param accept the kind of request
	 * @param response the response
	 * @param location the status URL
	 * @param body the body, from {@link #render}
	 * @throws IOException if the body cannot be written
	 */
	void write(Accept accept, HttpServletResponse response, String location, byte[] body) throws IOException {
		response.setStatus(HttpServletResponse.SC_ACCEPTED);
		response.setHeader(HttpHeaders.LOCATION, location);
		response.setContentType(this.contentTypes.get(accept.ordinal()));
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	/**
	 * The body the shortcut writes: {@link TaskAccepted} as JSON, its fields in order, without spaces.
	 * @param id the task id
	 * @param name the task name
	 * @param state the task state
	 * @param location the status URL
	 * @return the body, or {@code null} if a value needs escaping in JSON
	 */
	static byte @Nullable [] render(String id, String name, TaskState state, String location) {
		if (!plain(name) || !plain(location)) {
			return null;
		}
		String stateName = state.name();
		byte[] body = new byte[ID.length + id.length() + NAME.length + name.length() + STATE.length
				+ stateName.length() + STATUS_URL.length + location.length() + END.length];
		int at = put(body, 0, ID);
		at = put(body, at, id);
		at = put(body, at, NAME);
		at = put(body, at, name);
		at = put(body, at, STATE);
		at = put(body, at, stateName);
		at = put(body, at, STATUS_URL);
		at = put(body, at, location);
		put(body, at, END);
		return body;
	}

	/** Whether JSON writes the string as it is: printable ASCII, without a quote or a backslash. */
	private static boolean plain(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
				return false;
			}
		}
		return true;
	}

	private static int put(byte[] body, int at, byte[] part) {
		System.arraycopy(part, 0, body, at, part.length);
		return at + part.length;
	}

	private static int put(byte[] body, int at, String part) {
		for (int i = 0; i < part.length(); i++) {
			body[at + i] = (byte) part.charAt(i); // ASCII only, checked by plain()
		}
		return at + part.length();
	}

	private static byte[] bytes(String ascii) {
		return ascii.getBytes(StandardCharsets.US_ASCII);
	}

}
