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

-- The whole document state at `version` (the Document aggregate as JSON).
CREATE TABLE document_content
(
    id      TEXT PRIMARY KEY NOT NULL,
    version INTEGER          NOT NULL,
    state   TEXT             NOT NULL
) STRICT;

-- Which version of each document's .docx is materialised in the blob store.
CREATE TABLE docx_blobs
(
    document_id TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT             NOT NULL,
    version     INTEGER          NOT NULL,
    size        INTEGER          NOT NULL
) STRICT;
