//! The write use case: the one path every change to a document takes, whatever the
//! transport. [`CommandService`] checks `If-Match` (rebasing a stale request when nothing
//! since overlaps it), replays `Idempotency-Key` retries, brings in the outside data a
//! command needs ([`super::inputs`]), stamps event metadata, lets the domain decide, and
//! appends through its storage port ([`super::port::WriteStore`]; the outbox row commits
//! with the events).
//!
//! Loaded documents stay in memory (an LRU of per-document slots, each behind an async
//! mutex), so a command on a long document costs the same as on a short one: no reload, no
//! replay. The cache is only an optimisation: the store's unique sequence is the arbiter,
//! and a conflict drops the cached state and retries from the store.

use std::sync::{Arc, Mutex};

use domain::{BlockId, Document, DocumentCommand, DocumentError, DocumentId, Limits};
use infrastructure::budget::BudgetLru;
use infrastructure::envelope::{Envelope, EventLimit};
use infrastructure::panics::guarded;
use infrastructure::store::NewEvent;
use infrastructure::{EventMetadata, RequestContext, StoreError, StoredEvent};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use super::WriteRequest;
use super::inputs::{self, Attachment};
use super::port::{Storage, WriteStore};

/// How often conflicting appends are retried before giving up.
const MAX_ATTEMPTS: u32 = 16;

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The domain refused a command (422, or 404/409/413 by kind); `index` is its position
    /// in the request.
    #[error("command {index} refused: {error}")]
    Domain {
        /// The reason.
        error: DocumentError,
        /// 0-based index of the command.
        index: usize,
    },
    /// No such document in the caller's tenant (404).
    #[error("document not found")]
    NotFound,
    /// The principal may not make this command (403): a suggest-only principal's command
    /// that cannot be a suggestion.
    #[error("{0}")]
    Forbidden(String),
    /// A command names a version the document never had (404).
    #[error("the document has no version {0}")]
    VersionNotFound(u64),
    /// A command names a label no version has (404).
    #[error("the document has no version labelled {0:?}")]
    LabelNotFound(String),
    /// `If-Match` named another version (409): with `strict`, or when the events since
    /// overlap the request (`conflicts` names them; empty with `strict`).
    #[error("stale version")]
    StaleVersion {
        /// The version the client named.
        expected: u64,
        /// The current version.
        current: u64,
        /// The events since `expected` that overlap the request.
        conflicts: Vec<ConflictingEvent>,
    },
    /// The idempotency key was used before with a different request (422).
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    /// An event the request would append is larger than the bus accepts (413): nothing
    /// is appended.
    #[error("event too large")]
    EventTooLarge {
        /// 0-based index of the command that produced it.
        index: usize,
        /// The event's type.
        event_type: &'static str,
        /// Its envelope's size in bytes.
        bytes: usize,
        /// The largest envelope accepted.
        limit: usize,
    },
    /// Conflicting writers kept winning (409, retryable).
    #[error("too many concurrent writers on this document")]
    Contended,
    /// Storage failure (500).
    #[error("storage failure")]
    Store(#[from] StoreError),
    /// The domain decided events that do not apply to the state, or panicked (500). A bug:
    /// nothing is appended, and the document's cached state is dropped.
    #[error("internal fault: {0}")]
    Internal(String),
}

/// An event that overlaps a stale request: its version, type, actor and the blocks both
/// touch.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictingEvent {
    /// Its sequence number (= the version it made).
    pub version: u64,
    /// Its type.
    pub event_type: String,
    /// Who.
    pub actor: String,
    /// The blocks it and the request both touch (none when they overlap in positions or
    /// the whole document).
    pub block_ids: Vec<BlockId>,
}

/// Most conflicting events a refusal names.
const MAX_CONFLICTS: usize = 50;

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOutcome {
    /// The document.
    pub document_id: DocumentId,
    /// Its version afterwards.
    pub version: u64,
    /// Appended events: sequence and type.
    pub events: Vec<(u64, String)>,
    /// Blocks created, in order.
    pub created_block_ids: Vec<BlockId>,
    /// Existing blocks changed (moved, edited or deleted), in order, each once.
    pub changed_block_ids: Vec<BlockId>,
    /// Whether this is the stored result of an earlier request with the same key.
    pub replayed: bool,
    /// For a dry run: the events that would be appended (nothing was).
    pub preview: Option<Vec<domain::DocumentEvent>>,
    /// The version the request was based on, when it was rebased onto a newer one.
    pub rebased_from: Option<u64>,
}

