package dev.edgeruntime.demo;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskContextHolder;
import dev.edgeruntime.demo.AlbumExtractor.AlbumRejectedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The album's extraction and the relay's allowlist against what a hostile client sends: a zip bomb of many
 * entries just under the per-entry check, names the file system cannot take, and path forms some servers
 * read as leaving the allowed folder.
 *
 * @author edge-runtime developers
 */
class HostileAlbumAndRelayTests {

	@TempDir
	Path workspace;

	private final TaskContext task = mock(TaskContext.class);

	@BeforeEach
	void runAsATask() {
		TaskContextHolder.set(this.task);
	}

	@AfterEach
	void leaveTheTask() {
		TaskContextHolder.set(null);
	}

	@Test
	void manyOneMegabyteEntriesOfZerosShouldBeRefusedBeforeAllAreWritten() throws Exception {
		Path zip = this.workspace.resolve("bomb.zip");
		byte[] zeros = new byte[1024 * 1024]; // exactly 1 MB: the per-entry check needs more than 1 MB
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			for (int i = 0; i < 200; i++) {
				out.putNextEntry(new ZipEntry("zeros-" + i + ".bin"));
				out.write(zeros);
				out.closeEntry();
			}
		}
		long compressed = Files.size(zip);
		Path album = this.workspace.resolve("album");
		assertThatExceptionOfType(AlbumRejectedException.class)
			.isThrownBy(() -> new AlbumExtractor(new DemoProperties().getAlbums()).extract(zip, album))
			.withMessageContaining("max-compression-ratio");
		assertThat(200L * 1024 * 1024 / compressed).as("the zip's ratio").isGreaterThan(100);
		// refused as the running total passed the ratio, long before the 200 entries (200 MB) were written
		verify(this.task, never()).progress(org.mockito.ArgumentMatchers.eq(200L), anyLong(), anyString());
		try (Stream<Path> written = Files.walk(album)) {
			assertThat(written.filter(Files::isRegularFile).count()).isLessThan(10);
		}
		catch (java.nio.file.NoSuchFileException ex) {
			// the folder went with the refusal: nothing stays either
		}
	}

	@Test
	void entryWithTooLongNameShouldBeRejectedAsBadInput() throws Exception {
		Path zip = this.workspace.resolve("long.zip");
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			out.putNextEntry(new ZipEntry("a".repeat(300) + ".jpg"));
			out.write(1);
			out.closeEntry();
		}
		Path album = this.workspace.resolve("album2");
		assertThatExceptionOfType(AlbumRejectedException.class)
			.isThrownBy(() -> new AlbumExtractor(new DemoProperties().getAlbums()).extract(zip, album));
	}

	@Test
	void entryWithNulInNameShouldBeRejectedAsBadInput() throws Exception {
		Path zip = this.workspace.resolve("nul.zip");
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
			out.putNextEntry(new ZipEntry("a\u0000b.jpg"));
			out.write(1);
			out.closeEntry();
		}
		Path album = this.workspace.resolve("album3");
		assertThatExceptionOfType(AlbumRejectedException.class)
			.isThrownBy(() -> new AlbumExtractor(new DemoProperties().getAlbums()).extract(zip, album));
	}

	@Test
	void relayAllowlistShouldRefuseDotDotSemicolonEncodedSlashesAndOtherPorts() {
		RelayAllowlist allowlist = new RelayAllowlist(List.of(URI.create("http://localhost:8080/samples/")));
		Stream.of("http://localhost:8080/samples/..;/actuator/env", "http://localhost:8080/samples/..%2f..%2factuator",
				"http://localhost:8080/samples/%2E./actuator", "http://localhost:8080/samples/..%5cactuator",
				"http://localhost:5432/samples/x")
			.forEach((url) -> assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> allowlist.check(url)));
		assertThat(allowlist.check("http://localhost:8080/samples/json")).hasPort(8080);
	}

}
