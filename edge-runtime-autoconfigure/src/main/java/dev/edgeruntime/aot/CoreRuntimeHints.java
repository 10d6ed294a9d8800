package dev.edgeruntime.aot;

import java.util.List;

import dev.edgeruntime.runtime.VirtualTaskExecutor;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What the runtime itself needs in a native image: {@link VirtualTaskExecutor} reaches the virtual threads of
 * Java 21 and later through reflection, as the library is compiled for Java 17; and the library looks up by
 * name the classes of its optional integrations and the parameter and return types that
 * {@code @BackgroundTask} refuses, which a native image only finds when they are registered.
 *
 * @author edge-runtime developers
 */
public final class CoreRuntimeHints implements RuntimeHintsRegistrar {

	/**
	 * The classes the library looks up with {@code ClassUtils.isPresent}: without them, a native image would
	 * run as if Spring MVC, SLF4J, Spring Security or transactions were missing, and let misused
	 * {@code @BackgroundTask} methods through.
	 */
	static final List<String> LOOKED_UP_BY_NAME = List.of(
			// optional integrations (the auto-configurations, the interceptor, the task starter)
			"org.springframework.web.context.request.RequestContextHolder",
			"org.springframework.web.context.request.ServletRequestAttributes",
			"org.springframework.web.bind.annotation.RequestMapping", "org.springframework.http.HttpEntity",
			"org.springframework.web.multipart.MultipartFile", "jakarta.servlet.http.HttpServletRequest",
			"org.springframework.transaction.support.TransactionSynchronizationManager", "org.slf4j.MDC",
			"io.micrometer.context.ContextSnapshotFactory",
			"org.springframework.security.core.context.SecurityContextHolder",
			// parameters that die with the request (BackgroundTaskDefinition)
			"jakarta.servlet.ServletRequest", "jakarta.servlet.ServletResponse", "jakarta.servlet.http.Part",
			"org.springframework.web.context.request.WebRequest", "org.springframework.http.HttpInputMessage",
			"org.springframework.http.HttpOutputMessage", "org.springframework.web.multipart.MultipartRequest",
			// Spring MVC's asynchronous return types (BackgroundTaskDefinition)
			"java.util.concurrent.Callable", "org.springframework.web.context.request.async.DeferredResult",
			"org.springframework.web.context.request.async.WebAsyncTask",
			"org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter",
			"org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody",
			// what a durable task cannot carry in JSON (DurableArguments)
			"java.io.InputStream", "java.io.OutputStream", "java.io.Reader", "java.io.Writer",
			"java.nio.channels.Channel", "java.io.File", "java.nio.file.Path",
			"org.springframework.core.io.InputStreamSource", "java.util.concurrent.Future",
			"java.util.concurrent.CompletionStage", "java.lang.Thread", "java.lang.Runnable",
			"dev.edgeruntime.TaskContext", "dev.edgeruntime.TaskHandle");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		TypeReference string = TypeReference.of(String.class);
		hints.reflection()
			.registerType(Thread.class, (type) -> type.withMethod("ofVirtual", List.of(), ExecutableMode.INVOKE))
			.registerType(TypeReference.of("java.lang.Thread$Builder"),
					(type) -> type
						.withMethod("name", List.of(string, TypeReference.of(long.class)), ExecutableMode.INVOKE)
						.withMethod("inheritInheritableThreadLocals", List.of(TypeReference.of(boolean.class)),
								ExecutableMode.INVOKE)
						.withMethod("factory", List.of(), ExecutableMode.INVOKE));
		for (String name : LOOKED_UP_BY_NAME) {
			// a type hint without members: enough for Class.forName, and harmless for a class that is absent
			hints.reflection().registerType(TypeReference.of(name));
		}
	}

}
