//! The event store: sqlite-es persists events; folio adds snapshots, paging, time travel
//! and the outbox/idempotency reads around it.

use std::collections::HashMap;

use cqrs_es::persist::{PersistedEventRepository, PersistenceError, SerializedEvent};
use cqrs_es::{Aggregate, DomainEvent};
use domain::{Document, DocumentEvent, DocumentId};
use serde_json::Value;
use sqlite_es::SqliteEventRepository;
use sqlx::{Row, SqlitePool};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer appended first (a sequence or idempotency key already exists).
    #[error("another writer appended first")]
    Conflict,
    /// Database failure.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// sqlite-es failure.
    #[error("event store error")]
    Persistence(#[source] PersistenceError),
    /// Stored data that cannot be read back.
    #[error("corrupt event store data: {0}")]
    Corrupt(String),
}

impl From<PersistenceError> for StoreError {
    fn from(e: PersistenceError) -> Self {
        match e {
            PersistenceError::OptimisticLockError => Self::Conflict,
            other => Self::Persistence(other),
        }
    }
}

/// An event as stored, with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The document.
    pub document_id: DocumentId,
    /// Its sequence number (= the version it produced).
    pub sequence: u64,
    /// Event type name.
    pub event_type: String,
    /// Schema version of the payload as stored.
    pub event_version: String,
    /// The event (upcast to the current schema).
    pub event: DocumentEvent,
    /// Metadata: tenant, actor, request_id, command, ip, user_agent, at, reason.
    pub metadata: HashMap<String, String>,
}

impl StoredEvent {
    /// A metadata value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// The tenant the event belongs to.
    pub fn tenant(&self) -> &str {
        self.meta("tenant").unwrap_or_default()
    }
}

/// An event about to be appended.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Its sequence number.
    pub sequence: u64,
    /// The event.
    pub event: DocumentEvent,
    /// Its metadata.
    pub metadata: HashMap<String, String>,
}

/// A document loaded for writing.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    /// The state.
    pub document: Document,
    /// Its tenant.
    pub tenant: String,
    /// Version of the snapshot it started from (0: none).
    pub snapshot_version: u64,
}

/// A document rebuilt at some version, with the facts a .docx needs.
#[derive(Debug, Clone)]
pub struct HistoricDocument {
    /// The state.
    pub document: Document,
    /// Tenant.
    pub tenant: String,
    /// Time of the first event.
    pub created_at: String,
    /// Actor of the first event.
    pub created_by: String,
    /// Time of the last event.
    pub updated_at: String,
    /// Actor of the last event.
    pub updated_by: String,
}

/// A recorded idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The document the first request changed.
    pub document_id: String,
    /// Sequence of its first event.
    pub first_sequence: u64,
    /// Request id of the first request.
    pub request_id: String,
    /// Fingerprint of the first request.
    pub fingerprint: String,
}

/// Filters for history and audit queries.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Only events after this sequence (the cursor).
    pub after: u64,
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Only events of this type.
    pub event_type: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Only events before this time (RFC 3339).
    pub until: Option<String>,
}

const SELECT_EVENT: &str =
    "SELECT aggregate_id, sequence, event_type, event_version, payload, metadata FROM events";

/// The event log of all documents.
#[derive(Clone)]
pub struct EventLog {
    pool: SqlitePool,
    repo: std::sync::Arc<SqliteEventRepository>,
    /// SQLite has one writer at a time; a second one waits in SQLite's busy handler, which
    /// sleeps in steps of milliseconds. Queuing this process's writers here instead keeps
    /// command latency smooth. (Other processes still meet the busy handler.)
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLog").finish_non_exhaustive()
    }
}

/// Turns a stored payload into the current event schema. Version 1.0 is current; future
/// schema changes add their upcast here, never rewriting stored events.
fn upcast(event_type: &str, event_version: &str, payload: Value) -> Result<Value, StoreError> {
    match event_version {
        domain::event::EVENT_VERSION => Ok(payload),
        other => Err(StoreError::Corrupt(format!(
            "no upcaster for {event_type} version {other}"
        ))),
    }
}

