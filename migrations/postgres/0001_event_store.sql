-- The event store (postgres-es schema) and what folio adds around it.

-- postgres-es writes and reads the first seven columns. folio adds:
--   position: a global order, assigned at insert (not at commit);
--   txid:     the inserting transaction, so a reader of "position > P" can stop below the
--             oldest transaction still in flight and never skip a row that commits late.
CREATE TABLE events
(
    aggregate_type TEXT                         NOT NULL,
    aggregate_id   TEXT                         NOT NULL,
    sequence       BIGINT CHECK (sequence >= 0) NOT NULL,
    event_type     TEXT                         NOT NULL,
    event_version  TEXT                         NOT NULL,
    payload        JSONB                        NOT NULL,
    metadata       JSONB                        NOT NULL,
    position       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    txid           XID8                         NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

-- The global order (rebuild) and the tenant-wide audit log walk (txid, position).
CREATE INDEX events_global ON events (txid, position);
CREATE INDEX events_by_tenant ON events ((metadata ->> 'tenant'), txid, position);

-- Latest state of each document, written every N events (or blocks/10 for long
-- documents). A cache: always at a committed version, safe to delete.
CREATE TABLE document_snapshots
(
    aggregate_id TEXT PRIMARY KEY NOT NULL,
    version      BIGINT           NOT NULL,
    tenant       TEXT             NOT NULL,
    payload      TEXT             NOT NULL
);

-- Every snapshot ever taken, for time travel. A cache: safe to delete.
CREATE TABLE document_checkpoints
(
    aggregate_id TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    payload      TEXT   NOT NULL,
    PRIMARY KEY (aggregate_id, version)
);

-- The outbox: one row per event, inserted by a trigger in the transaction that inserts the
-- event, so both commit or neither. The relay publishes rows to JetStream in the same
-- gap-safe (txid, position) order as `events` and remembers how far it got in
-- `relay_cursor`; relayed rows are deleted in bulk about once a second. Reading from a
-- cursor (not "the oldest rows, then delete them") keeps every read off the dead rows a
-- queue table accumulates between vacuums. The trigger sends no NOTIFY: PostgreSQL holds
-- a database-wide lock from a notifying transaction's pre-commit until its commit record
-- is flushed, which would serialise every append behind one fsync.
CREATE TABLE outbox
(
    position       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid           XID8   NOT NULL DEFAULT pg_current_xact_id(),
    aggregate_type TEXT   NOT NULL,
    aggregate_id   TEXT   NOT NULL,
    sequence       BIGINT NOT NULL
);

CREATE INDEX outbox_in_order ON outbox (txid, position);

CREATE TABLE relay_cursor
(
    name     TEXT PRIMARY KEY,
    txid     XID8   NOT NULL,
    position BIGINT NOT NULL
);

INSERT INTO relay_cursor (name, txid, position) VALUES ('jetstream', '0', 0);

-- Idempotency keys, recorded from the first event of a commit (the only one whose
-- metadata carries the key). A second commit with the same key fails on the primary key
-- and rolls back whole, so a retry can never append twice.
CREATE TABLE idempotency_keys
(
    tenant         TEXT   NOT NULL,
    key            TEXT   NOT NULL,
    aggregate_id   TEXT   NOT NULL,
    first_sequence BIGINT NOT NULL,
    request_id     TEXT   NOT NULL,
    fingerprint    TEXT   NOT NULL,
    PRIMARY KEY (tenant, key)
);

CREATE FUNCTION folio_events_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO outbox (aggregate_type, aggregate_id, sequence)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
    IF NEW.metadata ? 'idempotency_key' THEN
        INSERT INTO idempotency_keys (tenant, key, aggregate_id, first_sequence, request_id, fingerprint)
        VALUES (NEW.metadata ->> 'tenant',
                NEW.metadata ->> 'idempotency_key',
                NEW.aggregate_id,
                NEW.sequence,
                NEW.metadata ->> 'request_id',
                NEW.metadata ->> 'idempotency_fingerprint');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_after_insert
    AFTER INSERT
    ON events
    FOR EACH ROW
EXECUTE FUNCTION folio_events_after_insert();
