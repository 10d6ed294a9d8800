package dev.edgeruntime.cron;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One run of a recurring job: a row of {@code cron.job_run_details} under pg_cron, a claimed tick under the
 * in-app scheduler.
 *
 * @param startedAt when the run started (pg_cron) or the tick was claimed (in-app)
 * @param endedAt when it ended, or {@code null} while it runs or when unknown
 * @param status pg_cron's status ({@code starting}, {@code running}, {@code sending}, {@code connecting},
 * {@code succeeded}, {@code failed}), or {@code succeeded} for a claimed in-app tick
 * @param detail under pg_cron, for a succeeded run, its id in {@code cron.job_run_details} and that the message was
 * sent (pg_cron's return message is then the command tag of the command's last statement, {@code SELECT 1} on every
 * run), else pg_cron's return message (the error of a failed run); under the in-app scheduler, the tick, the
 * instance that fired it and the message's id
 * @author edge-runtime developers
 */
public record CronRun(@Nullable Instant startedAt, @Nullable Instant endedAt, String status, @Nullable String detail) {

}
