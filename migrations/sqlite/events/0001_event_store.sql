-- The event store (sqlite-es schema) and what folio adds around it.

-- sqlite-es writes and reads this table; the columns are its own.
CREATE TABLE events
(
    aggregate_type TEXT                          NOT NULL,
    aggregate_id   TEXT                          NOT NULL,
    sequence       INTEGER CHECK (sequence >= 0) NOT NULL,
    event_type     TEXT                          NOT NULL,
    event_version  TEXT                          NOT NULL,
    payload        TEXT                          NOT NULL,
    metadata       TEXT                          NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;

-- Latest state of each document, written every N events, so loading a long document does
-- not replay its whole life. A cache: always at a committed version, safe to delete.
CREATE TABLE document_snapshots
(
    aggregate_id TEXT PRIMARY KEY NOT NULL,
    version      INTEGER          NOT NULL,
    tenant       TEXT             NOT NULL,
    payload      TEXT             NOT NULL
) STRICT;

-- The outbox: one row per event, written by a trigger inside the transaction that inserts
-- the event, so an event and its outbox row commit together or not at all. SQLite has one
-- writer at a time, so `position` order is commit order.
CREATE TABLE outbox
(
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL
) STRICT;

CREATE TRIGGER events_to_outbox
    AFTER INSERT
    ON events
BEGIN
    INSERT INTO outbox (aggregate_type, aggregate_id, sequence)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
END;

-- Idempotency keys, recorded by a trigger from the first event of a commit (the only one
-- whose metadata carries the key). A second commit with the same key fails on the primary
-- key and rolls back whole, so a retry can never append twice.
CREATE TABLE idempotency_keys
(
    tenant         TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    first_sequence INTEGER NOT NULL,
    request_id     TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    PRIMARY KEY (tenant, key)
) STRICT;

CREATE TRIGGER events_idempotency
    AFTER INSERT
    ON events
    WHEN json_extract(NEW.metadata, '$.idempotency_key') IS NOT NULL
BEGIN
    INSERT INTO idempotency_keys (tenant, key, aggregate_id, first_sequence, request_id, fingerprint)
    VALUES (json_extract(NEW.metadata, '$.tenant'),
            json_extract(NEW.metadata, '$.idempotency_key'),
            NEW.aggregate_id,
            NEW.sequence,
            json_extract(NEW.metadata, '$.request_id'),
            json_extract(NEW.metadata, '$.idempotency_fingerprint'));
END;
