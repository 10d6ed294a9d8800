package dev.edgeruntime.autoconfigure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Warns, at start-up, of {@code edge-runtime.*} properties that no part of the starter reads: a misspelt
 * name ({@code edge-runtime.max-in-fligt}) is otherwise ignored without a word, and the application runs
 * with the default the user meant to change. Each one is named with the property it is nearest to, when one
 * is close. Spring Boot's relaxed forms ({@code maxInFlight}, {@code max_in_flight}, {@code max-inflight}) are
 * the same name, as they are when the properties are bound.
 * Environment variables are not looked at: their names do not say where the words of a property end.
 *
 * @author edge-runtime developers
 */
final class UnknownPropertiesNotice implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(EdgeRuntimeAutoConfiguration.class);

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("edge-runtime");

	/** Every group of properties, each with its prefix: all of them are read, whichever parts are on. */
	private static final Map<String, Supplier<Object>> GROUPS = Map.of("edge-runtime", EdgeRuntimeProperties::new,
			"edge-runtime.queue", EdgeRuntimeQueueProperties::new, "edge-runtime.cron",
			EdgeRuntimeCronProperties::new, "edge-runtime.dashboard", EdgeRuntimeDashboardProperties::new,
			"edge-runtime.websocket", EdgeRuntimeWebSocketProperties::new);

	/** Most edits between a name and the property it is taken for. */
	private static final int MAX_DISTANCE = 3;

	private final Environment environment;

	UnknownPropertiesNotice(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> unknown = unknownProperties();
		if (!unknown.isEmpty()) {
			boolean one = unknown.size() == 1;
			logger.warn("Ignored " + (one ? "a property" : unknown.size() + " properties")
					+ " that edge-runtime does not have: " + String.join("; ", unknown) + ". Correct or remove "
					+ (one ? "it" : "them") + "; docs/configuration.md lists every property");
		}
	}

	/**
	 * The {@code edge-runtime.*} names set in the environment that no group of properties reads, each with
	 * the property it is nearest to when one is close.
	 * @return a description of each, in the order of their names
	 */
	List<String> unknownProperties() {
		Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.get(this.environment);
		Set<ConfigurationPropertyName> read = new LinkedHashSet<>();
		Binder binder = new Binder(sources);
		RecordingHandler handler = new RecordingHandler(read);
		GROUPS.forEach((prefix, properties) -> binder.bind(prefix, Bindable.ofInstance(properties.get()), handler));
		Set<ConfigurationPropertyName> set = new TreeSet<>(Comparator.comparing(ConfigurationPropertyName::toString));
		for (ConfigurationPropertySource source : sources) {
			if (source instanceof IterableConfigurationPropertySource iterable
					&& !(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
				iterable.filter(ROOT::isAncestorOf).stream().forEach(set::add);
			}
		}
		List<String> unknown = new ArrayList<>();
		for (ConfigurationPropertyName name : set) {
			if (!read.contains(name)) {
				String nearest = nearest(name, read);
				unknown.add((nearest != null) ? name + " (did you mean " + nearest + "?)" : name.toString());
			}
		}
		return unknown;
	}

	private static @Nullable String nearest(ConfigurationPropertyName name, Set<ConfigurationPropertyName> known) {
		String uniform = uniform(name);
		String nearest = null;
		int best = MAX_DISTANCE + 1;
		for (ConfigurationPropertyName candidate : known) {
			int distance = distance(uniform, uniform(candidate));
			if (distance < best) {
				best = distance;
				nearest = candidate.toString();
			}
		}
		return nearest;
	}

	/** The name as Spring Boot compares names: lower case, without dashes. */
	private static String uniform(ConfigurationPropertyName name) {
		return name.toString().replace("-", "").toLowerCase(Locale.ROOT);
	}

	/** The Levenshtein distance: the fewest insertions, deletions and substitutions from one to the other. */
	private static int distance(String from, String to) {
		int[] previous = new int[to.length() + 1];
		int[] current = new int[to.length() + 1];
		for (int j = 0; j <= to.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= from.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= to.length(); j++) {
				int substitution = previous[j - 1] + ((from.charAt(i - 1) == to.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[to.length()];
	}

	/**
	 * What binding every group needs in a native image, where only the groups of the parts on at build time
	 * would have it otherwise.
	 */
	static final class Hints implements RuntimeHintsRegistrar {

		@Override
		public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
			BindableRuntimeHintsRegistrar
				.forTypes(GROUPS.values().stream().map((group) -> group.get().getClass()).toArray(Class<?>[]::new))
				.registerHints(hints, classLoader);
		}

	}

	/**
	 * Records every name the binder looks for (each property of each group, and each entry of a map it
	 * finds), and lets a value that does not convert pass: that is the group's own binding's to report.
	 */
	private static final class RecordingHandler extends AbstractBindHandler {

		private final Set<ConfigurationPropertyName> read;

		RecordingHandler(Set<ConfigurationPropertyName> read) {
			this.read = read;
		}

		@Override
		public <T> @Nullable Bindable<T> onStart(ConfigurationPropertyName name, Bindable<T> target,
				BindContext context) {
			this.read.add(name);
			return super.onStart(name, target, context);
		}

		@Override
		public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
				Exception error) {
			return null;
		}

	}

}
