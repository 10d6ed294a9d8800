package dev.edgeruntime.queue;

import java.util.Map;

import io.micrometer.observation.transport.ReceiverContext;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@link QueueObservation#PROCESS process} observation. Its carrier is the delivered
 * message's headers, from which a tracer's propagator reads the sender's trace context.
 *
 * @author edge-runtime developers
 */
public final class QueueProcessContext extends ReceiverContext<Map<String, Object>> {

	private final String queue;

	private final String listener;

	private final long messageId;

	private final int readCount;

	private final @Nullable String taskName;

	/**
	 * Creates a new instance for a message that carries no durable task.
	 * @param headers the message's headers
	 * @param queue the queue's name
	 * @param listener the listener handling the message
	 * @param messageId the message's id
	 * @param readCount the message's delivery
	 */
	public QueueProcessContext(Map<String, Object> headers, String queue, String listener, long messageId,
			int readCount) {
		this(headers, queue, listener, messageId, readCount, null);
	}

	/**
	 * Creates a new instance.
	 * @param headers the message's headers
	 * @param queue the queue's name
	 * @param listener the listener handling the message
	 * @param messageId the message's id
	 * @param readCount the message's delivery
	 * @param taskName the name of the durable {@code @BackgroundTask} the message carries, or {@code null} for
	 * a message of a {@link QueueListener @QueueListener}
	 */
	public QueueProcessContext(Map<String, Object> headers, String queue, String listener, long messageId,
			int readCount, @Nullable String taskName) {
		// headers are JSON: a value another client wrote as a number or an object is no trace context
		super((carrier, key) -> (carrier.get(key) instanceof String value) ? value : null);
		setCarrier(headers);
		this.queue = queue;
		this.listener = listener;
		this.messageId = messageId;
		this.readCount = readCount;
		this.taskName = taskName;
	}

	/**
	 * The queue's name.
	 * @return the queue
	 */
	public String getQueue() {
		return this.queue;
	}

	/**
	 * The listener handling the message.
	 * @return the listener's description
	 */
	public String getListener() {
		return this.listener;
	}

	/**
	 * The message's id.
	 * @return the id
	 */
	public long getMessageId() {
		return this.messageId;
	}

	/**
	 * The message's delivery ({@code read_ct}): 1 on its first.
	 * @return the read count
	 */
	public int getReadCount() {
		return this.readCount;
	}

	/**
	 * The name of the durable {@code @BackgroundTask} the message carries: one of this application's durable
	 * methods' names, or {@code unknown} for a name none of them has (another
	 * version's task, a header another client wrote), so that the names stay few.
	 * @return the task name, or {@code null} for a message of a {@link QueueListener @QueueListener}
	 */
	public @Nullable String getTaskName() {
		return this.taskName;
	}

}
