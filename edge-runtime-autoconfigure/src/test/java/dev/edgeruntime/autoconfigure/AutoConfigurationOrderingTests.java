package dev.edgeruntime.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the ordering of the starter's auto-configurations true: each one it orders itself against, by class
 * or by name, is an auto-configuration Spring Boot registers. A name that Spring Boot moved (as version 4
 * moved most of them to modules of their own) would otherwise be ignored, and the ordering lost, without a
 * word.
 *
 * @author edge-runtime developers
 */
class AutoConfigurationOrderingTests {

	private static final ClassLoader CLASS_LOADER = AutoConfigurationOrderingTests.class.getClassLoader();

	@Test
	void everyAutoConfigurationOrderedAgainstIsRegistered() throws ClassNotFoundException {
		Set<String> registered = StreamSupport
			.stream(ImportCandidates.load(AutoConfiguration.class, CLASS_LOADER).spliterator(), false)
			.collect(Collectors.toSet());
		List<String> starters = registered.stream().filter((name) -> name.startsWith("dev.edgeruntime.")).toList();
		assertThat(starters).as("the starter's auto-configurations").hasSizeGreaterThan(10);
		List<String> orderedAgainst = new ArrayList<>();
		for (String name : starters) {
			MergedAnnotation<AutoConfiguration> annotation = MergedAnnotations
				.from(ClassUtils.forName(name, CLASS_LOADER))
				.get(AutoConfiguration.class);
			assertThat(annotation.isPresent()).as(name + " is an @AutoConfiguration").isTrue();
			for (String attribute : List.of("after", "before")) {
				for (Class<?> type : annotation.getClassArray(attribute)) {
					orderedAgainst.add(type.getName());
				}
			}
			for (String attribute : List.of("afterName", "beforeName")) {
				orderedAgainst.addAll(List.of(annotation.getStringArray(attribute)));
			}
		}
		assertThat(orderedAgainst).as("auto-configurations the starter's are ordered against")
			.contains("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
			.allSatisfy((name) -> assertThat(registered).as("registered auto-configurations").contains(name));
	}

}
