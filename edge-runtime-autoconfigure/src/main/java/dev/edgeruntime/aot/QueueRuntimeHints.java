package dev.edgeruntime.aot;

import dev.edgeruntime.queue.QueueConsumerStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * What the durable tier needs in a native image: the SQL scripts of the bundled pgmq-compatible schema and of
 * its own tables, read from the classpath; the message of a durable task, read and written by Jackson; the
 * consumers' statuses, written in the queue health's details.
 *
 * @author edge-runtime developers
 */
public final class QueueRuntimeHints implements RuntimeHintsRegistrar {

	/** The message of a durable task; package-private, hence named. */
	static final String DURABLE_TASK_MESSAGE = "dev.edgeruntime.queue.DurableTaskMessage";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("dev/edgeruntime/queue/schema/*.sql");
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), QueueConsumerStatus.class,
				ClassUtils.resolveClassName(DURABLE_TASK_MESSAGE, classLoader));
	}

}
