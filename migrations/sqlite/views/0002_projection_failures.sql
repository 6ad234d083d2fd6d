-- Documents whose projection stopped: an event could not be read or applied. Every other
-- document keeps projecting; reads of these answer `projection_failed` until a rebuild
-- (after the cause is fixed) projects them again.
CREATE TABLE projection_failures
(
    document_id TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT             NOT NULL,
    sequence    INTEGER          NOT NULL,
    event_type  TEXT             NOT NULL,
    reason      TEXT             NOT NULL,
    failed_at   TEXT             NOT NULL
) STRICT;
