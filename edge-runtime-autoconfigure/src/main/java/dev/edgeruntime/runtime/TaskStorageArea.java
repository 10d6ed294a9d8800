package dev.edgeruntime.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

/**
 * The root of every task's ephemeral storage. Each running application owns one directory under the
 * root, named after its process id, and holds a lock on a file in it ({@value #LOCK_FILE}) while it runs;
 * at start, directories left by processes that no longer run (a crash, a {@code kill -9}) are deleted.
 * <p>
 * Whether a directory's owner still runs is told by its lock, which the operating system lets go of when
 * the process ends, however it ends. The process id in the name alone cannot tell: in a container the
 * application is often process 1 after every restart, and processes in other containers sharing the root
 * have ids that mean nothing here. Only a directory without a lock file (or on a file system without
 * locks) is judged by its process id.
 *
 * @author edge-runtime developers
 */
public final class TaskStorageArea {

	private static final Log logger = LogFactory.getLog(TaskStorageArea.class);

	private static final String PREFIX = "instance-";

	/** The file in an instance's directory whose lock its process holds while it runs. */
	static final String LOCK_FILE = ".lock";

	/**
	 * The instance directories of the areas open in this JVM. Their locks are not probed: closing a second
	 * channel to a file would let go of the lock this JVM holds on it.
	 */
	private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

	private final Path root;

	private final DataSize quota;

	private final Path instanceDir;

	private @Nullable FileChannel lock;

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
	 * Creates the root and this instance's directory, locks it as this process's, and sweeps leftovers of
	 * processes that no longer run.
	 * @return the number of leftover directories deleted
	 */
	public int open() {
		try {
			Files.createDirectories(this.root);
			int swept = sweep();
			OPEN_HERE.add(this.instanceDir);
			Files.createDirectories(this.instanceDir);
			this.lock = lock(this.instanceDir);
			if (swept > 0) {
				logger.info("Deleted " + swept + " task storage director" + ((swept == 1) ? "y" : "ies")
						+ " left under " + this.root + " by processes that no longer run");
			}
			return swept;
		}
		catch (IOException ex) {
			OPEN_HERE.remove(this.instanceDir);
			throw new UncheckedIOException("Cannot create task storage under " + this.root
					+ " (edge-runtime.storage.root): " + ex.getMessage(), ex);
		}
	}

	/**
	 * Locks a new instance directory as this process's. The lock file gets its name only once locked, so
	 * that another instance's sweep never finds it unlocked while this one runs.
	 * @return the locked channel, or {@code null} when the file system has no locks (the directory is then
	 * judged by its process id)
	 */
	private static @Nullable FileChannel lock(Path instanceDir) throws IOException {
		Path pending = instanceDir.resolve(LOCK_FILE + "-" + UUID.randomUUID());
		FileChannel channel = FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		try {
			if (channel.tryLock() == null) {
				throw new IOException("Another process locked " + pending);
			}
			Files.move(pending, instanceDir.resolve(LOCK_FILE), StandardCopyOption.ATOMIC_MOVE);
			return channel;
		}
		catch (IOException ex) {
			channel.close();
			Files.deleteIfExists(pending);
			logger.debug("Task storage " + instanceDir + " is not locked (" + ex.getMessage()
					+ "): other instances sharing the root judge it by its process id");
			return null;
		}
	}

	private int sweep() throws IOException {
		int swept = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.root, PREFIX + "*")) {
			for (Path entry : entries) {
				if (Files.isDirectory(entry) && !OPEN_HERE.contains(entry) && isLeftOver(entry)) {
					FileSystemUtils.deleteRecursively(entry);
					swept++;
				}
			}
		}
		return swept;
	}

	private static boolean isLeftOver(Path directory) {
		Boolean locked = isLocked(directory.resolve(LOCK_FILE));
		if (locked != null) {
			return !locked;
		}
		Long pid = pidOf(directory.getFileName().toString());
		return pid != null && !isAlive(pid);
	}

	/**
	 * Whether a process holds the lock of an instance directory.
	 * @return whether it is held, or {@code null} when the directory has no lock file or its lock cannot be
	 * tried
	 */
	private static @Nullable Boolean isLocked(Path lockFile) {
		if (!Files.isRegularFile(lockFile)) {
			return null;
		}
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
			FileLock lock = channel.tryLock();
			if (lock == null) {
				return true;
			}
			lock.release();
			return false;
		}
		catch (OverlappingFileLockException ex) {
			return true;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static @Nullable Long pidOf(String name) {
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
			FileChannel lock = this.lock;
			if (lock != null) {
				this.lock = null;
				lock.close();
			}
			FileSystemUtils.deleteRecursively(this.instanceDir);
		}
		catch (IOException ex) {
			logger.warn("Could not delete task storage " + this.instanceDir + ": " + ex.getMessage());
		}
		finally {
			OPEN_HERE.remove(this.instanceDir);
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
