-- Moves the queues of edge-runtime's bundled pgmq-compatible schema into the pgmq extension, once the
-- database server has the extension (docs/durable-queue.md, "Moving to the pgmq extension").
--
-- Run it once, with every application instance stopped, as the owner of the queue tables:
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f move-to-pgmq-extension.sql
-- It runs in one transaction: on any error nothing has changed. Every queue keeps its name, its messages
-- (ids, read counts, visibility times, payloads, headers) and its archive (dead letters and archived
-- messages); new ids go on after the highest one used. Then start the application with
-- edge-runtime.queue.schema=auto (or extension).

BEGIN;

ALTER SCHEMA pgmq RENAME TO pgmq_bundled;

CREATE EXTENSION pgmq;

DO $$
DECLARE
	queue record;
	queue_table text;
	archive_table text;
	last_id bigint;
BEGIN
	FOR queue IN SELECT queue_name, is_unlogged FROM pgmq_bundled.meta ORDER BY queue_name LOOP
		IF queue.is_unlogged THEN
			PERFORM pgmq.create_unlogged(queue.queue_name);
		ELSE
			PERFORM pgmq.create(queue.queue_name);
		END IF;
		queue_table := 'q_' || lower(queue.queue_name);
		archive_table := 'a_' || lower(queue.queue_name);
		EXECUTE format('INSERT INTO pgmq.%1$I (msg_id, read_ct, enqueued_at, vt, message, headers) '
				|| 'OVERRIDING SYSTEM VALUE '
				|| 'SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM pgmq_bundled.%1$I', queue_table);
		EXECUTE format('INSERT INTO pgmq.%1$I (msg_id, read_ct, enqueued_at, archived_at, vt, message, headers) '
				|| 'SELECT msg_id, read_ct, enqueued_at, archived_at, vt, message, headers FROM pgmq_bundled.%1$I',
				archive_table);
		EXECUTE format('SELECT max(msg_id) FROM (SELECT msg_id FROM pgmq_bundled.%I '
				|| 'UNION ALL SELECT msg_id FROM pgmq_bundled.%I) AS used', queue_table, archive_table)
			INTO last_id;
		IF last_id IS NOT NULL THEN
			PERFORM setval(pg_get_serial_sequence(format('pgmq.%I', queue_table), 'msg_id'), last_id);
		END IF;
		RAISE NOTICE 'queue %: moved', queue.queue_name;
	END LOOP;
END
$$;

DROP SCHEMA pgmq_bundled CASCADE;

COMMIT;
