package dev.edgeruntime.demo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.demo.AlbumExtractor.AlbumRejectedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.Mockito.mock;

/**
 * Hostile zip entry names through the album's zip-slip protection (part of the reliability suite): 400
 * names generated from a fixed seed ({@code ..}, absolute, backslashes, percent-encoded look-alikes,
 * Unicode) each go into a zip of their own. A name that would leave the album folder is refused with the
 * zip-slip error and leaves nothing behind; every other name is extracted inside the folder; nothing is ever
 * written outside it. Generated with a seeded {@link Random} rather than jqwik so that the demo's build keeps
 * its dependencies.
 *
 * @author edge-runtime developers
 */
class AlbumZipSlipReliabilityTests {

	private static final long SEED = 20261122L;

	private static final String[] SEGMENTS = { "..", ".", "", "a", "photo.jpg", "...", "%2e%2e", "%2E%2E%2F",
			"..%2f..", "..\\..", "\\", "~", " ", "名前", "\u202e", "a..b", "..a", "$HOME", "C:", "album" };

	@TempDir
	Path workspace;

	private final AlbumExtractor extractor = new AlbumExtractor(new DemoProperties().getAlbums());

	@BeforeEach
	void runAsATask() {
		TaskContextHolder.set(mock(TaskContext.class));
	}

	@AfterEach
	void leaveTheTask() {
		TaskContextHolder.set(null);
	}

	@ParameterizedTest
	@MethodSource("entryNames")
	void entryNameShouldBeExtractedInsideTheAlbumOrRefusedAsZipSlip(String name) throws Exception {
		Path zip = this.workspace.resolve("upload.zip");
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			out.putNextEntry(new ZipEntry(name));
			out.write("photo".getBytes(StandardCharsets.UTF_8));
			out.closeEntry();
		}
		Path album = this.workspace.resolve("albums").resolve("album-1");
		boolean escapes = escapes(name);
		if (escapes) {
			assertThatExceptionOfType(AlbumRejectedException.class).isThrownBy(() -> this.extractor.extract(zip, album))
				.withMessageContaining("zip slip");
			assertThat(album).doesNotExist();
		}
		else {
			assertThat(this.extractor.extract(zip, album)).isLessThanOrEqualTo(1);
		}
		// nothing outside the album folder but the upload itself
		try (Stream<Path> files = Files.walk(this.workspace)) {
			assertThat(files.filter(Files::isRegularFile).filter((file) -> !file.equals(zip)))
				.allSatisfy((file) -> assertThat(file.startsWith(album.toRealPath())).as(file.toString()).isTrue());
		}
	}

	/**
	 * The oracle: absolute names, names with a backslash and names whose {@code ..} climb above the folder,
	 * or that name the folder itself, escape.
	 */
	private static boolean escapes(String name) {
		if (name.isEmpty() || name.startsWith("/") || name.contains("\\")) {
			return true;
		}
		int depth = 0;
		for (String segment : name.split("/")) {
			if (segment.isEmpty() || segment.equals(".")) {
				continue;
			}
			depth += segment.equals("..") ? -1 : 1;
			if (depth < 0) {
				return true;
			}
		}
		return depth == 0;
	}

	static List<String> entryNames() {
		Random random = new Random(SEED);
		List<String> names = new ArrayList<>(List.of("../evil.txt", "../../etc/passwd", "/etc/passwd", "a/../../b",
				"a/b/../../../c", "..\\evil.txt", "a/./b.jpg", "%2e%2e/ok.jpg", "photos/2026/1.jpg", "a/../b.jpg"));
		while (names.size() < 400) {
			int parts = 1 + random.nextInt(6);
			StringBuilder name = new StringBuilder(random.nextInt(5) == 0 ? "/" : "");
			for (int i = 0; i < parts; i++) {
				if (i > 0) {
					name.append('/');
				}
				name.append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
			}
			// a directory entry ends with '/': leave those to a name that really is one
			String generated = name.toString();
			if (!generated.endsWith("/") && !generated.isEmpty()) {
				names.add(generated);
			}
		}
		return names;
	}

}
