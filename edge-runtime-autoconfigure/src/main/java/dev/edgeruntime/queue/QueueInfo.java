package dev.edgeruntime.queue;

import java.time.Instant;

/**
 * A queue as {@code pgmq.list_queues()} describes it.
 *
 * @param name the queue name
 * @param partitioned whether its table is partitioned
 * @param unlogged whether its table is unlogged (faster, lost on a crash)
 * @param createdAt when it was created
 * @author edge-runtime developers
 */
public record QueueInfo(String name, boolean partitioned, boolean unlogged, Instant createdAt) {

}
