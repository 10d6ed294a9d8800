package dev.edgeruntime.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.edgeruntime.queue.DurableTaskMethods;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code docs/configuration.md} and the properties the starter binds in step: the configuration
 * metadata the build generates from the {@code @ConfigurationProperties} classes is compared with the
 * property tables of the page.
 *
 * @author edge-runtime developers
 */
class ConfigurationDocumentationTests {

	private static final Path PAGE = Path.of("..", "docs", "configuration.md");

	/** A row of a property table: the first cell is the property name in backquotes. */
	private static final Pattern ROW = Pattern.compile("^\\| `(edge-runtime\\.[a-z0-9.-]+)` \\|", Pattern.MULTILINE);

	private static JsonNode metadata;

	private static Set<String> documented;

	@BeforeAll
	static void read() throws IOException {
		try (InputStream json = ConfigurationDocumentationTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(json).as("the configuration metadata the build generates").isNotNull();
			metadata = JsonMapper.builder().build().readTree(json);
		}
		assertThat(PAGE).as("the page, read from the module's directory").isRegularFile();
		documented = new LinkedHashSet<>();
		Matcher rows = ROW.matcher(Files.readString(PAGE));
		while (rows.find()) {
			documented.add(rows.group(1));
		}
	}

	@Test
	void everyPropertyHasARowInTheConfigurationPage() {
		Set<String> properties = properties();
		assertThat(properties).as("properties in the metadata").hasSizeGreaterThan(50);
		assertThat(properties).allSatisfy((property) -> assertThat(documented).as("docs/configuration.md")
			.contains(property));
	}

	@Test
	void everyPropertyOfTheConfigurationPageIsBound() {
		Set<String> properties = properties();
		assertThat(documented).allSatisfy((row) -> assertThat(properties).as("a property in the metadata")
			.contains(row));
	}

	@Test
	void defaultQueueOfDurableTasksIsInTheMetadata() {
		JsonNode property = null;
		for (JsonNode candidate : metadata.get("properties")) {
			if ("edge-runtime.queue.tasks.queue".equals(candidate.get("name").asString())) {
				property = candidate;
			}
		}
		assertThat(property).isNotNull();
		assertThat(property.get("defaultValue")).as("what an IDE shows").isNotNull();
		assertThat(property.get("defaultValue").asString()).isEqualTo(DurableTaskMethods.DEFAULT_QUEUE);
		assertThat(new EdgeRuntimeQueueProperties().getTasks().getQueue()).isEqualTo(DurableTaskMethods.DEFAULT_QUEUE);
	}

	@Test
	void everyManagementPropertyOfTheConfigurationPageIsInTheMetadata() throws IOException {
		Matcher rows = Pattern.compile("^\\| `(management\\.[a-z0-9.-]+)` \\|", Pattern.MULTILINE)
			.matcher(Files.readString(PAGE));
		Set<String> management = new LinkedHashSet<>();
		while (rows.find()) {
			management.add(rows.group(1));
		}
		Set<String> names = new LinkedHashSet<>();
		metadata.get("properties").forEach((property) -> names.add(property.get("name").asString()));
		assertThat(management).as("management.* rows of docs/configuration.md")
			.contains("management.health.edgeruntime.enabled", "management.health.queue.enabled")
			.allSatisfy((property) -> assertThat(names).as("what an IDE completes").contains(property));
	}

	@Test
	void everyRowOfTheConfigurationPageShowsTheDefaultOfTheMetadata() throws IOException {
		Map<String, @Nullable JsonNode> defaults = new LinkedHashMap<>();
		metadata.get("properties")
			.forEach((property) -> defaults.put(property.get("name").asString(), property.get("defaultValue")));
		// the default cell: a value in backquotes first, or words (not set, unlimited) for a property without one
		Matcher rows = Pattern.compile("^\\| `((?:edge-runtime|management)\\.[a-z0-9.-]+)` \\| ([^|]*) \\|",
				Pattern.MULTILINE)
			.matcher(Files.readString(PAGE));
		int compared = 0;
		while (rows.find()) {
			String property = rows.group(1);
			String cell = rows.group(2).trim();
			assertThat(defaults).as("docs/configuration.md row of a property in the metadata").containsKey(property);
			JsonNode value = defaults.get(property);
			if (value == null) {
				assertThat(cell).as(property + " has no default in the metadata; its row says so in words")
					.doesNotStartWith("`");
			}
			else {
				assertThat(cell).as(property + ": the row's default, as the metadata has it")
					.startsWith("`" + value.asString() + "`");
			}
			compared++;
		}
		assertThat(compared).as("rows compared").isGreaterThan(50);
	}

	@Test
	void everyPropertyHasADescription() {
		for (JsonNode property : metadata.get("properties")) {
			JsonNode description = property.get("description");
			assertThat(description).as(property.get("name").asString()).isNotNull();
			assertThat(description.asString()).as(property.get("name").asString()).isNotBlank();
		}
	}

	private static Set<String> properties() {
		Set<String> names = new LinkedHashSet<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			if (name.startsWith("edge-runtime.")) {
				names.add(name);
			}
		}
		return names;
	}

}
