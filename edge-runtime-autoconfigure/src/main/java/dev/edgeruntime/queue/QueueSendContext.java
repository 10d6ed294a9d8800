package dev.edgeruntime.queue;

import java.util.Map;

import io.micrometer.observation.transport.SenderContext;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@link QueueObservation#SEND send} observation. Its carrier is the message's headers: a
 * tracer's propagator writes the trace context into them (W3C {@code traceparent}, say) as the observation
 * starts, before the message is written.
 *
 * @author edge-runtime developers
 */
public final class QueueSendContext extends SenderContext<Map<String, Object>> {

	private final String queue;

	private @Nullable Long messageId;

	/**
	 * Creates a new instance.
	 * @param headers the message's headers, which the propagator writes into
	 * @param queue the queue's name
	 */
	public QueueSendContext(Map<String, Object> headers, String queue) {
		super((carrier, key, value) -> {
			if (carrier != null) {
				carrier.put(key, value);
			}
		});
		setCarrier(headers);
		this.queue = queue;
	}

	/**
	 * The queue's name.
	 * @return the queue
	 */
	public String getQueue() {
		return this.queue;
	}

	/**
	 * The id of the message once sent; none before, nor for a batch.
	 * @return the message id, or {@code null}
	 */
	public @Nullable Long getMessageId() {
		return this.messageId;
	}

	void setMessageId(long messageId) {
		this.messageId = messageId;
	}

}
