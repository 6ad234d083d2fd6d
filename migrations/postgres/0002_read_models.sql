-- Read models, rebuilt from events. Each row remembers the last event applied (version).
-- `folio rebuild` runs this same file in a fresh schema, fills it, then swaps it in.

CREATE TABLE documents
(
    id         TEXT PRIMARY KEY NOT NULL,
    tenant     TEXT             NOT NULL,
    title      TEXT             NOT NULL,
    version    BIGINT           NOT NULL,
    archived   BOOLEAN          NOT NULL,
    metadata   TEXT             NOT NULL,
    stats      TEXT             NOT NULL,
    created_at TEXT             NOT NULL,
    created_by TEXT             NOT NULL,
    updated_at TEXT             NOT NULL,
    updated_by TEXT             NOT NULL
);

CREATE INDEX documents_by_tenant ON documents (tenant, archived, id);

-- The blocks of each document at `documents.version`, one row per block, in `ord` order
-- (fractional keys: inserting or moving a block rewrites that block's row only).
CREATE TABLE document_blocks
(
    document_id TEXT             NOT NULL,
    block_id    TEXT             NOT NULL,
    ord         DOUBLE PRECISION NOT NULL,
    body        TEXT             NOT NULL,
    -- the block's plain text, for search
    plain       TEXT             NOT NULL,
    PRIMARY KEY (document_id, block_id)
);

CREATE INDEX document_blocks_in_order ON document_blocks (document_id, ord);

-- Which version of each document's .docx is materialised.
CREATE TABLE docx_blobs
(
    document_id TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT             NOT NULL,
    version     BIGINT           NOT NULL,
    size        BIGINT           NOT NULL
);

-- The .docx files themselves (the blob store of the distributed deployment).
CREATE TABLE docx_blob_data
(
    tenant      TEXT   NOT NULL,
    document_id TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    bytes       BYTEA  NOT NULL,
    PRIMARY KEY (document_id, version)
);
