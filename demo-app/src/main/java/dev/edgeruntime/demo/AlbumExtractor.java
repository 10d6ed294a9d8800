package dev.edgeruntime.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import dev.edgeruntime.TaskContext;
import org.jspecify.annotations.Nullable;

import org.springframework.util.FileSystemUtils;

/**
 * Extracts an uploaded zip into an album folder, refusing what a hostile zip can do: entries whose path
 * leaves the folder (zip slip), two entries for the same file (the second would replace the first), too many entries, too many uncompressed bytes, or too high a compression
 * ratio (zip bombs). Sizes are counted as bytes are really written, never trusted from the headers.
 *
 * @author edge-runtime developers
 */
final class AlbumExtractor {

	/** The start of the name of an album being extracted: {@code .partial-<process id>-<album>}. */
	static final String PARTIAL_PREFIX = ".partial-";

	private final DemoProperties.Albums limits;

	AlbumExtractor(DemoProperties.Albums limits) {
		this.limits = limits;
	}

	/**
	 * Extracts the zip, reporting progress to the running task. The photos are written to a folder of this
	 * process beside the album, renamed to the album once all are there: an album is whole or absent, even
	 * when the process dies part-way (its partial folder is deleted at the next start, by
	 * {@link #deletePartialAlbums(Path)}).
	 * @param zip the zip file (a copy in the task's storage)
	 * @param target the album folder, created here
	 * @return the number of files stored
	 * @throws IOException if the zip is invalid or breaks a limit; nothing is left behind then
	 */
	int extract(Path zip, Path target) throws IOException {
		Path partial = target.resolveSibling(PARTIAL_PREFIX + ProcessHandle.current().pid() + "-" + target.getFileName());
		Files.createDirectories(partial);
		try {
			int stored = extractEntries(zip, partial.toRealPath());
			// in the same folder, so one rename: no one sees the album half there
			Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
			return stored;
		}
		catch (IOException | RuntimeException ex) {
			FileSystemUtils.deleteRecursively(partial);
			throw ex;
		}
	}

	/**
	 * Deletes the partial albums that processes left when they died part-way through an extraction (a
	 * crash, a {@code kill -9}): those of processes that no longer run, and those named with this process's
	 * id, which a process that ran before with the same id left (a container's application is often
	 * process 1 after every restart). Albums are never touched. Called before this process extracts any.
	 * @param root the albums folder
	 * @return the number of partial albums deleted
	 * @throws IOException if the folder cannot be read
	 */
	static int deletePartialAlbums(Path root) throws IOException {
		if (!Files.isDirectory(root)) {
			return 0;
		}
		long self = ProcessHandle.current().pid();
		int deleted = 0;
		try (DirectoryStream<Path> partials = Files.newDirectoryStream(root, PARTIAL_PREFIX + "*")) {
			for (Path partial : partials) {
				Long owner = owner(partial.getFileName().toString());
				boolean running = owner != null && owner != self
						&& ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
				if (owner != null && !running && FileSystemUtils.deleteRecursively(partial)) {
					deleted++;
				}
			}
		}
		return deleted;
	}

