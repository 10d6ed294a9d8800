package dev.edgeruntime.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.edgeruntime.DurableTaskDispatcher;
import dev.edgeruntime.DurableTaskDispatcher.DurableInvocation;
import dev.edgeruntime.TaskHandle;
import dev.edgeruntime.runtime.DefaultEdgeRuntime;
import dev.edgeruntime.runtime.DeferredTask;
import dev.edgeruntime.web.BackgroundTaskDefinition.Kind;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Runs a {@code @BackgroundTask} method as a task of the runtime: on the calling thread it checks the
 * method, admits the task (holding its place in {@code max-in-flight}), copies request-bound arguments and
 * returns at once; the method body runs on the task's thread.
 *
 * @author edge-runtime developers
 */
final class BackgroundTaskInterceptor implements MethodInterceptor {

	/** The request attribute holding the handle of a controller method's task. */
	static final String ACCEPTED_TASK_ATTRIBUTE = BackgroundTaskInterceptor.class.getName() + ".ACCEPTED_TASK";

	/** Set, to {@code true}, when the accepted task is durable: it is in its queue already. */
	static final String ACCEPTED_DURABLE_ATTRIBUTE = BackgroundTaskInterceptor.class.getName() + ".ACCEPTED_DURABLE";

	/**
	 * Set, to {@code true}, when a {@code HEAD} request reached a controller method whose mapping does not
	 * name {@code HEAD}: no task was started, and the response has the 202 status without a body.
	 */
	static final String HEAD_ONLY_ATTRIBUTE = BackgroundTaskInterceptor.class.getName() + ".HEAD_ONLY";

