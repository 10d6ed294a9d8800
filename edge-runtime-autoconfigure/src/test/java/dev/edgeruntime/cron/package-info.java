/**
 * Tests of recurring jobs, against the real PostgreSQL with pg_cron.
 */
@NullMarked
package dev.edgeruntime.cron;

import org.jspecify.annotations.NullMarked;
