package dev.edgeruntime.aot;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;

import dev.edgeruntime.BackgroundTask;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.ReflectiveProcessor;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The reflection a {@link BackgroundTask @BackgroundTask} method needs in a native image: the advisor calls
 * it through reflection once the task runs, a durable one is found by its signature when its message is
 * consumed and its arguments are written to and read from JSON, and the status resource writes its result
 * as JSON.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskReflectiveProcessor implements ReflectiveProcessor {

	@Override
	public void registerReflectionHints(ReflectionHints hints, AnnotatedElement element) {
		if (!(element instanceof Method method)) {
			return;
		}
		hints.registerMethod(method, ExecutableMode.INVOKE);
		BackgroundTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, BackgroundTask.class);
		if (annotation != null && annotation.durable()) {
			for (int i = 0; i < method.getParameterCount(); i++) {
				MethodHints.registerBinding(hints, ResolvableType.forMethodParameter(method, i));
			}
		}
		MethodHints.registerBinding(hints, MethodHints.unwrap(ResolvableType.forMethodReturnType(method)));
	}

}