impl CommandOutcome {
    fn from_events(document_id: DocumentId, events: &[StoredEvent], replayed: bool) -> Self {
        let (created_block_ids, changed_block_ids) = block_ids(events.iter().map(|e| &e.event));
        Self {
            version: events.last().map_or(0, |e| e.sequence),
            events: events
                .iter()
                .map(|e| (e.sequence, e.event_type.clone()))
                .collect(),
            created_block_ids,
            changed_block_ids,
            document_id,
            replayed,
            preview: None,
            rebased_from: events
                .first()
                .and_then(|e| e.metadata.rebased_from.as_deref())
                .and_then(|v| v.parse().ok()),
        }
    }

    /// What appending `events` after version `base` would do.
    fn preview(document_id: DocumentId, base: u64, events: Vec<domain::DocumentEvent>) -> Self {
        let (created_block_ids, changed_block_ids) = block_ids(events.iter());
        Self {
            version: base + events.len() as u64,
            events: events
                .iter()
                .enumerate()
                .map(|(i, e)| (base + 1 + i as u64, e.name().to_string()))
                .collect(),
            created_block_ids,
            changed_block_ids,
            document_id,
            replayed: false,
            preview: Some(events),
            rebased_from: None,
        }
    }
}

/// The blocks events create, and the existing blocks they change (each once, in order).
fn block_ids<'a>(
    events: impl Iterator<Item = &'a domain::DocumentEvent>,
) -> (Vec<BlockId>, Vec<BlockId>) {
    let mut created = Vec::new();
    let mut changed: Vec<BlockId> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for event in events {
        for id in event.created_block_ids() {
            seen.insert(id.clone());
            created.push(id);
        }
        for id in event.touched_block_ids() {
            if seen.insert(id.clone()) {
                changed.push(id);
            }
        }
    }
    (created, changed)
}

struct Slot {
    document: Document,
    tenant: String,
    /// The version at which the cache last weighed the document.
    weighed_at: u64,
}

type SlotRef = Arc<tokio::sync::Mutex<Option<Slot>>>;

/// The write path, over a storage port (folio's own [`Storage`] unless a test gives
/// another).
pub struct CommandService<S: WriteStore = Storage> {
    store: S,
    limits: Limits,
    snapshot_every: u64,
    cache: Mutex<BudgetLru<SlotRef>>,
    appended: Arc<Notify>,
    event_limit: EventLimit,
}

impl<S: WriteStore> std::fmt::Debug for CommandService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandService")
            .field("limits", &self.limits)
            .field("snapshot_every", &self.snapshot_every)
            .finish_non_exhaustive()
    }
}

