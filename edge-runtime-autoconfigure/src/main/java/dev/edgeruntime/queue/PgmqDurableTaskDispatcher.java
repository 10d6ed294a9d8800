package dev.edgeruntime.queue;

import java.lang.reflect.Modifier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.DurableTaskUnreadableException;
import dev.edgeruntime.TaskCancelledEvent;
import dev.edgeruntime.TaskInfo;
import dev.edgeruntime.TaskInfo.TaskError;
import dev.edgeruntime.TaskOrigin;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.queue.DurableTaskMethods.Target;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * The durable tier's {@link DurableTaskDispatcher}: a {@code @BackgroundTask(durable = true)} call is sent
 * to its queue with {@link PgmqTemplate}, on the caller's connection and so inside the caller's transaction
 * (a rollback means it never happened); a consumer of the queue, on any instance, runs the method's body.
 * The message's payload names the bean, the method and the arguments as JSON; its headers carry the task's
 * id, name, origin and {@link QueueHeaders#MAX_ATTEMPTS maximum attempts}. Retries, backoff and dead
 * letters are the queue consumers' own. A task's status is read from the queue and its archive by the
 * task id.
 *
 * @author edge-runtime developers
 */
public final class PgmqDurableTaskDispatcher
		implements DurableTaskDispatcher, SmartInitializingSingleton, ApplicationEventPublisherAware {

	private static final Log logger = LogFactory.getLog(PgmqDurableTaskDispatcher.class);

	private static final String FIND = """
			SELECT msg_id, read_ct, enqueued_at, vt <= clock_timestamp() AS visible, headers::text AS headers,
				NULL::timestamptz AS archived_at
			FROM pgmq.q_%1$s WHERE headers->>'x-task-id' = ?
			UNION ALL
			SELECT msg_id, read_ct, enqueued_at, false, headers::text, archived_at
			FROM pgmq.a_%1$s WHERE headers->>'x-task-id' = ?
			""";

	// Only while no consumer holds it: never read, its lease run out, or let go of until a retry. A consumer
	// reading it at the same moment either skips it (locked here) or makes this find it held.
	private static final String CANCEL = """
			WITH cancelled AS (
				DELETE FROM pgmq.q_%1$s
				WHERE headers->>'x-task-id' = ?
					AND (read_ct = 0 OR vt <= clock_timestamp() OR headers->>'x-failed-attempt' = read_ct::text)
				RETURNING msg_id, read_ct, enqueued_at, vt, message, headers)
			INSERT INTO pgmq.a_%1$s (msg_id, read_ct, enqueued_at, vt, message, headers)
			SELECT msg_id, read_ct, enqueued_at, vt, message, coalesce(headers, '{}'::jsonb) || ?::jsonb
			FROM cancelled
			RETURNING msg_id
			""";

	private static final String DEAD_LETTER_OF_TASK = """
			SELECT msg_id FROM pgmq.a_%s
			WHERE headers->>'x-task-id' = ? AND headers @> '{"x-dead-lettered": true}'::jsonb
			""";

	private static final String CREATE_TASK_ID_INDEX = """
			CREATE INDEX IF NOT EXISTS %1$s_%2$s_task_id ON pgmq.%1$s_%2$s ((headers->>'x-task-id'))
			""";

	private final PgmqTemplate pgmq;

	private final JdbcTemplate jdbc;

	private final DurableTaskMethods methods;

	private final QueueListenerAnnotationBeanPostProcessor listeners;

	private final Supplier<TaskOrigin> origins;

	private final Settings settings;

	private @Nullable ApplicationEventPublisher events;

	/**
	 * Creates a new instance.
	 * @param pgmq sends the calls
	 * @param jdbc reads the status of tasks on the queue's database
	 * @param methods the durable methods found at start-up
	 * @param listeners gets a consumer for each queue of durable methods
	 * @param origins tells, on the calling thread, where a task is started
	 * @param settings the settings of durable tasks
	 */
	public PgmqDurableTaskDispatcher(PgmqTemplate pgmq, JdbcTemplate jdbc, DurableTaskMethods methods,
			QueueListenerAnnotationBeanPostProcessor listeners, Supplier<TaskOrigin> origins, Settings settings) {
		this.pgmq = pgmq;
		this.jdbc = jdbc;
		this.methods = methods;
		this.listeners = listeners;
		this.origins = origins;
		this.settings = settings;
	}

	/**
	 * Registers a consumer for each queue of durable methods, and creates the queues and the index of task
	 * ids unless they exist; a database down at start leaves that to the consumers, which wait for it.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		for (String queue : this.methods.queues()) {
			DurableTaskExecutor executor = new DurableTaskExecutor(this.pgmq, this.methods, queue);
			this.listeners.register(new QueueListenerEndpoint("durableTasks[" + queue + "]", executor,
					DurableTaskExecutor.EXECUTE, listenerSettings(queue), queue, JsonNode.class, true));
			try {
				this.pgmq.createQueue(queue);
				createTaskIdIndex(queue);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not create queue '" + queue + "' of durable tasks now; its consumer will", ex);
			}
		}
	}

	private QueueListener listenerSettings(String queue) {
		Map<String, Object> attributes = new LinkedHashMap<>();
		attributes.put("queue", queue);
		attributes.put("concurrency", this.settings.concurrency());
		attributes.put("prefetch", this.settings.prefetch());
		attributes.put("onSuccess",
				this.settings.archiveOnSuccess() ? QueueListener.Completion.ARCHIVE : QueueListener.Completion.DELETE);
		return MergedAnnotation.of(QueueListener.class, attributes).synthesize();
	}

	private void createTaskIdIndex(String queue) {
		String name = queue.toLowerCase(Locale.ROOT);
		for (String table : List.of("q", "a")) {
			try {
				this.jdbc.execute(CREATE_TASK_ID_INDEX.formatted(table, name));
			}
			catch (RuntimeException ex) {
				// another instance creating it at the same moment; lookups work without it, only slower
				logger.debug("Could not create the task id index of " + table + "_" + name, ex);
			}
		}
	}

	@Override
	public DurableTaskHandle dispatch(DurableInvocation invocation) {
		Target target = this.methods.forCall(invocation.targetClass(), invocation.method())
			.orElseThrow(() -> new IllegalStateException("Durable @BackgroundTask method "
					+ invocation.targetClass().getName() + "." + DurableTaskMethods.signature(invocation.method())
					+ " was not found at start-up; is its bean a singleton?"));
		List<JsonNode> arguments = arguments(invocation, target);
		UUID id = UUID.randomUUID();
		TaskOrigin origin = this.origins.get();
		int maxAttempts = (invocation.maxAttempts() > 0) ? invocation.maxAttempts() : this.settings.maxAttempts();
		Map<String, Object> headers = new LinkedHashMap<>();
		headers.put(QueueHeaders.TASK_ID, id.toString());
		headers.put(QueueHeaders.TASK_NAME, invocation.name());
		headers.put(QueueHeaders.MAX_ATTEMPTS, maxAttempts);
		Map<String, String> originHeader = originHeader(origin);
		if (!originHeader.isEmpty()) {
			headers.put(QueueHeaders.TASK_ORIGIN, originHeader);
		}
		DurableTaskMessage message = new DurableTaskMessage(target.beanName(), target.typeName(),
				target.method().getName(), target.parameterTypes(), arguments);
		long messageId = this.pgmq.send(target.queue(), message, headers, Duration.ZERO);
		DurableTaskHandle handle = new DurableTaskHandle(id, invocation.name(), target.queue(), messageId, origin,
				Instant.now(), (taskId) -> cancel(taskId).map(Cancellation::cancelled).orElse(false));
		// Only a transaction that holds the connection the message went out on takes it back when it rolls
		// back: not an empty one (SUPPORTS), nor one of another resource, where the send stood on its own.
		if (TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.isActualTransactionActive() && this.pgmq.sendsInTransaction()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				private final List<Object> savepointsSince = new ArrayList<>(0);

				@Override
				public void savepoint(Object savepoint) {
					this.savepointsSince.add(savepoint);
				}

				@Override
				public void savepointRollback(Object savepoint) {
					// a savepoint made before the send: rolling back to it takes the message back
					if (!this.savepointsSince.contains(savepoint)) {
						handle.dropped();
					}
				}

				@Override
				public void afterCompletion(int status) {
					if (status == STATUS_ROLLED_BACK) {
						handle.dropped();
					}
				}

			});
		}
		return handle;
	}

	private List<JsonNode> arguments(DurableInvocation invocation, Target target) {
		ObjectMapper mapper = this.pgmq.objectMapper();
		List<JsonNode> arguments = new ArrayList<>(invocation.arguments().size());
		for (int i = 0; i < invocation.arguments().size(); i++) {
			Object argument = invocation.arguments().get(i);
			String lost = lostInTransit(argument, ResolvableType.forMethodParameter(target.method(), i,
					ClassUtils.getUserClass(invocation.targetClass())).resolve(Object.class));
			if (lost != null) {
				throw new IllegalArgumentException("Cannot enqueue durable task '" + invocation.name() + "': argument "
						+ i + " of " + target.description() + " " + lost);
			}
			try {
				arguments.add(mapper.valueToTree(argument));
			}
			catch (JacksonException | IllegalArgumentException ex) {
				throw new IllegalArgumentException("Cannot enqueue durable task '" + invocation.name() + "': argument "
						+ i + " of " + target.description() + " (" + ((argument != null) ? argument.getClass().getName()
								: "null")
						+ ") cannot be written to JSON: " + ex.getMessage(), ex);
			}
		}
		return arguments;
	}

	/**
	 * Why an argument would not come back as it was passed: the consumer reads it as the declared type, so a
	 * subclass of a concrete class arrives as that class, without what the subclass adds, and an object
	 * passed for an {@code Object} parameter arrives as a map. {@code null} when it comes back whole.
	 */
	static @Nullable String lostInTransit(@Nullable Object argument, Class<?> declared) {
		// a CGLIB subclass of the declared class (a scoped proxy, say) is that class
		Class<?> actual = ClassUtils.getUserClass(argument != null ? argument.getClass() : Object.class);
		if (argument == null || actual == declared || declared.isPrimitive()) {
			return null;
		}
		if (declared == Object.class) {
			boolean plain = argument instanceof CharSequence || argument instanceof Number
					|| argument instanceof Boolean || argument instanceof Map || argument instanceof Collection;
			return plain ? null : "is a " + actual.getName() + " passed as an Object: it would be read back as a "
					+ "map, not as a " + actual.getSimpleName() + "; declare the parameter as " + actual.getSimpleName();
		}
		boolean polymorphic = declared.isInterface() || Modifier.isAbstract(declared.getModifiers())
				|| MergedAnnotations.from(declared, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
					.isPresent("com.fasterxml.jackson.annotation.JsonTypeInfo");
		if (polymorphic || declared.getName().startsWith("java.") || actual.isAnonymousClass()
				|| actual.isSynthetic()) {
			return null;
		}
		return "is a " + actual.getName() + ", a subclass of the declared " + declared.getName() + ": it would "
				+ "be read back as a " + declared.getSimpleName() + ", without what " + actual.getSimpleName()
				+ " adds; declare " + actual.getSimpleName() + ", or annotate " + declared.getSimpleName()
				+ " with @JsonTypeInfo";
	}

	private static Map<String, String> originHeader(TaskOrigin origin) {
		Map<String, String> header = new LinkedHashMap<>();
		putIfPresent(header, "method", origin.method());
		putIfPresent(header, "path", origin.path());
		putIfPresent(header, "traceId", origin.traceId());
		putIfPresent(header, "principal", origin.principal());
		return header;
	}

	private static void putIfPresent(Map<String, String> map, String key, @Nullable String value) {
		if (value != null) {
			map.put(key, value);
		}
	}

	/**
	 * A durable task, from its message in the queue or the archive: {@link TaskState#SCHEDULED} until a
	 * consumer reads it and while it waits for a retry (with the last error), {@link TaskState#RUNNING}
	 * while a consumer runs it, {@link TaskState#SUCCEEDED} once archived after success (with
	 * {@code edge-runtime.queue.tasks.archive-on-success}), {@link TaskState#FAILED} once dead-lettered, with
	 * the last error. Unknown once deleted.
	 * @param id the task id
	 * @return the task, or empty when no queue of durable tasks has it
	 * @throws DurableTaskUnreadableException when its message's headers are larger than a read parses, or
	 * cannot be parsed
	 */
	@Override
	public Optional<TaskInfo> find(UUID id) {
		for (String queue : this.methods.queues()) {
			String sql = FIND.formatted(queue.toLowerCase(Locale.ROOT));
			List<TaskInfo> found;
			try {
				found = this.jdbc.query(sql, (rs, row) -> taskInfo(id, queue, rs), id.toString(), id.toString());
			}
			catch (DurableTaskUnreadableException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				logger.debug("Could not look for durable task " + id + " in queue '" + queue + "'", ex);
				continue;
			}
			if (!found.isEmpty()) {
				return Optional.of(found.get(0));
			}
		}
		return Optional.empty();
	}

	/**
	 * Cancels a durable task that no consumer holds: its message moves to the archive, marked
	 * {@link QueueHeaders#CANCELLED}, and a {@link TaskCancelledEvent} is published.
	 * @param id the task id
	 * @return whether this call cancelled it, and the task as it is now; empty when no queue of durable tasks
	 * has it
	 * @throws org.springframework.dao.DataAccessException when the database cannot be reached
	 * @throws DurableTaskUnreadableException when its message's headers are larger than a read parses, or
	 * cannot be parsed: it is left as it is
	 */
	@Override
	public Optional<Cancellation> cancel(UUID id) {
		// Read first, and leave a task that cannot be read as it is: cancelled, neither the answer nor the
		// event could tell it, and whoever asked would be told of a failure after it was done.
		find(id);
		String headers = this.pgmq.objectMapper()
			.writeValueAsString(Map.of(QueueHeaders.CANCELLED, true, QueueHeaders.CANCELLED_AT, Instant.now().toString()));
		for (String queue : this.methods.queues()) {
			List<Long> moved = this.jdbc.queryForList(CANCEL.formatted(queue.toLowerCase(Locale.ROOT)), Long.class,
					id.toString(), headers);
			if (!moved.isEmpty()) {
				TaskInfo task = find(id).orElseThrow(() -> new IllegalStateException(
						"Durable task " + id + " was cancelled but is not found in queue '" + queue + "'"));
				logger.debug("Durable task " + id + " (message " + moved.get(0) + " of queue '" + queue + "') cancelled");
				if (this.events != null) {
					this.events.publishEvent(new TaskCancelledEvent(this, task, null));
				}
				return Optional.of(new Cancellation(true, task));
			}
		}
		return find(id).map((task) -> new Cancellation(false, task));
	}

	/**
	 * Sends a failed (dead-lettered) durable task back to its queue, with all its attempts, as
	 * {@link PgmqTemplate#requeueDeadLetters(String, java.util.Collection)} does.
	 * @param id the task id
	 * @return whether this call sent it back, and the task as it is now; empty when no queue of durable tasks
	 * has it
	 * @throws org.springframework.dao.DataAccessException when the database cannot be reached
	 * @throws DurableTaskUnreadableException when its message's headers are larger than a read parses, or
	 * cannot be parsed: it is left as it is
	 */
	@Override
	public Optional<Retry> retry(UUID id) {
		// Read first, as cancel does: sent back, it could not be told, and a consumer would only dead-letter it
		// again, unread.
		find(id);
		for (String queue : this.methods.queues()) {
			List<Long> deadLetters = this.jdbc.queryForList(DEAD_LETTER_OF_TASK.formatted(queue.toLowerCase(Locale.ROOT)),
					Long.class, id.toString());
			if (!deadLetters.isEmpty() && !this.pgmq.requeueDeadLetters(queue, deadLetters).isEmpty()) {
				TaskInfo task = find(id).orElseThrow(() -> new IllegalStateException(
						"Durable task " + id + " was sent back to queue '" + queue + "' but is not found there"));
				logger.info("Failed durable task " + id + " (" + task.name() + ") was sent back to queue '" + queue
						+ "' to be run again");
				return Optional.of(new Retry(true, task));
			}
		}
		return find(id).map((task) -> new Retry(false, task));
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher events) {
		this.events = events;
	}

	private TaskInfo taskInfo(UUID id, String queue, ResultSet rs) throws SQLException {
		String json = rs.getString("headers");
		// The limit of the consumers' reads: headers that large were written by another writer of the queue,
		// and their tree would take several times their hundreds of megabytes, at every look at the task.
		String tooLarge = this.pgmq.headersTooLarge(json);
		if (tooLarge != null) {
			String description = "Durable task " + id + " (message " + rs.getLong("msg_id") + " of queue '" + queue
					+ "') cannot be read: " + tooLarge;
			// said to whoever asks, at every look: not a warning of this application's own
			logger.debug(description);
			throw new DurableTaskUnreadableException(id, DurableTaskUnreadableException.HEADERS_TOO_LARGE,
					description);
		}
		Map<String, Object> headers;
		try {
			headers = headers(json);
		}
		catch (JacksonException ex) {
			// Beyond what a read parses (a nesting or a number longer than Jackson's limits): read as no headers,
			// a dead letter would show as succeeded and a task of one principal as nobody's, readable by anyone.
			String description = "Durable task " + id + " (message " + rs.getLong("msg_id") + " of queue '" + queue
					+ "') cannot be read: its headers cannot be parsed ("
					+ Printable.of(String.valueOf(ex.getOriginalMessage()), 200) + ")";
			logger.debug(description, ex);
			throw new DurableTaskUnreadableException(id, DurableTaskUnreadableException.HEADERS_UNPARSEABLE,
					description);
		}
		int readCount = rs.getInt("read_ct");
		OffsetDateTime archivedAt = rs.getObject("archived_at", OffsetDateTime.class);
		Instant enqueuedAt = rs.getObject("enqueued_at", OffsetDateTime.class).toInstant();
		int attempt = Math.max(1, readCount);
		TaskState state;
		TaskError error = null;
		if (archivedAt != null) {
			boolean deadLettered = Boolean.TRUE.equals(headers.get(QueueHeaders.DEAD_LETTERED));
			boolean cancelled = Boolean.TRUE.equals(headers.get(QueueHeaders.CANCELLED));
			state = deadLettered ? TaskState.FAILED : cancelled ? TaskState.CANCELLED : TaskState.SUCCEEDED;
			if (deadLettered) {
				error = error(String.valueOf(headers.get(QueueHeaders.ERROR)));
				// The attempts its dead letter and event tell: a task delivered maxAttempts times without an
				// outcome is dead-lettered by one more read, which does not run it and is no attempt.
				if (headers.get(QueueHeaders.ATTEMPTS) instanceof Number attempts && attempts.intValue() > 0) {
					attempt = attempts.intValue();
				}
			}
			else if (cancelled) {
				error = new TaskError(CancellationException.class.getName(), "Durable task " + id + " was cancelled");
			}
		}
		else {
			Object failedAttempt = headers.get(QueueHeaders.FAILED_ATTEMPT);
			boolean waitingForRetry = failedAttempt instanceof Number number && number.intValue() == readCount;
			boolean leased = readCount > 0 && !rs.getBoolean("visible");
			state = (leased && !waitingForRetry) ? TaskState.RUNNING : TaskState.SCHEDULED;
			if (headers.get(QueueHeaders.LAST_ERROR) != null) {
				error = error(String.valueOf(headers.get(QueueHeaders.LAST_ERROR)));
			}
		}
		Object name = headers.get(QueueHeaders.TASK_NAME);
		return new TaskInfo(id, (name != null) ? name.toString() : "durable task", state, origin(headers), enqueuedAt,
				(state != TaskState.SCHEDULED) ? startedAt(headers) : null,
				(archivedAt != null) ? archivedAt.toInstant() : null, DurableTaskHandle.NO_BUDGET,
				DurableTaskHandle.NO_USAGE, null, null, error, attempt);
	}

	/** When the latest attempt started, as its consumer wrote it; none for a task no consumer has started. */
	private static @Nullable Instant startedAt(Map<String, Object> headers) {
		if (headers.get(QueueHeaders.STARTED_AT) instanceof String text) {
			try {
				return Instant.parse(text);
			}
			catch (java.time.format.DateTimeParseException ex) {
				return null;
			}
		}
		return null;
	}

	private Map<String, Object> headers(@Nullable String json) {
		if (json == null) {
			return Map.of();
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> headers = this.pgmq.objectMapper().readValue(json, Map.class);
		// JSON null, which another writer may store; not found by its task id, but said here all the same
		return (headers != null) ? headers : Map.of();
	}

	private static TaskOrigin origin(Map<String, Object> headers) {
		if (!(headers.get(QueueHeaders.TASK_ORIGIN) instanceof Map<?, ?> origin)) {
			return TaskOrigin.none();
		}
		return new TaskOrigin(string(origin.get("method")), string(origin.get("path")), string(origin.get("traceId")),
				string(origin.get("principal")));
	}

	private static @Nullable String string(@Nullable Object value) {
		return (value != null) ? value.toString() : null;
	}

	/** The consumers write the error as "type: message". */
	private static TaskError error(String description) {
		int colon = description.indexOf(": ");
		return (colon > 0) ? new TaskError(description.substring(0, colon), description.substring(colon + 2))
				: new TaskError(description, null);
	}

	/**
	 * Settings of durable tasks, from {@code edge-runtime.queue.tasks.*}.
	 *
	 * @param maxAttempts deliveries before a failing task is dead-lettered, unless its annotation says
	 * @param concurrency most durable tasks of one queue run at once on this instance, or {@code 0} for the
	 * consumers' default
	 * @param prefetch most tasks read ahead of free handlers ({@code 0}: a task is read only when a handler
	 * is free, so a leased task is a running one and every waiting task can be cancelled), or {@code -1} for
	 * the consumers' default
	 * @param archiveOnSuccess whether a finished task's message is archived, so its status stays readable,
	 * rather than deleted
	 */
	public record Settings(int maxAttempts, int concurrency, int prefetch, boolean archiveOnSuccess) {

	}

}
