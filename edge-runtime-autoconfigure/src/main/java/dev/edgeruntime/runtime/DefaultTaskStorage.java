package dev.edgeruntime.runtime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskStorage;

import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

/**
 * One task's ephemeral directory.
 *
 * @author edge-runtime developers
 */
final class DefaultTaskStorage implements TaskStorage {

	private final Path dir;

	private final DataSize quota;

	private volatile boolean created;

	/**
	 * The bytes in the directory as this storage's streams know them: read from the disk whenever a stream
	 * opens, and counted up by every write of every open stream, so that streams open at once share the quota.
	 */
	private final AtomicLong used = new AtomicLong();

	DefaultTaskStorage(Path dir, DataSize quota) {
		this.dir = dir;
		this.quota = quota;
	}

	@Override
	public Path dir() {
		if (!this.created) {
			synchronized (this) {
				if (!this.created) {
					try {
						Files.createDirectories(this.dir);
					}
					catch (IOException ex) {
						throw new UncheckedIOException("Cannot create task storage " + this.dir, ex);
					}
					this.created = true;
				}
			}
		}
		return this.dir;
	}

	boolean isCreated() {
		return this.created;
	}

	@Override
	public DataSize quota() {
		return this.quota;
	}

	@Override
	public long usedBytes() {
		if (!this.created) {
			return 0;
		}
		AtomicLong total = new AtomicLong();
		try (Stream<Path> files = Files.walk(this.dir)) {
			files.forEach((path) -> {
				try {
					if (Files.isRegularFile(path)) {
						total.addAndGet(Files.size(path));
					}
				}
				catch (NoSuchFileException ex) {
					// deleted while walking
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
		catch (NoSuchFileException ex) {
			return 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return total.get();
	}

	@Override
	public Path resolve(String name) {
		Path relative = Path.of(name);
		if (name.isEmpty() || relative.isAbsolute()) {
			throw new IllegalArgumentException("Task storage names must be relative paths: '" + name + "'");
		}
		Path resolved = this.dir.resolve(relative).normalize();
		if (!resolved.startsWith(this.dir) || resolved.equals(this.dir)) {
			throw new IllegalArgumentException("Task storage name '" + name + "' escapes the task's directory");
		}
		if (this.created) {
			requireInside(resolved, name);
		}
		return resolved;
	}

	/**
	 * Refuses a name that leaves the directory through a symbolic link in it (one an extracted archive
	 * brought, say): the deepest part of the path that exists must really be inside the directory.
	 */
	private void requireInside(Path resolved, String name) {
		Path existing = resolved;
		while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
			existing = existing.getParent();
		}
		if (existing == null) {
			return;
		}
		try {
			Path real = Files.isSymbolicLink(existing) ? existing.getParent().toRealPath().resolve(existing.getFileName())
					: existing.toRealPath();
			if (Files.isSymbolicLink(existing) || !real.startsWith(this.dir.toRealPath())) {
				throw new IllegalArgumentException("Task storage name '" + name + "' leaves the task's directory "
						+ "through a symbolic link");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot check task storage name '" + name + "'", ex);
		}
	}

	@Override
	public OutputStream newOutputStream(String name) throws IOException {
		Path file = resolve(name);
		dir();
		requireInside(file, name);
		Files.createDirectories(file.getParent());
		// the file itself must not be a link either: opened without following one, and truncated first
		OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
		this.used.set(usedBytes());
		return new QuotaOutputStream(out, name);
	}

	@Override
	public Path write(String name, InputStream content) throws IOException {
		try (OutputStream out = newOutputStream(name)) {
			content.transferTo(out);
		}
		return resolve(name);
	}

	void delete() {
		if (this.created) {
			try {
				FileSystemUtils.deleteRecursively(this.dir);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private final class QuotaOutputStream extends FilterOutputStream {

		private final String name;

		QuotaOutputStream(OutputStream out, String name) {
			super(out);
			this.name = name;
		}

		@Override
		public void write(int b) throws IOException {
			reserve(1);
			this.out.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			reserve(len);
			this.out.write(b, off, len);
		}

		private void reserve(int len) throws StorageQuotaExceededException {
			long quota = DefaultTaskStorage.this.quota.toBytes();
			if (DefaultTaskStorage.this.used.addAndGet(len) > quota) {
				DefaultTaskStorage.this.used.addAndGet(-len);
				throw new StorageQuotaExceededException("Writing '" + this.name
						+ "' would exceed the task storage quota of " + DataSizes.text(quota)
						+ " (edge-runtime.storage.quota)", quota);
			}
		}

	}

}
