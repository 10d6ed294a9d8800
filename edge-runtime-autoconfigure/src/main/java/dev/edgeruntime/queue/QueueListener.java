package dev.edgeruntime.queue;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.edgeruntime.aot.QueueListenerReflectiveProcessor;

import org.springframework.aot.hint.annotation.Reflective;
import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as the consumer of a queue. The method takes one parameter: the payload (mapped from
 * JSON by Jackson) or a {@link QueueMessage} of it.
 *
 * <pre class="code">
 * &#064;QueueListener(queue = "emails", concurrency = 4, maxAttempts = 5)
 * void send(Email email) { ... }
 * </pre>
 *
 * Returning normally deletes the message (or archives it, see {@link #onSuccess()}). Throwing makes it
 * visible again after an exponential backoff with jitter; after {@link #maxAttempts()} deliveries it is
 * archived with its error in the headers ({@link QueueHeaders#DEAD_LETTERED}) and a
 * {@link MessageDeadLetteredEvent} is published. A payload that cannot be mapped is dead-lettered at once.
 * Delivery is at least once: a handler must tolerate seeing a message again. Attributes left at their
 * defaults take {@code edge-runtime.queue.consumer.*}.
 *
 * @author edge-runtime developers
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(QueueListenerReflectiveProcessor.class)
public @interface QueueListener {

	/**
	 * Alias for {@link #queue()}.
	 * @return the queue name
	 */
	@AliasFor("queue")
	String value() default "";

	/**
	 * The queue to consume; created at start unless it exists. Placeholders such as
	 * {@code "${app.queue}"} are resolved.
	 * @return the queue name
	 */
	@AliasFor("value")
	String queue() default "";

	/**
	 * Most messages handled at once by this instance; 0 for the configured default.
	 * @return the concurrency
	 */
	int concurrency() default 0;

	/**
	 * Most messages read in one query; 0 for the configured default.
	 * @return the batch size
	 */
	int batchSize() default 0;

	/**
	 * Most messages read ahead of free handlers: leased by this instance (so no other consumer takes them)
	 * and heartbeated while they wait for a handler, so that the next read overlaps with handling; 0 for
	 * none, -1 for the configured default.
	 * @return the prefetch
	 */
	int prefetch() default -1;

	/**
	 * How long a read message stays hidden from other consumers, such as {@code "30s"}; a running handler's
	 * lease is extended by a heartbeat; at most {@link PgmqTemplate#MAX_DURATION}. Empty for the configured
	 * default.
	 * @return the visibility timeout
	 */
	String visibilityTimeout() default "";

	/**
	 * Deliveries before a failing message is dead-lettered; 0 for the configured default.
	 * @return the maximum attempts
	 */
	int maxAttempts() default 0;

	/**
	 * Delay before the first retry, such as {@code "1s"}, doubled (see
	 * {@code edge-runtime.queue.consumer.backoff.multiplier}) for each further one, up to
	 * {@code edge-runtime.queue.consumer.backoff.max}; at most {@link PgmqTemplate#MAX_DURATION}. Empty for
	 * the configured default.
	 * @return the first backoff
	 */
	String backoff() default "";

	/**
	 * What to do with a message once handled.
	 * @return the completion
	 */
	Completion onSuccess() default Completion.DEFAULT;

	/**
	 * What happens to a message that was handled successfully.
	 */
	enum Completion {

		/** As {@code edge-runtime.queue.consumer.archive-on-success} says. */
		DEFAULT,

		/** Delete it. */
		DELETE,

		/** Move it to the queue's archive. */
		ARCHIVE

	}

}
