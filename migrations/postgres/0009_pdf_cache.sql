-- PDFs made from a document version by LibreOffice (GET …/pdf): a cache, keyed by the
-- version as the .docx blobs are (a version never changes), safe to delete.
CREATE TABLE pdf_blob_data
(
    tenant      TEXT   NOT NULL,
    document_id TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    bytes       BYTEA  NOT NULL,
    PRIMARY KEY (document_id, version)
);
