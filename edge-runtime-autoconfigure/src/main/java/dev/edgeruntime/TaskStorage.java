package dev.edgeruntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

import org.springframework.util.unit.DataSize;

/**
 * A task's ephemeral storage, the counterpart of {@code /tmp} in an Edge Function: a private directory
 * that is deleted when the task ends. Files written through {@link #newOutputStream(String)} and
 * {@link #write(String, InputStream)} are checked against the quota as they are written; files written
 * directly under {@link #dir()} are checked by the runtime's watchdog, which fails the task when the
 * directory grows past the quota.
 *
 * @author edge-runtime developers
 */
public interface TaskStorage {

	/**
	 * The task's directory, created on first use.
	 * @return the directory
	 */
	Path dir();

	/**
	 * The quota of this storage.
	 * @return the quota
	 */
	DataSize quota();

	/**
	 * The bytes stored now.
	 * @return the size of all files under {@link #dir()}
	 */
	long usedBytes();

	/**
	 * Resolves a relative name inside the directory, refusing names that would leave it.
	 * @param name a relative path such as {@code parts/1.bin}
	 * @return the path
	 * @throws IllegalArgumentException if the name is absolute or escapes the directory
	 */
	Path resolve(String name);

	/**
	 * Opens a new file for writing; a write that would exceed the quota fails with a
	 * {@link StorageQuotaExceededException}.
	 * @param name a relative path
	 * @return the stream
	 * @throws IOException if the file cannot be created
	 */
	OutputStream newOutputStream(String name) throws IOException;

	/**
	 * Copies a stream into a new file, within the quota.
	 * @param name a relative path
	 * @param content the content, read to its end but not closed
	 * @return the file written
	 * @throws IOException if reading or writing fails or the quota is exceeded
	 */
	Path write(String name, InputStream content) throws IOException;

}
