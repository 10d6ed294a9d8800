-- edge-runtime's table of claimed in-app cron ticks, version 1. Each tick of a job is one row, inserted by
-- the one instance that fires it, in the transaction that sends its message. Idempotent.

CREATE SCHEMA IF NOT EXISTS edge_runtime;

CREATE TABLE IF NOT EXISTS edge_runtime.cron_tick (
	job_name text NOT NULL,
	tick_time timestamptz NOT NULL,
	claimed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	claimed_by text NOT NULL,
	msg_id bigint,
	PRIMARY KEY (job_name, tick_time)
);
