package dev.edgeruntime.queue;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link QueueListener} consumer is doing, for health and the actuator endpoint.
 *
 * @param queue the queue name
 * @param listener the listener method
 * @param running whether it reads
 * @param healthy whether its last read succeeded
 * @param lastError the last read error, or {@code null} when healthy
 * @param inFlight messages being handled now (not those prefetched and waiting for a handler)
 * @param concurrency most messages handled at once
 * @author edge-runtime developers
 */
public record QueueConsumerStatus(String queue, String listener, boolean running, boolean healthy,
		@Nullable String lastError, int inFlight, int concurrency) {

}
