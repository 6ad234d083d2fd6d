//! The embedded event store: sqlite-es persists events into `events.db`. SQLite has one
//! writer at a time, so rowid order is commit order and the outbox needs no xmin guard.

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use domain::{Document, DocumentId};
use sqlite_es::SqliteEventRepository;
use sqlx::{Row, SqlitePool};

use super::{HistoryFilter, IdempotencyRecord, StoreError, StoredEvent, StoredState};
use crate::rows;
use cqrs_es::Aggregate;

const SELECT_EVENT: &str =
    "SELECT aggregate_id, sequence, event_type, event_version, payload, metadata FROM events";

/// The SQLite backend of [`super::EventLog`].
#[derive(Clone)]
pub struct SqliteLog {
    pool: SqlitePool,
    repo: std::sync::Arc<SqliteEventRepository>,
    /// SQLite has one writer at a time; a second one waits in SQLite's busy handler, which
    /// sleeps in steps of milliseconds. Queuing this process's writers here instead keeps
    /// command latency smooth. (Other processes still meet the busy handler.)
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for SqliteLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLog").finish_non_exhaustive()
    }
}

impl SqliteLog {
    pub(super) fn new(pool: SqlitePool) -> Self {
        let repo = SqliteEventRepository::new(pool.clone());
        Self {
            pool,
            repo: std::sync::Arc::new(repo),
            writer: std::sync::Arc::default(),
        }
    }

    pub(super) async fn append(&self, events: &[SerializedEvent]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        self.repo.persist::<Document>(events, None).await?;
        Ok(())
    }

    pub(super) async fn snapshot(
        &self,
        id: &DocumentId,
    ) -> Result<Option<StoredState>, StoreError> {
        let row = sqlx::query(
            "SELECT version, tenant, payload FROM document_snapshots WHERE aggregate_id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| rows::state(&row, true)).transpose()
    }

    pub(super) async fn save_snapshot(
        &self,
        id: &DocumentId,
        state: &StoredState,
    ) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO document_snapshots (aggregate_id, version, tenant, payload) VALUES (?, ?, ?, ?)
             ON CONFLICT (aggregate_id) DO UPDATE SET version = excluded.version, payload = excluded.payload
             WHERE excluded.version > document_snapshots.version",
        )
        .bind(id.as_str())
        .bind(state.version as i64)
        .bind(&state.tenant)
        .bind(&state.payload)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO document_checkpoints (aggregate_id, version, payload) VALUES (?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(state.version as i64)
        .bind(&state.payload)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn checkpoint(
        &self,
        id: &DocumentId,
        version: u64,
    ) -> Result<Option<StoredState>, StoreError> {
        let row = sqlx::query(
            "SELECT version, payload FROM document_checkpoints
              WHERE aggregate_id = ? AND version <= ? ORDER BY version DESC LIMIT 1",
        )
        .bind(id.as_str())
        .bind(version as i64)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| rows::state(&row, false)).transpose()
    }

    pub(super) async fn events(
        &self,
        id: &DocumentId,
        after: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENT} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? AND sequence <= ?
             ORDER BY sequence LIMIT ?"
        ))
        .bind(Document::TYPE)
        .bind(id.as_str())
        .bind(after)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::event).collect()
    }

    pub(super) async fn history(
        &self,
        id: &DocumentId,
        filter: &HistoryFilter,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENT} WHERE aggregate_type = ?1 AND aggregate_id = ?2 AND sequence > ?3
               AND (?4 IS NULL OR json_extract(metadata, '$.actor') = ?4)
               AND (?5 IS NULL OR event_type = ?5)
               AND (?6 IS NULL OR json_extract(metadata, '$.at') >= ?6)
               AND (?7 IS NULL OR json_extract(metadata, '$.at') < ?7)
             ORDER BY sequence LIMIT ?8"
        ))
        .bind(Document::TYPE)
        .bind(id.as_str())
        .bind(filter.after as i64)
        .bind(&filter.actor)
        .bind(&filter.event_type)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::event).collect()
    }

    pub(super) async fn audit(
        &self,
        tenant: &str,
        filter: &HistoryFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, StoredEvent)>, StoreError> {
        let rows = sqlx::query(
            "SELECT rowid AS position, aggregate_id, sequence, event_type, event_version, payload, metadata
               FROM events INDEXED BY events_by_tenant
              WHERE json_extract(metadata, '$.tenant') = ?1 AND rowid > ?2
               AND (?3 IS NULL OR json_extract(metadata, '$.actor') = ?3)
               AND (?4 IS NULL OR event_type = ?4)
               AND (?5 IS NULL OR json_extract(metadata, '$.at') >= ?5)
               AND (?6 IS NULL OR json_extract(metadata, '$.at') < ?6)
             ORDER BY json_extract(metadata, '$.tenant'), rowid LIMIT ?7",
        )
        .bind(tenant)
        .bind(after)
        .bind(&filter.actor)
        .bind(&filter.event_type)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("position")?, rows::event(r)?)))
            .collect()
    }

    pub(super) async fn head(&self, id: &DocumentId) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(sequence) AS v,
                    (SELECT json_extract(metadata, '$.tenant') FROM events
                      WHERE aggregate_type = ?1 AND aggregate_id = ?2 AND sequence = 1) AS tenant
               FROM events WHERE aggregate_type = ?1 AND aggregate_id = ?2",
        )
        .bind(Document::TYPE)
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await?;
        rows::head(&row)
    }

    pub(super) async fn heads(&self) -> Result<Vec<(DocumentId, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT aggregate_id, MAX(sequence) AS v FROM events WHERE aggregate_type = ? GROUP BY aggregate_id",
        )
        .bind(Document::TYPE)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::document_head).collect()
    }

    pub(super) async fn idempotency_record(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT aggregate_id, first_sequence, request_id, fingerprint FROM idempotency_keys
              WHERE tenant = ? AND key = ?",
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| rows::idempotency(&row)).transpose()
    }

    pub(super) async fn request_events(
        &self,
        record: &IdempotencyRecord,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENT} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence >= ?
               AND json_extract(metadata, '$.request_id') = ? ORDER BY sequence"
        ))
        .bind(Document::TYPE)
        .bind(&record.document_id)
        .bind(record.first_sequence as i64)
        .bind(&record.request_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::event).collect()
    }

    /// Outbox rows after `position`, oldest first, with their events.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn outbox_after(
        &self,
        position: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredEvent)>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.position, e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload, e.metadata
               FROM outbox o JOIN events e
                 ON e.aggregate_type = o.aggregate_type AND e.aggregate_id = o.aggregate_id AND e.sequence = o.sequence
              WHERE o.position > ? ORDER BY o.position LIMIT ?",
        )
        .bind(position)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("position")?, rows::event(r)?)))
            .collect()
    }

    /// How many outbox rows follow `position` (not relayed yet).
    ///
    /// # Errors
    /// Database failures.
    pub async fn outbox_count_after(&self, position: i64) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE position > ?")
            .bind(position)
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    /// Removes relayed outbox rows.
    ///
    /// # Errors
    /// Database failures.
    pub async fn outbox_delete_through(&self, position: i64) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        sqlx::query("DELETE FROM outbox WHERE position <= ?")
            .bind(position)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
