package dev.edgeruntime.demo;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The guide's "uploading a file to Storage" as a background task: the client gets {@code 202 Accepted}
 * with a link to the task's status at once, the upload is processed after the request is over (from a copy
 * in the task's storage, since the container deletes the upload), and the result is read at
 * {@code GET /background-tasks/{id}}.
 *
 * <pre>
 * curl -i -F file=@README.md localhost:8080/uploads
 * curl localhost:8080/background-tasks/{id}
 * </pre>
 *
 * @author edge-runtime developers
 */
@RestController
class UploadController {

	private static final Logger logger = LoggerFactory.getLogger(UploadController.class);

	@BackgroundTask(name = "upload-to-storage", wallClock = "30s")
	@PostMapping(path = "/uploads", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	public Map<String, Object> upload(@RequestParam MultipartFile file) throws Exception {
		TaskContext task = TaskContext.current();
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		byte[] buffer = new byte[8192];
		long done = 0;
		try (InputStream in = file.getInputStream()) {
			int read;
			while ((read = in.read(buffer)) != -1) {
				digest.update(buffer, 0, read);
				done += read;
				task.progress(done, file.getSize(), "storing " + file.getOriginalFilename());
			}
		}
		String sha256 = HexFormat.of().formatHex(digest.digest());
		// the file name is the client's: it may hold a line break that would start a forged log line
		logger.info("Stored {} ({} bytes, sha-256 {}) in task {}", LogText.of(file.getOriginalFilename()), done, sha256,
				task.id());
		return Map.of("file", String.valueOf(file.getOriginalFilename()), "bytes", done, "sha256", sha256);
	}

}