impl<S: WriteStore> CommandService<S> {
    /// A write path over `store`. `appended` is notified after every append (it wakes the
    /// outbox relay). `cached_documents` bounds the in-memory documents by count, and
    /// `cache_bytes` by the memory they hold.
    pub fn new(
        store: S,
        limits: Limits,
        snapshot_every: u64,
        (cached_documents, cache_bytes): (usize, usize),
        appended: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            limits,
            snapshot_every: snapshot_every.max(1),
            cache: Mutex::new(BudgetLru::new(cached_documents, cache_bytes)),
            appended,
            event_limit: EventLimit::default(),
        }
    }

    /// The largest event this write path appends (by default
    /// [`infrastructure::envelope::DEFAULT_MAX_EVENT_BYTES`]).
    #[must_use]
    pub fn with_event_limit(mut self, limit: EventLimit) -> Self {
        self.event_limit = limit;
        self
    }

    /// Stores the files a decided request brings in ([`inputs::files`]), before the
    /// events that name them are appended.
    async fn store_files(
        &self,
        tenant: &str,
        commands: &[DocumentCommand],
        attachments: &[Attachment<'_>],
    ) -> Result<(), WriteError> {
        for (media, bytes) in inputs::files(commands, attachments, &self.limits)? {
            self.store.put_media(tenant, &media, &bytes).await?;
        }
        Ok(())
    }

    /// The storage behind this write path.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The limits commands are checked against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn slot(&self, id: &DocumentId) -> SlotRef {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get_or_insert_with(id.as_str(), || Arc::new(tokio::sync::Mutex::new(None)))
            .clone()
    }

    /// Weighs a cached document again when it has changed enough since it was last
    /// weighed (a linear pass, so only every max(64, blocks / 100) events: the cost per
    /// command stays constant; the estimate lags by at most that many events).
    fn weigh(&self, id: &DocumentId, slot: &mut Slot) {
        let version = slot.document.version.get();
        let every = 64.max(slot.document.blocks.len() as u64 / 100);
        if slot.weighed_at != 0 && version.saturating_sub(slot.weighed_at) < every {
            return;
        }
        slot.weighed_at = version.max(1);
        let bytes = slot.document.approx_bytes();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.weigh(id.as_str(), bytes);
    }

    /// Refuses events whose bus envelope would be larger than the event limit.
    fn check_sizes(
        &self,
        id: &DocumentId,
        base: u64,
        produced: &[Decided],
        metadata: &[EventMetadata],
    ) -> Result<(), WriteError> {
        let limit = self.event_limit.bytes();
        for (i, ((index, _, event), metadata)) in produced.iter().zip(metadata).enumerate() {
            let bytes = Envelope {
                document_id: id,
                sequence: base + 1 + i as u64,
                event_type: event.name(),
                event_version: domain::event::EVENT_VERSION,
                event,
                metadata,
            }
            .json_len();
            if bytes > limit {
                return Err(WriteError::EventTooLarge {
                    index: *index,
                    event_type: event.name(),
                    bytes,
                    limit,
                });
            }
        }
        Ok(())
    }

    /// Creates a document with a new id (UUID v7) in the caller's tenant.
    ///
    /// # Errors
    /// See [`WriteError`].
    pub async fn create(
        &self,
        ctx: &RequestContext,
        title: String,
        request: &WriteRequest,
    ) -> Result<CommandOutcome, WriteError> {
        let id = DocumentId::new(uuid::Uuid::now_v7().to_string());
        let command = DocumentCommand::CreateDocument(domain::command::CreateDocument {
            document_id: id.clone(),
            title,
        });
        let at = infrastructure::now_rfc3339();
        self.write(ctx, &id, &[command], request, Some(&[]), &at)
            .await
    }

    /// Creates a document (new id, the caller's tenant) from an imported Word file: the
    /// uploaded file and the pictures the import read from it are stored (by their
    /// SHA-256) once the import is decided and before its events are appended.
    ///
    /// # Errors
    /// See [`WriteError`].
    pub async fn import(
        &self,
        ctx: &RequestContext,
        title: String,
        file: &[u8],
        imported: docx_engine::Imported,
        request: &WriteRequest,
    ) -> Result<CommandOutcome, WriteError> {
        let id = DocumentId::new(uuid::Uuid::now_v7().to_string());
        let media = domain::media_id(file);
        let command = DocumentCommand::ImportDocument(domain::command::ImportDocument {
            document_id: id.clone(),
            title,
            source: domain::ImportSource {
                media: media.clone(),
                bytes: file.len() as u64,
            },
            content: Box::new(imported.content),
        });
        let mut files = vec![Attachment {
            media: media.as_str(),
            bytes: file,
        }];
        files.extend(imported.media.iter().map(|(k, v)| Attachment {
            media: k.as_str(),
            bytes: v.as_slice(),
        }));
        let at = infrastructure::now_rfc3339();
        self.write(ctx, &id, &[command], request, Some(&files), &at)
            .await
    }

    /// Applies commands to a document, all or nothing.
    ///
    /// # Errors
    /// See [`WriteError`].
    pub async fn execute(
        &self,
        ctx: &RequestContext,
        id: &DocumentId,
        commands: &[DocumentCommand],
        request: &WriteRequest,
    ) -> Result<CommandOutcome, WriteError> {
        // One time for the request: its events' and the comments' it makes.
        let at = infrastructure::now_rfc3339();
        let commands = inputs::resolve(&self.store, ctx.tenant.as_str(), id, commands).await?;
        let commands = inputs::suggest_only(commands, ctx)?;
        let commands = inputs::stamp(commands, ctx, &at);
        self.write(ctx, id, &commands, request, None, &at).await
    }

    #[tracing::instrument(name = "folio.write", skip_all, fields(document_id = %id, commands = commands.len()), err(level = "debug"))]
    async fn write(
        &self,
        ctx: &RequestContext,
        id: &DocumentId,
        commands: &[DocumentCommand],
        request: &WriteRequest,
        new_document: Option<&[Attachment<'_>]>,
        at: &str,
    ) -> Result<CommandOutcome, WriteError> {
        // A new document (created or imported) may bring files along; commands bring none.
        let creating = new_document.is_some();
        let attachments = new_document.unwrap_or_default();
        // Only a request with an idempotency key is compared with earlier ones.
        let fingerprint = request
            .idempotency_key
            .as_ref()
            .map(|_| fingerprint(id, commands, creating))
            .unwrap_or_default();
        for attempt in 0..MAX_ATTEMPTS {
            let slot = self.slot(id);
            let mut guard = slot.lock().await;
            // Inside the document's lock, so a concurrent retry with the same key waits for
            // the first request and then finds its result.
            if let Some(key) = request
                .idempotency_key
                .as_ref()
                .filter(|_| !request.dry_run)
                && let Some((record, events)) =
                    self.store.idempotency(ctx.tenant.as_str(), key).await?
            {
                let same_target = record.document_id == id.as_str() || creating;
                if record.fingerprint != fingerprint || !same_target {
                    return Err(WriteError::IdempotencyKeyReused);
                }
                return Ok(CommandOutcome::from_events(
                    DocumentId::new(record.document_id),
                    &events,
                    true,
                ));
            }
            let cached = guard.is_some();
            if !cached {
                *guard = self.store.load(id).await?.map(|loaded| Slot {
                    document: loaded.document,
                    tenant: loaded.tenant,
                    weighed_at: 0,
                });
                if let Some(slot) = guard.as_mut() {
                    self.weigh(id, slot);
                }
            }
            let empty = Document::default();
            let (current, tenant) = match guard.as_ref() {
                Some(s) => (&s.document, Some(s.tenant.as_str())),
                None => (&empty, None),
            };
            if !creating && tenant != Some(ctx.tenant.as_str()) {
                // Another tenant's document is indistinguishable from a missing one.
                return Err(WriteError::NotFound);
            }
            let base = current.version.get();
            // A request based on an older version is rebased onto this one when the
            // events since do not overlap it (not with `strict`); the state must be the
            // store's latest for that, so a cached one is checked first.
            let rebased = match request.if_match {
                Some(expected) if expected != base => {
                    if cached && self.store.head(id).await?.map(|(v, _)| v) != Some(base) {
                        *guard = None;
                        continue;
                    }
                    let stale = WriteError::StaleVersion {
                        expected,
                        current: base,
                        conflicts: Vec::new(),
                    };
                    if request.strict || expected == 0 || expected > base {
                        return Err(stale);
                    }
                    Some((
                        expected,
                        self.rebased(id, expected, current, commands).await?,
                    ))
                }
                _ => None,
            };
            let rebased_from = rebased.as_ref().map(|(from, _)| *from);
            let to_decide = rebased.as_ref().map_or(commands, |(_, c)| c.as_slice());
            let decided = decide(current, to_decide, &self.limits);
            let (produced, folded_batch) = match decided {
                Ok(decided) => decided,
                Err(refused) => {
                    // A cached state is behind when another process (a second command-api)
                    // appended meanwhile: the refusal stands only if the store is still at
                    // the cached version; otherwise decide again on a fresh load.
                    if cached && self.store.head(id).await?.map(|(v, _)| v) != Some(base) {
                        *guard = None;
                        continue;
                    }
                    return Err(refused);
                }
            };
            if produced.is_empty() {
                let mut outcome = CommandOutcome::preview(id.clone(), base, Vec::new());
                outcome.rebased_from = rebased_from;
                if !request.dry_run {
                    outcome.preview = None;
                }
                return Ok(outcome);
            }
            let tenant = tenant.unwrap_or(ctx.tenant.as_str()).to_string();
            let mut metadata: Vec<EventMetadata> = produced
                .iter()
                .enumerate()
                .map(|(i, (_, command, _))| {
                    let mut metadata = ctx.metadata(command, at);
                    metadata.rebased_from = rebased_from.map(|v| v.to_string());
                    if i == 0
                        && let Some(key) = &request.idempotency_key
                    {
                        metadata.idempotency_key = Some(key.clone());
                        metadata.idempotency_fingerprint = Some(fingerprint.clone());
                    }
                    metadata
                })
                .collect();
            credit_proposers(current, &produced, &mut metadata);
            // Every event must fit the bus once enveloped, or the relay could never
            // publish it: the whole request is refused before anything is stored.
            self.check_sizes(id, base, &produced, &metadata)?;
            if request.dry_run {
                let events = produced.into_iter().map(|(_, _, e)| e).collect();
                let mut outcome = CommandOutcome::preview(id.clone(), base, events);
                outcome.rebased_from = rebased_from;
                return Ok(outcome);
            }
            // Nothing is appended that does not apply: the new events are folded into the
            // state first. The state is taken out of the slot while that happens, so a
            // fault (or a failed append below) leaves no half-changed document cached.
            let (cached_state, weighed_at) = guard
                .take()
                .map_or((Document::default(), 0), |s| (s.document, s.weighed_at));
            let document = match folded_batch {
                // A batch was decided on a copy, each event folded as it was decided.
                Some(state) => state,
                None => fold(cached_state, &produced)?,
            };
            let new_events: Vec<NewEvent> = produced
                .into_iter()
                .zip(metadata)
                .enumerate()
                .map(|(i, ((_, _, event), metadata))| NewEvent {
                    sequence: base + 1 + i as u64,
                    event,
                    metadata,
                })
                .collect();
            if let Err(e) = self.store_files(&tenant, commands, attachments).await {
                *guard = None;
                return Err(e);
            }
            match self.store.append(id, &new_events).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => {
                    // Someone else appended (another process, or a reused key): reload,
                    // after a short random pause so that racing processes fall out of step.
                    *guard = None;
                    drop(guard);
                    tokio::time::sleep(jitter(attempt)).await;
                    continue;
                }
                Err(e) => {
                    *guard = None;
                    return Err(e.into());
                }
            }
            self.appended.notify_one();
            infrastructure::telemetry::pipeline::appended(new_events.len());
            let version = document.version.get();
            // Snapshot every `snapshot_every` events, and for long documents every
            // (blocks / 10) events: a snapshot costs time proportional to the document's
            // length, so spacing them in proportion keeps the cost per command constant.
            let every = self.snapshot_every.max(document.blocks.len() as u64 / 10);
            if version / every != base / every
                && let Err(e) = self.store.save_snapshot(&tenant, &document).await
            {
                // A snapshot is a cache; the events are committed.
                tracing::warn!(error = %e, "snapshot not saved");
            }
            let mut slot = Slot {
                document,
                tenant,
                weighed_at,
            };
            self.weigh(id, &mut slot);
            *guard = Some(slot);
            let stored: Vec<StoredEvent> = new_events
                .into_iter()
                .map(|e| StoredEvent {
                    document_id: id.clone(),
                    sequence: e.sequence,
                    event_type: e.event.name().to_string(),
                    event_version: domain::event::EVENT_VERSION.to_string(),
                    event: e.event,
                    metadata: e.metadata,
                })
                .collect();
            return Ok(CommandOutcome::from_events(id.clone(), &stored, false));
        }
        Err(WriteError::Contended)
    }
}

