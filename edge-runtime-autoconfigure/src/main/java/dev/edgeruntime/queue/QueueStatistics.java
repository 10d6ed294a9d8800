package dev.edgeruntime.queue;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A queue's figures, from {@code pgmq.metrics} and its archive.
 *
 * @param queue the queue name
 * @param length messages in the queue, visible or leased
 * @param visibleLength messages that can be read now
 * @param newestAgeSeconds age of the newest message in seconds, {@code null} when the queue is empty
 * @param oldestAgeSeconds age of the oldest message in seconds, {@code null} when the queue is empty
 * @param oldestVisibleAgeSeconds age of the oldest message that can be read now, in seconds, {@code null}
 * when none can: how far the consumers lag behind
 * @param totalMessages messages ever sent to the queue
 * @param deadLettered messages in the archive that were dead-lettered by a consumer
 * @param scrapeTime when the figures were taken
 * @author edge-runtime developers
 */
public record QueueStatistics(String queue, long length, long visibleLength, @Nullable Integer newestAgeSeconds,
		@Nullable Integer oldestAgeSeconds, @Nullable Integer oldestVisibleAgeSeconds, long totalMessages, long deadLettered, Instant scrapeTime) {

}
