package dev.edgeruntime.web;

import java.io.IOException;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Starts the background tasks that a request detached once its response is committed: after the filter
 * chain returns (or an asynchronous request completes), the response is flushed to the client and the
 * tasks start in the order they were called. When the handler failed, with an exception (even one an
 * exception handler turned into a response) or a {@code 5xx} status, the tasks are dropped instead,
 * unless configured to run anyway.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskRequestFilter extends OncePerRequestFilter {

	private static final Log logger = LogFactory.getLog(BackgroundTaskRequestFilter.class);

	private final boolean dropOnFailure;

	/**
	 * Creates a new instance.
	 * @param dropOnFailure whether to drop the tasks of a request whose handler failed
	 */
	public BackgroundTaskRequestFilter(boolean dropOnFailure) {
		this.dropOnFailure = dropOnFailure;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		RequestTasks tasks = new RequestTasks();
		request.setAttribute(RequestTasks.ATTRIBUTE, tasks);
		try {
			chain.doFilter(request, response);
		}
		catch (ServletException | IOException | RuntimeException | Error ex) {
			completed(request, response, tasks, "the request failed with " + describe(ex));
			throw ex;
		}
		if (request.isAsyncStarted()) {
			// A handler that returned a task's future (or chained its result to one) made the request wait for
			// that task: it starts now, not when the request completes, which would be never.
			tasks.startAwaited();
			request.getAsyncContext().addListener(new CompletionListener(request, response, tasks));
			return;
		}
		completed(request, response, tasks, null);
	}

	private void completed(HttpServletRequest request, HttpServletResponse response, RequestTasks tasks,
			@Nullable String failure) {
		String why = (failure != null) ? failure : failureOf(request, response);
		if (why != null && this.dropOnFailure) {
			tasks.dropAll(why);
			return;
		}
		if (why == null && tasks.isPending() && response.getStatus() < 400) {
			// commit the response before the tasks start; not for errors, whose page the container may still render
			try {
				response.flushBuffer();
			}
			catch (IOException | IllegalStateException ex) {
				// the client went away; the handler succeeded all the same
				logger.debug("Could not flush the response before starting background tasks", ex);
			}
		}
		tasks.startAll();
	}

	private static @Nullable String failureOf(HttpServletRequest request, HttpServletResponse response) {
		Object error = request.getAttribute(DispatcherServlet.EXCEPTION_ATTRIBUTE);
		if (error == null) {
			error = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
		}
		if (error instanceof Throwable ex) {
			return "the handler threw " + describe(ex);
		}
		if (response.getStatus() >= 500) {
			return "the response status is " + response.getStatus();
		}
		return null;
	}

	private static String describe(Throwable ex) {
		return ex.getClass().getName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
	}

	/**
	 * Starts or drops the tasks of an asynchronous request when it completes.
	 */
	private final class CompletionListener implements AsyncListener {

		private final HttpServletRequest request;

		private final HttpServletResponse response;

		private final RequestTasks tasks;

		CompletionListener(HttpServletRequest request, HttpServletResponse response, RequestTasks tasks) {
			this.request = request;
			this.response = response;
			this.tasks = tasks;
		}

		@Override
		public void onComplete(AsyncEvent event) {
			completed(this.request, this.response, this.tasks, null);
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			completed(this.request, this.response, this.tasks, "the asynchronous request timed out");
		}

		@Override
		public void onError(AsyncEvent event) {
			Throwable ex = event.getThrowable();
			completed(this.request, this.response, this.tasks,
					"the asynchronous request failed" + ((ex != null) ? " with " + describe(ex) : ""));
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			event.getAsyncContext().addListener(this);
		}

	}

}
