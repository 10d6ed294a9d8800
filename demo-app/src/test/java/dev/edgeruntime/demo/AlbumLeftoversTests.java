package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a demo that died part-way through an album left behind is deleted when the next one starts; the
 * albums, which the demo keeps, are not.
 *
 * @author edge-runtime developers
 */
class AlbumLeftoversTests {

	@TempDir
	Path albums;

	@Test
	void startShouldDeletePartialAlbumsOfProcessesThatNoLongerRunAndKeepTheAlbums() throws Exception {
		Path album = photo(this.albums.resolve(UUID.randomUUID().toString()));
		Process ended = new ProcessBuilder("true").start();
		ended.waitFor();
		Path ofEndedProcess = photo(partial(ended.pid()));
		// left by a process that ran before with this one's id (in a container, the application is often
		// process 1 after every restart): this process has extracted nothing yet
		Path ofThisProcessId = photo(partial(ProcessHandle.current().pid()));
		// a demo still running beside this one, extracting into the same folder
		long running = ProcessHandle.current().parent().orElseThrow().pid();
		Path ofRunningProcess = photo(partial(running));
		new AlbumController(properties());
		assertThat(ofEndedProcess).doesNotExist();
		assertThat(ofThisProcessId).doesNotExist();
		assertThat(ofRunningProcess).exists();
		assertThat(album).exists();
	}

	private Path partial(long pid) {
		return this.albums.resolve(AlbumExtractor.PARTIAL_PREFIX + pid + "-" + UUID.randomUUID());
	}

	private static Path photo(Path folder) throws IOException {
		Files.createDirectories(folder);
		return Files.write(folder.resolve("photo.jpg"), new byte[] { 1, 2, 3 }).getParent();
	}

	private DemoProperties properties() {
		DemoProperties properties = new DemoProperties();
		properties.getAlbums().setRoot(this.albums);
		return properties;
	}

}
