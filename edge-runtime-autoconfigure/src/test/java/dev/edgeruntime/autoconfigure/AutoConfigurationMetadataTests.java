package dev.edgeruntime.autoconfigure;

import java.io.IOException;
import java.util.Properties;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.core.io.support.PropertiesLoaderUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration metadata the build generates ({@code META-INF/spring-autoconfigure-metadata.properties}):
 * with it Spring Boot drops an auto-configuration whose classes are absent from its list before reading the
 * class at all, as it does its own; without it every one of the starter's is read and its conditions
 * evaluated at each start.
 *
 * @author edge-runtime developers
 */
class AutoConfigurationMetadataTests {

	@Test
	void everyAutoConfigurationOfTheStarterIsInTheMetadataWithItsConditions() throws IOException {
		ClassLoader classLoader = AutoConfigurationMetadataTests.class.getClassLoader();
		Properties metadata = PropertiesLoaderUtils
			.loadAllProperties("META-INF/spring-autoconfigure-metadata.properties", classLoader);
		StreamSupport.stream(ImportCandidates.load(AutoConfiguration.class, classLoader).spliterator(), false)
			.filter((name) -> name.startsWith("dev.edgeruntime."))
			.forEach((name) -> assertThat(metadata).as("the auto-configuration metadata").containsKey(name));
		assertThat(metadata.getProperty(EdgeRuntimeQueueAutoConfiguration.class.getName() + ".ConditionalOnClass"))
			.as("what the durable tier needs on the class path")
			.contains("org.postgresql.PGConnection", "org.springframework.jdbc.core.JdbcTemplate",
					"tools.jackson.databind.json.JsonMapper");
		assertThat(metadata.getProperty(EdgeRuntimeQueueAutoConfiguration.class.getName() + ".AutoConfigureAfter"))
			.contains("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
	}

}
