package dev.edgeruntime.aot;

import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import dev.edgeruntime.TaskHandle;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.core.ResolvableType;

/**
 * The binding hints the annotation processors share: the types Jackson reads and writes for an annotated
 * method, with the wrappers around them (a future, a task handle, an HTTP entity) taken off.
 *
 * @author edge-runtime developers
 */
final class MethodHints {

	/** Wrappers of a result, by name where their module is optional. */
	private static final List<String> WRAPPER_NAMES = List.of("org.springframework.http.HttpEntity");

	private static final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

	private MethodHints() {
	}

	/**
	 * Registers what Jackson needs to read or write values of a type.
	 * @param hints the hints
	 * @param type the type, generics included
	 */
	static void registerBinding(ReflectionHints hints, ResolvableType type) {
		Class<?> raw = type.resolve();
		if (raw == null || raw == Object.class || raw == void.class || raw == Void.class || raw.isPrimitive()
				|| CharSequence.class.isAssignableFrom(raw) || isJackson(raw)) {
			return;
		}
		Type declared = type.getType();
		bindings.registerReflectionHints(hints, declared);
	}

	/**
	 * Whether the type is Jackson's own, such as {@code JsonNode}: Jackson reads and writes it without
	 * reflection, and its getters would otherwise pull much of Jackson into the hints.
	 */
	private static boolean isJackson(Class<?> type) {
		String name = type.getName();
		return name.startsWith("tools.jackson.") || name.startsWith("com.fasterxml.jackson.");
	}

	/**
	 * The type of the value a method's return value carries: the result of a future or task handle, the
	 * body of an HTTP entity, else the return type itself.
	 * @param type the return type
	 * @return the carried type
	 */
	static ResolvableType unwrap(ResolvableType type) {
		ResolvableType current = type;
		while (isWrapper(current.resolve())) {
			current = current.getGeneric(0);
		}
		return current;
	}

	private static boolean isWrapper(@Nullable Class<?> type) {
		if (type == null) {
			return false;
		}
		if (Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type)
				|| TaskHandle.class.isAssignableFrom(type)) {
			return true;
		}
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			if (WRAPPER_NAMES.contains(candidate.getName())) {
				return true;
			}
		}
		return false;
	}

}
