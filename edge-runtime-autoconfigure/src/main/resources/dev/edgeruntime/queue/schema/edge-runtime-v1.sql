-- edge-runtime's own tables and functions beside pgmq (the real extension or the bundled schema), version 1.
-- Every statement is idempotent; the installer runs this script under a transaction-level advisory lock.

CREATE SCHEMA IF NOT EXISTS edge_runtime;

-- Idempotency keys of sent messages: a send with a key seen within the window returns the first message's id.
CREATE TABLE IF NOT EXISTS edge_runtime.queue_idempotency (
	queue_name text NOT NULL,
	idempotency_key text NOT NULL,
	msg_id bigint NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (queue_name, idempotency_key)
);

CREATE INDEX IF NOT EXISTS queue_idempotency_created_at_idx ON edge_runtime.queue_idempotency (created_at);

CREATE OR REPLACE FUNCTION edge_runtime.send_idempotent(queue_name text, idempotency_key text, keep interval,
		msg jsonb, headers jsonb)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
	first_id bigint;
	new_id bigint;
BEGIN
	-- Senders of the same key wait for each other until the first one's transaction ends.
	PERFORM pg_advisory_xact_lock(hashtext('edge_runtime.idempotency.' || queue_name), hashtext(idempotency_key));
	SELECT k.msg_id INTO first_id FROM edge_runtime.queue_idempotency k
	WHERE k.queue_name = send_idempotent.queue_name AND k.idempotency_key = send_idempotent.idempotency_key
		AND k.created_at > now() - keep;
	IF FOUND THEN
		RETURN first_id;
	END IF;
	SELECT * INTO new_id FROM pgmq.send(queue_name, msg, headers, 0);
	INSERT INTO edge_runtime.queue_idempotency AS k (queue_name, idempotency_key, msg_id)
	VALUES (send_idempotent.queue_name, send_idempotent.idempotency_key, new_id)
	ON CONFLICT ON CONSTRAINT queue_idempotency_pkey
	DO UPDATE SET msg_id = excluded.msg_id, created_at = now();
	-- Forget a few expired keys each time, so the table stays as small as the window. Those another sender
	-- holds (renewing an expired key in a transaction still open) are passed over: waiting for them would hold
	-- this send, of another key, until that transaction ends.
	DELETE FROM edge_runtime.queue_idempotency k
	WHERE k.ctid IN (SELECT e.ctid FROM edge_runtime.queue_idempotency e WHERE e.created_at <= now() - keep LIMIT 16
		FOR UPDATE SKIP LOCKED);
	RETURN new_id;
END
$fn$;
