//! The embedded event store: sqlite-es persists events into `events.db`. SQLite has one
//! writer at a time, so rowid order is commit order and the outbox needs no xmin guard.

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use sqlite_es::SqliteEventRepository;
use sqlx::{Row, SqlitePool};

use super::{HistoryFilter, StoreError, StoredEvent};
use crate::rows;

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
    /// The `events.db` pool.
    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The queue this process's writers take before writing.
    pub(super) fn writer(&self) -> &tokio::sync::Mutex<()> {
        &self.writer
    }

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
        self.repo
            .persist::<super::binding::StoredDocument>(events, None)
            .await?;
        Ok(())
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
