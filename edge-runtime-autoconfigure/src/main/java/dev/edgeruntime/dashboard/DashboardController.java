package dev.edgeruntime.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import dev.edgeruntime.DurableTaskUnreadableException;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint;
import dev.edgeruntime.actuate.BackgroundTasksEndpoint.CancelDescriptor;
import dev.edgeruntime.actuate.TaskRequests;
import dev.edgeruntime.dashboard.DashboardAccess.CsrfHeader;
import dev.edgeruntime.dashboard.DashboardDeadLetters.DatabaseUnavailableException;
import dev.edgeruntime.queue.InvalidQueueNameException;
import dev.edgeruntime.queue.Printable;
import dev.edgeruntime.queue.QueueName;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.util.HtmlUtils;

/**
 * The dashboard page at {@code edge-runtime.dashboard.path}: the page with its script and style sheet (all
 * shipped in the jar), its event stream ({@code GET {path}/events}) and its cancel route
 * ({@code DELETE {path}/tasks/{id}}, answered like the endpoint's delete, or {@code 403 Forbidden} when the
 * {@link DashboardAccess} refuses) and its route that sends a queue's dead letters back to be run again
 * ({@code POST {path}/queues/{queue}/dead-letters/requeue}).
 *
 * @author edge-runtime developers
 */
@Controller
public final class DashboardController {

	private static final Log logger = LogFactory.getLog(DashboardController.class);

	private static final String PATH = "${edge-runtime.dashboard.path:/background-tasks-dashboard}";

	private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";

	private static final String FROM_ANOTHER_ORIGIN = "The dashboard's actions are taken from its own page only";

	// the access decides without saying why: name every rule it applies, not any user's authorities
	private static final String NOT_ALLOWED = " from the dashboard is not allowed for this request: it takes "
			+ "the backgroundtasks endpoint's access unrestricted, and then the authority named by "
			+ "edge-runtime.dashboard.cancel-authority (with Spring Security) and "
			+ "edge-runtime.dashboard.cancel-enabled=true, or the consent of the application's own "
			+ "DashboardAccess bean in their place";

	private static final String CANCEL_NOT_ALLOWED = "Cancelling tasks" + NOT_ALLOWED;

	private static final String REQUEUE_NOT_ALLOWED = "Running dead letters again" + NOT_ALLOWED;

	// Everything the page loads comes from the application itself.
	private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
			+ "style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
			+ "frame-ancestors 'none'";

	private final String page = read("index.html");

	private final byte[] script = read("dashboard.js").getBytes(StandardCharsets.UTF_8);

	private final byte[] styles = read("dashboard.css").getBytes(StandardCharsets.UTF_8);

	private final BackgroundTasksEndpoint endpoint;

	private final DashboardEventStream stream;

	private final DashboardAccess access;

	private final DashboardDeadLetters deadLetters;

	private final String path;

	private final int pageSize;

	/**
	 * Creates a new instance.
	 * @param endpoint the endpoint whose report is shown and which cancels tasks
	 * @param stream the event stream
	 * @param access decides who may cancel
	 * @param path the page's path, relative to the servlet context
	 * @param pageSize the most tasks listed on one page
	 */
	public DashboardController(BackgroundTasksEndpoint endpoint, DashboardEventStream stream, DashboardAccess access,
			String path, int pageSize) {
		this(endpoint, stream, access, DashboardDeadLetters.NONE, path, pageSize);
	}

	/**
	 * Creates a new instance.
	 * @param endpoint the endpoint whose report is shown and which cancels tasks
	 * @param stream the event stream
	 * @param access decides who may cancel and requeue dead letters
	 * @param deadLetters sends a queue's dead letters back to it
	 * @param path the page's path, relative to the servlet context
	 * @param pageSize the most tasks listed on one page
	 */
	public DashboardController(BackgroundTasksEndpoint endpoint, DashboardEventStream stream, DashboardAccess access,
			DashboardDeadLetters deadLetters, String path, int pageSize) {
		this.endpoint = endpoint;
		this.stream = stream;
		this.access = access;
		this.deadLetters = deadLetters;
		this.path = path;
		this.pageSize = pageSize;
	}

	/**
	 * The page.
	 * @param request the request
	 * @return the HTML page
	 */
	@GetMapping(path = PATH, produces = MediaType.TEXT_HTML_VALUE)
	public ResponseEntity<String> page(HttpServletRequest request) {
		CsrfHeader csrf = this.access.csrfHeader(request);
		String html = this.page.replace("{{base}}", escape(base(request)))
			.replace("{{canCancel}}", String.valueOf(this.access.canCancel(request)))
			.replace("{{canRequeue}}", String.valueOf(this.access.canRequeue(request)))
			.replace("{{pageSize}}", String.valueOf(this.pageSize))
			.replace("{{csrfHeader}}", (csrf != null) ? escape(csrf.name()) : "")
			.replace("{{csrfToken}}", (csrf != null) ? escape(csrf.token()) : "");
		return ResponseEntity.ok()
			.contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
			.cacheControl(CacheControl.noStore())
			.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
			.header("X-Content-Type-Options", "nosniff")
			.body(html);
	}

