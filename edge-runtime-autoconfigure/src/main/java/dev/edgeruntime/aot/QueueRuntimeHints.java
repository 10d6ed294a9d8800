package dev.edgeruntime.aot;

import java.util.List;

import dev.edgeruntime.queue.QueueConsumerStatus;
import dev.edgeruntime.queue.QueueMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

/**
 * What the durable tier needs in a native image: the SQL scripts of the bundled pgmq-compatible schema and of
 * its own tables, read from the classpath; the message of a durable task, read and written by Jackson, and the
 * method its consumer calls through reflection; the consumers' statuses, written in the queue health's
 * details; and the pool size of a Hikari {@code DataSource}, read through reflection to warn of a pool too
 * small for the consumers.
 *
 * @author edge-runtime developers
 */
public final class QueueRuntimeHints implements RuntimeHintsRegistrar {

	/** The message of a durable task; package-private, hence named. */
	static final String DURABLE_TASK_MESSAGE = "dev.edgeruntime.queue.DurableTaskMessage";

	/** The handler of durable tasks, whose {@code execute} method the consumer calls; package-private too. */
	static final String DURABLE_TASK_EXECUTOR = "dev.edgeruntime.queue.DurableTaskExecutor";

	private static final String HIKARI_DATA_SOURCE = "com.zaxxer.hikari.HikariDataSource";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("dev/edgeruntime/queue/schema/*.sql");
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), QueueConsumerStatus.class,
				ClassUtils.resolveClassName(DURABLE_TASK_MESSAGE, classLoader));
		// found by name in a static initializer: without the hint, the durable tier would fail to start
		hints.reflection()
			.registerType(TypeReference.of(DURABLE_TASK_EXECUTOR), (type) -> type.withMethod("execute",
					List.of(TypeReference.of(QueueMessage.class)), ExecutableMode.INVOKE));
		// getMaximumPoolSize is looked up on the pool's class, and declared by its superclass
		hints.reflection().registerType(TypeReference.of(HIKARI_DATA_SOURCE), MemberCategory.INVOKE_PUBLIC_METHODS);
	}

}