	private static final boolean WEB_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.context.request.RequestContextHolder",
			BackgroundTaskInterceptor.class.getClassLoader());

	private static final boolean HTTP_ENTITY_PRESENT = ClassUtils.isPresent("org.springframework.http.HttpEntity",
			BackgroundTaskInterceptor.class.getClassLoader());

	private final Supplier<@Nullable DefaultEdgeRuntime> runtime;

	private final Supplier<@Nullable DurableTaskDispatcher> durableDispatcher;

	private final Map<MethodClassKey, BackgroundTaskDefinition> definitions = new ConcurrentHashMap<>();

	BackgroundTaskInterceptor(Supplier<@Nullable DefaultEdgeRuntime> runtime,
			Supplier<@Nullable DurableTaskDispatcher> durableDispatcher) {
		this.runtime = runtime;
		this.durableDispatcher = durableDispatcher;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target)
				: invocation.getMethod().getDeclaringClass();
		Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
		BackgroundTaskDefinition definition = this.definitions.computeIfAbsent(new MethodClassKey(method, targetClass),
				(key) -> BackgroundTaskDefinition.of(method, targetClass));
		if (definition.kind() == Kind.HANDLER && !definition.headStartsTask() && answeringHead()) {
			// Spring MVC runs a GET handler for HEAD too; HEAD is safe (link checkers, monitors and caches send
			// it freely), so it gets the status a GET would get and starts no work
			return neutralValue(invocation.getMethod().getReturnType());
		}
		if (definition.durable()) {
			if (DurableTaskExecution.claim(method)) {
				// the queue's consumer runs the call it took off the queue
				return invocation.proceed();
			}
			return dispatchDurable(definition, targetClass, invocation);
		}
		DeferredTask<@Nullable Object> task = runtime(definition).prepare(definition.options(), work(invocation));
		copyRequestBoundArguments(task, invocation);
		if (definition.kind() == Kind.HANDLER) {
			// the controller's own work: the client gets 202 Accepted from the return value handler, and the
			// work starts once that response is sent, so that handing it to a thread is not in the client's wait
			accept(task.handle());
			DeferredTaskStarter.scheduleAfterRequest(task);
			return neutralValue(invocation.getMethod().getReturnType());
		}
		// a future handed to the caller is not yet an observer: a failure nobody waits on is still reported
		Object returned = (definition.kind() == Kind.FUTURE) ? task.watchedResult()
				: returnValue(definition.kind(), task.handle());
		DeferredTaskStarter.schedule(task);
		return returned;
	}

	private DefaultEdgeRuntime runtime(BackgroundTaskDefinition definition) {
		DefaultEdgeRuntime runtime = this.runtime.get();
		if (runtime == null) {
			throw new IllegalStateException(definition.description() + " cannot run: the application's EdgeRuntime "
					+ "bean is not the starter's runtime (a test's @MockitoBean EdgeRuntime replaces it, and a mock "
					+ "runs no task). To verify what the code hands to the runtime while tasks still run, use "
					+ "@MockitoSpyBean EdgeRuntime; to run tasks on the calling thread, drop the mock and set "
					+ "edge-runtime.tasks.inline=true (the starter's runtime runs them so; a mock, whatever the property)");
		}
		return runtime;
	}

	private @Nullable Object dispatchDurable(BackgroundTaskDefinition definition, Class<?> targetClass,
			MethodInvocation invocation) {
		DurableTaskDispatcher dispatcher = this.durableDispatcher.get();
		if (dispatcher == null) {
			throw new IllegalStateException(definition.description() + " is durable, but the durable tier is not "
					+ "available: no DurableTaskDispatcher bean");
		}
		TaskHandle<?> handle = dispatcher.dispatch(new DurableInvocation(targetClass, definition.method(),
				Arrays.asList(invocation.getArguments()), definition.name(), definition.queue(),
				definition.maxAttempts(), definition.options()));
		if (definition.kind() == Kind.HANDLER) {
			accept(handle);
			markDurable();
			return neutralValue(invocation.getMethod().getReturnType());
		}
		return returnValue(definition.kind(), handle);
	}

	private static Callable<@Nullable Object> work(MethodInvocation invocation) {
		return () -> {
			Object result;
			try {
				result = invocation.proceed();
			}
			catch (Exception | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new UndeclaredThrowableException(ex);
			}
			return resultOf(result);
		};
	}

	/**
	 * The task's result from what the method body returned: the value of a future or handle, the body of
	 * a {@code ResponseEntity}.
	 */
	private static @Nullable Object resultOf(@Nullable Object returned) throws Exception {
		try {
			if (returned instanceof TaskHandle<?> handle) {
				return handle.result().get();
			}
			if (returned instanceof CompletionStage<?> stage) {
				return stage.toCompletableFuture().get();
			}
			if (returned instanceof Future<?> future) {
				return future.get();
			}
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof Exception exception) {
				throw exception;
			}
			throw ex;
		}
		if (HTTP_ENTITY_PRESENT && returned instanceof org.springframework.http.HttpEntity<?> entity) {
			return entity.getBody();
		}
		return returned;
	}

	private static void copyRequestBoundArguments(DeferredTask<?> task, MethodInvocation invocation) {
		@Nullable Object[] arguments = invocation.getArguments();
		if (!RequestBoundArguments.any(arguments)) {
			return;
		}
		if (!(invocation instanceof ProxyMethodInvocation proxyInvocation)) {
			task.drop("its request-bound arguments cannot be replaced by copies");
			throw new IllegalStateException("Cannot copy the request-bound arguments of background task '"
					+ task.handle().name() + "': not called through a Spring AOP proxy");
		}
		try {
			proxyInvocation.setArguments(RequestBoundArguments.copy(arguments, task.storage()));
		}
		catch (IOException | RuntimeException ex) {
			task.drop("its request-bound arguments could not be copied: " + ex.getMessage());
			if (ex instanceof IOException io) {
				throw new UncheckedIOException("Cannot copy the request-bound arguments of background task '"
						+ task.handle().name() + "': " + ex.getMessage(), io);
			}
			throw (RuntimeException) ex;
		}
	}

	private static void accept(TaskHandle<?> handle) {
		if (WEB_PRESENT) {
			RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
			if (attributes != null) {
				attributes.setAttribute(ACCEPTED_TASK_ATTRIBUTE, handle, RequestAttributes.SCOPE_REQUEST);
			}
		}
	}

	/**
	 * Whether the current request is a {@code HEAD} request, then marked as answered without a task.
	 */
	private static boolean answeringHead() {
		RequestAttributes attributes = WEB_PRESENT ? RequestContextHolder.getRequestAttributes() : null;
		if (attributes instanceof ServletRequestAttributes servlet && "HEAD".equals(servlet.getRequest().getMethod())) {
			servlet.setAttribute(HEAD_ONLY_ATTRIBUTE, Boolean.TRUE, RequestAttributes.SCOPE_REQUEST);
			return true;
		}
		return false;
	}

	private static void markDurable() {
		if (WEB_PRESENT) {
			RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
			if (attributes != null) {
				attributes.setAttribute(ACCEPTED_DURABLE_ATTRIBUTE, Boolean.TRUE, RequestAttributes.SCOPE_REQUEST);
			}
		}
	}

	private static @Nullable Object returnValue(Kind kind, TaskHandle<?> handle) {
		return switch (kind) {
			case HANDLE -> handle;
			case FUTURE -> handle.result();
			default -> null;
		};
	}

	/**
	 * What a proxied controller method returns in place of its body's value; the return value handler
	 * writes the 202 response instead.
	 */
	private static @Nullable Object neutralValue(Class<?> type) {
		if (!type.isPrimitive() || type == void.class) {
			return null;
		}
		if (type == boolean.class) {
			return false;
		}
		if (type == char.class) {
			return '\0';
		}
		if (type == long.class) {
			return 0L;
		}
		if (type == float.class) {
			return 0f;
		}
		if (type == double.class) {
			return 0d;
		}
		if (type == byte.class) {
			return (byte) 0;
		}
		if (type == short.class) {
			return (short) 0;
		}
		return 0;
	}

}
