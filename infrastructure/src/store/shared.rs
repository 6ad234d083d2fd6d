//! The statements both event stores run, each written once: `$N` placeholders (SQLite and
//! PostgreSQL both take them; a parameter that may be NULL is typed with `CAST(… AS TEXT)`,
//! which both understand) and the one dialect difference they meet — how a metadata
//! field is read from the JSON column — named by [`Dialect::meta`]. What really differs
//! (the append, the global order of the audit log and of rebuilds, the outbox) stays in
//! `sqlite.rs` and `postgres.rs`.

use domain::DocumentId;

use super::binding::StoredDocument;
use super::{
    Backend, EventLog, HistoryFilter, IdempotencyRecord, StoreError, StoredEvent, StoredState,
};
use crate::rows;

/// The columns of an event row.
pub(super) const SELECT_EVENT: &str =
    "SELECT aggregate_id, sequence, event_type, event_version, payload, metadata FROM events";

/// What the shared statements write differently per database.
#[derive(Debug, Clone, Copy)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A metadata field as text: `json_extract(metadata, '$.actor')` in SQLite (the form its
    /// expression indexes are declared with, so they are used), `metadata ->> 'actor'` in
    /// PostgreSQL.
    pub(super) fn meta(self, key: &str) -> String {
        match self {
            Self::Sqlite => format!("json_extract(metadata, '$.{key}')"),
            Self::Postgres => format!("metadata ->> '{key}'"),
        }
    }
}

/// Runs `$body` with `$pool` bound to the backend's pool and `$dialect` to its dialect.
/// With `write`, SQLite's in-process writer queue is taken first (see `SqliteLog`).
macro_rules! on_pool {
    ($self:ident, $pool:ident, $dialect:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite(b) => {
                let ($pool, $dialect) = (b.pool(), Dialect::Sqlite);
                $body
            }
            Backend::Postgres(b) => {
                let ($pool, $dialect) = (b.pool(), Dialect::Postgres);
                $body
            }
        }
    };
    (write $self:ident, $pool:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite(b) => {
                let _writer = b.writer().lock().await;
                let $pool = b.pool();
                $body
            }
            Backend::Postgres(b) => {
                let $pool = b.pool();
                $body
            }
        }
    };
}

impl EventLog {
    /// The latest snapshot of a document.
    pub(super) async fn snapshot_row(
        &self,
        id: &DocumentId,
    ) -> Result<Option<StoredState>, StoreError> {
        const SQL: &str =
            "SELECT version, tenant, payload FROM document_snapshots WHERE aggregate_id = $1";
        on_pool!(self, pool, _dialect => {
            let row = sqlx::query(SQL).bind(id.as_str()).fetch_optional(pool).await?;
            row.map(|row| rows::state(&row, true)).transpose()
        })
    }

