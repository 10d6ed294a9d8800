package dev.edgeruntime.demo;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the demo's scenarios.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("demo")
public class DemoProperties {

	private final Relay relay = new Relay();

	private final Albums albums = new Albums();

	private final Reports reports = new Reports();

	private final RelayWs relayWs = new RelayWs();

	public Relay getRelay() {
		return this.relay;
	}

	public RelayWs getRelayWs() {
		return this.relayWs;
	}

	public Albums getAlbums() {
		return this.albums;
	}

	public Reports getReports() {
		return this.reports;
	}

	/**
	 * The reports ({@code POST /reports}).
	 */
	public static class Reports {

		/**
		 * Where report CSV files are written.
		 */
		private Path root = Path.of(System.getProperty("java.io.tmpdir"), "edge-runtime-demo-reports");

		public Path getRoot() {
			return this.root;
		}

		public void setRoot(Path root) {
			this.root = root;
		}

	}

	/**
	 * The relay ({@code POST /relay}).
	 */
	public static class Relay {

		/**
		 * URLs the relay may fetch: scheme, host, port (or '*' for any) and a path prefix, such as
		 * http://localhost:*&#47;samples/. Everything else is refused with 400 before anything is fetched.
		 */
		private List<URI> allowedUrls = new ArrayList<>(List.of(URI.create("http://localhost:8080/samples/")));

		public List<URI> getAllowedUrls() {
			return this.allowedUrls;
		}

		public void setAllowedUrls(List<URI> allowedUrls) {
			this.allowedUrls = allowedUrls;
		}

	}

	/**
	 * The authenticated WebSocket relay ({@code /relay-ws}).
	 */
	public static class RelayWs {

		/**
		 * Key that signs the HS256 tokens the relay accepts in its jwt query parameter; at least 32 bytes.
		 */
		private String jwtSecret = "";

		/**
		 * WebSocket URL the relay connects each client to; unset means the demo's own echo at /echo-ws.
		 */
		private @Nullable URI upstream;

		/**
		 * Key the relay sends its upstream as a bearer token, as the blog's relay sends its OpenAI key; the
		 * demo's /echo-ws takes no connection without it. Unset: a random key made at each start.
		 */
		private String upstreamKey = "";

		public String getJwtSecret() {
			return this.jwtSecret;
		}

		public void setJwtSecret(String jwtSecret) {
			this.jwtSecret = jwtSecret;
		}

		public @Nullable URI getUpstream() {
			return this.upstream;
		}

		public void setUpstream(@Nullable URI upstream) {
			this.upstream = upstream;
		}

		public String getUpstreamKey() {
			return this.upstreamKey;
		}

		public void setUpstreamKey(String upstreamKey) {
			this.upstreamKey = upstreamKey;
		}

	}

	/**
	 * The photo album ({@code POST /albums}).
	 */
	public static class Albums {

		/**
		 * Where extracted albums are stored, one folder per upload id.
		 */
		private Path root = Path.of(System.getProperty("java.io.tmpdir"), "edge-runtime-demo-albums");

		/**
		 * Most entries in one zip.
		 */
		private int maxEntries = 10_000;

		/**
		 * Most bytes the entries of one zip may expand to.
		 */
		private DataSize maxUncompressedSize = DataSize.ofMegabytes(1024);

		/**
		 * Highest ratio of uncompressed to compressed bytes, in one entry or the whole zip.
		 */
		private int maxCompressionRatio = 100;

		public Path getRoot() {
			return this.root;
		}

		public void setRoot(Path root) {
			this.root = root;
		}

		public int getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(int maxEntries) {
			this.maxEntries = maxEntries;
		}

		public DataSize getMaxUncompressedSize() {
			return this.maxUncompressedSize;
		}

		public void setMaxUncompressedSize(DataSize maxUncompressedSize) {
			this.maxUncompressedSize = maxUncompressedSize;
		}

		public int getMaxCompressionRatio() {
			return this.maxCompressionRatio;
		}

		public void setMaxCompressionRatio(int maxCompressionRatio) {
			this.maxCompressionRatio = maxCompressionRatio;
		}

	}

}
