package dev.edgeruntime.aot;

import java.sql.Connection;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What recurring jobs need in a native image: the SQL script of the in-app scheduler's table, read from the
 * classpath, and the JDK proxy of a {@link Connection} that hands out the connection kept open to the pg_cron
 * database ({@code edge-runtime.cron.pg-cron.url}).
 *
 * @author edge-runtime developers
 */
public final class CronRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("dev/edgeruntime/cron/schema/*.sql");
		hints.proxies().registerJdkProxy(Connection.class);
	}

}
