/**
 * Ahead-of-time processing and GraalVM native images: the reflection hints that the methods of the
 * application's beans annotated with {@link dev.edgeruntime.BackgroundTask @BackgroundTask},
 * {@link dev.edgeruntime.queue.QueueListener @QueueListener} and {@link dev.edgeruntime.cron.CronJob @CronJob}
 * need, and those of the library's own resources and JSON types.
 */
@NullMarked
package dev.edgeruntime.aot;

import org.jspecify.annotations.NullMarked;
