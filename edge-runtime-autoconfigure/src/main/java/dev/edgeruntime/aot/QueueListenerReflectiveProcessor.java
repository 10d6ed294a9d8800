package dev.edgeruntime.aot;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;

import dev.edgeruntime.queue.QueueListener;
import dev.edgeruntime.queue.QueueMessage;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.ReflectiveProcessor;
import org.springframework.core.ResolvableType;

/**
 * The reflection a {@link QueueListener @QueueListener} method needs in a native image: its consumer calls
 * it through reflection, and reads the payload (that of a {@link QueueMessage} parameter) from JSON.
 *
 * @author edge-runtime developers
 */
public final class QueueListenerReflectiveProcessor implements ReflectiveProcessor {

	@Override
	public void registerReflectionHints(ReflectionHints hints, AnnotatedElement element) {
		if (!(element instanceof Method method)) {
			return;
		}
		hints.registerMethod(method, ExecutableMode.INVOKE);
		if (method.getParameterCount() == 1) {
			ResolvableType parameter = ResolvableType.forMethodParameter(method, 0);
			MethodHints.registerBinding(hints,
					QueueMessage.class.equals(parameter.resolve()) ? parameter.getGeneric(0) : parameter);
		}
	}

}
