-- Every snapshot ever taken, kept: time travel to version N starts from the newest
-- checkpoint at or before N instead of replaying the document's whole life. Checkpoints
-- are spaced like snapshots (every 100 events, or blocks/10 for long documents), so they
-- cost about ten block copies per event. A cache: safe to delete.
CREATE TABLE document_checkpoints
(
    aggregate_id TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    PRIMARY KEY (aggregate_id, version)
) STRICT;
