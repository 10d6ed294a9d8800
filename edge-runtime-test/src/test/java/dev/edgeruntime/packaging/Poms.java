package dev.edgeruntime.packaging;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads poms as XML, for the tests of what the reactor publishes: the elements as written, with no model of
 * Maven's between (no inheritance, no interpolation).
 *
 * @author edge-runtime developers
 */
final class Poms {

	private Poms() {
	}

	/**
	 * The root of the reactor: surefire and failsafe run the tests in this module's directory, a child of it.
	 */
	static Path root() {
		return Path.of("").toAbsolutePath().getParent();
	}

	static Element read(Path pom) {
		assertThat(pom).exists();
		try (InputStream in = Files.newInputStream(pom)) {
			return read(in, pom.toString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + pom, ex);
		}
	}

	static Element read(String pom, String description) {
		return read(new ByteArrayInputStream(pom.getBytes(StandardCharsets.UTF_8)), description);
	}

	static Element read(InputStream in, String description) {
		try {
			DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
			factory.setNamespaceAware(true);
			return factory.newDocumentBuilder().parse(in).getDocumentElement();
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot read " + description, ex);
		}
	}

	static @Nullable Element child(@Nullable Element parent, String name) {
		List<Element> children = (parent != null) ? children(parent, name) : List.of();
		return children.isEmpty() ? null : children.get(0);
	}

	static List<Element> children(Element parent, String name) {
		List<Element> children = new ArrayList<>();
		for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
			if (node instanceof Element element && element.getLocalName().equals(name)) {
				children.add(element);
			}
		}
		return children;
	}

	static List<Element> childElements(@Nullable Element parent) {
		List<Element> children = new ArrayList<>();
		for (Node node = (parent != null) ? parent.getFirstChild() : null; node != null; node = node.getNextSibling()) {
			if (node instanceof Element element) {
				children.add(element);
			}
		}
		return children;
	}

	static List<String> childNames(Element parent) {
		return childElements(parent).stream().map(Element::getLocalName).toList();
	}

	static @Nullable String text(@Nullable Element parent, String name) {
		Element child = child(parent, name);
		return (child != null) ? child.getTextContent().trim() : null;
	}

	static List<String> texts(@Nullable Element parent, String name) {
		return (parent != null) ? children(parent, name).stream().map((child) -> child.getTextContent().trim()).toList()
				: List.of();
	}

	/**
	 * An element's content, its attributes left out (the parent's {@code scm} has the inheritance ones) and
	 * its layout ignored.
	 */
	static @Nullable String normalized(@Nullable Element element) {
		return (element != null) ? element.getTextContent().replaceAll("\\s+", " ").trim() : null;
	}

	/**
	 * The dependencies of a pom's {@code dependencies}, or of its {@code dependencyManagement}'s: none when it
	 * has none.
	 */
	static List<Element> dependencies(@Nullable Element parent) {
		Element dependencies = child(parent, "dependencies");
		return (dependencies != null) ? children(dependencies, "dependency") : List.of();
	}

	/**
	 * The plugin of a {@code build} (of a pom, or of one of its profiles) with that artifactId, if any.
	 */
	static @Nullable Element plugin(@Nullable Element build, String artifactId) {
		Element plugins = child(build, "plugins");
		if (plugins != null) {
			for (Element plugin : children(plugins, "plugin")) {
				if (artifactId.equals(text(plugin, "artifactId"))) {
					return plugin;
				}
			}
		}
		return null;
	}

}
