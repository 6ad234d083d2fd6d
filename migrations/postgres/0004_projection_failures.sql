-- Documents whose projection stopped: an event could not be read or applied. Every other
-- document keeps projecting; reads of these answer `projection_failed` until
-- `folio rebuild` (after the cause is fixed) projects them again. Part of the read models:
-- `folio rebuild` creates it in its fresh schema too.
CREATE TABLE projection_failures
(
    document_id TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT             NOT NULL,
    sequence    BIGINT           NOT NULL,
    event_type  TEXT             NOT NULL,
    reason      TEXT             NOT NULL,
    failed_at   TEXT             NOT NULL
);