	/**
	 * The page's script.
	 * @return the script
	 */
	@GetMapping(path = PATH + "/dashboard.js")
	public ResponseEntity<byte[]> script() {
		return asset(this.script, "text/javascript");
	}

	/**
	 * The page's style sheet.
	 * @return the style sheet
	 */
	@GetMapping(path = PATH + "/dashboard.css")
	public ResponseEntity<byte[]> styles() {
		return asset(this.styles, "text/css");
	}

	/**
	 * The event stream of one page: a {@code snapshot} event with a {@link DashboardSnapshot} at once, then
	 * every refresh interval and when tasks start or end.
	 * @param state {@code active}, a task state, or empty for all
	 * @param query text to look for, or empty
	 * @param page the page number, from 0
	 * @param request the request
	 * @return the stream, {@code 400} (with the reason as text) for an unknown state or a negative page, or
	 * {@code 503} when too many pages are open
	 */
	// @ResponseBody: when the stream ends, the request is dispatched again with an empty result, which a
	// @Controller's method would otherwise render as a view named after the path ("No static resource ...")
	@GetMapping(path = PATH + "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	@ResponseBody
	public ResponseEntity<?> events(@RequestParam(required = false) @Nullable String state,
			@RequestParam(name = "q", required = false) @Nullable String query,
			@RequestParam(defaultValue = "0") int page, HttpServletRequest request) {
		DashboardView view;
		try {
			view = new DashboardView(state, query, page, this.pageSize);
		}
		catch (IllegalArgumentException ex) {
			// the reason quotes the request's own input: never to be sniffed as anything but text
			return ResponseEntity.badRequest()
				.contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
				.header("X-Content-Type-Options", "nosniff")
				.body(ex.getMessage());
		}
		SseEmitter emitter = this.stream.subscribe(view, this.access.canCancel(request));
		if (emitter == null) {
			// an EventSource cannot read this body (the page says the causes itself): it is for curl and the logs
			String why = this.stream.isRunning()
					? "The dashboard already streams to its most pages (edge-runtime.dashboard.max-clients="
							+ this.stream.maxClients() + "). Close a page or raise the limit; a page retries by itself."
					: "The application is stopping: the dashboard opens no more streams.";
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header(HttpHeaders.RETRY_AFTER, "5")
				.contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
				.header("X-Content-Type-Options", "nosniff")
				.body(why);
		}
		// X-Accel-Buffering: nginx would otherwise hold the events back until its buffer fills
		return ResponseEntity.ok().cacheControl(CacheControl.noStore()).header("X-Accel-Buffering", "no").body(emitter);
	}

	/**
	 * Cancels a task, as the endpoint's delete does.
	 * @param id the task id
	 * @param request the request
	 * @return {@code 200} with the cancelled task, {@code 403} without permission or from a page of another
	 * origin (with a message saying which), {@code 404} when unknown, {@code 400} when {@code id} is no task
	 * id (both with a message, as the endpoint answers), {@code 409} with the task when it has already ended;
	 * a durable task whose record cannot be read ({@link DurableTaskUnreadableException}) is left as it
	 * is and answered as an unknown id
	 */
	@DeleteMapping(path = PATH + "/tasks/{id}")
	public ResponseEntity<?> cancel(@PathVariable String id, HttpServletRequest request) {
		if (fromAnotherOrigin(request)) {
			return error(HttpStatus.FORBIDDEN, FROM_ANOTHER_ORIGIN);
		}
		if (!this.access.canCancel(request)) {
			return error(HttpStatus.FORBIDDEN, CANCEL_NOT_ALLOWED);
		}
		UUID taskId = TaskRequests.id(id);
		if (taskId == null) {
			return error(HttpStatus.BAD_REQUEST, TaskRequests.malformedId(id));
		}
		Principal user = request.getUserPrincipal();
		// the user's name comes with the request: a line break in it must not start a forged log line
		String how = "from the dashboard" + ((user != null) ? " by " + Printable.of(user.getName()) : "");
		CancelDescriptor outcome;
		try {
			outcome = this.endpoint.cancelFrom(taskId, how);
		}
		catch (DurableTaskUnreadableException ex) {
			// Left as it is (the cancel reads the task first). Answered as an unknown id, as the status resource
			// answers it: the page lists no such task, so its id was typed by hand; the endpoint tells an
			// operator more.
			logger.warn("A cancel " + how + " was answered as for an unknown id, the task left as it is: "
					+ Printable.of(String.valueOf(ex.getMessage())));
			return error(HttpStatus.NOT_FOUND, TaskRequests.unknownTask(taskId));
		}
		if (outcome == null) {
			return error(HttpStatus.NOT_FOUND, TaskRequests.unknownTask(taskId));
		}
		if (outcome.cancelled()) {
			this.stream.changed();
		}
		return ResponseEntity.status(outcome.cancelled() ? HttpStatus.OK : HttpStatus.CONFLICT)
			.contentType(MediaType.APPLICATION_JSON)
			.body(outcome);
	}

	/**
	 * Sends every dead letter of a queue back to it, to be run again with all its attempts. Only a request
	 * with a JSON body is taken: a browser sends that across origins only after a CORS pre-flight, so
	 * without Spring Security's CSRF protection another site cannot make a visitor's browser send it; and one
	 * that the browser says comes from another origin is refused, in case the application's CORS mapping
	 * answers that pre-flight.
	 * @param queue the queue name
	 * @param request the request
	 * @return {@code 200} with the queue and how many messages went back, {@code 403} without permission
	 * or from a page of another origin (with a message saying which), {@code 400} for an invalid queue name,
	 * {@code 404} for a queue the application does not know of, {@code 503} when the database cannot be
	 * reached (the last three with a message)
	 */
	@PostMapping(path = PATH + "/queues/{queue}/dead-letters/requeue", consumes = MediaType.APPLICATION_JSON_VALUE)
	public ResponseEntity<?> requeueDeadLetters(@PathVariable String queue, HttpServletRequest request) {
		if (fromAnotherOrigin(request)) {
			return error(HttpStatus.FORBIDDEN, FROM_ANOTHER_ORIGIN);
		}
		if (!this.access.canRequeue(request)) {
			return error(HttpStatus.FORBIDDEN, REQUEUE_NOT_ALLOWED);
		}
		try {
			QueueName.requireValid(queue);
		}
		catch (InvalidQueueNameException ex) {
			return error(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
		OptionalLong requeued;
		try {
			requeued = this.deadLetters.requeue(queue);
		}
		catch (DatabaseUnavailableException ex) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
		}
		if (requeued.isEmpty()) {
			return error(HttpStatus.NOT_FOUND, "No queue '" + queue + "' is known");
		}
		Principal user = request.getUserPrincipal();
		// the queue name passed the rule (letters, digits, underscores); the user's is escaped as the cancel's
		logger.info("Dead letters of queue '" + queue + "': " + requeued.getAsLong()
				+ " sent back to be run again from the dashboard"
				+ ((user != null) ? " by " + Printable.of(user.getName()) : ""));
		if (requeued.getAsLong() > 0) {
			this.stream.changed();
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("queue", queue);
		body.put("requeued", requeued.getAsLong());
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

	/**
	 * Whether the browser says the request comes from a page of another origin ({@code Sec-Fetch-Site}, which
	 * a page cannot set). The JSON body and the {@code DELETE} keep other sites out only as long as their
	 * CORS pre-flight is refused, and an application's own CORS mapping (say {@code addMapping("/**")}, which
	 * allows any origin to {@code POST} with any header) answers it for these routes too. A client that is
	 * no browser sends no such header.
	 */
	private static boolean fromAnotherOrigin(HttpServletRequest request) {
		String site = request.getHeader(SEC_FETCH_SITE);
		return site != null && !"same-origin".equalsIgnoreCase(site.trim());
	}

	/**
	 * Where the page's links, stream and routes start, as the browser reaches them: the servlet context, the
	 * prefix the {@code DispatcherServlet} is mapped to ({@code spring.mvc.servlet.path=/mvc} maps it to
	 * {@code /mvc/*}, under which every route of the application is), and the page's path.
	 */
	private String base(HttpServletRequest request) {
		HttpServletMapping mapping = request.getHttpServletMapping();
		String servletPath = (mapping != null && mapping.getMappingMatch() == MappingMatch.PATH)
				? request.getServletPath() : "";
		return request.getContextPath() + servletPath + this.path;
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("status", status.value(), "message", message));
	}

	private static ResponseEntity<byte[]> asset(byte[] content, String contentType) {
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType(contentType + ";charset=UTF-8"))
			.cacheControl(CacheControl.noCache())
			.header("X-Content-Type-Options", "nosniff")
			.body(content);
	}

	private static String escape(String text) {
		return HtmlUtils.htmlEscape(text, StandardCharsets.UTF_8.name());
	}

	private static String read(String name) {
		try (InputStream in = DashboardController.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("Dashboard resource " + name + " is missing from the jar");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
