//! The write use case's port: everything [`super::CommandService`] asks of storage, as
//! one trait, and its implementation over folio's event log and media store
//! ([`Storage`]). The use case knows no SQL and no file system; a test can drive it over
//! any other implementation.

use std::collections::BTreeMap;
use std::future::Future;

use domain::{Document, DocumentId};
use infrastructure::media::MediaStore;
use infrastructure::store::{
    EventLog, HistoricDocument, HistoryFilter, IdempotencyRecord, LoadedDocument, NewEvent,
};
use infrastructure::{StoreError, StoredEvent};

/// What the write use case needs from storage.
pub trait WriteStore: Send + Sync + 'static {
    /// A document's latest state and tenant (from its last snapshot and the events
    /// after it), or `None` when it does not exist.
    fn load(
        &self,
        id: &DocumentId,
    ) -> impl Future<Output = Result<Option<LoadedDocument>, StoreError>> + Send;

    /// A document's latest version and tenant.
    fn head(
        &self,
        id: &DocumentId,
    ) -> impl Future<Output = Result<Option<(u64, String)>, StoreError>> + Send;

    /// A document as it was at `version` (`None` when it never had that version).
    fn document_at(
        &self,
        id: &DocumentId,
        version: u64,
    ) -> impl Future<Output = Result<Option<HistoricDocument>, StoreError>> + Send;

    /// The events after version `after`, up to and including version `upto`.
    fn events_between(
        &self,
        id: &DocumentId,
        after: u64,
        upto: u64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    /// A document's labels (name → version).
    fn labels(
        &self,
        id: &DocumentId,
    ) -> impl Future<Output = Result<BTreeMap<String, u64>, StoreError>> + Send;

    /// The record of an idempotency key in a tenant, with the events its first request
    /// appended.
    fn idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<(IdempotencyRecord, Vec<StoredEvent>)>, StoreError>> + Send;

    /// Appends events (their outbox rows commit with them); [`StoreError::Conflict`] when
    /// another writer took one of their sequence numbers.
    fn append(
        &self,
        id: &DocumentId,
        events: &[NewEvent],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Saves a snapshot of a document (a cache: losing one costs a longer load).
    fn save_snapshot(
        &self,
        tenant: &str,
        document: &Document,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a file by its media id (SHA-256 of its bytes) in a tenant.
    fn put_media(
        &self,
        tenant: &str,
        media: &str,
        bytes: &[u8],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// folio's storage: the event log (SQLite or PostgreSQL) and the media store.
#[derive(Debug, Clone)]
pub struct Storage {
    /// The event log.
    pub log: EventLog,
    /// Where uploaded files and pictures are kept (without one, a write that uploads a
    /// file fails).
    pub media: Option<MediaStore>,
}

impl Storage {
    /// Storage over `log` and `media`.
    pub fn new(log: EventLog, media: Option<MediaStore>) -> Self {
        Self { log, media }
    }
}

/// A document's labels, from its `VersionLabeled` events (the first label of a name
/// wins).
pub(crate) async fn labels_of(
    log: &EventLog,
    id: &DocumentId,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let filter = HistoryFilter {
        event_type: Some("VersionLabeled".into()),
        ..HistoryFilter::default()
    };
    let events = log
        .history(id, &filter, domain::MAX_LABELS as u64 + 1)
        .await?;
    let mut labels = BTreeMap::new();
    for e in events {
        if let domain::DocumentEvent::VersionLabeled { version, name } = e.event {
            labels.entry(name).or_insert(version);
        }
    }
    Ok(labels)
}

impl WriteStore for Storage {
    async fn load(&self, id: &DocumentId) -> Result<Option<LoadedDocument>, StoreError> {
        self.log.load(id).await
    }

    async fn head(&self, id: &DocumentId) -> Result<Option<(u64, String)>, StoreError> {
        self.log.head(id).await
    }

    async fn document_at(
        &self,
        id: &DocumentId,
        version: u64,
    ) -> Result<Option<HistoricDocument>, StoreError> {
        self.log.document_at(id, version).await
    }

    async fn events_between(
        &self,
        id: &DocumentId,
        after: u64,
        upto: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.log.events(id, after, Some(upto), None).await
    }

    async fn labels(&self, id: &DocumentId) -> Result<BTreeMap<String, u64>, StoreError> {
        labels_of(&self.log, id).await
    }

    async fn idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<(IdempotencyRecord, Vec<StoredEvent>)>, StoreError> {
        self.log.idempotency(tenant, key).await
    }

    async fn append(&self, id: &DocumentId, events: &[NewEvent]) -> Result<(), StoreError> {
        self.log.append(id, events).await
    }

    async fn save_snapshot(&self, tenant: &str, document: &Document) -> Result<(), StoreError> {
        self.log.save_snapshot(tenant, document).await
    }

    async fn put_media(&self, tenant: &str, media: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let store = self
            .media
            .as_ref()
            .ok_or_else(|| StoreError::Media(std::io::Error::other("no media store")))?;
        store
            .put(tenant, media, bytes)
            .await
            .map_err(StoreError::Media)
    }
}
