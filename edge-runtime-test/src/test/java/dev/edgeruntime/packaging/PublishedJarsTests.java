package dev.edgeruntime.packaging;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the manifests of the published jars, as built: run by the failsafe plugin after this module's
 * jar is built (the tag, see the pom), against the jars of the class path.
 *
 * @author edge-runtime developers
 */
@Tag("packaged-jars")
class PublishedJarsTests {

	@ParameterizedTest
	@CsvSource({ "edge-runtime-autoconfigure, dev.edgeruntime.autoconfigure",
			"edge-runtime-spring-boot-starter, dev.edgeruntime.spring.boot.starter",
			"edge-runtime-test, dev.edgeruntime.test" })
	void jarShouldHaveAStableModuleName(String artifactId, String moduleName) throws IOException {
		assertThat(manifest(artifactId).getValue("Automatic-Module-Name")).isEqualTo(moduleName);
	}

	@ParameterizedTest
	@CsvSource({ "edge-runtime-spring-boot-starter, dependencies-starter", "edge-runtime-autoconfigure, ",
			"edge-runtime-test, " })
	void onlyTheStarterShouldBeLeftOutOfAnApplicationsExecutableJar(String artifactId, String jarType)
			throws IOException {
		assertThat(manifest(artifactId).getValue("Spring-Boot-Jar-Type")).isEqualTo(jarType);
	}

	/**
	 * The main manifest of the artifact's jar on the class path (not of a test-jar), found by the pom
	 * descriptor Maven puts into every jar it builds: a class directory, where a test run before the jars
	 * are built would find the classes, has none.
	 */
	private Attributes manifest(String artifactId) throws IOException {
		String descriptor = "META-INF/maven/dev.edgeruntime/" + artifactId + "/pom.properties";
		List<URL> jars = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources(descriptor))) {
			if (!url.getPath().contains("-tests.jar!")) {
				jars.add(url);
			}
		}
		assertThat(jars).as("the jar of %s on the class path", artifactId).hasSize(1);
		JarURLConnection connection = (JarURLConnection) jars.get(0).openConnection();
		connection.setUseCaches(false);
		try (JarFile jar = connection.getJarFile()) {
			assertThat(jar.getManifest()).isNotNull();
			return jar.getManifest().getMainAttributes();
		}
	}

}
