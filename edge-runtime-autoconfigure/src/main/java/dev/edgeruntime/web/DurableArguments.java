package dev.edgeruntime.web;

import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;

/**
 * Which parameter types a durable {@code @BackgroundTask} method may take: its arguments are written to
 * JSON when the call is enqueued and read back, perhaps by another instance, when it runs.
 *
 * @author edge-runtime developers
 */
final class DurableArguments {

	/** Types whose value is a stream, a local resource or running code, none of which JSON can carry. */
	private static final String[] REFUSED = { "java.io.InputStream", "java.io.OutputStream", "java.io.Reader",
			"java.io.Writer", "java.nio.channels.Channel", "java.io.File", "java.nio.file.Path",
			"org.springframework.core.io.InputStreamSource", "java.util.concurrent.Future",
			"java.util.concurrent.CompletionStage", "java.lang.Thread", "java.lang.Runnable",
			"java.util.concurrent.Callable", "dev.edgeruntime.TaskContext", "dev.edgeruntime.TaskHandle" };

	/** Abstract types Jackson reads into a concrete type of its own. */
	private static final Class<?>[] READABLE_ABSTRACT = { Collection.class, Map.class, CharSequence.class,
			Number.class, TemporalAccessor.class, Optional.class };

	private DurableArguments() {
	}

	/**
	 * Why a parameter type cannot be carried as JSON.
	 * @param type the parameter type
	 * @return the problem, or {@code null} when the type is fine
	 */
	static @Nullable String problem(Type type) {
		return problem(ResolvableType.forType(type));
	}

	/**
	 * Why a parameter type cannot be carried as JSON, looking into what it holds: an array's elements and
	 * each generic argument ({@code List<InputStream>}, {@code Map<String, Shape>}).
	 * @param type the parameter type, resolved against the bean's class where it can be
	 * @return the problem, or {@code null} when the type is fine
	 */
	static @Nullable String problem(ResolvableType type) {
		if (type.isArray()) {
			String problem = problem(type.getComponentType());
			return (problem != null) ? "holds elements that " + problem.replaceFirst("^is ", "are ") : null;
		}
		String own = ownProblem(type);
		if (own != null) {
			return own;
		}
		for (ResolvableType generic : type.getGenerics()) {
			String problem = problem(generic);
			if (problem != null) {
				return "holds " + generic + ", which " + problem;
			}
		}
		return null;
	}

	private static @Nullable String ownProblem(ResolvableType type) {
		Class<?> raw = type.resolve(Object.class);
		ClassLoader classLoader = DurableArguments.class.getClassLoader();
		for (String name : REFUSED) {
			if (ClassUtils.isPresent(name, classLoader)
					&& ClassUtils.resolveClassName(name, classLoader).isAssignableFrom(raw)) {
				return "cannot be written to JSON for the queue (it is a stream, a local file or resource, or "
						+ "running work); pass what the task needs to find it again, such as a storage key or a URL";
			}
		}
		if (raw.isPrimitive() || raw.isArray() || raw.isEnum() || raw == Object.class) {
			return null;
		}
		boolean isAbstract = raw.isInterface() || Modifier.isAbstract(raw.getModifiers());
		if (isAbstract && !readableAbstract(raw) && !hasJacksonTypeInfo(raw)) {
			return "is abstract, so its JSON cannot be read back; declare a concrete type, or annotate it with "
					+ "@JsonTypeInfo";
		}
		return null;
	}

	private static boolean readableAbstract(Class<?> type) {
		for (Class<?> readable : READABLE_ABSTRACT) {
			if (readable.isAssignableFrom(type)) {
				return true;
			}
		}
		return type.getName().startsWith("tools.jackson.") || type.getName().startsWith("com.fasterxml.jackson.");
	}

	private static boolean hasJacksonTypeInfo(Class<?> type) {
		MergedAnnotations annotations = MergedAnnotations.from(type,
				MergedAnnotations.SearchStrategy.TYPE_HIERARCHY);
		return annotations.isPresent("com.fasterxml.jackson.annotation.JsonTypeInfo")
				|| annotations.isPresent("tools.jackson.databind.annotation.JsonDeserialize");
	}

}