	private static @Nullable Long owner(String name) {
		String rest = name.substring(PARTIAL_PREFIX.length());
		int dash = rest.indexOf('-');
		try {
			return (dash > 0) ? Long.parseLong(rest.substring(0, dash)) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private int extractEntries(Path zip, Path target) throws IOException {
		long compressedTotal = Math.max(1, Files.size(zip));
		long maxTotal = this.limits.getMaxUncompressedSize().toBytes();
		int maxRatio = this.limits.getMaxCompressionRatio();
		TaskContext task = TaskContext.current();
		try (ZipFile file = new ZipFile(zip.toFile())) {
			int entries = file.size();
			if (entries > this.limits.getMaxEntries()) {
				throw new AlbumRejectedException("The zip has " + entries + " entries, more than the "
						+ this.limits.getMaxEntries() + " allowed (demo.albums.max-entries)");
			}
			long written = 0;
			int stored = 0;
			byte[] buffer = new byte[64 * 1024];
			Enumeration<? extends ZipEntry> all = file.entries();
			while (all.hasMoreElements()) {
				if (Thread.currentThread().isInterrupted()) {
					throw new IOException("Interrupted after storing " + stored + " files");
				}
				ZipEntry entry = all.nextElement();
				Path destination = resolve(target, entry.getName());
				try {
					if (entry.isDirectory()) {
						Files.createDirectories(destination);
						continue;
					}
					Files.createDirectories(destination.getParent());
				}
				catch (FileAlreadyExistsException ex) {
					throw twice(entry);
				}
				long entryWritten = 0;
				long entryCompressed = Math.max(1, entry.getCompressedSize());
				// a second entry for the same file would silently replace the first one
				try (InputStream in = file.getInputStream(entry);
						OutputStream out = newFile(destination, entry)) {
					int read;
					while ((read = in.read(buffer)) != -1) {
						entryWritten += read;
						written += read;
						if (written > maxTotal) {
							throw new AlbumRejectedException("The zip expands to more than "
									+ this.limits.getMaxUncompressedSize().toMegabytes()
									+ "MB (demo.albums.max-uncompressed-size)");
						}
						if (entryWritten > 1024 * 1024 && entryWritten / entryCompressed > maxRatio) {
							throw new AlbumRejectedException("Entry '" + entry.getName() + "' expands more than "
									+ maxRatio + " times (demo.albums.max-compression-ratio): a zip bomb?");
						}
						// the whole zip's ratio as it is written, not once every entry is on disk: many entries
						// of just under the check above would otherwise all be written first
						if (written > 1024 * 1024 && written / compressedTotal > maxRatio) {
							throw new AlbumRejectedException("The zip expands more than " + maxRatio
									+ " times (demo.albums.max-compression-ratio): a zip bomb?");
						}
						out.write(buffer, 0, read);
					}
				}
				stored++;
				task.progress(stored, entries, "stored " + entry.getName());
			}
			if (written > 1024 * 1024 && written / compressedTotal > maxRatio) {
				throw new AlbumRejectedException("The zip expands more than " + maxRatio
						+ " times (demo.albums.max-compression-ratio): a zip bomb?");
			}
			task.progress(entries, entries, "stored " + stored + " files");
			return stored;
		}
		catch (ZipException ex) {
			throw new AlbumRejectedException("Not a valid zip: " + ex.getMessage());
		}
	}

	private static OutputStream newFile(Path destination, ZipEntry entry) throws IOException {
		try {
			return Files.newOutputStream(destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		}
		catch (FileAlreadyExistsException ex) {
			throw twice(entry);
		}
	}

	private static AlbumRejectedException twice(ZipEntry entry) {
		return new AlbumRejectedException("Entry '" + entry.getName()
				+ "' names a file or folder that an earlier entry of the zip already made: entries must be unique");
	}

	private static Path resolve(Path target, String name) throws AlbumRejectedException {
		// names the file system cannot take are bad input too, not a crash of the extraction
		if (name.length() > 1024 || name.indexOf('\0') >= 0) {
			throw new AlbumRejectedException("Entry name '" + name.replace('\0', '?').substring(0,
					Math.min(name.length(), 80)) + "' is not a file name this album takes (a NUL, or over 1024 characters)");
		}
		for (String part : name.split("/")) {
			if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
				throw new AlbumRejectedException("Entry name '" + name.substring(0, Math.min(name.length(), 80))
						+ "...' has a part over 255 bytes, longer than file systems take");
			}
		}
		Path destination;
		try {
			destination = target.resolve(name).normalize();
		}
		catch (java.nio.file.InvalidPathException ex) {
			throw new AlbumRejectedException("Entry name '" + name + "' is not a valid file name: " + ex.getReason());
		}
		if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || !destination.startsWith(target)
				|| destination.equals(target)) {
			throw new AlbumRejectedException("Entry '" + name + "' escapes the album folder (zip slip)");
		}
		return destination;
	}

	/**
	 * A zip the album refuses; the task's error says why.
	 */
	static final class AlbumRejectedException extends IOException {

		private static final long serialVersionUID = 1L;

		AlbumRejectedException(String message) {
			super(message);
		}

	}

}
