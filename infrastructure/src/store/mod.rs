//! The event store. Two backends behind one type: SQLite (sqlite-es, embedded) and
//! PostgreSQL (postgres-es, distributed). cqrs-es persists the events; folio adds
//! snapshots, paging, time travel, idempotency records, the outbox and a global order.
//!
//! The backends provide storage primitives; loading, time travel and idempotency replay
//! are written once here on top of them.

mod postgres;
mod shared;
mod sqlite;

mod binding;
mod metadata;

use binding::StoredDocument;
use cqrs_es::persist::{PersistenceError, SerializedEvent};
use domain::{Document, DocumentEvent, DocumentId};
pub use metadata::EventMetadata;
pub use postgres::{GlobalCursor, PgLog};
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use sqlite::SqliteLog;

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
    /// The media store failed (image bytes could not be stored or read).
    #[error("media store error")]
    Media(#[source] std::io::Error),
}

impl From<PersistenceError> for StoreError {
    fn from(e: PersistenceError) -> Self {
        match e {
            PersistenceError::OptimisticLockError => Self::Conflict,
            other => Self::Persistence(other),
        }
    }
}

/// An event as stored, with its metadata (also its JSON form on the JetStream bus).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Who, when, through which request and why.
    pub metadata: EventMetadata,
}

impl StoredEvent {
    /// The tenant the event belongs to.
    pub fn tenant(&self) -> &str {
        &self.metadata.tenant
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
    pub metadata: EventMetadata,
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

/// Builds a [`StoredEvent`] from a stored row's columns (upcasting the payload). A payload
/// this build cannot read becomes [`DocumentEvent::Unreadable`] instead of an error, so one
/// bad row stops only its own document, never a relay or a projector serving every
/// document.
pub(crate) fn decode(
    document_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Result<Value, StoreError>,
    metadata: Value,
) -> StoredEvent {
    let event = payload
        .and_then(|payload| upcast(&event_type, &event_version, payload))
        .and_then(|payload| serde_json::from_value(payload).map_err(corrupt))
        .unwrap_or_else(|e| DocumentEvent::Unreadable {
            event_type: event_type.clone(),
            reason: e.to_string(),
        });
    let metadata = match serde_json::from_value::<EventMetadata>(metadata) {
        Ok(metadata) => metadata,
        Err(e) => {
            tracing::error!(%document_id, sequence, error = %e, "unreadable event metadata");
            EventMetadata::default()
        }
    };
    StoredEvent {
        document_id: DocumentId::new(document_id),
        sequence: u64::try_from(sequence).unwrap_or_default(),
        event_type,
        event_version,
        event,
        metadata,
    }
}

/// A document whose history holds an event this build cannot read cannot be rebuilt
/// faithfully: loading it (for a write, or a past version) is an error for it alone.
fn refuse_unreadable(stored: &StoredEvent) -> Result<(), StoreError> {
    match &stored.event {
        DocumentEvent::Unreadable { event_type, reason } => Err(StoreError::Corrupt(format!(
            "{}: event {} ({event_type}) cannot be read: {reason}",
            stored.document_id, stored.sequence
        ))),
        _ => Ok(()),
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The events of one append, as cqrs-es persists them.
fn serialize(
    document_id: &DocumentId,
    events: &[NewEvent],
) -> Result<Vec<SerializedEvent>, StoreError> {
    events
        .iter()
        .map(|e| {
            Ok(SerializedEvent::new(
                document_id.to_string(),
                usize::try_from(e.sequence).map_err(corrupt)?,
                StoredDocument::TYPE.to_string(),
                e.event.name().to_string(),
                domain::event::EVENT_VERSION.to_string(),
                serde_json::to_value(&e.event).map_err(corrupt)?,
                serde_json::to_value(&e.metadata).map_err(corrupt)?,
            ))
        })
        .collect()
}

/// A stored state of a document (snapshot or checkpoint).
#[derive(Debug)]
pub(crate) struct StoredState {
    pub(crate) version: u64,
    pub(crate) tenant: Option<String>,
    pub(crate) payload: String,
}

impl StoredState {
    fn document(&self) -> Result<Document, StoreError> {
        serde_json::from_str(&self.payload).map_err(corrupt)
    }
}

/// The event log of all documents.
#[derive(Clone)]
pub struct EventLog {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(SqliteLog),
    Postgres(PgLog),
}

impl std::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("EventLog")
            .field("backend", &kind)
            .finish_non_exhaustive()
    }
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match &$self.backend {
            Backend::Sqlite($b) => $e,
            Backend::Postgres($b) => $e,
        }
    };
}

impl EventLog {
    /// An event log over the embedded `events.db` pool.
    pub fn sqlite(pool: sqlx::SqlitePool) -> Self {
        Self {
            backend: Backend::Sqlite(SqliteLog::new(pool)),
        }
    }

    /// An event log over a PostgreSQL pool (migrated).
    pub fn postgres(pool: sqlx::PgPool) -> Self {
        Self {
            backend: Backend::Postgres(PgLog::new(pool)),
        }
    }

