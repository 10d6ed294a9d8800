package dev.edgeruntime.web;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.edgeruntime.StorageQuotaExceededException;
import dev.edgeruntime.TaskStorage;
import dev.edgeruntime.runtime.DataSizes;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.util.ClassUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.multipart.MultipartFile;

/**
 * Copies the arguments that die with the HTTP request into a task's storage: the servlet container
 * deletes uploaded files and closes the request body when the request ends, before a detached task runs.
 * Uploaded files are copied alone, in arrays and lists, in an {@code Optional}, and as the values of a
 * {@code Map} or {@code MultiValueMap} (what {@code @RequestParam Map<String, MultipartFile>} binds); the
 * request body as an {@code InputStream}, an {@code InputStreamResource} or a {@code Reader}.
 * The task gets equivalent arguments that read the copies.
 *
 * @author edge-runtime developers
 */
final class RequestBoundArguments {

	private static final boolean MULTIPART_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.multipart.MultipartFile", RequestBoundArguments.class.getClassLoader());

	private RequestBoundArguments() {
	}

	/**
	 * Whether any argument must be copied.
	 * @param arguments the arguments
	 * @return {@code true} if {@link #copy} would copy something
	 */
	static boolean any(@Nullable Object[] arguments) {
		for (Object argument : arguments) {
			if (isRequestBound(argument)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isRequestBound(@Nullable Object argument) {
		return argument instanceof InputStream || argument instanceof Reader || argument instanceof InputStreamResource
				|| (MULTIPART_PRESENT && Multipart.is(argument));
	}

	/**
	 * Copies the request-bound arguments into the storage.
	 * @param arguments the arguments
	 * @param storage the task's storage
	 * @return the arguments the task gets
	 * @throws IOException if a copy fails or exceeds the storage quota
	 */
	static @Nullable Object[] copy(@Nullable Object[] arguments, TaskStorage storage) throws IOException {
		@Nullable Object[] copied = arguments.clone();
		for (int i = 0; i < arguments.length; i++) {
			Object argument = arguments[i];
			String name = "arguments/" + i;
			if (argument instanceof InputStream stream) {
				copied[i] = new LazyFileInputStream(write(storage, name, stream, "The request body"));
			}
			else if (argument instanceof Reader reader) {
				// a BufferedReader, as the request's own reader is, so that it fits either declaration
				Path copy = writeText(storage, name, reader, "The request body");
				copied[i] = new BufferedReader(new LazyFileReader(copy));
			}
			else if (argument instanceof InputStreamResource resource) {
				try (InputStream stream = resource.getInputStream()) {
					copied[i] = new CopiedInputStreamResource(write(storage, name, stream, "The request body"));
				}
			}
			else if (MULTIPART_PRESENT && Multipart.is(argument)) {
				copied[i] = Multipart.copy(argument, name, storage);
			}
		}
		return copied;
	}

	/**
	 * Writes one copy, and says which argument did not fit when the quota is exceeded: the storage's own
	 * message names the copy's internal file.
	 */
	static Path write(TaskStorage storage, String name, InputStream stream, String what) throws IOException {
		try {
			return storage.write(name, stream);
		}
		catch (StorageQuotaExceededException ex) {
			throw named(ex, what);
		}
	}

	/**
	 * Writes the copy of a text read through a {@link Reader}, in UTF-8: the characters are what the task
	 * reads back, whatever the request's own encoding was.
	 */
	private static Path writeText(TaskStorage storage, String name, Reader reader, String what) throws IOException {
		try (Writer out = new OutputStreamWriter(storage.newOutputStream(name), StandardCharsets.UTF_8)) {
			reader.transferTo(out);
		}
		catch (StorageQuotaExceededException ex) {
			throw named(ex, what);
		}
		return storage.resolve(name);
	}

	/** The storage's refusal, saying which argument did not fit rather than naming the copy's file. */
	private static StorageQuotaExceededException named(StorageQuotaExceededException ex, String what) {
		StorageQuotaExceededException named = new StorageQuotaExceededException(what
				+ " would take the background task's storage over its quota of " + DataSizes.text(ex.getQuotaBytes())
				+ " (edge-runtime.storage.quota)", ex.getQuotaBytes());
		named.initCause(ex);
		return named;
	}

	/**
	 * Copies multipart files; a separate class so that Spring Web is loaded only when present.
	 */
	private static final class Multipart {

		/**
		 * Whether the argument is or holds uploads, in any of the shapes Spring MVC binds them to: a file, an
		 * array or list of them, an {@code Optional} of one, a map of them by name ({@code Map} or
		 * {@code MultiValueMap}).
		 */
		static boolean is(@Nullable Object argument) {
			if (argument instanceof MultipartFile || argument instanceof MultipartFile[]) {
				return true;
			}
			if (argument instanceof Optional<?> optional) {
				return optional.orElse(null) instanceof MultipartFile;
			}
			if (argument instanceof List<?> list) {
				for (Object element : list) {
					if (element instanceof MultipartFile) {
						return true;
					}
				}
			}
			if (argument instanceof Map<?, ?> map) {
				for (Object value : map.values()) {
					if (is(value)) {
						return true;
					}
				}
			}
			return false;
		}

		@SuppressWarnings("unchecked")
		private static Map<Object, Object> multiValueMap() {
			return (Map<Object, Object>) (Map<?, ?>) new LinkedMultiValueMap<Object, Object>();
		}

		static Object copy(Object argument, String name, TaskStorage storage) throws IOException {
			if (argument instanceof Optional<?> optional) {
				return Optional.of(copyFile((MultipartFile) optional.orElseThrow(), name, storage));
			}
			if (argument instanceof Map<?, ?> map) {
				Map<Object, Object> copies = (argument instanceof MultiValueMap<?, ?>) ? multiValueMap()
						: new LinkedHashMap<>();
				int i = 0;
				for (Map.Entry<?, ?> entry : map.entrySet()) {
					Object value = entry.getValue();
					copies.put(entry.getKey(), is(value) ? copy(value, name + "/" + i, storage) : value);
					i++;
				}
				return copies;
			}
			if (argument instanceof MultipartFile[] files) {
				MultipartFile[] copies = new MultipartFile[files.length];
				for (int i = 0; i < files.length; i++) {
					copies[i] = copyFile(files[i], name + "/" + i, storage);
				}
				return copies;
			}
			if (argument instanceof List<?> list) {
				List<Object> copies = new ArrayList<>(list.size());
				int i = 0;
				for (Object element : list) {
					copies.add((element instanceof MultipartFile file) ? copyFile(file, name + "/" + i, storage) : element);
					i++;
				}
				return copies;
			}
			return copyFile((MultipartFile) argument, name, storage);
		}

		private static MultipartFile copyFile(MultipartFile file, String name, TaskStorage storage)
				throws IOException {
			String original = file.getOriginalFilename();
			String what = "The upload '" + file.getName() + "'"
					+ ((original != null && !original.isEmpty()) ? " (" + original + ")" : "");
			try (InputStream stream = file.getInputStream()) {
				return new StoredMultipartFile(file, write(storage, name, stream, what));
			}
		}

	}

	/**
	 * A copy of an uploaded file in a task's storage.
	 */
	private static final class StoredMultipartFile implements MultipartFile {

		private final String name;

		private final @Nullable String originalFilename;

		private final @Nullable String contentType;

		private final Path path;

		StoredMultipartFile(MultipartFile original, Path path) {
			this.name = original.getName();
			this.originalFilename = original.getOriginalFilename();
			this.contentType = original.getContentType();
			this.path = path;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public @Nullable String getOriginalFilename() {
			return this.originalFilename;
		}

		@Override
		public @Nullable String getContentType() {
			return this.contentType;
		}

		@Override
		public boolean isEmpty() {
			return getSize() == 0;
		}

		@Override
		public long getSize() {
			try {
				return Files.size(this.path);
			}
			catch (IOException ex) {
				return 0;
			}
		}

		@Override
		public byte[] getBytes() throws IOException {
			return Files.readAllBytes(this.path);
		}

		@Override
		public InputStream getInputStream() throws IOException {
			return Files.newInputStream(this.path);
		}

		@Override
		public Resource getResource() {
			return new FileSystemResource(this.path);
		}

		@Override
		public void transferTo(File dest) throws IOException {
			transferTo(dest.toPath());
		}

		@Override
		public void transferTo(Path dest) throws IOException {
			Files.copy(this.path, dest, StandardCopyOption.REPLACE_EXISTING);
		}

	}

	/**
	 * Reads a copied request body; the file is opened on first read, so a task that is dropped before it
	 * runs holds no open file.
	 */
	private static final class LazyFileInputStream extends InputStream {

		private final Path path;

		private @Nullable InputStream delegate;

		LazyFileInputStream(Path path) {
			this.path = path;
		}

		private InputStream delegate() throws IOException {
			InputStream delegate = this.delegate;
			if (delegate == null) {
				delegate = Files.newInputStream(this.path);
				this.delegate = delegate;
			}
			return delegate;
		}

		@Override
		public int read() throws IOException {
			return delegate().read();
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			return delegate().read(b, off, len);
		}

		@Override
		public long skip(long n) throws IOException {
			return delegate().skip(n);
		}

		@Override
		public int available() throws IOException {
			return delegate().available();
		}

		@Override
		public void close() throws IOException {
			InputStream delegate = this.delegate;
			if (delegate != null) {
				delegate.close();
			}
		}

	}

	/**
	 * Reads a copied text in UTF-8; the file is opened on first read, as {@link LazyFileInputStream} does.
	 */
	private static final class LazyFileReader extends Reader {

		private final Path path;

		private @Nullable Reader delegate;

		LazyFileReader(Path path) {
			this.path = path;
		}

		@Override
		public int read(char[] buffer, int off, int len) throws IOException {
			Reader delegate = this.delegate;
			if (delegate == null) {
				delegate = Files.newBufferedReader(this.path, StandardCharsets.UTF_8);
				this.delegate = delegate;
			}
			return delegate.read(buffer, off, len);
		}

		@Override
		public void close() throws IOException {
			Reader delegate = this.delegate;
			if (delegate != null) {
				delegate.close();
			}
		}

	}

	/**
	 * The copy of a request body declared as {@code InputStreamResource}: still an
	 * {@code InputStreamResource}, so it fits the parameter, but backed by the file in the task's storage,
	 * readable any number of times and with {@link #getFile()} for random access.
	 */
	static final class CopiedInputStreamResource extends InputStreamResource {

		private final Path path;

		CopiedInputStreamResource(Path path) {
			super(() -> Files.newInputStream(path), "copy of a request body in a background task's storage");
			this.path = path;
		}

		@Override
		public boolean isOpen() {
			return false;
		}

		@Override
		public boolean isFile() {
			return true;
		}

		@Override
		public File getFile() {
			return this.path.toFile();
		}

		@Override
		public long contentLength() throws IOException {
			return Files.size(this.path);
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return this == other;
		}

		@Override
		public int hashCode() {
			return this.path.hashCode();
		}

	}

}
