package dev.edgeruntime.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.BeforeUnloadEvent;
import dev.edgeruntime.TaskContext;
import dev.edgeruntime.TaskProgress;
import dev.edgeruntime.UnhandledRejectionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.core.io.InputStreamResource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The launch blog's photo album: the client uploads a zip and gets {@code 202 Accepted} with the upload
 * id at once; the body is streamed into the task's ephemeral storage before the response is sent (never
 * held in memory), then a background task extracts the photos into a folder per upload id, reporting
 * progress. A {@code beforeunload} listener logs how far an album got.
 *
 * <pre>
 * curl -i --data-binary @photos.zip -H 'Content-Type: application/zip' localhost:8080/albums
 * curl localhost:8080/background-tasks/{id}
 * </pre>
 *
 * @author edge-runtime developers
 */
@RestController
class AlbumController {

	private static final Logger logger = LoggerFactory.getLogger(AlbumController.class);

	static final String TASK_NAME = "album-extract";

	private final DemoProperties.Albums albums;

	private final AlbumExtractor extractor;

	private final AtomicLong albumsStored = new AtomicLong();

	AlbumController(DemoProperties properties) throws IOException {
		this.albums = properties.getAlbums();
		this.extractor = new AlbumExtractor(properties.getAlbums());
		// what a demo that died part-way through an album left; the albums themselves are kept
		int deleted = AlbumExtractor.deletePartialAlbums(this.albums.getRoot());
		if (deleted > 0) {
			logger.info("Deleted {} partial album{} left in {} by a demo that stopped while extracting", deleted,
					(deleted == 1) ? "" : "s", this.albums.getRoot());
		}
	}

	/**
	 * Runs as a background task; the {@code Resource} it gets is the copy of the request body in the
	 * task's storage, made while the request was still open (it counts against
	 * {@code edge-runtime.storage.quota}: a larger upload is answered with 413).
	 */
	@BackgroundTask(name = TASK_NAME, wallClock = "10m")
	@PostMapping(path = "/albums", consumes = { "application/zip", "application/octet-stream" })
	public Album upload(@RequestBody InputStreamResource zip) throws IOException {
		TaskContext task = TaskContext.current();
		Path copy = zip.getFile().toPath();
		Path folder = this.albums.getRoot().resolve(task.id().toString());
		int stored = this.extractor.extract(copy, folder);
		this.albumsStored.incrementAndGet();
		logger.info("Album {}: stored {} files in {}", task.id(), stored, folder);
		return new Album(task.id(), stored, Files.size(copy), folder.toString());
	}

	/**
	 * A rejected album (zip slip, zip bomb, not a zip) is bad input, not a fault of the application: the
	 * client reads the error at the status URL, so it is logged in one line and not as an unhandled failure
	 * with its stack trace (nor counted in {@code edge.runtime.tasks.unhandled}). Other failures keep the
	 * runtime's default.
	 */
	@EventListener
	void onUnhandledRejection(UnhandledRejectionEvent event) {
		if (event.error() instanceof AlbumExtractor.AlbumRejectedException rejected) {
			// the reason quotes the zip's entry names, which are the client's
			logger.warn("Album {} rejected: {}", event.task().id(), LogText.of(rejected.getMessage()));
			event.preventDefault();
		}
	}

	@EventListener
	void onBeforeUnload(BeforeUnloadEvent event) {
		event.task().filter((task) -> TASK_NAME.equals(task.name())).ifPresent((task) -> {
			TaskProgress progress = task.progress();
			logger.info("Album {} is being unloaded ({}): {} of {} files stored so far", task.id(),
					event.reason().value(), (progress != null) ? progress.done() : 0,
					(progress != null) ? progress.total() : "?");
		});
	}

	/**
	 * The task's result, its fields always in this order (as docs/demo.md shows them), which a
	 * {@code Map.of} changes from one start of the JVM to the next.
	 *
	 * @param album the album's id, the task's
	 * @param files how many files were stored
	 * @param bytes the size of the uploaded zip
	 * @param folder where the album is
	 */
	public record Album(UUID album, int files, long bytes, String folder) {
	}

}
