package dev.edgeruntime.queue;

import java.time.Instant;
import java.util.Map;

/**
 * A message read from a queue: pgmq's {@code message_record}.
 *
 * @param <T> the payload type
 * @param id the message id ({@code msg_id}), increasing in send order
 * @param readCount how often it has been read ({@code read_ct}), 1 on the first delivery; a read handed back
 * at a graceful shutdown (unstarted, or cut short) is taken back, so a message may be seen again with the
 * same count: tell a repeat by the message's id, not by this
 * @param enqueuedAt when it was sent
 * @param visibleAt when it becomes visible again unless deleted or archived ({@code vt})
 * @param payload the message
 * @param headers the headers, empty when it has none
 * @author edge-runtime developers
 */
public record QueueMessage<T>(long id, int readCount, Instant enqueuedAt, Instant visibleAt, T payload,
		Map<String, Object> headers) {

	/**
	 * The same message with another payload.
	 * @param <R> the new payload type
	 * @param payload the new payload
	 * @return a copy
	 */
	public <R> QueueMessage<R> withPayload(R payload) {
		return new QueueMessage<>(this.id, this.readCount, this.enqueuedAt, this.visibleAt, payload, this.headers);
	}

}
