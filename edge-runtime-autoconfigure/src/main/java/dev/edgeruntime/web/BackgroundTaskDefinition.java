package dev.edgeruntime.web;

import java.io.OutputStream;
import java.io.Writer;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import dev.edgeruntime.BackgroundTask;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.TaskOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Controller;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * One {@link BackgroundTask @BackgroundTask} method, checked and with its attributes parsed.
 *
 * @author edge-runtime developers
 */
final class BackgroundTaskDefinition {

	private static final boolean WEB_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.bind.annotation.RequestMapping", BackgroundTaskDefinition.class.getClassLoader());

	/** Types that the servlet container recycles or invalidates when the request ends. */
	private static final String[] REQUEST_BOUND_TYPES = { "jakarta.servlet.ServletRequest",
			"jakarta.servlet.ServletResponse", "jakarta.servlet.http.Part",
			"org.springframework.web.context.request.WebRequest", "org.springframework.http.HttpInputMessage",
			"org.springframework.http.HttpOutputMessage",
			// what Spring MVC binds to the multipart request itself, whose files are deleted with it
			"org.springframework.web.multipart.MultipartRequest" };

	/**
	 * Parameter types with which a handler method writes the response body itself, refused on a handler
	 * method: Spring MVC then takes the response as handled and writes no return value.
	 */
	private static final Class<?>[] RESPONSE_BODY_TYPES = { OutputStream.class, Writer.class };

	/** Return types with which Spring MVC handles a request asynchronously, refused on a handler method. */
	private static final String[] ASYNC_HANDLER_TYPES = { "java.util.concurrent.Callable",
			"org.springframework.web.context.request.async.DeferredResult",
			"org.springframework.web.context.request.async.WebAsyncTask",
			"org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter",
			"org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody" };

	/**
	 * How the call returns to its caller.
	 */
	enum Kind {

		/** A controller handler method: the client gets 202 Accepted. */
		HANDLER,

		/** Returns nothing. */
		VOID,

		/** Returns a {@code CompletableFuture} (or {@code CompletionStage}, {@code Future}) of the result. */
		FUTURE,

		/** Returns the task's {@link TaskHandle}. */
		HANDLE

	}

	private final Method method;

	private final String description;

	private final Kind kind;

	private final TaskOptions options;

	private final boolean durable;

	private final @Nullable String queue;

	private final int maxAttempts;

	private final boolean headStartsTask;

	private BackgroundTaskDefinition(Method method, String description, Kind kind, TaskOptions options,
			boolean durable, @Nullable String queue, int maxAttempts, boolean headStartsTask) {
		this.method = method;
		this.description = description;
		this.kind = kind;
		this.options = options;
		this.durable = durable;
		this.queue = queue;
		this.maxAttempts = maxAttempts;
		this.headStartsTask = headStartsTask;
	}