fn decode_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredEvent, StoreError> {
    let document_id: String = row.try_get("aggregate_id")?;
    let sequence: i64 = row.try_get("sequence")?;
    let event_type: String = row.try_get("event_type")?;
    let event_version: String = row.try_get("event_version")?;
    let payload: String = row.try_get("payload")?;
    let metadata: String = row.try_get("metadata")?;
    let payload: Value =
        serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let payload = upcast(&event_type, &event_version, payload)?;
    let event: DocumentEvent = serde_json::from_value(payload)
        .map_err(|e| StoreError::Corrupt(format!("{document_id}:{sequence}: {e}")))?;
    let metadata: HashMap<String, String> =
        serde_json::from_str(&metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(StoredEvent {
        document_id: DocumentId::new(document_id),
        sequence: u64::try_from(sequence).unwrap_or_default(),
        event_type,
        event_version,
        event,
        metadata,
    })
}

impl EventLog {
    /// An event log over the `events.db` pool.
    pub fn new(pool: SqlitePool) -> Self {
        let repo = SqliteEventRepository::new(pool.clone());
        Self {
            pool,
            repo: std::sync::Arc::new(repo),
            writer: std::sync::Arc::default(),
        }
    }

    /// The pool (for the relay).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Appends events in one transaction (the outbox and idempotency rows are written by
    /// triggers inside it).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a sequence or idempotency key already exists.
    pub async fn append(
        &self,
        document_id: &DocumentId,
        events: &[NewEvent],
    ) -> Result<(), StoreError> {
        let serialized = events
            .iter()
            .map(|e| {
                Ok(SerializedEvent::new(
                    document_id.to_string(),
                    usize::try_from(e.sequence).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    Document::TYPE.to_string(),
                    e.event.event_type(),
                    e.event.event_version(),
                    serde_json::to_value(&e.event)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    serde_json::to_value(&e.metadata)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let _writer = self.writer.lock().await;
        self.repo.persist::<Document>(&serialized, None).await?;
        Ok(())
    }

    /// Loads a document for writing: the latest snapshot plus the events after it.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn load(
        &self,
        document_id: &DocumentId,
    ) -> Result<Option<LoadedDocument>, StoreError> {
        let snapshot = sqlx::query(
            "SELECT version, tenant, payload FROM document_snapshots WHERE aggregate_id = ?",
        )
        .bind(document_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let (mut document, mut tenant, snapshot_version) = match snapshot {
            Some(row) => {
                let version: i64 = row.try_get("version")?;
                let payload: String = row.try_get("payload")?;
                let document: Document = serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                (
                    document,
                    Some(row.try_get::<String, _>("tenant")?),
                    version as u64,
                )
            }
            None => (Document::default(), None, 0),
        };
        let rows = sqlx::query(&format!(
            "{SELECT_EVENT} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? ORDER BY sequence"
        ))
        .bind(Document::TYPE)
        .bind(document_id.as_str())
        .bind(snapshot_version as i64)
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            let stored = decode_row(row)?;
            if stored.sequence != document.version.get() + 1 {
                return Err(StoreError::Corrupt(format!(
                    "{document_id}: event {} follows version {}",
                    stored.sequence, document.version
                )));
            }
            if tenant.is_none() {
                tenant = Some(stored.tenant().to_string());
            }
            document.apply(&stored.event);
        }
        Ok(tenant.map(|tenant| LoadedDocument {
            document,
            tenant,
            snapshot_version,
        }))
    }

    /// Stores the latest snapshot of a document (replacing an older one, never a newer one)
    /// and keeps it as a checkpoint for time travel.
    ///
    /// # Errors
    /// Database failures.
    pub async fn save_snapshot(&self, tenant: &str, document: &Document) -> Result<(), StoreError> {
        let Some(id) = &document.id else {
            return Ok(());
        };
        let payload =
            serde_json::to_string(document).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO document_snapshots (aggregate_id, version, tenant, payload) VALUES (?, ?, ?, ?)
             ON CONFLICT (aggregate_id) DO UPDATE SET version = excluded.version, payload = excluded.payload
             WHERE excluded.version > document_snapshots.version",
        )
        .bind(id.as_str())
        .bind(document.version.get() as i64)
        .bind(tenant)
        .bind(&payload)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO document_checkpoints (aggregate_id, version, payload) VALUES (?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(document.version.get() as i64)
        .bind(&payload)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Events of one document with sequence in `after+1..=until`, at most `limit`.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn events(
        &self,
        document_id: &DocumentId,
        after: u64,
        until: Option<u64>,
        limit: Option<u64>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT_EVENT} WHERE aggregate_type = ? AND aggregate_id = ? AND sequence > ? AND sequence <= ?
             ORDER BY sequence LIMIT ?"
        ))
        .bind(Document::TYPE)
        .bind(document_id.as_str())
        .bind(after as i64)
        .bind(until.map_or(i64::MAX, |u| u as i64))
        .bind(limit.map_or(i64::MAX, |l| l as i64))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// A page of a document's history, filtered.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn history(
        &self,
        document_id: &DocumentId,
        filter: &HistoryFilter,
        limit: u64,
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
        .bind(document_id.as_str())
        .bind(filter.after as i64)
        .bind(&filter.actor)
        .bind(&filter.event_type)
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// A page of the tenant's events across all documents, in commit order, after the
    /// event at `after` (a position from an earlier page; 0 for the start). Returns each
    /// event with its position.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn audit(
        &self,
        tenant: &str,
        filter: &HistoryFilter,
        after: i64,
        limit: u64,
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
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("position")?, decode_row(r)?)))
            .collect()
    }

    /// The document as it was at `version` (rebuilt from events). `None` when the document
    /// or that version does not exist.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn document_at(
        &self,
        document_id: &DocumentId,
        version: u64,
    ) -> Result<Option<HistoricDocument>, StoreError> {
        if version == 0 {
            return Ok(None);
        }
        let checkpoint = sqlx::query(
            "SELECT version, payload FROM document_checkpoints
              WHERE aggregate_id = ? AND version <= ? ORDER BY version DESC LIMIT 1",
        )
        .bind(document_id.as_str())
        .bind(version as i64)
        .fetch_optional(&self.pool)
        .await?;
        let (mut document, from) = match checkpoint {
            Some(row) => {
                let document: Document =
                    serde_json::from_str(&row.try_get::<String, _>("payload")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                (document, row.try_get::<i64, _>("version")? as u64)
            }
            None => (Document::default(), 0),
        };
        // Replay what follows the checkpoint; the event at `version` is always read, for its
        // time and actor.
        let events = self
            .events(document_id, from.min(version - 1), Some(version), None)
            .await?;
        let first = if from == 0 {
            events.first().cloned()
        } else {
            self.events(document_id, 0, Some(1), None).await?.pop()
        };
        let (Some(first), Some(last)) = (first, events.last()) else {
            return Ok(None);
        };
        if last.sequence != version {
            return Ok(None);
        }
        for e in events.iter().filter(|e| e.sequence > from) {
            document.apply(&e.event);
        }
        Ok(Some(HistoricDocument {
            tenant: first.tenant().to_string(),
            created_at: first.meta("at").unwrap_or_default().to_string(),
            created_by: first.meta("actor").unwrap_or_default().to_string(),
            updated_at: last.meta("at").unwrap_or_default().to_string(),
            updated_by: last.meta("actor").unwrap_or_default().to_string(),
            document,
        }))
    }

    /// The latest version of a document and its tenant, straight from the store.
    ///
    /// # Errors
    /// Database failures.
    pub async fn head(
        &self,
        document_id: &DocumentId,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(sequence) AS v,
                    (SELECT json_extract(metadata, '$.tenant') FROM events
                      WHERE aggregate_type = ?1 AND aggregate_id = ?2 AND sequence = 1) AS tenant
               FROM events WHERE aggregate_type = ?1 AND aggregate_id = ?2",
        )
        .bind(Document::TYPE)
        .bind(document_id.as_str())
        .fetch_one(&self.pool)
        .await?;
        let version: Option<i64> = row.try_get("v")?;
        let tenant: Option<String> = row.try_get("tenant")?;
        Ok(version.zip(tenant).map(|(v, t)| (v as u64, t)))
    }

    /// Every document and its latest version (for projector catch-up).
    ///
    /// # Errors
    /// Database failures.
    pub async fn heads(&self) -> Result<Vec<(DocumentId, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT aggregate_id, MAX(sequence) AS v FROM events WHERE aggregate_type = ? GROUP BY aggregate_id",
        )
        .bind(Document::TYPE)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    DocumentId::new(r.try_get::<String, _>("aggregate_id")?),
                    r.try_get::<i64, _>("v")? as u64,
                ))
            })
            .collect()
    }

    /// The record of an idempotency key, with the events the first request appended.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<(IdempotencyRecord, Vec<StoredEvent>)>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT aggregate_id, first_sequence, request_id, fingerprint FROM idempotency_keys
              WHERE tenant = ? AND key = ?",
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let record = IdempotencyRecord {
            document_id: row.try_get("aggregate_id")?,
            first_sequence: row.try_get::<i64, _>("first_sequence")? as u64,
            request_id: row.try_get("request_id")?,
            fingerprint: row.try_get("fingerprint")?,
        };
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
        // One commit's events are contiguous; stop at the first gap.
        let mut events: Vec<StoredEvent> = Vec::new();
        for row in &rows {
            let e = decode_row(row)?;
            if events.last().is_some_and(|l| l.sequence + 1 != e.sequence) {
                break;
            }
            events.push(e);
        }
        Ok(Some((record, events)))
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
            .map(|r| Ok((r.try_get::<i64, _>("position")?, decode_row(r)?)))
            .collect()
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
