//! Columns read the same way from SQLite and PostgreSQL rows, so that turning a row into
//! one of folio's types is written once for both backends.

use domain::DocumentId;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::store::{IdempotencyRecord, StoreError, StoredEvent, StoredState, decode};
use crate::views::{BlockHit, SummaryRow, summary_from};

/// Typed column access by name.
pub(crate) trait Columns {
    fn text(&self, name: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, name: &str) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, name: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error>;
    fn float(&self, name: &str) -> Result<f64, sqlx::Error>;
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error>;
    /// A JSON column (TEXT in SQLite, JSONB in PostgreSQL).
    fn json(&self, name: &str) -> Result<serde_json::Value, StoreError>;
}

macro_rules! columns {
    ($row:ty) => {
        fn text(&self, name: &str) -> Result<String, sqlx::Error> {
            self.try_get(name)
        }
        fn opt_text(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
            self.try_get(name)
        }
        fn int(&self, name: &str) -> Result<i64, sqlx::Error> {
            self.try_get(name)
        }
        fn opt_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error> {
            self.try_get(name)
        }
        fn float(&self, name: &str) -> Result<f64, sqlx::Error> {
            self.try_get(name)
        }
        fn flag(&self, name: &str) -> Result<bool, sqlx::Error> {
            self.try_get(name)
        }
    };
}

impl Columns for SqliteRow {
    columns!(SqliteRow);
    fn json(&self, name: &str) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.text(name)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

impl Columns for PgRow {
    columns!(PgRow);
    fn json(&self, name: &str) -> Result<serde_json::Value, StoreError> {
        Ok(self.try_get(name)?)
    }
}

/// An event row (`aggregate_id, sequence, event_type, event_version, payload, metadata`).
/// A payload or metadata that is not even JSON is decoded like any unreadable one.
pub(crate) fn event(row: &impl Columns) -> Result<StoredEvent, StoreError> {
    Ok(decode(
        row.text("aggregate_id")?,
        row.int("sequence")?,
        row.text("event_type")?,
        row.text("event_version")?,
        row.json("payload"),
        row.json("metadata").unwrap_or(serde_json::Value::Null),
    ))
}

/// A snapshot (`version, tenant, payload`) or checkpoint (`version, payload`) row.
pub(crate) fn state(row: &impl Columns, with_tenant: bool) -> Result<StoredState, StoreError> {
    Ok(StoredState {
        version: row.int("version")? as u64,
        tenant: if with_tenant {
            Some(row.text("tenant")?)
        } else {
            None
        },
        payload: row.text("payload")?,
    })
}

/// An idempotency key row.
pub(crate) fn idempotency(row: &impl Columns) -> Result<IdempotencyRecord, StoreError> {
    Ok(IdempotencyRecord {
        document_id: row.text("aggregate_id")?,
        first_sequence: row.int("first_sequence")? as u64,
        request_id: row.text("request_id")?,
        fingerprint: row.text("fingerprint")?,
    })
}

/// A `(v, tenant)` head row: the latest version and the tenant, if the document exists.
pub(crate) fn head(row: &impl Columns) -> Result<Option<(u64, String)>, StoreError> {
    let version = row.opt_int("v")?;
    let tenant = row.opt_text("tenant")?;
    Ok(version.zip(tenant).map(|(v, t)| (v as u64, t)))
}

/// An `(aggregate_id, v)` row of every document's head.
pub(crate) fn document_head(row: &impl Columns) -> Result<(DocumentId, u64), StoreError> {
    Ok((
        DocumentId::new(row.text("aggregate_id")?),
        row.int("v")? as u64,
    ))
}

/// A document summary row.
pub(crate) fn summary(row: &impl Columns) -> Result<SummaryRow, StoreError> {
    summary_from(
        row.text("id")?,
        row.text("tenant")?,
        row.text("title")?,
        row.int("version")?,
        row.flag("archived")?,
        &row.text("metadata")?,
        &row.text("stats")?,
        (row.text("created_at")?, row.text("created_by")?),
        (row.text("updated_at")?, row.text("updated_by")?),
    )
}

/// A document summary row with its `review` column (comments, notes, suggestions: read
/// with the document's content, never with a listing).
pub(crate) fn summary_with_review(row: &impl Columns) -> Result<SummaryRow, StoreError> {
    let mut summary = summary(row)?;
    let review = row.text("review")?;
    if !review.is_empty() {
        summary.review =
            serde_json::from_str(&review).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    Ok(summary)
}

/// A block row (`ord, body`).
pub(crate) fn block(row: &impl Columns) -> Result<(f64, String, String), StoreError> {
    Ok((row.float("ord")?, row.text("body")?, row.text("blame")?))
}

/// A search hit row.
pub(crate) fn block_hit(row: &impl Columns) -> Result<BlockHit, StoreError> {
    Ok(BlockHit {
        document_id: row.text("document_id")?,
        block_id: row.text("block_id")?,
        ord: row.float("ord")?,
        text: row.text("plain")?,
    })
}
