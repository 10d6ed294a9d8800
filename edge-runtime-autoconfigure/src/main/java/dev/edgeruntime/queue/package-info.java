/**
 * The durable tier: a client over pgmq's SQL functions ({@link dev.edgeruntime.queue.PgmqTemplate}), the
 * pgmq-compatible schema installed where the extension is missing, and {@link dev.edgeruntime.queue.QueueListener}
 * consumers with retries, dead letters and wake-up by {@code LISTEN/NOTIFY}.
 */
@NullMarked
package dev.edgeruntime.queue;

import org.jspecify.annotations.NullMarked;
