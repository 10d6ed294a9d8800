package dev.edgeruntime.runtime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
		return resolved;
	}

	@Override
	public OutputStream newOutputStream(String name) throws IOException {
		Path file = resolve(name);
		dir();
		Files.createDirectories(file.getParent());
		long available = this.quota.toBytes() - usedBytes();
		return new QuotaOutputStream(Files.newOutputStream(file), available, name, this.quota);
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

	private static final class QuotaOutputStream extends FilterOutputStream {

		private final String name;

		private final DataSize quota;

		private long available;

		QuotaOutputStream(OutputStream out, long available, String name, DataSize quota) {
			super(out);
			this.available = available;
			this.name = name;
			this.quota = quota;
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
			if (len > this.available) {
				throw new StorageQuotaExceededException("Writing '" + this.name
						+ "' would exceed the task storage quota of "
						+ DataSizes.text(this.quota.toBytes()) + " (edge-runtime.storage.quota)",
						this.quota.toBytes());
			}
			this.available -= len;
		}

	}

}
