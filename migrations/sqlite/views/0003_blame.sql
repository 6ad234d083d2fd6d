-- The blame read model: each block's last change and who wrote each word range of its
-- text (JSON, see infrastructure/src/views/blame.rs). Empty for rows projected before it
-- was kept: their blame is computed from the events until `folio rebuild` fills it in.
ALTER TABLE document_blocks ADD COLUMN blame TEXT NOT NULL DEFAULT '';