    /// Stores a snapshot (only if newer) and keeps it as a checkpoint for time travel.
    pub(super) async fn store_snapshot(
        &self,
        id: &DocumentId,
        state: &StoredState,
    ) -> Result<(), StoreError> {
        const SNAPSHOT: &str = "INSERT INTO document_snapshots (aggregate_id, version, tenant, payload)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (aggregate_id) DO UPDATE SET version = excluded.version, payload = excluded.payload
             WHERE excluded.version > document_snapshots.version";
        const CHECKPOINT: &str = "INSERT INTO document_checkpoints (aggregate_id, version, payload)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        on_pool!(write self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(SNAPSHOT)
                .bind(id.as_str())
                .bind(state.version as i64)
                .bind(&state.tenant)
                .bind(&state.payload)
                .execute(&mut *tx)
                .await?;
            sqlx::query(CHECKPOINT)
                .bind(id.as_str())
                .bind(state.version as i64)
                .bind(&state.payload)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The newest checkpoint at or before `version`.
    pub(super) async fn checkpoint_row(
        &self,
        id: &DocumentId,
        version: u64,
    ) -> Result<Option<StoredState>, StoreError> {
        const SQL: &str = "SELECT version, payload FROM document_checkpoints
              WHERE aggregate_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1";
        on_pool!(self, pool, _dialect => {
            let row = sqlx::query(SQL)
                .bind(id.as_str())
                .bind(version as i64)
                .fetch_optional(pool)
                .await?;
            row.map(|row| rows::state(&row, false)).transpose()
        })
    }

    /// A document's events in `(after, until]`, at most `limit`.
    pub(super) async fn event_rows(
        &self,
        id: &DocumentId,
        after: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!(
            "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3
               AND sequence <= $4 ORDER BY sequence LIMIT $5"
        );
        on_pool!(self, pool, _dialect => {
            let rows = sqlx::query(&sql)
                .bind(StoredDocument::TYPE)
                .bind(id.as_str())
                .bind(after)
                .bind(until)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(rows::event).collect()
        })
    }

    /// A document's events after `filter.after` that pass the filter.
    pub(super) async fn history_rows(
        &self,
        id: &DocumentId,
        filter: &HistoryFilter,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(self, pool, d => {
            let sql = format!(
                "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3
                   AND (CAST($4 AS TEXT) IS NULL OR {actor} = $4)
                   AND (CAST($5 AS TEXT) IS NULL OR event_type = $5)
                   AND (CAST($6 AS TEXT) IS NULL OR {at} >= $6)
                   AND (CAST($7 AS TEXT) IS NULL OR {at} < $7)
                 ORDER BY sequence LIMIT $8",
                actor = d.meta("actor"),
                at = d.meta("at"),
            );
            let rows = sqlx::query(&sql)
                .bind(StoredDocument::TYPE)
                .bind(id.as_str())
                .bind(filter.after as i64)
                .bind(&filter.actor)
                .bind(&filter.event_type)
                .bind(&filter.since)
                .bind(&filter.until)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(rows::event).collect()
        })
    }

    /// A document's head version and tenant (the tenant of its first event).
    pub(super) async fn head_row(
        &self,
        id: &DocumentId,
    ) -> Result<Option<(u64, String)>, StoreError> {
        on_pool!(self, pool, d => {
            let sql = format!(
                "SELECT MAX(sequence) AS v,
                        (SELECT {tenant} FROM events
                          WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1) AS tenant
                   FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
                tenant = d.meta("tenant"),
            );
            let row = sqlx::query(&sql)
                .bind(StoredDocument::TYPE)
                .bind(id.as_str())
                .fetch_one(pool)
                .await?;
            rows::head(&row)
        })
    }

    /// Every document's head version.
    pub(super) async fn head_rows(&self) -> Result<Vec<(DocumentId, u64)>, StoreError> {
        const SQL: &str = "SELECT aggregate_id, MAX(sequence) AS v FROM events
              WHERE aggregate_type = $1 GROUP BY aggregate_id";
        on_pool!(self, pool, _dialect => {
            let rows = sqlx::query(SQL).bind(StoredDocument::TYPE).fetch_all(pool).await?;
            rows.iter().map(rows::document_head).collect()
        })
    }

    /// The record of an idempotency key.
    pub(super) async fn idempotency_row(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        const SQL: &str = "SELECT aggregate_id, first_sequence, request_id, fingerprint
               FROM idempotency_keys WHERE tenant = $1 AND key = $2";
        on_pool!(self, pool, _dialect => {
            let row = sqlx::query(SQL).bind(tenant).bind(key).fetch_optional(pool).await?;
            row.map(|row| rows::idempotency(&row)).transpose()
        })
    }

    /// The events the request of an idempotency record appended.
    pub(super) async fn request_event_rows(
        &self,
        record: &IdempotencyRecord,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(self, pool, d => {
            let sql = format!(
                "{SELECT_EVENT} WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence >= $3
                   AND {request_id} = $4 ORDER BY sequence",
                request_id = d.meta("request_id"),
            );
            let rows = sqlx::query(&sql)
                .bind(StoredDocument::TYPE)
                .bind(&record.document_id)
                .bind(record.first_sequence as i64)
                .bind(&record.request_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(rows::event).collect()
        })
    }
}
