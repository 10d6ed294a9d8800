package dev.edgeruntime.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

/**
 * The root of every task's ephemeral storage. Each running application owns one directory under the
 * root, named after its process id; at start, directories left by processes that no longer run (a
 * crash, a {@code kill -9}) are deleted.
 *
 * @author edge-runtime developers
 */
public final class TaskStorageArea {

	private static final Log logger = LogFactory.getLog(TaskStorageArea.class);

	private static final String PREFIX = "instance-";

	private final Path root;

	private final DataSize quota;

	private final Path instanceDir;

	/**
	 * Creates a new area; nothing is written until {@link #open()}.
	 * @param root the root directory shared by the instances on this machine
	 * @param quota the quota of each task's storage
	 */
	public TaskStorageArea(Path root, DataSize quota) {
		this.root = root.toAbsolutePath().normalize();
		this.quota = quota;
		this.instanceDir = this.root.resolve(PREFIX + ProcessHandle.current().pid() + "-"
				+ UUID.randomUUID().toString().substring(0, 8));
	}

	/**
	 * Creates the root and this instance's directory and sweeps leftovers of dead processes.
	 * @return the number of leftover directories deleted
	 */
	public int open() {
		try {
			Files.createDirectories(this.root);
			int swept = sweep();
			Files.createDirectories(this.instanceDir);
			if (swept > 0) {
				logger.info("Deleted " + swept + " task storage director" + ((swept == 1) ? "y" : "ies")
						+ " left under " + this.root + " by processes that no longer run");
			}
			return swept;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create task storage under " + this.root
					+ " (edge-runtime.storage.root): " + ex.getMessage(), ex);
		}
	}

	private int sweep() throws IOException {
		int swept = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.root, PREFIX + "*")) {
			for (Path entry : entries) {
				Long pid = pidOf(entry.getFileName().toString());
				if (pid != null && !isAlive(pid) && Files.isDirectory(entry)) {
					FileSystemUtils.deleteRecursively(entry);
					swept++;
				}
			}
		}
		return swept;
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static @org.jspecify.annotations.Nullable Long pidOf(String name) {
		int end = name.indexOf('-', PREFIX.length());
		if (end < 0) {
			return null;
		}
		try {
			return Long.parseLong(name.substring(PREFIX.length(), end));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * Deletes this instance's directory and everything in it.
	 */
	public void close() {
		try {
			FileSystemUtils.deleteRecursively(this.instanceDir);
		}
		catch (IOException ex) {
			logger.warn("Could not delete task storage " + this.instanceDir + ": " + ex.getMessage());
		}
	}

	/**
	 * The root directory.
	 * @return the root
	 */
	public Path getRoot() {
		return this.root;
	}

	/**
	 * This instance's directory.
	 * @return the directory holding one folder per task
	 */
	public Path getInstanceDir() {
		return this.instanceDir;
	}

	/**
	 * The quota of each task's storage.
	 * @return the quota
	 */
	public DataSize getQuota() {
		return this.quota;
	}

	DefaultTaskStorage forTask(UUID id) {
		return new DefaultTaskStorage(this.instanceDir.resolve(id.toString()), this.quota);
	}

}
