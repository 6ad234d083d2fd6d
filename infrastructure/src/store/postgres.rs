//! The distributed event store: postgres-es persists events into PostgreSQL.
//!
//! Every event has a global `position` (assigned at insert) and the `txid` of the
//! transaction that inserted it. Positions can become visible out of order (a transaction
//! that inserted position 5 may commit after one that inserted 7), so a reader that walks
//! "position > P" could skip 5. Readers of the global order ([`PgLog::events_after`]) walk
//! `(txid, position)` instead and stop below the oldest transaction still in flight
//! (`pg_snapshot_xmin`): no row can ever appear behind such a cursor.

use cqrs_es::Aggregate;
use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use domain::{Document, DocumentId};
use postgres_es::PostgresEventRepository;
use sqlx::{PgPool, Row};

use super::{HistoryFilter, IdempotencyRecord, StoreError, StoredEvent, StoredState};
use crate::rows;

const SELECT_EVENT: &str =
    "SELECT aggregate_id, sequence, event_type, event_version, payload, metadata FROM events";

/// Only rows of transactions older than every transaction still in flight.
const SETTLED: &str = "txid < pg_snapshot_xmin(pg_current_snapshot())";

/// A place in the global order of events: `(transaction id, position)`. Start with
/// `GlobalCursor::default()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct GlobalCursor {
    /// Transaction id of the last event read.
    pub txid: i64,
    /// Position of the last event read.
    pub position: i64,
}

/// The PostgreSQL backend of [`super::EventLog`].
#[derive(Clone)]
pub struct PgLog {
    pool: PgPool,
    repo: std::sync::Arc<PostgresEventRepository>,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog").finish_non_exhaustive()
    }
}

impl PgLog {
    pub(super) fn new(pool: PgPool) -> Self {
        let repo = PostgresEventRepository::new(pool.clone());
        Self {
            pool,
            repo: std::sync::Arc::new(repo),
        }
    }

    /// The pool (for the outbox relay and rebuild).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(super) async fn append(&self, events: &[SerializedEvent]) -> Result<(), StoreError> {
        self.repo.persist::<Document>(events, None).await?;
        Ok(())
    }

    pub(super) async fn snapshot(
        &self,
        id: &DocumentId,
    ) -> Result<Option<StoredState>, StoreError> {
        let row = sqlx::query(
            "SELECT version, tenant, payload FROM document_snapshots WHERE aggregate_id = $1",
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO document_snapshots (aggregate_id, version, tenant, payload) VALUES ($1, $2, $3, $4)
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
            "INSERT INTO document_checkpoints (aggregate_id, version, payload) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
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
              WHERE aggregate_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1",
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
            "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 AND sequence <= $4
             ORDER BY sequence LIMIT $5"
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
            "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3
               AND ($4::text IS NULL OR metadata ->> 'actor' = $4)
               AND ($5::text IS NULL OR event_type = $5)
               AND ($6::text IS NULL OR metadata ->> 'at' >= $6)
               AND ($7::text IS NULL OR metadata ->> 'at' < $7)
             ORDER BY sequence LIMIT $8"
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

    /// The tenant's events in the global order; the cursor is the position of the last
    /// event of the previous page (its transaction id is looked up).
    pub(super) async fn audit(
        &self,
        tenant: &str,
        filter: &HistoryFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, StoredEvent)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT position, aggregate_id, sequence, event_type, event_version, payload, metadata
               FROM events
              WHERE metadata ->> 'tenant' = $1 AND {SETTLED}
                AND ($2 = 0 OR (txid, position) > (SELECT txid, position FROM events WHERE position = $2))
                AND ($3::text IS NULL OR metadata ->> 'actor' = $3)
                AND ($4::text IS NULL OR event_type = $4)
                AND ($5::text IS NULL OR metadata ->> 'at' >= $5)
                AND ($6::text IS NULL OR metadata ->> 'at' < $6)
              ORDER BY txid, position LIMIT $7"
        ))
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

    /// Events after `cursor` in the global order, at most `limit`, only from transactions
    /// that can no longer be joined by an earlier one. Returns them with the cursor of the
    /// last one.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn events_after(
        &self,
        cursor: GlobalCursor,
        limit: i64,
    ) -> Result<(Vec<StoredEvent>, GlobalCursor), StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT txid::text::bigint AS txid, position, aggregate_id, sequence, event_type, event_version,
                    payload, metadata
               FROM events
              WHERE {SETTLED} AND (txid, position) > ($1::bigint::text::xid8, $2)
              ORDER BY txid, position LIMIT $3"
        ))
        .bind(cursor.txid)
        .bind(cursor.position)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut last = cursor;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            last = GlobalCursor {
                txid: row.try_get("txid")?,
                position: row.try_get("position")?,
            };
            events.push(rows::event(row)?);
        }
        Ok((events, last))
    }

    pub(super) async fn head(&self, id: &DocumentId) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(sequence) AS v,
                    (SELECT metadata ->> 'tenant' FROM events
                      WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1) AS tenant
               FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(Document::TYPE)
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await?;
        rows::head(&row)
    }

    pub(super) async fn heads(&self) -> Result<Vec<(DocumentId, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT aggregate_id, MAX(sequence) AS v FROM events WHERE aggregate_type = $1 GROUP BY aggregate_id",
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
              WHERE tenant = $1 AND key = $2",
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
            "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence >= $3
               AND metadata ->> 'request_id' = $4 ORDER BY sequence"
        ))
        .bind(Document::TYPE)
        .bind(&record.document_id)
        .bind(record.first_sequence as i64)
        .bind(&record.request_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::event).collect()
    }
}
