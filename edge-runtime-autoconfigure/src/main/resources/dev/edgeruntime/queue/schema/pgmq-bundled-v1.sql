-- edge-runtime's bundled pgmq-compatible schema, version 1.
--
-- Installed only where the pgmq extension is not available. Written by the edge-runtime developers from
-- pgmq's documented behaviour (function names, signatures, return types, tables and semantics); it contains
-- no code of pgmq. Every statement is idempotent; the installer runs this script under a transaction-level
-- advisory lock, so instances starting at once install it once.

CREATE SCHEMA IF NOT EXISTS pgmq;

CREATE TABLE IF NOT EXISTS pgmq.meta (
	queue_name varchar UNIQUE NOT NULL,
	is_partitioned boolean NOT NULL,
	is_unlogged boolean NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS pgmq.edge_runtime_schema (
	version integer PRIMARY KEY,
	installed_at timestamptz NOT NULL DEFAULT now()
);

DO $install$
BEGIN
	IF to_regtype('pgmq.message_record') IS NULL THEN
		CREATE TYPE pgmq.message_record AS (
			msg_id bigint,
			read_ct integer,
			enqueued_at timestamptz,
			vt timestamptz,
			message jsonb,
			headers jsonb
		);
	END IF;
	IF to_regtype('pgmq.queue_record') IS NULL THEN
		CREATE TYPE pgmq.queue_record AS (
			queue_name varchar,
			is_partitioned boolean,
			is_unlogged boolean,
			created_at timestamptz
		);
	END IF;
	IF to_regtype('pgmq.metrics_result') IS NULL THEN
		CREATE TYPE pgmq.metrics_result AS (
			queue_name text,
			queue_length bigint,
			newest_msg_age_sec integer,
			oldest_msg_age_sec integer,
			total_messages bigint,
			scrape_time timestamptz,
			queue_visible_length bigint
		);
	END IF;
END
$install$;

-- The quoted, schema-qualified name of a queue's table ('q') or archive ('a'), after checking the name.
CREATE OR REPLACE FUNCTION pgmq._er_table(queue_name text, kind text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
	IF queue_name IS NULL OR length(queue_name) = 0 THEN
		RAISE EXCEPTION 'queue name must not be empty';
	END IF;
	IF length(queue_name) > 47 THEN
		RAISE EXCEPTION 'queue name is too long, maximum length is 47 characters';
	END IF;
	IF position('$' IN queue_name) > 0 OR position(';' IN queue_name) > 0 OR position('--' IN queue_name) > 0
			OR position('''' IN queue_name) > 0 THEN
		RAISE EXCEPTION 'queue name contains invalid characters: $, ;, --, or ''';
	END IF;
	RETURN format('pgmq.%I', kind || '_' || lower(queue_name));
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq._er_create(queue_name text, unlogged boolean)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
	q text := pgmq._er_table(queue_name, 'q');
	a text := pgmq._er_table(queue_name, 'a');
BEGIN
	-- Two sessions creating the same queue at once would race on the catalog; one waits for the other.
	PERFORM pg_advisory_xact_lock(hashtext('pgmq.create.' || lower(queue_name)));
	EXECUTE format('CREATE %s TABLE IF NOT EXISTS %s (
			msg_id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
			read_ct integer NOT NULL DEFAULT 0,
			enqueued_at timestamptz NOT NULL DEFAULT now(),
			vt timestamptz NOT NULL,
			message jsonb,
			headers jsonb)', CASE WHEN unlogged THEN 'UNLOGGED' ELSE '' END, q);
	EXECUTE format('CREATE TABLE IF NOT EXISTS %s (
			msg_id bigint PRIMARY KEY,
			read_ct integer NOT NULL DEFAULT 0,
			enqueued_at timestamptz NOT NULL DEFAULT now(),
			archived_at timestamptz NOT NULL DEFAULT now(),
			vt timestamptz NOT NULL,
			message jsonb,
			headers jsonb)', a);
	EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (vt ASC)', 'q_' || lower(queue_name) || '_vt_idx', q);
	EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s (archived_at)',
			'a_' || lower(queue_name) || '_archived_at_idx', a);
	INSERT INTO pgmq.meta (queue_name, is_partitioned, is_unlogged)
	VALUES (queue_name, false, unlogged)
	ON CONFLICT DO NOTHING;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.create(queue_name text)
RETURNS void
LANGUAGE sql AS $fn$
	SELECT pgmq._er_create(queue_name, false);
$fn$;

CREATE OR REPLACE FUNCTION pgmq.create_unlogged(queue_name text)
RETURNS void
LANGUAGE sql AS $fn$
	SELECT pgmq._er_create(queue_name, true);
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, headers jsonb, delay timestamptz)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('INSERT INTO %s (vt, message, headers) VALUES ($1, $2, $3) RETURNING msg_id',
			pgmq._er_table(queue_name, 'q'))
		USING delay, msg, headers;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer DEFAULT 0)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send(queue_name, msg, headers, clock_timestamp() + make_interval(secs => delay));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, delay timestamptz)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send(queue_name, msg, NULL::jsonb, delay);
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, delay integer DEFAULT 0)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send(queue_name, msg, NULL::jsonb, clock_timestamp() + make_interval(secs => delay));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay timestamptz)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $fn$
BEGIN
	IF headers IS NOT NULL AND cardinality(headers) <> cardinality(msgs) THEN
		RAISE EXCEPTION 'headers must have as many elements as msgs';
	END IF;
	RETURN QUERY EXECUTE format('INSERT INTO %s (vt, message, headers)
			SELECT $1, m.msg, $3[m.ord] FROM unnest($2) WITH ORDINALITY AS m(msg, ord) ORDER BY m.ord
			RETURNING msg_id', pgmq._er_table(queue_name, 'q'))
		USING delay, msgs, headers;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay integer DEFAULT 0)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send_batch(queue_name, msgs, headers, clock_timestamp() + make_interval(secs => delay));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], delay timestamptz)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send_batch(queue_name, msgs, NULL::jsonb[], delay);
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], delay integer DEFAULT 0)
RETURNS SETOF bigint
LANGUAGE sql AS $fn$
	SELECT * FROM pgmq.send_batch(queue_name, msgs, NULL::jsonb[], clock_timestamp() + make_interval(secs => delay));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('WITH visible AS (
				SELECT msg_id FROM %1$s
				WHERE vt <= clock_timestamp() AND message @> $3
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

CREATE OR REPLACE FUNCTION pgmq.read_with_poll(queue_name text, vt integer, qty integer,
		max_poll_seconds integer DEFAULT 5, poll_interval_ms integer DEFAULT 100, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql AS $fn$
DECLARE
	stop_at timestamptz := clock_timestamp() + make_interval(secs => max_poll_seconds);
	found_any boolean;
	msg pgmq.message_record;
BEGIN
	LOOP
		found_any := false;
		FOR msg IN SELECT * FROM pgmq.read(queue_name, vt, qty, conditional) LOOP
			found_any := true;
			RETURN NEXT msg;
		END LOOP;
		IF found_any OR clock_timestamp() >= stop_at THEN
			RETURN;
		END IF;
		PERFORM pg_sleep(poll_interval_ms / 1000.0);
	END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.pop(queue_name text, qty integer DEFAULT 1)
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('WITH visible AS (
				SELECT msg_id FROM %1$s
				WHERE vt <= clock_timestamp()
				ORDER BY msg_id
				LIMIT $1
				FOR UPDATE SKIP LOCKED),
			popped AS (
				DELETE FROM %1$s m USING visible WHERE m.msg_id = visible.msg_id
				RETURNING m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message, m.headers)
			SELECT * FROM popped ORDER BY msg_id', pgmq._er_table(queue_name, 'q'))
		USING qty;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.delete(queue_name text, msg_ids bigint[])
RETURNS SETOF bigint
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('DELETE FROM %s WHERE msg_id = ANY($1) RETURNING msg_id',
			pgmq._er_table(queue_name, 'q'))
		USING msg_ids;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.delete(queue_name text, msg_id bigint)
RETURNS boolean
LANGUAGE sql AS $fn$
	SELECT EXISTS (SELECT 1 FROM pgmq.delete(queue_name, ARRAY[msg_id]));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.archive(queue_name text, msg_ids bigint[])
RETURNS SETOF bigint
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('WITH moved AS (
				DELETE FROM %s WHERE msg_id = ANY($1)
				RETURNING msg_id, read_ct, enqueued_at, vt, message, headers)
			INSERT INTO %s (msg_id, read_ct, enqueued_at, vt, message, headers)
			SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM moved
			RETURNING msg_id', pgmq._er_table(queue_name, 'q'), pgmq._er_table(queue_name, 'a'))
		USING msg_ids;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.archive(queue_name text, msg_id bigint)
RETURNS boolean
LANGUAGE sql AS $fn$
	SELECT EXISTS (SELECT 1 FROM pgmq.archive(queue_name, ARRAY[msg_id]));
$fn$;

CREATE OR REPLACE FUNCTION pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql AS $fn$
BEGIN
	RETURN QUERY EXECUTE format('UPDATE %s SET vt = clock_timestamp() + make_interval(secs => $2)
			WHERE msg_id = $1
			RETURNING msg_id, read_ct, enqueued_at, vt, message, headers', pgmq._er_table(queue_name, 'q'))
		USING msg_id, vt;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.purge_queue(queue_name text)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
	deleted bigint;
BEGIN
	EXECUTE format('WITH gone AS (DELETE FROM %s RETURNING 1) SELECT count(*) FROM gone',
			pgmq._er_table(queue_name, 'q'))
		INTO deleted;
	RETURN deleted;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.drop_queue(queue_name text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
	q text := pgmq._er_table(queue_name, 'q');
	a text := pgmq._er_table(queue_name, 'a');
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('pgmq.create.' || lower(queue_name)));
	IF NOT EXISTS (SELECT 1 FROM pgmq.meta m WHERE lower(m.queue_name) = lower(drop_queue.queue_name)) THEN
		RAISE NOTICE 'pgmq queue % does not exist', queue_name;
		RETURN false;
	END IF;
	EXECUTE format('DROP TABLE IF EXISTS %s', q);
	EXECUTE format('DROP TABLE IF EXISTS %s', a);
	DELETE FROM pgmq.meta m WHERE lower(m.queue_name) = lower(drop_queue.queue_name);
	RETURN true;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.list_queues()
RETURNS SETOF pgmq.queue_record
LANGUAGE sql AS $fn$
	SELECT queue_name, is_partitioned, is_unlogged, created_at FROM pgmq.meta ORDER BY queue_name;
$fn$;

CREATE OR REPLACE FUNCTION pgmq.metrics(queue_name text)
RETURNS pgmq.metrics_result
LANGUAGE plpgsql AS $fn$
DECLARE
	q text := pgmq._er_table(queue_name, 'q');
	result pgmq.metrics_result;
	sequence_name text;
BEGIN
	sequence_name := pg_get_serial_sequence(q, 'msg_id');
	EXECUTE format('SELECT $1::text,
				count(*),
				extract(epoch FROM (now() - max(enqueued_at)))::integer,
				extract(epoch FROM (now() - min(enqueued_at)))::integer,
				(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM %s),
				now(),
				count(*) FILTER (WHERE vt <= clock_timestamp())
			FROM %s', sequence_name, q)
		INTO result
		USING queue_name;
	RETURN result;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.metrics_all()
RETURNS SETOF pgmq.metrics_result
LANGUAGE plpgsql AS $fn$
DECLARE
	name text;
BEGIN
	FOR name IN SELECT m.queue_name FROM pgmq.meta m ORDER BY m.queue_name LOOP
		RETURN NEXT pgmq.metrics(name);
	END LOOP;
END
$fn$;

INSERT INTO pgmq.edge_runtime_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
