-- edge-runtime's pgmq-compatible schema, version 2.
-- read: an empty condition matches every message, as in pgmq, including payloads that are not JSON
-- objects (a string, a number, an array), which `message @> '{}'` does not contain.

CREATE OR REPLACE FUNCTION pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('WITH visible AS (
				SELECT msg_id FROM %1$s
				WHERE vt <= clock_timestamp() AND ($3 = ''{}''::jsonb OR message @> $3)
				ORDER BY msg_id
				LIMIT $2
				FOR UPDATE SKIP LOCKED),
			leased AS (
				UPDATE %1$s m SET vt = clock_timestamp() + make_interval(secs => $1), read_ct = m.read_ct + 1
				FROM visible WHERE m.msg_id = visible.msg_id
				RETURNING m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message, m.headers)
			SELECT * FROM leased ORDER BY msg_id', pgmq._er_table(queue_name, 'q'))
		USING vt, qty, coalesce(conditional, '{}'::jsonb);
END
$fn$;

INSERT INTO pgmq.edge_runtime_schema (version) VALUES (2) ON CONFLICT DO NOTHING;
