package dev.edgeruntime.aot;

import dev.edgeruntime.dashboard.DashboardSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What the dashboard needs in a native image: its page, script and styles, read from the classpath, and the
 * {@link DashboardSnapshot} its event stream writes with Jackson.
 *
 * @author edge-runtime developers
 */
public final class DashboardRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources()
			.registerPattern("dev/edgeruntime/dashboard/index.html")
			.registerPattern("dev/edgeruntime/dashboard/dashboard.js")
			.registerPattern("dev/edgeruntime/dashboard/dashboard.css");
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), DashboardSnapshot.class);
	}

}