/// A random pause of up to `attempt` milliseconds (plus one).
/// The events of an accepted suggestion are its proposer's change: each event before a
/// `SuggestionAccepted` (back to the previous one of the same command) records who proposed
/// it (`proposed_by`), so blame and the diff credit them and the history says who decided.
fn credit_proposers(
    current: &Document,
    produced: &[(usize, &'static str, domain::DocumentEvent)],
    metadata: &mut [EventMetadata],
) {
    let mut pending: Vec<usize> = Vec::new();
    let mut command = None;
    for (i, (index, _, event)) in produced.iter().enumerate() {
        if command != Some(*index) {
            pending.clear();
            command = Some(*index);
        }
        match event {
            domain::DocumentEvent::SuggestionAccepted { suggestion_id, .. } => {
                let proposer = current
                    .suggestion(suggestion_id)
                    .map(|s| s.author.actor.clone())
                    .filter(|a| !a.is_empty());
                for j in pending.drain(..) {
                    if let Some(m) = metadata.get_mut(j) {
                        m.proposed_by.clone_from(&proposer);
                    }
                }
            }
            _ => pending.push(i),
        }
    }
}

fn jitter(attempt: u32) -> std::time::Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::time::Duration::from_micros(u64::from(nanos % ((attempt + 1) * 1_000)))
}

/// A decided event: the index of the command that produced it, that command's name, the
/// event.
type Decided = (usize, &'static str, domain::DocumentEvent);

impl<S: WriteStore> CommandService<S> {
    /// `commands`, decided by the client against version `expected`, anchored for the
    /// current state `now` — when applying them and the events since in either order
    /// gives the same document (`domain::rebase`). Otherwise a stale-version refusal
    /// naming the events since that overlap them (all of them, up to 50, when the overlap
    /// is of positions).
    async fn rebased(
        &self,
        id: &DocumentId,
        expected: u64,
        now: &Document,
        commands: &[DocumentCommand],
    ) -> Result<Vec<DocumentCommand>, WriteError> {
        let base = now.version.get();
        let stale = |conflicts| WriteError::StaleVersion {
            expected,
            current: base,
            conflicts,
        };
        let Some(old) = self.store.document_at(id, expected).await? else {
            return Err(stale(Vec::new()));
        };
        let since = self.store.events_between(id, expected, base).await?;
        let events: Vec<domain::DocumentEvent> = since.iter().map(|e| e.event.clone()).collect();
        let limits = self.limits;
        let decided =
            guarded(|| domain::rebase::rebase(&old.document, &events, now, commands, &limits))
                .map_err(WriteError::Internal)?;
        match decided {
            Ok(anchored) => Ok(anchored),
            Err(domain::rebase::RebaseError::Refused { error, index }) => {
                Err(WriteError::Domain { error, index })
            }
            Err(domain::rebase::RebaseError::Conflict { blocks }) => {
                let conflicts = since
                    .iter()
                    .filter_map(|e| {
                        let touched: Vec<BlockId> = e
                            .event
                            .touched_block_ids()
                            .into_iter()
                            .chain(e.event.created_block_ids())
                            .filter(|b| blocks.contains(b))
                            .collect();
                        (blocks.is_empty() || !touched.is_empty()).then(|| ConflictingEvent {
                            version: e.sequence,
                            event_type: e.event_type.clone(),
                            actor: e.metadata.actor.clone(),
                            block_ids: touched,
                        })
                    })
                    .take(MAX_CONFLICTS)
                    .collect();
                Err(stale(conflicts))
            }
        }
    }
}

/// Decides commands in order, each seeing the effect of the ones before it. A single
/// command is decided on the state itself (no copy of a possibly long document); a batch
/// works on a copy. A panic in the domain is a [`WriteError::Internal`], not a dropped
/// connection.
fn decide(
    current: &Document,
    commands: &[DocumentCommand],
    limits: &Limits,
) -> Result<(Vec<Decided>, Option<Document>), WriteError> {
    let decided = guarded(|| {
        if let [command] = commands {
            let events = current
                .decide(command, limits)
                .map_err(|error| WriteError::Domain { error, index: 0 })?;
            return Ok((
                events.into_iter().map(|e| (0, command.name(), e)).collect(),
                None,
            ));
        }
        let mut state = current.clone();
        let mut produced = Vec::new();
        for (index, command) in commands.iter().enumerate() {
            let events = state
                .decide(command, limits)
                .map_err(|error| WriteError::Domain { error, index })?;
            for event in events {
                state
                    .try_apply(&event)
                    .map_err(|misfit| WriteError::Internal(misfit.to_string()))?;
                produced.push((index, command.name(), event));
            }
        }
        Ok((produced, Some(state)))
    });
    decided.unwrap_or_else(|panic| Err(WriteError::Internal(panic)))
}

/// Folds decided events into the state they were decided on.
///
/// # Errors
/// [`WriteError::Internal`] when an event does not fit or applying it panics: the caller
/// appends nothing and the state is dropped.
fn fold(mut document: Document, produced: &[Decided]) -> Result<Document, WriteError> {
    let folded = guarded(|| {
        produced
            .iter()
            .try_for_each(|(_, _, event)| document.try_apply(event))
    });
    match folded {
        Ok(Ok(())) => Ok(document),
        Ok(Err(misfit)) => Err(WriteError::Internal(misfit.to_string())),
        Err(panic) => Err(WriteError::Internal(panic)),
    }
}

/// What identifies a request for idempotency: the target and the exact commands.
fn fingerprint(id: &DocumentId, commands: &[DocumentCommand], creating: bool) -> String {
    let mut hasher = Sha256::new();
    if creating {
        // The id of a new document is generated per attempt; only the commands count,
        // minus that id.
        for c in commands {
            if let DocumentCommand::CreateDocument(create) = c {
                hasher.update(b"create:");
                hasher.update(create.title.as_bytes());
            }
        }
    } else {
        hasher.update(id.as_str().as_bytes());
        hasher.update(serde_json::to_vec(commands).unwrap_or_default());
    }
    format!("{:x}", hasher.finalize())
}
