package dev.edgeruntime.packaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import static dev.edgeruntime.packaging.Poms.child;
import static dev.edgeruntime.packaging.Poms.children;
import static dev.edgeruntime.packaging.Poms.normalized;
import static dev.edgeruntime.packaging.Poms.plugin;
import static dev.edgeruntime.packaging.Poms.read;
import static dev.edgeruntime.packaging.Poms.text;
import static dev.edgeruntime.packaging.Poms.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code edge-runtime-bom} module: that it manages the version of every module the reactor
 * publishes and of nothing else, so that a published module left out of it, or a dependency management
 * it would re-export, fails the build; and that it and the parent carry what Maven Central requires. Reads
 * the poms themselves: the BOM has no parent and imports nothing (checked here), so its own
 * {@code dependencyManagement} is its effective one.
 *
 * @author edge-runtime developers
 */
class BomTests {

	private static final String GROUP_ID = "dev.edgeruntime";

	private static final String FLATTEN = "flatten-maven-plugin";

	private static final String CENTRAL = "central-publishing-maven-plugin";

	private final Path root = Poms.root();

	private final Element parent = read(this.root.resolve("pom.xml"));

	private final Element bom = read(this.root.resolve("edge-runtime-bom/pom.xml"));

	@Test
	void bomShouldManageEveryPublishedModuleAtTheReactorsVersion() {
		List<Element> managed = managedDependencies(this.bom);
		assertThat(managed).allSatisfy((dependency) -> {
			assertThat(text(dependency, "groupId")).isEqualTo(GROUP_ID);
			assertThat(text(dependency, "version")).isEqualTo("${project.version}");
			// Neither an import nor another type: the jars themselves
			assertThat(text(dependency, "type")).isNull();
			assertThat(text(dependency, "scope")).isNull();
		});
		assertThat(managed).extracting((dependency) -> text(dependency, "artifactId"))
			.containsExactlyInAnyOrderElementsOf(publishedJarModules().keySet());
		assertThat(text(this.bom, "version")).isEqualTo(text(this.parent, "version"));
	}

	@Test
	void bomShouldNotInheritOrImportAnyDependencyManagement() {
		// A parent or an imported BOM would bring its managed versions (Spring Boot's, say) into every
		// application that imports this one, over the application's own choice.
		assertThat(child(this.bom, "parent")).isNull();
		// Nor a profile's: the one dependencyManagement is the top-level one, with no other dependencies.
		assertThat(child(this.bom, "dependencies")).isNull();
		for (Element profile : children(this.bom, "profiles").stream()
			.flatMap((profiles) -> children(profiles, "profile").stream())
			.toList()) {
			assertThat(child(profile, "dependencyManagement")).as(text(profile, "id")).isNull();
			assertThat(child(profile, "dependencies")).as(text(profile, "id")).isNull();
		}
	}

	@Test
	void bomShouldCarryTheMetadataMavenCentralRequiresAsTheParentDoes() {
		// The BOM cannot inherit it (it has no parent), so it repeats it: the two copies must not drift.
		for (String element : List.of("url", "licenses", "developers", "scm")) {
			assertThat(child(this.bom, element)).as(element).isNotNull();
			assertThat(normalized(child(this.bom, element))).as(element)
				.isEqualTo(normalized(child(this.parent, element)));
		}
		assertThat(text(this.bom, "name")).isNotBlank();
		assertThat(text(this.bom, "description")).isNotBlank();
	}

	@Test
	void modulesShouldInheritTheProjectsAddressesAsTheyAre() {
		// Else Maven appends each module's artifactId to them, addresses that do not exist.
		assertThat(this.parent.getAttribute("child.project.url.inherit.append.path")).isEqualTo("false");
		Element scm = child(this.parent, "scm");
		assertThat(scm).isNotNull();
		for (String address : List.of("connection", "developerConnection", "url")) {
			assertThat(scm.getAttribute("child.scm." + address + ".inherit.append.path")).as(address)
				.isEqualTo("false");
		}
	}

	@Test
	void everyPublishedModuleShouldPublishAFlattenedPom() {
		// Else its pom is published as written, with its parent, build and profiles: PublishedJarsTests reads
		// the poms as built.
		publishedJarModules().forEach((artifactId, pom) -> assertThat(plugin(child(pom, "build"), FLATTEN))
			.as(artifactId)
			.isNotNull());
		// The BOM has no parent: its copy of the parent's declaration must not drift from it.
		Element managed = plugin(child(child(this.parent, "build"), "pluginManagement"), FLATTEN);
		Element bomFlatten = plugin(child(this.bom, "build"), FLATTEN);
		assertThat(managed).isNotNull();
		assertThat(bomFlatten).isNotNull();
		assertThat(text(bomFlatten, "version")).isEqualTo(text(managed, "version"));
		assertThat(normalized(child(bomFlatten, "executions"))).isEqualTo(normalized(child(managed, "executions")));
		assertThat(text(child(bomFlatten, "configuration"), "flattenMode"))
			.isEqualTo(text(child(managed, "configuration"), "flattenMode"));
	}