    /// The SQLite backend, when this is the embedded store (the in-process relay reads its
    /// outbox).
    pub fn as_sqlite(&self) -> Option<&SqliteLog> {
        match &self.backend {
            Backend::Sqlite(s) => Some(s),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL backend, when this is the distributed store.
    pub fn as_postgres(&self) -> Option<&PgLog> {
        match &self.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    /// Appends events in one transaction (the outbox and idempotency rows are written by
    /// triggers inside it).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a sequence or idempotency key already exists.
    #[tracing::instrument(name = "folio.store.append", level = "debug", skip_all, fields(document_id = %document_id, events = events.len()), err(level = "debug"))]
    pub async fn append(
        &self,
        document_id: &DocumentId,
        events: &[NewEvent],
    ) -> Result<(), StoreError> {
        let serialized = serialize(document_id, events)?;
        dispatch!(self, b => b.append(&serialized).await)
    }

    /// Loads a document for writing: the latest snapshot plus the events after it.
    ///
    /// # Errors
    /// Database or decoding failures.
    #[tracing::instrument(name = "folio.store.load", level = "debug", skip_all, fields(document_id = %document_id), err(level = "debug"))]
    pub async fn load(
        &self,
        document_id: &DocumentId,
    ) -> Result<Option<LoadedDocument>, StoreError> {
        let snapshot = self.snapshot_row(document_id).await?;
        let (mut document, mut tenant, snapshot_version) = match snapshot {
            Some(s) => (s.document()?, s.tenant, s.version),
            None => (Document::default(), None, 0),
        };
        for stored in self
            .events(document_id, snapshot_version, None, None)
            .await?
        {
            if stored.sequence != document.version.get() + 1 {
                return Err(StoreError::Corrupt(format!(
                    "{document_id}: event {} follows version {}",
                    stored.sequence, document.version
                )));
            }
            if tenant.is_none() {
                tenant = Some(stored.tenant().to_string());
            }
            refuse_unreadable(&stored)?;
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
        let state = StoredState {
            version: document.version.get(),
            tenant: Some(tenant.to_string()),
            payload: serde_json::to_string(document).map_err(corrupt)?,
        };
        self.store_snapshot(id, &state).await
    }

    /// Events of one document with sequence in `after+1..=until`, at most `limit`.
    ///
    /// # Errors
    /// Database or decoding failures.
    #[tracing::instrument(name = "folio.store.events", level = "debug", skip_all, fields(document_id = %document_id, after, until), err(level = "debug"))]
    pub async fn events(
        &self,
        document_id: &DocumentId,
        after: u64,
        until: Option<u64>,
        limit: Option<u64>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let until = until.map_or(i64::MAX, |u| u as i64);
        let limit = limit.map_or(i64::MAX, |l| l as i64);
        self.event_rows(document_id, after as i64, until, limit)
            .await
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
        self.history_rows(document_id, filter, limit as i64).await
    }

    /// A page of the tenant's events across all documents, in commit order, after the
    /// event at `after` (a position from an earlier page; 0 for the start). Returns each
    /// event with its position. Never skips an event that commits after a page was read.
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
        dispatch!(self, b => b.audit(tenant, filter, after, limit as i64).await)
    }

    /// The document as it was at `version` (rebuilt from the nearest checkpoint and the
    /// events after it). `None` when the document or that version does not exist.
    ///
    /// # Errors
    /// Database or decoding failures.
    #[tracing::instrument(name = "folio.store.document_at", level = "debug", skip_all, fields(document_id = %document_id, version), err(level = "debug"))]
    pub async fn document_at(
        &self,
        document_id: &DocumentId,
        version: u64,
    ) -> Result<Option<HistoricDocument>, StoreError> {
        if version == 0 {
            return Ok(None);
        }
        let checkpoint = self.checkpoint_row(document_id, version).await?;
        let (mut document, from) = match checkpoint {
            Some(c) => (c.document()?, c.version),
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
            refuse_unreadable(e)?;
            document.apply(&e.event);
        }
        Ok(Some(HistoricDocument {
            tenant: first.tenant().to_string(),
            created_at: first.metadata.at.clone(),
            created_by: first.metadata.actor.clone(),
            updated_at: last.metadata.at.clone(),
            updated_by: last.metadata.actor.clone(),
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
        self.head_row(document_id).await
    }

    /// Every document and its latest version (for projector catch-up and rebuild).
    ///
    /// # Errors
    /// Database failures.
    pub async fn heads(&self) -> Result<Vec<(DocumentId, u64)>, StoreError> {
        self.head_rows().await
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
        let Some(record) = self.idempotency_row(tenant, key).await? else {
            return Ok(None);
        };
        let candidates = self.request_event_rows(&record).await?;
        // One commit's events are contiguous; stop at the first gap.
        let mut events: Vec<StoredEvent> = Vec::new();
        for e in candidates {
            if events.last().is_some_and(|l| l.sequence + 1 != e.sequence) {
                break;
            }
            events.push(e);
        }
        Ok(Some((record, events)))
    }
}
