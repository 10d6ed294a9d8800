package dev.edgeruntime.queue;

import org.springframework.context.ApplicationEvent;

/**
 * A consumer archived a message as dead-lettered: it failed {@code maxAttempts} times, or its payload
 * cannot be mapped and never will be. A message dead-lettered unrun, its deliveries having ended without an
 * outcome, while the last of them still ran on a consumer whose lease had run out, is taken back by that
 * consumer if its handler then succeeds; this event stays published.
 *
 * @author edge-runtime developers
 */
public class MessageDeadLetteredEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String queue;

	private final long messageId;

	private final int attempts;

	private final String error;

	private final boolean poison;

	/**
	 * Creates a new instance.
	 * @param source the consumer
	 * @param queue the queue name
	 * @param messageId the message id, now in the queue's archive
	 * @param attempts how often it was delivered
	 * @param error the last error
	 * @param poison whether the payload could not be mapped
	 */
	public MessageDeadLetteredEvent(Object source, String queue, long messageId, int attempts, String error,
			boolean poison) {
		super(source);
		this.queue = queue;
		this.messageId = messageId;
		this.attempts = attempts;
		this.error = error;
		this.poison = poison;
	}

	/**
	 * The queue name.
	 * @return the queue
	 */
	public String queue() {
		return this.queue;
	}

	/**
	 * The message id; the message is in {@code pgmq.a_<queue>}.
	 * @return the id
	 */
	public long messageId() {
		return this.messageId;
	}

	/**
	 * How often the message was delivered.
	 * @return the attempts
	 */
	public int attempts() {
		return this.attempts;
	}

	/**
	 * The last error, as class name and message.
	 * @return the error
	 */
	public String error() {
		return this.error;
	}

	/**
	 * Whether the payload could not be mapped (dead-lettered on its first delivery).
	 * @return whether it is a poison message
	 */
	public boolean poison() {
		return this.poison;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[queue=" + this.queue + ", messageId=" + this.messageId + ", attempts="
				+ this.attempts + ", poison=" + this.poison + ", error=" + this.error + "]";
	}

}
