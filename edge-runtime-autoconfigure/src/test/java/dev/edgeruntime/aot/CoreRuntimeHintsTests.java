package dev.edgeruntime.aot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CoreRuntimeHints}.
 *
 * @author edge-runtime developers
 */
class CoreRuntimeHintsTests {

	@Test
	void everyTypeThatBackgroundTaskChecksByNameIsRegistered() {
		// the lists the checks of @BackgroundTask methods read, so that one added there is not forgotten here
		List<String> named = new ArrayList<>();
		named.addAll(names("dev.edgeruntime.web.BackgroundTaskDefinition", "REQUEST_BOUND_TYPES"));
		named.addAll(names("dev.edgeruntime.web.BackgroundTaskDefinition", "ASYNC_HANDLER_TYPES"));
		named.addAll(names("dev.edgeruntime.web.DurableArguments", "REFUSED"));
		RuntimeHints hints = new RuntimeHints();
		new CoreRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(named).hasSizeGreaterThan(20)
			.allSatisfy((name) -> assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(name)))
				.as(name)
				.accepts(hints));
	}

	private static List<String> names(String className, String field) {
		Class<?> type = ClassUtils.resolveClassName(className, CoreRuntimeHintsTests.class.getClassLoader());
		return Arrays.asList((String[]) ReflectionTestUtils.getField(type, field));
	}

}