	/**
	 * Checks an annotated method and parses its attributes.
	 * @param method the method, as declared by the target class or a superclass
	 * @param targetClass the class of the bean
	 * @return the definition
	 * @throws IllegalStateException with a message naming the method if it is misused
	 */
	static BackgroundTaskDefinition of(Method method, Class<?> targetClass) {
		BackgroundTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, BackgroundTask.class);
		String description = describe(method, targetClass);
		if (annotation == null) {
			throw new IllegalStateException(description + " is not annotated with @BackgroundTask");
		}
		checkProxyable(method, targetClass, description);
		checkNotAsync(method, targetClass, description);
		checkParameters(method, description);
		Kind kind = kindOf(method, targetClass, description);
		TaskOptions options = optionsOf(annotation, method, targetClass, description);
		String queue = StringUtils.hasText(annotation.queue()) ? annotation.queue() : null;
		if (annotation.maxAttempts() < 0) {
			throw misuse(description, "maxAttempts must not be negative, was " + annotation.maxAttempts());
		}
		if (!annotation.durable() && (queue != null || annotation.maxAttempts() != 0)) {
			throw misuse(description, "queue and maxAttempts apply to durable work only: add durable = true or "
					+ "remove them");
		}
		if (annotation.durable()) {
			checkDurable(annotation, method, targetClass, kind, description);
		}
		boolean headStartsTask = kind == Kind.HANDLER && WebAnnotations.mapsHead(method, targetClass);
		return new BackgroundTaskDefinition(method, description, kind, options, annotation.durable(), queue,
				annotation.maxAttempts(), headStartsTask);
	}

	private static void checkNotAsync(Method method, Class<?> targetClass, String description) {
		// With @EnableAsync, @Async's advice comes first and calls the task on an executor's thread, where the
		// caller's transaction and request are not: the task started at once, even when the transaction then
		// rolled back, and its failures skipped the AsyncUncaughtExceptionHandler. Without it, @Async is a
		// leftover that says the method runs on Spring's executor, which it does not.
		String where = AnnotatedElementUtils.hasAnnotation(method, Async.class) ? "it"
				: AnnotatedElementUtils.hasAnnotation(targetClass, Async.class) ? "its class" : null;
		if (where != null) {
			throw misuse(description, where + " is annotated with @Async as well: @BackgroundTask takes its place "
					+ "(docs/background-task.md, coming from @Async); remove @Async from the method, or move the "
					+ "method out of a class annotated with @Async");
		}
	}

	private static void checkProxyable(Method method, Class<?> targetClass, String description) {
		int modifiers = method.getModifiers();
		String problem = null;
		if (Modifier.isPrivate(modifiers)) {
			problem = "it is private";
		}
		else if (Modifier.isStatic(modifiers)) {
			problem = "it is static";
		}
		else if (Modifier.isFinal(modifiers)) {
			problem = "it is final";
		}
		else if (Modifier.isFinal(targetClass.getModifiers())) {
			problem = "its class " + targetClass.getName() + " is final";
		}
		if (problem != null) {
			throw misuse(description, "it cannot be proxied because " + problem
					+ "; make it a public, non-final instance method of a non-final class");
		}
	}

	private static void checkParameters(Method method, String description) {
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			ResolvableType type = ResolvableType.forMethodParameter(method, i);
			Class<?> bound = requestBound(type, 0);
			if (bound == null) {
				continue;
			}
			// Spring MVC binds uploads to arrays and collections of Part too (Part[], List<Part>)
			String what = (bound == types[i]) ? types[i].getName()
					: type + " holds " + bound.getName() + ", which";
			throw misuse(description, "parameter " + i + " of type " + what
					+ " dies with the HTTP request, before the task runs; pass the values the task "
					+ "needs (a MultipartFile, an InputStream, a Reader or a Resource are copied for it)");
		}
	}

	/** The request-bound type the given type is, or holds as an array component or type argument. */
	private static @Nullable Class<?> requestBound(ResolvableType type, int depth) {
		Class<?> raw = type.resolve();
		if (raw == null || depth > 4) {
			return null;
		}
		ClassLoader classLoader = BackgroundTaskDefinition.class.getClassLoader();
		for (String name : REQUEST_BOUND_TYPES) {
			if (ClassUtils.isPresent(name, classLoader)
					&& ClassUtils.resolveClassName(name, classLoader).isAssignableFrom(raw)) {
				return raw;
			}
		}
		if (type.isArray()) {
			return requestBound(type.getComponentType(), depth + 1);
		}
		for (ResolvableType argument : type.getGenerics()) {
			Class<?> bound = requestBound(argument, depth + 1);
			if (bound != null) {
				return bound;
			}
		}
		return null;
	}

	/**
	 * Durable work runs on a queue consumer, perhaps on another instance after a restart: its arguments
	 * travel as JSON, no result comes back to the caller, and the in-process budgets do not apply.
	 */
	private static void checkDurable(BackgroundTask annotation, Method method, Class<?> targetClass, Kind kind,
			String description) {
		if (StringUtils.hasText(annotation.wallClock()) || StringUtils.hasText(annotation.cpuTime())
				|| StringUtils.hasText(annotation.memory())) {
			throw misuse(description, "wallClock, cpuTime and memory budget in-process tasks; durable work runs "
					+ "on a queue consumer, bounded by its visibility timeout and heartbeat: remove them");
		}
		if (kind == Kind.FUTURE) {
			throw misuse(description, "durable work's result does not come back to the caller, so a future of "
					+ "it would never complete; return void or TaskHandle<?> (its id reads the status)");
		}
		for (int i = 0; i < method.getParameterCount(); i++) {
			// as the bean's class binds it: T of a generic superclass is the type its subclass gives it
			ResolvableType type = ResolvableType.forMethodParameter(method, i, targetClass);
			String problem = DurableArguments.problem(type);
			if (problem != null) {
				throw misuse(description, "parameter " + i + " of type " + type + " " + problem);
			}
		}
	}

	private static Kind kindOf(Method method, Class<?> targetClass, String description) {
		if (isHandlerMethod(method, targetClass)) {
			if (WebAnnotations.hasResponseStatus(method)) {
				throw misuse(description, "@ResponseStatus conflicts with the 202 Accepted of a background task; "
						+ "remove it");
			}
			Class<?>[] types = method.getParameterTypes();
			for (int i = 0; i < types.length; i++) {
				for (Class<?> body : RESPONSE_BODY_TYPES) {
					if (body.isAssignableFrom(types[i])) {
						throw misuse(description, "parameter " + i + " of type " + types[i].getName() + " is the "
								+ "response's body: Spring MVC then leaves the response to the method, so no 202 "
								+ "Accepted would be written, and the task would write to a response that has "
								+ "ended; return the value instead, it becomes the task's result");
					}
				}
			}
			for (String name : ASYNC_HANDLER_TYPES) {
				if (ClassUtils.isPresent(name, BackgroundTaskDefinition.class.getClassLoader()) && ClassUtils
					.resolveClassName(name, BackgroundTaskDefinition.class.getClassLoader())
					.isAssignableFrom(method.getReturnType())) {
					throw misuse(description, "its return type " + method.getReturnType().getSimpleName() + " is Spring "
							+ "MVC's own asynchronous request handling, which the background task would never run or "
							+ "wait for; return the value itself (or a CompletableFuture of it): the body already "
							+ "runs in the background, and its value is the task's result");
				}
			}
			return Kind.HANDLER;
		}
		Class<?> type = method.getReturnType();
		if (type == void.class || type == Void.class) {
			return Kind.VOID;
		}
		if (TaskHandle.class == type) {
			return Kind.HANDLE;
		}
		if (type.isAssignableFrom(CompletableFuture.class)
				&& (Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type))) {
			return Kind.FUTURE;
		}
		throw misuse(description, "its return type " + method.getGenericReturnType().getTypeName()
				+ " cannot carry an asynchronous result; return void, CompletableFuture<T> or TaskHandle<T>");
	}

	/**
	 * Whether the method handles requests of a {@code @Controller}.
	 * @param method the method
	 * @param targetClass the bean's class
	 * @return {@code true} for a controller handler method
	 */
	static boolean isHandlerMethod(Method method, Class<?> targetClass) {
		return WEB_PRESENT && AnnotatedElementUtils.hasAnnotation(targetClass, Controller.class)
				&& WebAnnotations.hasRequestMapping(method);
	}

	private static TaskOptions optionsOf(BackgroundTask annotation, Method method, Class<?> targetClass,
			String description) {
		String name = StringUtils.hasText(annotation.name()) ? annotation.name()
				: ClassUtils.getUserClass(targetClass).getSimpleName() + "." + method.getName();
		TaskOptions options = TaskOptions.named(name);
		Duration wallClock = duration(annotation.wallClock(), "wallClock", description);
		if (wallClock != null) {
			options = options.wallClock(wallClock);
		}
		Duration cpuTime = duration(annotation.cpuTime(), "cpuTime", description);
		if (cpuTime != null) {
			options = options.cpuTime(cpuTime);
		}
		if (StringUtils.hasText(annotation.memory())) {
			DataSize memory;
			try {
				memory = DataSize.parse(annotation.memory().trim());
			}
			catch (IllegalArgumentException ex) {
				throw misuse(description, "memory '" + annotation.memory() + "' is not a size such as 64MB");
			}
			if (memory.toBytes() <= 0) {
				throw misuse(description, "memory '" + annotation.memory() + "' must be greater than 0");
			}
			options = options.memory(memory);
		}
		return options;
	}

	private static @Nullable Duration duration(String value, String attribute, String description) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		Duration duration;
		try {
			duration = DurationStyle.detectAndParse(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw misuse(description, attribute + " '" + value + "' is not a duration such as 30s, 500ms or PT2M");
		}
		if (duration.isNegative() || duration.isZero()) {
			throw misuse(description, attribute + " '" + value + "' must be greater than 0");
		}
		return duration;
	}

	static String describe(Method method, Class<?> targetClass) {
		String parameters = Arrays.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", "));
		return "@BackgroundTask method " + ClassUtils.getUserClass(targetClass).getName() + "." + method.getName()
				+ "(" + parameters + ")";
	}

	static IllegalStateException misuse(String description, String problem) {
		return new IllegalStateException(description + " is misused: " + problem);
	}

	Method method() {
		return this.method;
	}

	String description() {
		return this.description;
	}

	Kind kind() {
		return this.kind;
	}

	TaskOptions options() {
		return this.options;
	}

	String name() {
		String name = this.options.name();
		return (name != null) ? name : this.method.getName();
	}

	boolean durable() {
		return this.durable;
	}

	@Nullable String queue() {
		return this.queue;
	}

	int maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * Whether a {@code HEAD} request starts the task of this controller method: only when its mapping names
	 * {@code HEAD}. Spring MVC also runs a method mapped to {@code GET} (or to no method) for {@code HEAD},
	 * which asks for the headers of a {@code GET} and must not change anything.
	 * @return whether {@code HEAD} starts the task
	 */
	boolean headStartsTask() {
		return this.headStartsTask;
	}

	/**
	 * Reads Spring Web's annotations; a separate class so that Spring Web is loaded only when present.
	 */
	private static final class WebAnnotations {

		static boolean hasRequestMapping(Method method) {
			return AnnotatedElementUtils.hasAnnotation(method, RequestMapping.class);
		}

		static boolean mapsHead(Method method, Class<?> targetClass) {
			for (AnnotatedElement element : new AnnotatedElement[] { method, targetClass }) {
				RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(element, RequestMapping.class);
				if (mapping != null && Arrays.asList(mapping.method()).contains(RequestMethod.HEAD)) {
					return true;
				}
			}
			return false;
		}

		static boolean hasResponseStatus(Method method) {
			return AnnotatedElementUtils.hasAnnotation(method, ResponseStatus.class);
		}

	}

}
