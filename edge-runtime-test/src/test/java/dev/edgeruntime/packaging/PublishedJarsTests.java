package dev.edgeruntime.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;

import static dev.edgeruntime.packaging.Poms.child;
import static dev.edgeruntime.packaging.Poms.childNames;
import static dev.edgeruntime.packaging.Poms.children;
import static dev.edgeruntime.packaging.Poms.dependencies;
import static dev.edgeruntime.packaging.Poms.normalized;
import static dev.edgeruntime.packaging.Poms.read;
import static dev.edgeruntime.packaging.Poms.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the published artifacts as built: the manifests of the jars, and the poms that are installed and
 * deployed. Run by the failsafe plugin after this module's jar is built (the tag, see the pom), against the
 * jars of the class path.
 *
 * @author edge-runtime developers
 */
@Tag("packaged-jars")
class PublishedJarsTests {

	private static final String GROUP_ID = "dev.edgeruntime";

	private static final String BOM = "edge-runtime-bom";

	/** What only the build uses: a consumer's Maven needs none of it, and some of it is this machine's. */
	private static final List<String> BUILD_ELEMENTS = List.of("parent", "properties", "build", "profiles", "modules",
			"reporting", "repositories", "pluginRepositories", "distributionManagement");

	private final Element parent = read(Poms.root().resolve("pom.xml"));

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

