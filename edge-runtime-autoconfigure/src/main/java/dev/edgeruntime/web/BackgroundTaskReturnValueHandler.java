package dev.edgeruntime.web;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.util.FastByteArrayOutputStream;
import org.springframework.util.ReflectionUtils;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Writes {@code 202 Accepted} for a {@code @BackgroundTask} controller method, whatever its declared
 * return type: a {@code Location} header to the task status resource and a {@link TaskAccepted} body,
 * through the adapter's own {@code ResponseEntity} handling (message converters, content negotiation,
 * {@code ResponseBodyAdvice}). Without a status resource ({@code edge-runtime.tasks.enabled=false}) there
 * is no {@code Location}, and the body's {@code statusUrl} is {@code null}.
 * <p>
 * The body is written to memory first and then to the response with its {@code Content-Length}, so that
 * the response is complete as soon as it is flushed: the message converters would otherwise flush the
 * response before its length is known, which makes the container send it in chunks and finish it only
 * when the request ends.
 * <p>
 * Once the converters have been seen to write a body that {@link AcceptedBodyShortcut} writes alike, for a
 * kind of request it can serve, the shortcut writes the bodies of that kind without them.
 *
 * @author edge-runtime developers
 */
final class BackgroundTaskReturnValueHandler implements HandlerMethodReturnValueHandler {

	/** The return type of the 202 response, {@code ResponseEntity<TaskAccepted>}. */
	static final MethodParameter ACCEPTED_RETURN_TYPE;

	private static final Log logger = LogFactory.getLog(BackgroundTaskReturnValueHandler.class);

	static {
		Method method = ReflectionUtils.findMethod(BackgroundTaskReturnValueHandler.class, "acceptedReturnType");
		ACCEPTED_RETURN_TYPE = new MethodParameter(method, -1);
	}

	private final HandlerMethodReturnValueHandler entityHandler;

	private final @Nullable StatusLocations locations;

	private final AcceptedBodyShortcut shortcut;

	BackgroundTaskReturnValueHandler(HandlerMethodReturnValueHandler entityHandler, @Nullable String basePath,
			AcceptedBodyShortcut shortcut) {
		this.entityHandler = entityHandler;
		this.locations = (basePath != null) ? new StatusLocations(basePath) : null;
		this.shortcut = shortcut;
	}

	/** The shortcut for 202 bodies, for tests. */
	AcceptedBodyShortcut shortcut() {
		return this.shortcut;
	}

	@Override
	public boolean supportsReturnType(MethodParameter returnType) {
		return returnType.hasMethodAnnotation(BackgroundTask.class);
	}

