-- Comments, footnotes and endnotes of a document (JSON: comments, notes and the last ids
-- given out), kept apart from the summary so listing documents never reads them. Empty
-- for documents without any.
ALTER TABLE documents ADD COLUMN review TEXT NOT NULL DEFAULT '';