	@ParameterizedTest
	@ValueSource(strings = { BOM, "edge-runtime-autoconfigure", "edge-runtime-spring-boot-starter",
			"edge-runtime-test" })
	void publishedPomShouldHoldNoBuildSettings(String artifactId) throws IOException {
		String published = publishedPom(artifactId);
		assertThat(childNames(read(published, artifactId))).doesNotContainAnyElementsOf(BUILD_ELEMENTS);
		// Every version and address written out, and none of the build's paths (the JDK of the virtual-threads
		// tests, say)
		assertThat(published).doesNotContain("${");
		for (Element property : Poms.childElements(child(this.parent, "properties"))) {
			String value = property.getTextContent().trim();
			if (value.startsWith("/")) {
				assertThat(published).as(property.getLocalName()).doesNotContain(value);
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { BOM, "edge-runtime-autoconfigure", "edge-runtime-spring-boot-starter",
			"edge-runtime-test" })
	void publishedPomShouldCarryWhatMavenCentralRequires(String artifactId) throws IOException {
		Element pom = read(publishedPom(artifactId), artifactId);
		assertThat(text(pom, "groupId")).isEqualTo(GROUP_ID);
		assertThat(text(pom, "artifactId")).isEqualTo(artifactId);
		assertThat(text(pom, "version")).isEqualTo(text(this.parent, "version"));
		assertThat(text(pom, "name")).isNotBlank();
		assertThat(text(pom, "description")).isNotBlank();
		for (String element : List.of("url", "licenses", "developers", "scm")) {
			assertThat(child(pom, element)).as(element).isNotNull();
			assertThat(normalized(child(pom, element))).as(element)
				.isEqualTo(normalized(child(this.parent, element)));
		}
		List<Element> licenses = children(Objects.requireNonNull(child(pom, "licenses")), "license");
		assertThat(licenses).isNotEmpty().allSatisfy((license) -> {
			assertThat(text(license, "name")).isNotBlank();
			assertThat(text(license, "url")).isNotBlank();
		});
		assertThat(children(Objects.requireNonNull(child(pom, "developers")), "developer")).isNotEmpty();
		Element scm = Objects.requireNonNull(child(pom, "scm"));
		for (String address : List.of("connection", "developerConnection", "url")) {
			assertThat(text(scm, address)).as(address).isNotBlank();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "edge-runtime-autoconfigure", "edge-runtime-spring-boot-starter", "edge-runtime-test" })
	void publishedPomShouldListTheModulesDependenciesWithTheirVersions(String artifactId) throws IOException {
		Element pom = read(publishedPom(artifactId), artifactId);
		Element written = read(Poms.root().resolve(artifactId).resolve("pom.xml"));
		// Those of the pom as written, test ones left out, each with its scope and whether it is optional (an
		// optional integration of the library's must not reach an application that does not have it)
		List<String> expected = new ArrayList<>();
		for (Element dependency : dependencies(written)) {
			if (!"test".equals(text(dependency, "scope"))) {
				expected.add(coordinates(dependency));
			}
		}
		List<Element> published = dependencies(pom);
		assertThat(published).extracting(PublishedJarsTests::coordinates).containsExactlyElementsOf(expected);
		// With the versions the build used, which the parent's dependency management gave: the published pom
		// has no parent to give them
		String springBoot = text(Objects.requireNonNull(child(this.parent, "properties")), "spring-boot.version");
		assertThat(published).allSatisfy((dependency) -> {
			String version = text(dependency, "version");
			assertThat(version).as(coordinates(dependency)).isNotBlank();
			if (GROUP_ID.equals(text(dependency, "groupId"))) {
				assertThat(version).isEqualTo(text(this.parent, "version"));
			}
			if ("org.springframework.boot".equals(text(dependency, "groupId"))) {
				assertThat(version).isEqualTo(springBoot);
			}
		});
		assertThat(child(pom, "dependencyManagement")).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = BOM)
	void publishedBomShouldManageThePublishedJarsOnly(String artifactId) throws IOException {
		Element pom = read(publishedPom(artifactId), artifactId);
		Element written = read(Poms.root().resolve(artifactId).resolve("pom.xml"));
		assertThat(text(pom, "packaging")).isEqualTo("pom");
		assertThat(dependencies(pom)).isEmpty();
		List<Element> managed = dependencies(child(pom, "dependencyManagement"));
		assertThat(managed).extracting((dependency) -> text(dependency, "artifactId"))
			.containsExactlyElementsOf(
					dependencies(child(written, "dependencyManagement")).stream()
						.map((dependency) -> text(dependency, "artifactId"))
						.toList());
		assertThat(managed).allSatisfy((dependency) -> {
			assertThat(text(dependency, "groupId")).isEqualTo(GROUP_ID);
			assertThat(text(dependency, "version")).isEqualTo(text(this.parent, "version"));
			assertThat(text(dependency, "scope")).isNull();
			assertThat(text(dependency, "type")).isNull();
		});
	}

	/**
	 * The pom that the module installs and deploys, as its build leaves it: for a jar, the one Maven puts into
	 * the jar (the same file); for the BOM, which has no jar, the flattened pom its build writes beside its
	 * pom.xml. The reactor builds the BOM first, as the first of its modules, and {@code -pl edge-runtime-test -am}
	 * too, as this module depends on it.
	 */
	private String publishedPom(String artifactId) throws IOException {
		if (artifactId.equals(BOM)) {
			Path flattened = Poms.root().resolve(BOM).resolve(".flattened-pom.xml");
			assertThat(flattened).as("the pom %s publishes, which a build of this module builds first", BOM).exists();
			return Files.readString(flattened);
		}
		try (JarFile jar = jar(artifactId)) {
			JarEntry entry = jar.getJarEntry("META-INF/maven/" + GROUP_ID + "/" + artifactId + "/pom.xml");
			assertThat(entry).as("the pom in the jar of %s", artifactId).isNotNull();
			try (InputStream in = jar.getInputStream(entry)) {
				return new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
		}
	}

	private Attributes manifest(String artifactId) throws IOException {
		try (JarFile jar = jar(artifactId)) {
			assertThat(jar.getManifest()).isNotNull();
			return jar.getManifest().getMainAttributes();
		}
	}

	/**
	 * The artifact's jar on the class path (not a test-jar), found by the pom descriptor Maven puts into every
	 * jar it builds: a class directory, where a test run before the jars are built would find the classes, has
	 * none.
	 */
	private JarFile jar(String artifactId) throws IOException {
		String descriptor = "META-INF/maven/" + GROUP_ID + "/" + artifactId + "/pom.properties";
		List<URL> jars = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources(descriptor))) {
			if (!url.getPath().contains("-tests.jar!")) {
				jars.add(url);
			}
		}
		assertThat(jars).as("the jar of %s on the class path", artifactId).hasSize(1);
		JarURLConnection connection = (JarURLConnection) jars.get(0).openConnection();
		connection.setUseCaches(false);
		return connection.getJarFile();
	}

	/**
	 * A dependency's coordinates with its scope and whether it is optional, Maven's defaults written out.
	 */
	private static String coordinates(Element dependency) {
		String scope = text(dependency, "scope");
		String optional = text(dependency, "optional");
		return text(dependency, "groupId") + ":" + text(dependency, "artifactId") + ":"
				+ ((scope != null) ? scope : "compile") + ((Boolean.parseBoolean(optional)) ? ":optional" : "");
	}

}
