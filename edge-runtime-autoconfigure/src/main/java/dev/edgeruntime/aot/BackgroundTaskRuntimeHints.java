package dev.edgeruntime.aot;

import dev.edgeruntime.web.TaskAccepted;
import dev.edgeruntime.web.TaskStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What {@code @BackgroundTask} controller methods and the task status resource need in a native image: their
 * JSON bodies ({@link TaskAccepted} of a {@code 202 Accepted}, {@link TaskStatus}) are written by Jackson.
 *
 * @author edge-runtime developers
 */
public final class BackgroundTaskRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), TaskAccepted.class,
				TaskStatus.class);
	}

}
