package dev.edgeruntime.aot;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;

import dev.edgeruntime.cron.CronJob;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.ReflectiveProcessor;
import org.springframework.core.ResolvableType;

/**
 * The reflection a {@link CronJob @CronJob} method needs in a native image: it is called through reflection
 * at start-up for its message, which is written as JSON unless it is text.
 *
 * @author edge-runtime developers
 */
public final class CronJobReflectiveProcessor implements ReflectiveProcessor {

	@Override
	public void registerReflectionHints(ReflectionHints hints, AnnotatedElement element) {
		if (!(element instanceof Method method)) {
			return;
		}
		hints.registerMethod(method, ExecutableMode.INVOKE);
		MethodHints.registerBinding(hints, ResolvableType.forMethodReturnType(method));
	}

}
