package dev.edgeruntime.packaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.xml.parsers.DocumentBuilderFactory;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

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

	// Surefire runs the tests in this module's directory, a child of the reactor's root.
	private final Path root = Path.of("").toAbsolutePath().getParent();

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
			.containsExactlyInAnyOrderElementsOf(publishedJarModules());
		assertThat(text(this.bom, "version")).isEqualTo(text(this.parent, "version"));
	}

	@Test
	void bomShouldNotInheritOrImportAnyDependencyManagement() {
		// A parent or an imported BOM would bring its managed versions (Spring Boot's, say) into every
		// application that imports this one, over the application's own choice.
		assertThat(child(this.bom, "parent")).isNull();
		// Nor a profile's: the one dependencyManagement is the top-level one, with no other dependencies.
		assertThat(this.bom.getElementsByTagNameNS("*", "dependencyManagement").getLength()).isOne();
		assertThat(this.bom.getElementsByTagNameNS("*", "dependencies").getLength()).isOne();
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

	/**
	 * The artifactIds of the reactor's modules that are deployed (not {@code maven.deploy.skip}) and are
	 * jars: those of the default modules and of the profiles' (the benchmarks).
	 */
	private Set<String> publishedJarModules() {
		List<String> modules = new ArrayList<>(texts(child(this.parent, "modules"), "module"));
		Element profiles = child(this.parent, "profiles");
		if (profiles != null) {
			for (Element profile : children(profiles, "profile")) {
				modules.addAll(texts(child(profile, "modules"), "module"));
			}
		}
		Set<String> published = new TreeSet<>();
		for (String module : modules) {
			Element pom = read(this.root.resolve(module).resolve("pom.xml"));
			String packaging = text(pom, "packaging");
			Element properties = child(pom, "properties");
			boolean deployed = properties == null || !"true".equals(text(properties, "maven.deploy.skip"));
			if (deployed && (packaging == null || packaging.equals("jar"))) {
				published.add(text(pom, "artifactId"));
			}
		}
		assertThat(published).isNotEmpty();
		return published;
	}

	private static List<Element> managedDependencies(Element pom) {
		Element management = child(pom, "dependencyManagement");
		assertThat(management).isNotNull();
		Element dependencies = child(management, "dependencies");
		assertThat(dependencies).isNotNull();
		return children(dependencies, "dependency");
	}

	private static Element read(Path pom) {
		assertThat(pom).exists();
		try {
			DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
			factory.setNamespaceAware(true);
			try (var in = Files.newInputStream(pom)) {
				return factory.newDocumentBuilder().parse(in).getDocumentElement();
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot read " + pom, ex);
		}
	}

	private static @Nullable Element child(@Nullable Element parent, String name) {
		List<Element> children = (parent != null) ? children(parent, name) : List.of();
		return children.isEmpty() ? null : children.get(0);
	}

	private static List<Element> children(Element parent, String name) {
		List<Element> children = new ArrayList<>();
		for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
			if (node instanceof Element element && element.getLocalName().equals(name)) {
				children.add(element);
			}
		}
		return children;
	}

	private static @Nullable String text(Element parent, String name) {
		Element child = child(parent, name);
		return (child != null) ? child.getTextContent().trim() : null;
	}

	private static List<String> texts(@Nullable Element parent, String name) {
		return (parent != null) ? children(parent, name).stream().map((child) -> child.getTextContent().trim()).toList()
				: List.of();
	}

	/**
	 * An element's content, its attributes left out (the parent's {@code scm} has the inheritance ones) and
	 * its layout ignored.
	 */
	private static @Nullable String normalized(@Nullable Element element) {
		return (element != null) ? element.getTextContent().replaceAll("\\s+", " ").trim() : null;
	}

}
