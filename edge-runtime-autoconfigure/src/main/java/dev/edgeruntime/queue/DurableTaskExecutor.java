package dev.edgeruntime.queue;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskState;
import dev.edgeruntime.queue.DurableTaskMethods.Target;
import dev.edgeruntime.runtime.TaskLogContext;
import dev.edgeruntime.web.DurableTaskExecution;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.type.TypeFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The consumer of durable {@code @BackgroundTask} calls: reads the call from the message, finds the bean
 * and method, reads the arguments back from JSON and runs the method's body. A message that is no call, or
 * whose arguments do not read, is dead-lettered at once; an unknown method (another version's) and an
 * exception from the body are retried as the queue's consumer settings say.
 *
 * @author edge-runtime developers
 */
final class DurableTaskExecutor {

	/** The handler method the queue's consumer calls. */
	static final Method EXECUTE;

	static {
		Method method = ReflectionUtils.findMethod(DurableTaskExecutor.class, "execute", QueueMessage.class);
		if (method == null) {
			throw new IllegalStateException("DurableTaskExecutor.execute not found");
		}
		ReflectionUtils.makeAccessible(method);
		EXECUTE = method;
	}

	private static final Log logger = LogFactory.getLog(DurableTaskExecutor.class);

	/** The name observed for a durable task whose name none of the application's durable methods has. */
	static final String UNKNOWN_TASK = "unknown";

	/** The most characters of a text from a message that are logged or told in an error. */
	private static final int MAX_PRINTED = 200;

	private final PgmqTemplate pgmq;

	private final DurableTaskMethods methods;

	private final String queue;

	DurableTaskExecutor(PgmqTemplate pgmq, DurableTaskMethods methods, String queue) {
		this.pgmq = pgmq;
		this.methods = methods;
		this.queue = queue;
	}

	void execute(QueueMessage<JsonNode> message) throws Exception {
		DurableTaskMessage task = this.pgmq.convert(message, DurableTaskMessage.class).payload();
		String missing = missing(task);
		if (missing != null) {
			throw unreadable(message, "the payload is not a durable @BackgroundTask call: it has no " + missing);
		}
		// Not dead-lettered at once: during a rolling deploy the instances of another version share the queue,
		// and one of them may have the method (one added since, or one removed). It is retried as a failure
		// is, and dead-lettered after its last attempt when no instance has it.
		Target target = this.methods.forMessage(task.bean(), task.method(), task.parameterTypes())
			.orElseThrow(() -> new IllegalStateException("this instance has no durable @BackgroundTask method "
					+ printable(task.method()) + "(" + printable(String.join(", ", task.parameterTypes()))
					+ ") on bean '" + printable(task.bean())
					+ "'; retried, as an instance of another version of the application may have it"));
		@Nullable Object[] arguments = arguments(message, target, task.arguments());
		markStarted(message);
		// the task's id and name in the log lines of its body, as for a task of the in-process runtime
		try (TaskLogContext context = TaskLogContext.open(taskId(message.headers().get(QueueHeaders.TASK_ID)),
				taskName(message.headers().get(QueueHeaders.TASK_NAME)))) {
			awaitResult(DurableTaskExecution.invoke(target.bean(), target.method(), arguments));
		}
	}

	/**
	 * The name of the task a message carries, for its process observation (a low-cardinality key, so a metric
	 * tag): the name of one of this application's durable methods, or {@value #UNKNOWN_TASK}, whatever the
	 * header holds, so that another version's tasks and names another client wrote cannot make the series many.
	 * @param message the message
	 * @return the name
	 */
	String observedTaskName(QueueMessage<JsonNode> message) {
		Object name = message.headers().get(QueueHeaders.TASK_NAME);
		return (name instanceof String text && this.methods.hasTaskName(text)) ? text : UNKNOWN_TASK;
	}

	/** The attempt's start, for the task's status ({@code startedAt}); its body runs whether or not it is written. */
	private void markStarted(QueueMessage<JsonNode> message) {
		try {
			this.pgmq.markStarted(this.queue, message);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not write when message " + message.id() + " of queue '" + this.queue + "' started", ex);
		}
	}

	/**
	 * The task id of the headers for the MDC: only a task id, since every line the body logs carries it; a
	 * forged header ({@code "\r\n<a log line of its own>"}) would forge log lines.
	 */
	static @Nullable String taskId(@Nullable Object header) {
		if (header instanceof String text && text.length() == 36) {
			try {
				UUID id = UUID.fromString(text);
				return id.toString().equalsIgnoreCase(text) ? id.toString() : null;
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		}
		return null;
	}

	/** The task name of the headers for the MDC, printable and cut as {@link #printable(String)} makes it. */
	static @Nullable String taskName(@Nullable Object header) {
		return (header != null) ? printable(header.toString()) : null;
	}

	/**
	 * Text a message brings, for an error that is logged: printable, and cut after {@value #MAX_PRINTED}
	 * characters.
	 */
	static String printable(String text) {
		return Printable.of(text, MAX_PRINTED);
	}

	/**
	 * What a payload lacks to name a call (sent by something other than this starter, say), or {@code null}.
	 */
	private static @Nullable String missing(@Nullable DurableTaskMessage task) {
		if (task == null) {
			return "content (it is null)";
		}
		List<String> missing = new ArrayList<>(4);
		if (task.bean() == null) {
			missing.add("bean");
		}
		if (task.method() == null) {
			missing.add("method");
		}
		if (task.parameterTypes() == null) {
			missing.add("parameterTypes");
		}
		if (task.arguments() == null) {
			missing.add("arguments");
		}
		return missing.isEmpty() ? null : String.join(", ", missing);
	}

	private @Nullable Object[] arguments(QueueMessage<JsonNode> message, Target target, List<JsonNode> json) {
		Type[] types = target.method().getGenericParameterTypes();
		if (json.size() != types.length) {
			throw unreadable(message, target.description() + " takes " + types.length + " argument(s), the message has "
					+ json.size());
		}
		ObjectMapper mapper = this.pgmq.objectMapper();
		@Nullable Object[] arguments = new Object[types.length];
		for (int i = 0; i < types.length; i++) {
			try {
				arguments[i] = mapper.readerFor(javaType(mapper, target, i, types[i])).readValue(json.get(i));
			}
			catch (JacksonException | IllegalArgumentException ex) {
				throw unreadable(message, "argument " + i + " of " + target.description() + " cannot be read as "
						+ types[i].getTypeName() + ": " + ex.getMessage());
			}
		}
		return arguments;
	}

	/**
	 * The type to read an argument as: the declared type, or, where it holds type variables (a method of a
	 * generic superclass, {@code handle(T item)}), the type the bean's class binds them to.
	 */
	private static JavaType javaType(ObjectMapper mapper, Target target, int index, Type declared) {
		ResolvableType plain = ResolvableType.forType(declared);
		if (plain.resolve() != null && !plain.hasUnresolvableGenerics()) {
			return mapper.constructType(declared);
		}
		ResolvableType bound = ResolvableType.forMethodParameter(target.method(), index,
				ClassUtils.getUserClass(AopUtils.getTargetClass(target.bean())));
		return javaType(mapper.getTypeFactory(), bound);
	}

	private static JavaType javaType(TypeFactory types, ResolvableType type) {
		if (type.isArray()) {
			return types.constructArrayType(javaType(types, type.getComponentType()));
		}
		Class<?> raw = type.resolve(Object.class);
		ResolvableType[] generics = type.getGenerics();
		if (generics.length == 0 || generics.length != raw.getTypeParameters().length) {
			return types.constructType(raw);
		}
		JavaType[] parameters = new JavaType[generics.length];
		for (int i = 0; i < generics.length; i++) {
			parameters[i] = javaType(types, generics[i]);
		}
		return types.constructParametricType(raw, parameters);
	}

	/**
	 * A body that returns a future or handle has not finished until its result has; one that returns the
	 * handle of a durable task it sent (the next step of a chain) has finished once that is sent, since a
	 * durable task's result never comes back.
	 */
	private static void awaitResult(@Nullable Object returned) throws Exception {
		try {
			if (returned instanceof DurableTaskHandle durable) {
				if (durable.state() == TaskState.DROPPED) {
					throw new IllegalStateException("the durable task " + durable.id() + " (" + durable.name()
							+ ") it returned was dropped: the transaction it was sent in rolled back");
				}
			}
			else if (returned instanceof TaskHandle<?> handle) {
				handle.result().get();
			}
			else if (returned instanceof CompletionStage<?> stage) {
				stage.toCompletableFuture().get();
			}
			else if (returned instanceof Future<?> future) {
				future.get();
			}
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private static MessageConversionException unreadable(QueueMessage<JsonNode> message, String why) {
		return new MessageConversionException(message.id(), DurableTaskMessage.class, new IllegalStateException(why));
	}

}
