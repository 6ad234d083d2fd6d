-- Read models, rebuilt from events. Each row remembers the last event applied (version).

CREATE TABLE documents
(
    id         TEXT PRIMARY KEY NOT NULL,
    tenant     TEXT             NOT NULL,
    title      TEXT             NOT NULL,
    version    INTEGER          NOT NULL,
    archived   INTEGER          NOT NULL,
    metadata   TEXT             NOT NULL,
    stats      TEXT             NOT NULL,
    created_at TEXT             NOT NULL,
    created_by TEXT             NOT NULL,
    updated_at TEXT             NOT NULL,
    updated_by TEXT             NOT NULL
) STRICT;

CREATE INDEX documents_by_tenant ON documents (tenant, archived, id);

-- The blocks of each document at `documents.version`, one row per block, in `ord` order.
-- Ordering keys are fractional so that inserting or moving a block rewrites that block's
-- row only; a projection costs what its events change, not the document's length.
CREATE TABLE document_blocks
(
    document_id TEXT NOT NULL,
    block_id    TEXT NOT NULL,
    ord         REAL NOT NULL,
    body        TEXT NOT NULL,
    -- the block's plain text, for search
    plain       TEXT NOT NULL,
    PRIMARY KEY (document_id, block_id)
) STRICT;

CREATE INDEX document_blocks_in_order ON document_blocks (document_id, ord);

-- Which version of each document's .docx is materialised in the blob store.
CREATE TABLE docx_blobs
(
    document_id TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT             NOT NULL,
    version     INTEGER          NOT NULL,
    size        INTEGER          NOT NULL
) STRICT;