	@Test
	void bomShouldBeBuiltWithThePackagingTestsAndSkippedByTheDemosRun() {
		// PublishedJarsTests reads the BOM's flattened pom: -pl edge-runtime-test -am must build it
		Element testSupport = read(this.root.resolve("edge-runtime-test/pom.xml"));
		assertThat(Poms.dependencies(testSupport))
			.filteredOn((dependency) -> "edge-runtime-bom".equals(text(dependency, "artifactId")))
			.singleElement()
			.satisfies((dependency) -> {
				assertThat(text(dependency, "type")).isEqualTo("pom");
				assertThat(text(dependency, "scope")).isEqualTo("test");
			});
		// and so the demo's -am spring-boot:run has it too: without a parent, it names Spring Boot's plugin itself
		// (else Maven finds no plugin for the prefix spring-boot) and skips it, at the parent's Spring Boot version
		Element springBoot = plugin(child(child(this.bom, "build"), "pluginManagement"), "spring-boot-maven-plugin");
		assertThat(springBoot).isNotNull();
		assertThat(text(springBoot, "version"))
			.isEqualTo(text(child(this.parent, "properties"), "spring-boot.version"));
		assertThat(text(child(springBoot, "configuration"), "skip")).isEqualTo("true");
	}

	@Test
	void parentShouldNotBeDeployed() {
		// No published pom names it (they are flattened), and it holds the build's settings.
		Element deploy = plugin(child(this.parent, "build"), "maven-deploy-plugin");
		assertThat(deploy).isNotNull();
		assertThat(text(deploy, "inherited")).isEqualTo("false");
		assertThat(text(child(deploy, "configuration"), "skip")).isEqualTo("true");
	}

	@Test
	void centralPublishingShouldLeaveOutWhatIsNotDeployed() {
		// It takes the deploy plugin's place in a release and reads none of its settings: what that one skips
		// (the parent's own setting, maven.deploy.skip), this one must exclude from the bundle.
		Element central = plugin(child(profile(this.parent, "release"), "build"), CENTRAL);
		assertThat(central).isNotNull();
		Element configuration = child(central, "configuration");
		List<String> notDeployed = new ArrayList<>();
		notDeployed.add(text(this.parent, "artifactId"));
		modules().forEach((artifactId, pom) -> {
			if (!deployed(pom)) {
				notDeployed.add(artifactId);
			}
		});
		assertThat(texts(child(configuration, "excludeArtifacts"), "artifactId"))
			.containsExactlyInAnyOrderElementsOf(notDeployed);
		// For review before it is published
		assertThat(text(configuration, "autoPublish")).isEqualTo("false");
		assertThat(text(configuration, "publishingServerId")).isEqualTo("central");
		// The BOM has no parent: its declaration must not drift from the parent's.
		Element bomCentral = plugin(child(profile(this.bom, "release"), "build"), CENTRAL);
		assertThat(bomCentral).isNotNull();
		for (String element : List.of("version", "extensions")) {
			assertThat(text(bomCentral, element)).as(element).isEqualTo(text(central, element));
		}
		for (String element : List.of("publishingServerId", "autoPublish", "waitUntil")) {
			assertThat(text(child(bomCentral, "configuration"), element)).as(element)
				.isEqualTo(text(configuration, element));
		}
	}

	/**
	 * The reactor's modules that are deployed (not {@code maven.deploy.skip}) and are jars, by artifactId.
	 */
	private Map<String, Element> publishedJarModules() {
		Map<String, Element> published = new TreeMap<>();
		modules().forEach((artifactId, pom) -> {
			String packaging = text(pom, "packaging");
			if (deployed(pom) && (packaging == null || packaging.equals("jar"))) {
				published.put(artifactId, pom);
			}
		});
		assertThat(published).isNotEmpty();
		return published;
	}

	/**
	 * The poms of the reactor's modules by artifactId: those of the default modules and of the profiles' (the
	 * benchmarks).
	 */
	private Map<String, Element> modules() {
		List<String> modules = new ArrayList<>(texts(child(this.parent, "modules"), "module"));
		Element profiles = child(this.parent, "profiles");
		if (profiles != null) {
			for (Element profile : children(profiles, "profile")) {
				modules.addAll(texts(child(profile, "modules"), "module"));
			}
		}
		Map<String, Element> poms = new TreeMap<>();
		for (String module : modules) {
			Element pom = read(this.root.resolve(module).resolve("pom.xml"));
			poms.put(text(pom, "artifactId"), pom);
		}
		return poms;
	}

	private static boolean deployed(Element pom) {
		return !"true".equals(text(child(pom, "properties"), "maven.deploy.skip"));
	}

	private static @Nullable Element profile(Element pom, String id) {
		Element profiles = child(pom, "profiles");
		if (profiles != null) {
			for (Element profile : children(profiles, "profile")) {
				if (id.equals(text(profile, "id"))) {
					return profile;
				}
			}
		}
		return null;
	}

	private static List<Element> managedDependencies(Element pom) {
		Element management = child(pom, "dependencyManagement");
		assertThat(management).isNotNull();
		Element dependencies = child(management, "dependencies");
		assertThat(dependencies).isNotNull();
		return children(dependencies, "dependency");
	}

}
