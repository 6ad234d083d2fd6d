-- The tenant-wide audit log reads events by tenant in commit order (rowid: SQLite has one
-- writer at a time, so rowid order is commit order). An index entry ends with the rowid,
-- so this index serves both the filter and the order.
CREATE INDEX events_by_tenant ON events (json_extract(metadata, '$.tenant'));
