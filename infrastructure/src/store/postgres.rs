//! The distributed event store: postgres-es persists events into PostgreSQL.
//!
//! Every event has a global `position` (assigned at insert) and the `txid` of the
//! transaction that inserted it. Positions can become visible out of order (a transaction
//! that inserted position 5 may commit after one that inserted 7), so a reader that walks
//! "position > P" could skip 5. Readers of the global order ([`PgLog::events_after`]) walk
//! `(txid, position)` instead and stop below the oldest transaction still in flight
//! (`pg_snapshot_xmin`): no row can ever appear behind such a cursor.

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use postgres_es::PostgresEventRepository;
use sqlx::{PgPool, Row};

use super::{HistoryFilter, StoreError, StoredEvent};
use crate::rows;

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
        self.repo
            .persist::<super::binding::StoredDocument>(events, None)
            .await?;
        Ok(())
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
}
