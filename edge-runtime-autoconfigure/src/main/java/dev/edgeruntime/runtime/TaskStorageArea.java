package dev.edgeruntime.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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

	/** An instance directory being made and locked, not yet named: no sweep looks at it. */
	private static final String STARTING = ".starting-";

	/** A leftover a sweep has claimed and deletes. */
	private static final String SWEEPING = ".sweeping-";

	/**
	 * The instance directories of the areas open in this JVM, by their real paths (a root reached through
	 * another path is the same root). Their locks are not probed: closing a second channel to a file would let
	 * go of the lock this JVM holds on it.
	 */
	private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

	private final Path root;

	private final DataSize quota;

	private final Path instanceDir;

	private @Nullable FileChannel lock;

	private @Nullable Path realInstanceDir;

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
			// known here before its lock exists: no sweep of this JVM may probe that lock, even the first moment
			Path real = this.root.toRealPath().resolve(this.instanceDir.getFileName());
			OPEN_HERE.add(real);
			try {
				this.lock = create(this.instanceDir);
			}
			catch (IOException ex) {
				OPEN_HERE.remove(real);
				throw ex;
			}
			this.realInstanceDir = real;
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

	/**
	 * Creates an instance directory, locked as this process's. It is made and locked under a name no sweep
	 * looks at, then renamed (a lock stays with its file): another instance's sweep never finds it without
	 * its lock, and never judges it by a process id that may belong to another container.
	 * @return the locked channel, or {@code null} when the file system has no locks (the directory is then
	 * judged by its process id)
	 */
	private static @Nullable FileChannel create(Path instanceDir) throws IOException {
		Path starting = instanceDir.resolveSibling(STARTING + UUID.randomUUID());
		Files.createDirectory(starting);
		FileChannel channel = null;
		try {
			channel = FileChannel.open(starting.resolve(LOCK_FILE), StandardOpenOption.CREATE_NEW,
					StandardOpenOption.WRITE);
			if (channel.tryLock() == null) {
				throw new IOException("Another process locked " + starting);
			}
		}
		catch (IOException ex) {
			if (channel != null) {
				channel.close();
				channel = null;
			}
			Files.deleteIfExists(starting.resolve(LOCK_FILE));
			logger.debug("Task storage " + instanceDir + " is not locked (" + ex.getMessage()
					+ "): other instances sharing the root judge it by its process id");
		}
		try {
			Files.move(starting, instanceDir, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			if (channel != null) {
				channel.close();
			}
			FileSystemUtils.deleteRecursively(starting);
			throw ex;
		}
		return channel;
	}

	/** Deletes the leftovers; one that cannot be deleted is logged and left, never failing the start. */
	private int sweep() throws IOException {
		int swept = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.root, (entry) -> {
			String name = entry.getFileName().toString();
			return name.startsWith(PREFIX) || name.startsWith(SWEEPING);
		})) {
			for (Path entry : entries) {
				try {
					if (sweep(entry)) {
						swept++;
					}
				}
				catch (IOException ex) {
					logger.warn("Could not delete task storage " + entry + " left by a process that no longer runs: "
							+ ex);
				}
			}
		}
		return swept;
	}

	/**
	 * Deletes one entry of the root if it is a leftover: claimed first by renaming it, so that two instances
	 * starting at once do not delete it together, nor one a directory its owner is deleting itself.
	 */
	private boolean sweep(Path entry) throws IOException {
		if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
			return false;
		}
		boolean claimed = entry.getFileName().toString().startsWith(SWEEPING);
		if (!claimed) {
			try {
				if (OPEN_HERE.contains(entry.toRealPath()) || !isLeftOver(entry)) {
					return false;
				}
			}
			catch (NoSuchFileException ex) {
				return false; // gone meanwhile
			}
			Path claim = entry.resolveSibling(SWEEPING + UUID.randomUUID());
			try {
				Files.move(entry, claim, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (NoSuchFileException ex) {
				return false; // another instance claimed it, or its owner deleted it
			}
			entry = claim;
		}
		try {
			FileSystemUtils.deleteRecursively(entry);
		}
		catch (NoSuchFileException ex) {
			// a claim another sweep is deleting too (its instance died while deleting it)
		}
		return !claimed;
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
			// deleted while still locked: no other instance's sweep takes it meanwhile
			FileSystemUtils.deleteRecursively(this.instanceDir);
		}
		catch (IOException ex) {
			logger.warn("Could not delete task storage " + this.instanceDir + ": " + ex.getMessage());
		}
		finally {
			FileChannel lock = this.lock;
			this.lock = null;
			if (lock != null) {
				try {
					lock.close();
				}
				catch (IOException ex) {
					logger.debug("Could not release the lock of task storage " + this.instanceDir, ex);
				}
			}
			Path realDir = this.realInstanceDir;
			if (realDir != null) {
				OPEN_HERE.remove(realDir);
			}
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
