package dev.edgeruntime.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 200 MB album of 2,000 photos goes through a demo whose heap is capped at 256 MB: the upload is
 * streamed to the task's storage and extracted entry by entry, never held in memory. The demo runs in a
 * forked JVM with {@code -Xmx256m}. A demo killed part-way through such an album leaves no half album,
 * and the next start deletes what it left.
 */
class LargeAlbumTests {

	private static final int PHOTOS = 2000;

	private static final int PHOTO_SIZE = 100 * 1024;

	@TempDir
	Path dir;

	@Test
	void largeAlbumShouldGoThroughWithA256MegabyteHeap() throws Exception {
		Path zip = this.dir.resolve("large.zip");
		writeAlbum(zip);
		assertThat(Files.size(zip)).isGreaterThan(200L * 1000 * 1000);
		int port = freePort();
		Path albums = this.dir.resolve("albums");
		Path log = this.dir.resolve("demo.log");
		Process demo = startDemo(port, albums, log);
		try {
			HttpClient http = HttpClient.newHttpClient();
			URI base = URI.create("http://localhost:" + port);
			await().atMost(Duration.ofMinutes(3)).ignoreExceptions().untilAsserted(() -> {
				assertThat(demo.isAlive()).as("demo is running; its log: %s", log).isTrue();
				assertThat(http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
			});
			HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(base.resolve("/albums"))
				.header("Content-Type", "application/zip")
				.POST(HttpRequest.BodyPublishers.ofFile(zip))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
			Matcher id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(accepted.body());
			assertThat(id.find()).isTrue();
			URI status = base.resolve("/background-tasks/" + id.group(1));
			await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> assertThat(
					http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body())
				.doesNotContain("\"state\":\"RUNNING\"")
				.doesNotContain("\"state\":\"SCHEDULED\""));
			String body = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body();
			assertThat(body).contains("\"state\":\"SUCCEEDED\"").contains("\"files\":" + PHOTOS);
			try (Stream<Path> files = Files.walk(albums.resolve(id.group(1)))) {
				assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(PHOTOS);
			}
			assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
		}
		finally {
			demo.destroy();
			if (!demo.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
				demo.destroyForcibly();
			}
		}
	}

	@Test
	void albumCutShortByAKillShouldLeaveNoPartialAlbumAndTheNextStartNoPartialFolder() throws Exception {
		Path zip = this.dir.resolve("large.zip");
		writeAlbum(zip);
		Path albums = this.dir.resolve("albums");
		HttpClient http = HttpClient.newHttpClient();
		int port = freePort();
		URI base = URI.create("http://localhost:" + port);
		Process demo = startDemo(port, albums, this.dir.resolve("demo.log"));
		String id;
		try {
			awaitUp(http, base, demo);
			HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(base.resolve("/albums"))
				.header("Content-Type", "application/zip")
				.POST(HttpRequest.BodyPublishers.ofFile(zip))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
			Matcher found = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(accepted.body());
			assertThat(found.find()).isTrue();
			id = found.group(1);
			URI status = base.resolve("/background-tasks/" + id);
			// killed while it extracts: some photos are written, not all
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> {
				Matcher done = Pattern.compile("\"done\":(\\d+)")
					.matcher(http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body());
				return done.find() && Long.parseLong(done.group(1)) > 0;
			});
		}
		finally {
			demo.destroyForcibly();
			demo.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
		}
		// the album is whole or absent, never half there
		assertThat(photos(albums.resolve(id))).isIn(0L, (long) PHOTOS);
		demo = startDemo(port, albums, this.dir.resolve("demo-again.log"));
		try {
			awaitUp(http, base, demo);
			assertThat(albums).isDirectoryNotContaining("glob:**/" + AlbumExtractor.PARTIAL_PREFIX + "*");
			assertThat(photos(albums.resolve(id))).isIn(0L, (long) PHOTOS);
		}
		finally {
			demo.destroy();
			if (!demo.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
				demo.destroyForcibly();
			}
		}
	}

	private static void awaitUp(HttpClient http, URI base, Process demo) {
		await().atMost(Duration.ofMinutes(3)).ignoreExceptions().untilAsserted(() -> {
			assertThat(demo.isAlive()).as("demo is running").isTrue();
			assertThat(http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
		});
	}

	private static long photos(Path album) throws IOException {
		if (!Files.exists(album)) {
			return 0;
		}
		try (Stream<Path> files = Files.walk(album)) {
			return files.filter(Files::isRegularFile).count();
		}
	}

	private static void writeAlbum(Path zip) throws IOException {
		Random random = new Random(7);
		byte[] photo = new byte[PHOTO_SIZE];
		try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
			out.setLevel(0);
			for (int i = 0; i < PHOTOS; i++) {
				random.nextBytes(photo);
				out.putNextEntry(new ZipEntry("photos/p" + i + ".jpg"));
				out.write(photo);
				out.closeEntry();
			}
		}
	}

	private Process startDemo(int port, Path albums, Path log) throws IOException {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				DemoApplication.class.getName(), "--server.port=" + port, "--demo.albums.root=" + albums,
				"--edge-runtime.storage.root=" + this.dir.resolve("storage")));
		String url = System.getenv("EDGE_RUNTIME_TEST_JDBC_URL");
		if (url != null && !url.isEmpty()) {
			command.add("--spring.datasource.url=" + url);
			addIfSet(command, "spring.datasource.username", System.getenv("EDGE_RUNTIME_TEST_JDBC_USER"));
			addIfSet(command, "spring.datasource.password", System.getenv("EDGE_RUNTIME_TEST_JDBC_PASSWORD"));
		}
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

	private static void addIfSet(List<String> command, String property, String value) {
		if (value != null && !value.isEmpty()) {
			command.add("--" + property + "=" + value);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
