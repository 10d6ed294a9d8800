package dev.edgeruntime.aot;

import java.util.List;

import dev.edgeruntime.web.TaskAccepted;
import dev.edgeruntime.web.TaskStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What {@code @BackgroundTask} controller methods and the task status resource need in a native image: their
 * JSON bodies ({@link TaskAccepted} of a {@code 202 Accepted}, {@link TaskStatus}) are written by Jackson, and
 * the return value handler of the {@code 202} finds the return type it writes through reflection.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskRuntimeHints implements RuntimeHintsRegistrar {

	/** The handler of {@code @BackgroundTask} controller methods' return values; package-private, hence named. */
	static final String RETURN_VALUE_HANDLER = "dev.edgeruntime.web.BackgroundTaskReturnValueHandler";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), TaskAccepted.class,
				TaskStatus.class);
		// found by name in a static initializer: without the hint, no 202 could be written
		hints.reflection()
			.registerType(TypeReference.of(RETURN_VALUE_HANDLER),
					(type) -> type.withMethod("acceptedReturnType", List.of(), ExecutableMode.INTROSPECT));
	}

}