	@Override
	public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
			ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
		if (Boolean.TRUE.equals(webRequest.getAttribute(BackgroundTaskInterceptor.HEAD_ONLY_ATTRIBUTE,
				RequestAttributes.SCOPE_REQUEST))) {
			// a HEAD request, which started no task: the status of a GET, without the Location of a task that
			// does not exist
			HttpServletResponse response = webRequest.getNativeResponse(HttpServletResponse.class);
			if (response != null) {
				response.setStatus(HttpServletResponse.SC_ACCEPTED);
			}
			mavContainer.setRequestHandled(true);
			return;
		}
		Object accepted = webRequest.getAttribute(BackgroundTaskInterceptor.ACCEPTED_TASK_ATTRIBUTE,
				RequestAttributes.SCOPE_REQUEST);
		if (!(accepted instanceof TaskHandle<?> task)) {
			throw new IllegalStateException("@BackgroundTask handler method " + returnType.getMethod()
					+ " returned without starting a background task; is its bean proxied?");
		}
		HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
		HttpServletResponse response = webRequest.getNativeResponse(HttpServletResponse.class);
		if (request == null || response == null) {
			throw new IllegalStateException("@BackgroundTask handler method " + returnType.getMethod()
					+ " needs a servlet request to answer 202 Accepted");
		}
		Withdrawal withdrawal = null;
		if (Boolean.TRUE.equals(webRequest.getAttribute(BackgroundTaskInterceptor.ACCEPTED_DURABLE_ATTRIBUTE,
				RequestAttributes.SCOPE_REQUEST))) {
			// the durable task is in its queue already; if the request fails from here on, the client gets no
			// task id and would send it again
			withdrawal = new Withdrawal(task);
			if (request.getAttribute(RequestTasks.ATTRIBUTE) instanceof RequestTasks tasks) {
				tasks.onFailure(withdrawal);
			}
		}
		String id = task.id().toString();
		TaskState state = task.state();
		StatusLocations locations = this.locations;
		String location = (locations != null) ? locations.ascii(request, id) : null;
		AcceptedBodyShortcut.Accept accept = (location != null) ? this.shortcut.accept(request) : null;
		byte[] own = (accept != null) ? AcceptedBodyShortcut.render(id, task.name(), state, location) : null;
		if (own != null && this.shortcut.isVerified(accept)) {
			this.shortcut.write(accept, response, location, own);
			mavContainer.setRequestHandled(true);
			return;
		}
		URI statusUrl = (location != null) ? URI.create(location)
				: (locations != null) ? locations.build(request, id) : null;
		ResponseEntity.BodyBuilder builder = ResponseEntity.accepted();
		if (statusUrl != null) {
			builder.location(statusUrl);
		}
		ResponseEntity<TaskAccepted> entity = builder.body(new TaskAccepted(task.id(), task.name(), state, statusUrl));
		BufferedBodyResponse buffered = new BufferedBodyResponse(response);
		try {
			this.entityHandler.handleReturnValue(entity, ACCEPTED_RETURN_TYPE, mavContainer,
					new ServletWebRequest(request, buffered));
		}
		catch (Exception ex) {
			// The response becomes an error (406 when no converter can write the body for the request's Accept
			// header), and the failed request's task is dropped: its Location would point at no work. A durable
			// task is in its queue already: it is cancelled there unless a consumer has taken it.
			response.setHeader(HttpHeaders.LOCATION, null);
			if (withdrawal != null) {
				withdrawal.withdraw("its request failed before the 202 Accepted was written ("
						+ ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")");
			}
			throw ex;
		}
		buffered.writeBody();
		if (own != null && this.shortcut.isUnknown(accept)) {
			this.shortcut.compare(accept, response.getStatus(), buffered.headerNames, response.getContentType(),
					buffered.body.toByteArray(), own);
		}
	}

	/**
	 * Cancels a durable task whose 202 did not reach the client: the client sees a failure and no task id,
	 * and would send the request again. Called with the reason: when the 202 cannot be written, or by
	 * {@link BackgroundTaskRequestFilter} when the request fails afterwards (a later interceptor or filter
	 * throws, a 5xx) as it drops the request's in-process tasks. Once only.
	 */
	private static final class Withdrawal implements Consumer<String> {

		private final TaskHandle<?> task;

		private final AtomicBoolean done = new AtomicBoolean();

		Withdrawal(TaskHandle<?> task) {
			this.task = task;
		}

		/** The request failed after the 202 was written, as {@link RequestTasks#dropAll} tells. */
		@Override
		public void accept(String why) {
			withdraw("its request failed after the 202 Accepted was written: " + why);
		}

		void withdraw(String reason) {
			if (!this.done.compareAndSet(false, true)) {
				return;
			}
			String description = "Durable task " + this.task.id() + " (" + this.task.name() + ")";
			try {
				if (this.task.cancel()) {
					logger.info(description + " was cancelled: " + reason);
				}
				else {
					logger.warn(description + " could not be cancelled although " + reason + ": a consumer had "
							+ "already taken it, or it had ended");
				}
			}
			catch (RuntimeException ex) {
				logger.warn(description + " could not be cancelled although " + reason + ": " + ex.getMessage());
			}
		}

	}

	/**
	 * Describes the response to the message converters, in place of the controller method's own
	 * return type.
	 * @return nothing; only the declaration is used
	 */
	@SuppressWarnings("unused")
	private static @Nullable ResponseEntity<TaskAccepted> acceptedReturnType() {
		return null;
	}

	/**
	 * A response whose status and headers go to the response it wraps, and whose body is kept in memory,
	 * with flushes ignored, until {@link #writeBody()} writes it with its length.
	 */
	private static final class BufferedBodyResponse extends HttpServletResponseWrapper {

		private final Body body = new Body();

		/** The names of the headers set through this response (Spring MVC writes them all as strings). */
		private final List<String> headerNames = new ArrayList<>(4);

		private @Nullable PrintWriter writer;

		BufferedBodyResponse(HttpServletResponse response) {
			super(response);
		}

		@Override
		public ServletOutputStream getOutputStream() {
			return this.body;
		}

		@Override
		public PrintWriter getWriter() throws IOException {
			if (this.writer == null) {
				this.writer = new PrintWriter(new OutputStreamWriter(this.body, getCharacterEncoding()));
			}
			return this.writer;
		}

		@Override
		public void setHeader(String name, @Nullable String value) {
			this.headerNames.add(name);
			super.setHeader(name, value);
		}

		@Override
		public void addHeader(String name, @Nullable String value) {
			this.headerNames.add(name);
			super.addHeader(name, value);
		}

		@Override
		public void flushBuffer() {
			// the body goes out with its length in writeBody()
		}

		@Override
		public void resetBuffer() {
			super.resetBuffer();
			this.body.reset();
		}

		@Override
		public void reset() {
			super.reset();
			this.body.reset();
		}

		/**
		 * Writes the body kept so far to the wrapped response, preceded by its {@code Content-Length}.
		 * @throws IOException if the body cannot be written
		 */
		void writeBody() throws IOException {
			if (this.writer != null) {
				this.writer.flush();
			}
			HttpServletResponse response = (HttpServletResponse) getResponse();
			response.setContentLength(this.body.size());
			this.body.writeTo(response.getOutputStream());
		}

	}

	/**
	 * The body in memory, as a servlet output stream.
	 */
	private static final class Body extends ServletOutputStream {

		private final FastByteArrayOutputStream bytes = new FastByteArrayOutputStream(512);

		@Override
		public void write(int b) throws IOException {
			this.bytes.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.bytes.write(b, off, len);
		}

		@Override
		public boolean isReady() {
			return true;
		}

		@Override
		public void setWriteListener(WriteListener writeListener) {
			throw new UnsupportedOperationException("The 202 Accepted body is written to memory, not asynchronously");
		}

		int size() {
			return this.bytes.size();
		}

		byte[] toByteArray() {
			return this.bytes.toByteArrayUnsafe();
		}

		void reset() {
			this.bytes.reset();
		}

		void writeTo(ServletOutputStream out) throws IOException {
			this.bytes.writeTo(out);
		}

	}

}
