package dev.edgeruntime.demo;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Decides which URLs the relay may fetch. A URL is compared part by part (scheme, host, port, normalised
 * path) with each allowed entry, never as a string prefix, so {@code http://localhost:8080@evil.example/}
 * or {@code http://localhost:8080/samples/../admin} are refused.
 *
 * @author edge-runtime developers
 */
final class RelayAllowlist {

	private final List<Entry> entries;

	RelayAllowlist(List<URI> allowed) {
		this.entries = allowed.stream().map(Entry::of).toList();
	}

	/**
	 * The parsed URL if it is allowed.
	 * @param url the URL asked for
	 * @return the URI to fetch
	 * @throws IllegalArgumentException naming why the URL is refused
	 */
	URI check(@Nullable String url) {
		if (url == null || url.isBlank()) {
			throw new IllegalArgumentException("A 'url' is required");
		}
		URI uri;
		try {
			uri = new URI(url.trim()).normalize();
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("'" + url + "' is not a valid URL");
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : null;
		if (!"http".equals(scheme) && !"https".equals(scheme)) {
			throw new IllegalArgumentException("Only http and https URLs can be relayed");
		}
		if (uri.getRawUserInfo() != null || uri.getHost() == null) {
			throw new IllegalArgumentException("'" + url + "' has no plain host");
		}
		String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
		String lower = path.toLowerCase(Locale.ROOT);
		// ';' (a servlet container's path parameters: '..;/' climbs on some servers) and encoded dots,
		// slashes and backslashes are forms some servers read as leaving the folder
		if (path.contains("/../") || path.endsWith("/..") || path.contains(";") || lower.contains("%2e")
				|| lower.contains("%2f") || lower.contains("%5c") || path.contains("\\")) {
			throw new IllegalArgumentException("'" + url + "' has a path that leaves its folder");
		}
		int port = (uri.getPort() != -1) ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
		for (Entry entry : this.entries) {
			if (entry.matches(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path)) {
				return uri;
			}
		}
		throw new IllegalArgumentException("'" + url + "' is not on the relay's allowlist (demo.relay.allowed-urls)");
	}

	private record Entry(String scheme, String host, int port, String pathPrefix) {

		static final int ANY_PORT = -2;

		static Entry of(URI allowed) {
			String text = allowed.toString();
			boolean anyPort = text.matches("^[a-zA-Z]+://[^/]+:\\*(/.*)?$");
			URI uri = anyPort ? URI.create(text.replaceFirst(":\\*", "")) : allowed;
			String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
			int port = anyPort ? ANY_PORT
					: (uri.getPort() != -1) ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
			String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
			return new Entry(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path);
		}

		boolean matches(String scheme, String host, int port, String path) {
			return this.scheme.equals(scheme) && this.host.equals(host) && (this.port == ANY_PORT || this.port == port)
					&& path.startsWith(this.pathPrefix);
		}

	}

}
