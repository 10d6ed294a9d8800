package dev.edgeruntime.demo;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's embedded PostgreSQL, kept in a folder of its own from one run to the next, so that what is in its
 * queues when the demo stops (or is killed) is still there when it starts again, as a real database's would be.
 * <p>
 * One demo at a time uses the folder: it holds a lock on a file beside it ({@code <folder>.lock}) while it runs. A demo killed with
 * {@code kill -9} cannot stop its server; the next one to start finds that server still running on the folder
 * (its process id in {@code postmaster.pid}) and stops it first.
 *
 * @author edge-runtime developers
 */
final class EmbeddedDemoDatabase implements Closeable {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedDemoDatabase.class);

	private static final String LOCK_SUFFIX = ".lock";

	private final FileChannel lock;

	private final EmbeddedPostgres postgres;

	private EmbeddedDemoDatabase(FileChannel lock, EmbeddedPostgres postgres) {
		this.lock = lock;
		this.postgres = postgres;
	}

	/**
	 * Starts the server on its folder, creating the database when the folder is new.
	 * @param dataDir the folder
	 * @return the running database
	 * @throws IOException if the folder cannot be used or the server does not start
	 * @throws IllegalStateException if another demo uses the folder
	 */
	static EmbeddedDemoDatabase start(Path dataDir) throws IOException {
		Path folder = dataDir.toAbsolutePath().normalize();
		Files.createDirectories(folder.getParent());
		// beside the folder, not in it: initdb wants an empty folder the first time
		FileChannel lock = FileChannel.open(folder.resolveSibling(folder.getFileName() + LOCK_SUFFIX),
				StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		try {
			FileLock held;
			try {
				held = lock.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				held = null; // this JVM runs the other demo
			}
			if (held == null) {
				throw new IllegalStateException("Another demo uses the embedded database in " + dataDir
						+ ": stop it, or give this one a folder of its own with "
						+ "--demo.embedded-postgres.data-dir=<folder>");
			}
			stopLeftOverServer(folder);
			// Spring stops the server after the background tasks have drained, not a JVM shutdown hook of its own.
			EmbeddedPostgres postgres = EmbeddedPostgres.builder()
				.setDataDirectory(folder)
				.setCleanDataDirectory(false)
				.setRegisterShutdownHook(false)
				.start();
			return new EmbeddedDemoDatabase(lock, postgres);
		}
		catch (IOException | RuntimeException ex) {
			lock.close();
			throw ex;
		}
	}

	/**
	 * Stops a server a killed demo left running on the folder: with the folder's lock held, no other demo
	 * runs it.
	 */
	private static void stopLeftOverServer(Path dataDir) throws IOException {
		Path pidFile = dataDir.resolve("postmaster.pid");
		if (!Files.isRegularFile(pidFile)) {
			return;
		}
		List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
		Optional<ProcessHandle> server = lines.isEmpty() ? Optional.empty() : parse(lines.get(0).trim())
			.flatMap(ProcessHandle::of)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> isServerOf(process, dataDir));
		if (server.isEmpty()) {
			return;
		}
		ProcessHandle process = server.get();
		logger.warn("The embedded PostgreSQL of a demo that did not stop cleanly (killed?) still runs on {} as "
				+ "process {}: stopping it before starting this one", dataDir, process.pid());
		// SIGINT is PostgreSQL's fast shutdown: it does not wait for clients (SIGTERM would)
		try {
			new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
		}
		catch (IOException ex) {
			process.destroy();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			process.onExit().get(20, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			process.destroyForcibly();
			try {
				// bounded: a process this user may not signal (another user's) never exits on our account
				process.onExit().get(10, TimeUnit.SECONDS);
			}
			catch (Exception notStopped) {
				if (notStopped instanceof InterruptedException) {
					Thread.currentThread().interrupt();
				}
				throw new IllegalStateException("Could not stop PostgreSQL process " + process.pid()
						+ " left by an earlier demo in its folder; stop it, or choose another "
						+ "demo.embedded-postgres.data-dir", notStopped);
			}
		}
	}

	/** Whether a process is a PostgreSQL server of this folder, not another that reused the process id. */
	private static boolean isServerOf(ProcessHandle process, Path dataDir) {
		ProcessHandle.Info info = process.info();
		boolean postgres = info.command().map((command) -> command.endsWith("postgres")).orElse(false);
		return postgres && info.arguments()
			.map((arguments) -> Arrays.stream(arguments).anyMatch((argument) -> argument.contains(dataDir.toString())))
			// arguments this user cannot read are another user's process: not ours to stop
			.orElse(false);
	}

	private static Optional<Long> parse(String pid) {
		try {
			return Optional.of(Long.parseLong(pid));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	EmbeddedPostgres postgres() {
		return this.postgres;
	}

	@Override
	public void close() throws IOException {
		try {
			this.postgres.close();
		}
		finally {
			this.lock.close();
		}
	}

}
