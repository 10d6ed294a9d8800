/**
 * Recurring jobs that enqueue durable work: {@link dev.edgeruntime.cron.CronJob} methods and
 * {@code edge-runtime.cron.jobs.*} declarations, registered with pg_cron or, without it, fired by an in-app
 * scheduler whose every tick is claimed in the database by exactly one instance.
 */
@NullMarked
package dev.edgeruntime.cron;

import org.jspecify.annotations.NullMarked;
