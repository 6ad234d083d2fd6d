//! Read-model repositories and read-your-writes waiting. Two backends behind one type:
//! SQLite (`views.db`, embedded) and PostgreSQL (distributed).
//!
//! Writes are compare-and-set on each document's version: a projector that stores version
//! 8 over a row it loaded at version 5 fails with [`StoreError::Conflict`] if anyone else
//! stored meanwhile, so two projector instances (or a projector and `folio rebuild`) never
//! double-apply an event.
//!
//! Over 800 lines: `Views` is one type over two backends, and each operation here
//! (summaries, blocks by ordering key, blame, failures, waiting) is the dispatch between
//! `sqlite.rs` and `postgres.rs` plus what both share; splitting it by operation would
//! scatter that one dispatch.

use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::event::Placement;
use domain::{
    Block, BlockId, Document, DocumentEvent, DocumentId, DocumentMetadata, EventMisfit, Section,
    Stats, StyleDef, Version,
};
use tokio::sync::watch;

use crate::rows;
use crate::store::StoreError;

pub mod postgres;
mod sqlite;

pub use history::{BlockBlame, Change};

/// The facts of a stored event, as blame records them.
pub fn change_of(event: &crate::StoredEvent) -> Change {
    Change {
        version: event.sequence,
        kind: event.event_type.clone(),
        actor: event.metadata.actor.clone(),
        at: event.metadata.at.clone(),
        reason: event.metadata.reason.clone(),
        proposed_by: event.metadata.proposed_by.clone(),
    }
}

pub use postgres::PgViews;
pub use sqlite::SqliteViews;

/// A document summary row.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Document id.
    pub id: String,
    /// Tenant.
    pub tenant: String,
    /// Title.
    pub title: String,
    /// Last version applied.
    pub version: u64,
    /// Archived.
    pub archived: bool,
    /// Core properties.
    pub metadata: DocumentMetadata,
    /// Page setup, headers and footers.
    pub section: Section,
    /// The document's own styles.
    pub styles: Vec<StyleDef>,
    /// The file it was imported from, if it was.
    pub source: Option<domain::ImportSource>,
    /// Named versions (label → version).
    pub labels: std::collections::BTreeMap<String, u64>,
    /// Comments and notes (read with the document's content, not with its summary: empty
    /// in listings).
    pub review: ReviewFields,
    /// Counts.
    pub stats: Stats,
    /// First event time.
    pub created_at: String,
    /// First event actor.
    pub created_by: String,
    /// Last event time.
    pub updated_at: String,
    /// Last event actor.
    pub updated_by: String,
}

impl SummaryRow {
    /// The summary of `document`, with the facts of its first and last events.
    pub fn of(
        document: &Document,
        tenant: &str,
        (created_at, created_by): (&str, &str),
        (updated_at, updated_by): (&str, &str),
    ) -> Self {
        Self {
            id: document
                .id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            tenant: tenant.to_string(),
            title: document.title.clone(),
            version: document.version.get(),
            archived: document.archived,
            metadata: document.metadata.clone(),
            section: document.section.clone(),
            styles: document.styles.clone(),
            source: document.source.clone(),
            labels: document.labels.clone(),
            review: ReviewFields {
                comments: document.comments.clone(),
                notes: document.notes.clone(),
                suggestions: document.suggestions.clone(),
                ids: document.review_ids,
            },
            stats: document.stats(),
            created_at: created_at.to_string(),
            created_by: created_by.to_string(),
            updated_at: updated_at.to_string(),
            updated_by: updated_by.to_string(),
        }
    }
}

impl SummaryRow {
    /// The .docx facts that are not in the document model: its first and last event times
    /// and its last editor (the image bytes are the caller's to add).
    pub fn render_options(&self) -> docx_engine::RenderOptions {
        let present = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        docx_engine::RenderOptions {
            created_at: present(&self.created_at),
            modified_at: present(&self.updated_at),
            last_modified_by: present(&self.updated_by),
            media: Default::default(),
            source: None,
        }
    }
}

/// A projected document: its summary, its state, and what changed since it was stored.
///
/// Blocks are stored one row each with a fractional ordering key (`ord`), kept here in a
/// vector parallel to `document.blocks`: inserting or moving a block gives it a key between
/// its neighbours', so storing a change rewrites only the rows of the blocks it touched.
#[derive(Debug, Clone)]
pub struct Projected {
    /// Summary.
    pub summary: SummaryRow,
    /// State at `summary.version`.
    pub document: Document,
    ords: Vec<f64>,
    /// Each block's blame as stored ([`BlockBlame`] JSON; absent: not known, for rows
    /// projected before blame was kept). None when it was loaded without its blame (a
    /// content read): such a projection is never stored.
    blame: Option<HashMap<BlockId, String>>,
    /// The version the stored row is at (None: no row yet); writes are conditional on it.
    stored_version: Option<u64>,
    changed: BTreeSet<BlockId>,
    removed: BTreeSet<BlockId>,
    rewrite_all: bool,
}

impl Projected {
    /// A document as loaded or newly started (nothing to store yet).
    pub fn new(summary: SummaryRow, document: Document) -> Self {
        let ords = (0..document.blocks.len()).map(|i| i as f64).collect();
        Self {
            summary,
            document,
            ords,
            blame: Some(HashMap::new()),
            stored_version: None,
            changed: BTreeSet::new(),
            removed: BTreeSet::new(),
            rewrite_all: false,
        }
    }

    fn stored(
        summary: SummaryRow,
        document: Document,
        ords: Vec<f64>,
        blame: Option<HashMap<BlockId, String>>,
    ) -> Self {
        Self {
            ords,
            blame,
            stored_version: Some(summary.version),
            ..Self::new(summary, document)
        }
    }

    /// The rows to write for this document's changes.
    fn write(&self) -> Result<DocumentWrite, StoreError> {
        let Some(blame) = &self.blame else {
            return Err(StoreError::Corrupt(
                "a projection loaded without its blame cannot be stored".into(),
            ));
        };
        let positions: Vec<usize> = if self.rewrite_all {
            (0..self.document.blocks.len()).collect()
        } else if self.changed.len() <= 8 {
            // A few changed blocks: a scan each is cheaper than an index.
            self.changed
                .iter()
                .filter_map(|id| self.document.position_of(id))
                .collect()
        } else {
            // Many (a batch of 1,000 paragraphs): one pass over the document, not a scan
            // per block (which made projecting a long document quadratic).
            self.document
                .blocks
                .iter()
                .enumerate()
                .filter(|(_, b)| self.changed.contains(b.id()))
                .map(|(i, _)| i)
                .collect()
        };
        let upserts = positions
            .into_iter()
            .map(|i| {
                let block = &self.document.blocks[i];
                Ok(BlockRow {
                    block_id: block.id().to_string(),
                    ord: self.ords[i],
                    body: serde_json::to_string(block).map_err(corrupt)?,
                    plain: block.text(),
                    blame: blame.get(block.id()).cloned().unwrap_or_default(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(DocumentWrite {
            summary: self.summary.clone(),
            metadata: serde_json::to_string(&DocumentFields {
                metadata: self.summary.metadata.clone(),
                section: self.summary.section.clone(),
                styles: self.summary.styles.clone(),
                source: self.summary.source.clone(),
                labels: self.summary.labels.clone(),
            })
            .map_err(corrupt)?,
            stats: serde_json::to_string(&self.summary.stats).map_err(corrupt)?,
            review: if self.summary.review == ReviewFields::default() {
                String::new()
            } else {
                serde_json::to_string(&self.summary.review).map_err(corrupt)?
            },
            expected_version: self.stored_version,
            delete_all: self.rewrite_all,
            removed: self.removed.iter().map(ToString::to_string).collect(),
            upserts,
        })
    }

    fn mark_stored(&mut self) {
        self.stored_version = Some(self.summary.version);
        self.changed.clear();
        self.removed.clear();
        self.rewrite_all = false;
    }

    /// An ordering key for a block inserted at `index` (between its future neighbours).
    fn key_at(&mut self, index: usize) -> f64 {
        let prev = index.checked_sub(1).and_then(|i| self.ords.get(i)).copied();
        let next = self.ords.get(index).copied();
        let key = match (prev, next) {
            (None, None) => 0.0,
            (Some(p), None) => p + 1.0,
            (None, Some(n)) => n - 1.0,
            (Some(p), Some(n)) => (p + n) / 2.0,
        };
        let fits = prev.is_none_or(|p| p < key) && next.is_none_or(|n| key < n);
        if fits {
            return key;
        }
        // Repeated inserts at one spot exhausted the float's precision: renumber all.
        for (i, ord) in self.ords.iter_mut().enumerate() {
            *ord = i as f64;
        }
        self.rewrite_all = true;
        index as f64 - 0.5
    }

    /// Applies an event (made by `by`) to the state, keeping the ordering keys and the
    /// blame and recording which rows must be written. Returns the misfit of an event that
    /// does not fit the state (it changed nothing but the version; see
    /// [`Document::try_apply`]).
    pub fn apply(&mut self, event: &DocumentEvent, by: &Change) -> Option<EventMisfit> {
        let touched = event.touched_block_ids();
        let before: Vec<(BlockId, String)> = touched
            .iter()
            .zip(self.positions(&touched))
            .filter_map(|(id, i)| Some((id.clone(), self.document.blocks[i?].text())))
            .collect();
        let misfit = self.place(event);
        if misfit.is_none() {
            self.update_blame(event, before, by);
        }
        misfit
    }

    /// Keeps each block's blame after `event` (made by `by`) applied; `before` holds the
    /// touched blocks' texts before it.
    fn update_blame(&mut self, event: &DocumentEvent, before: Vec<(BlockId, String)>, by: &Change) {
        let created: Vec<BlockId> = match event.placement() {
            Placement::Insert { block_id, .. } => vec![block_id.clone()],
            _ => event.created_block_ids(),
        };
        let created_at = self.positions(&created);
        let ids: Vec<BlockId> = before.iter().map(|(id, _)| id.clone()).collect();
        let touched_at = self.positions(&ids);
        let (Some(blame), blocks) = (self.blame.as_mut(), &self.document.blocks) else {
            return;
        };
        for (id, i) in created.into_iter().zip(created_at) {
            if let Some(i) = i {
                let text = blocks[i].text();
                blame.insert(id, BlockBlame::created(&text, by).to_json());
            }
        }
        let mut budget = history::DiffBudget::default();
        for ((id, old_text), i) in before.into_iter().zip(touched_at) {
            let Some(i) = i else {
                blame.remove(&id);
                continue;
            };
            // A block whose blame is not known stays unknown (its read replays events).
            let Some(old) = blame.get(&id).and_then(|j| BlockBlame::from_json(j)) else {
                continue;
            };
            let new_text = blocks[i].text();
            blame.insert(
                id,
                old.changed_within(&old_text, &new_text, by, &mut budget)
                    .to_json(),
            );
        }
    }

    /// Where each of `ids` is in the document: a scan each for a few, one index for many
    /// (an import or a revert names thousands).
    fn positions(&self, ids: &[BlockId]) -> Vec<Option<usize>> {
        if ids.len() <= 8 {
            return ids.iter().map(|id| self.document.position_of(id)).collect();
        }
        let index: HashMap<&BlockId, usize> = self
            .document
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id(), i))
            .collect();
        ids.iter().map(|id| index.get(id).copied()).collect()
    }

    /// About how much memory it holds: the document and its blocks' blame.
    pub fn approx_bytes(&self) -> usize {
        self.document.approx_bytes()
            + self
                .blame
                .iter()
                .flatten()
                .map(|(_, b)| b.len() + std::mem::size_of::<BlockId>() + 16)
                .sum::<usize>()
    }

    /// Each block's blame, in document order (None: not known).
    pub fn blame(&self) -> Vec<Option<BlockBlame>> {
        self.document
            .blocks
            .iter()
            .map(|b| {
                self.blame
                    .as_ref()
                    .and_then(|blame| blame.get(b.id()))
                    .and_then(|j| BlockBlame::from_json(j))
            })
            .collect()
    }

    fn place(&mut self, event: &DocumentEvent) -> Option<EventMisfit> {
        match event.placement() {
            Placement::Insert { block_id, index } => {
                let id = block_id.clone();
                // Inserting events always insert (at the end when the index is past it).
                let misfit = self.document.try_apply(event).err();
                let i = index.min(self.ords.len());
                let key = self.key_at(i);
                self.ords.insert(i, key);
                self.changed.insert(id);
                misfit
            }
            Placement::Remove { block_id } => {
                if let Some(pos) = self.document.position_of(block_id) {
                    if let Some(blame) = &mut self.blame {
                        blame.remove(block_id);
                    }
                    self.ords.remove(pos);
                    self.changed.remove(block_id);
                    self.removed.insert(block_id.clone());
                }
                self.document.try_apply(event).err()
            }
            Placement::Move { block_id, to_index } => {
                let id = block_id.clone();
                let pos = self.document.position_of(&id);
                let misfit = self.document.try_apply(event).err();
                if let Some(pos) = pos {
                    self.ords.remove(pos);
                    let i = to_index.min(self.ords.len());
                    let key = self.key_at(i);
                    self.ords.insert(i, key);
                    self.changed.insert(id);
                }
                misfit
            }
            Placement::Append => {
                let before = self.document.blocks.len();
                let misfit = self.document.try_apply(event).err();
                for i in before..self.document.blocks.len() {
                    let key = self.key_at(self.ords.len());
                    self.ords.push(key);
                    self.changed.insert(self.document.blocks[i].id().clone());
                }
                misfit
            }
            Placement::Reset => {
                let before: Vec<BlockId> = self
                    .document
                    .blocks
                    .iter()
                    .map(|b| b.id().clone())
                    .collect();
                let misfit = self.document.try_apply(event).err();
                if misfit.is_none() {
                    let now: BTreeSet<&BlockId> =
                        self.document.blocks.iter().map(Block::id).collect();
                    for id in before.into_iter().filter(|id| !now.contains(id)) {
                        self.changed.remove(&id);
                        if let Some(blame) = &mut self.blame {
                            blame.remove(&id);
                        }
                        self.removed.insert(id);
                    }
                    self.ords = (0..self.document.blocks.len()).map(|i| i as f64).collect();
                    self.rewrite_all = true;
                }
                misfit
            }
            Placement::None => {
                let misfit = self.document.try_apply(event).err();
                self.changed.extend(event.touched_block_ids());
                misfit
            }
        }
    }
}

/// A document whose projection stopped (see [`Views::record_failure`]).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProjectionFailure {
    /// The document.
    pub document_id: String,
    /// Its tenant.
    pub tenant: String,
    /// The event that could not be projected.
    pub sequence: i64,
    /// Its type.
    pub event_type: String,
    /// Why.
    pub reason: String,
    /// When the projector gave up, RFC 3339.
    pub failed_at: String,
}

/// A block found by [`Views::search_blocks`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlockHit {
    /// Its document.
    pub document_id: String,
    /// The block.
    pub block_id: String,
    /// Its ordering key (for the next page's cursor).
    pub ord: f64,
    /// Its plain text.
    pub text: String,
}

/// Why waiting for a version ended without it.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The read model did not reach the version in time.
    #[error("the read model did not reach the version in time")]
    Timeout,
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The rows one document's projection writes, in one transaction with the others of its
/// batch.
#[derive(Debug)]
struct DocumentWrite {
    summary: SummaryRow,
    metadata: String,
    stats: String,
    /// [`ReviewFields`] as JSON, empty when there are none.
    review: String,
    /// Write only if the stored row is at this version (None: only if there is no row).
    expected_version: Option<u64>,
    delete_all: bool,
    removed: Vec<String>,
    upserts: Vec<BlockRow>,
}

#[derive(Debug)]
struct BlockRow {
    block_id: String,
    ord: f64,
    body: String,
    plain: String,
    blame: String,
}

/// A stored summary and its block rows (`ord`, `body`, `blame`), in order.
type LoadedRows = (SummaryRow, Vec<(f64, String, String)>);

const SUMMARY_COLUMNS: &str = "id, tenant, title, version, archived, metadata, stats, created_at, created_by, updated_at, updated_by";

/// A `LIKE … ESCAPE '\'` pattern matching text that contains `q` literally.
fn contains_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// What the `metadata` column holds, as JSON: the core properties and, where set, the
/// section (page setup, headers, footers) and the document's own styles. Rows written
/// before these existed hold only the properties.
#[derive(serde::Serialize, serde::Deserialize)]
struct DocumentFields {
    #[serde(flatten)]
    metadata: DocumentMetadata,
    #[serde(default, skip_serializing_if = "Section::is_empty")]
    section: Section,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    styles: Vec<StyleDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<domain::ImportSource>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    labels: std::collections::BTreeMap<String, u64>,
}

/// What the `review` column holds, as JSON: a document's comments and notes.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReviewFields {
    /// Comments, roots and replies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<domain::Comment>,
    /// Footnotes and endnotes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<domain::Note>,
    /// Suggestions, open and decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<domain::Suggestion>,
    /// The last ids given out.
    #[serde(default, skip_serializing_if = "domain::ReviewCounters::is_zero")]
    pub ids: domain::ReviewCounters,
}

/// A summary from its columns (metadata and stats as JSON text).
#[allow(clippy::too_many_arguments)]
pub(crate) fn summary_from(
    id: String,
    tenant: String,
    title: String,
    version: i64,
    archived: bool,
    metadata: &str,
    stats: &str,
    created: (String, String),
    updated: (String, String),
) -> Result<SummaryRow, StoreError> {
    let fields: DocumentFields = serde_json::from_str(metadata).map_err(corrupt)?;
    Ok(SummaryRow {
        id,
        tenant,
        title,
        version: version as u64,
        archived,
        metadata: fields.metadata,
        section: fields.section,
        styles: fields.styles,
        source: fields.source,
        labels: fields.labels,
        review: ReviewFields::default(),
        stats: serde_json::from_str(stats).map_err(corrupt)?,
        created_at: created.0,
        created_by: created.1,
        updated_at: updated.0,
        updated_by: updated.1,
    })
}

/// The read models.
#[derive(Debug, Clone)]
pub struct Views {
    backend: Backend,
    waiters: Arc<Waiters>,
}

/// Who waits for which document: one watch channel per document someone waits for, so a
/// commit wakes only that document's waiters; and a generation counter that wakes all of
/// them to re-read the database when it is unknown what changed.
#[derive(Debug, Default)]
struct Waiters {
    documents: Mutex<HashMap<String, watch::Sender<u64>>>,
    unknown: watch::Sender<u64>,
}

impl Waiters {
    fn documents(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Sender<u64>>> {
        self.documents.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Waiters re-read the database at least this often, in case a notification was lost.
const WAIT_POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqliteViews),
    Postgres(PgViews),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match &$self.backend {
            Backend::Sqlite($b) => $e,
            Backend::Postgres($b) => $e,
        }
    };
}

impl Views {
    /// Read models over the embedded `views.db` pool.
    pub fn sqlite(pool: sqlx::SqlitePool) -> Self {
        Self::with(Backend::Sqlite(SqliteViews::new(pool)))
    }

    /// Read models in PostgreSQL (the pool's search path selects the schema).
    pub fn postgres(pool: sqlx::PgPool) -> Self {
        Self::with(Backend::Postgres(PgViews::new(pool)))
    }

    fn with(backend: Backend) -> Self {
        Self {
            backend,
            waiters: Arc::default(),
        }
    }

    /// Wakes every [`Views::wait_for`] waiter to re-read the database (something changed,
    /// unknown what).
    pub fn notify_changed(&self) {
        self.waiters.unknown.send_modify(|n| *n += 1);
    }

    /// Tells [`Views::wait_for`] waiters that a document's read model reached `version`
    /// (a projector in this or another process committed it).
    pub fn notify_version(&self, id: &str, version: u64) {
        if let Some(waiting) = self.waiters.documents().get(id) {
            waiting.send_if_modified(|known| {
                let newer = version > *known;
                if newer {
                    *known = version;
                }
                newer
            });
        }
    }

    /// A document's summary, within the tenant.
    ///
    /// # Errors
    /// Database failures.
    pub async fn summary(&self, tenant: &str, id: &str) -> Result<Option<SummaryRow>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = $1 AND tenant = $2");
        dispatch!(self, b => {
            let row = sqlx::query(&sql).bind(id).bind(tenant).fetch_optional(&b.pool).await?;
            row.as_ref().map(rows::summary).transpose()
        })
    }

    /// A page of the tenant's live documents, newest first, optionally filtered by a title
    /// substring. `cursor` is the last id of the previous page.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list(
        &self,
        tenant: &str,
        q: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Vec<SummaryRow>, StoreError> {
        let pattern = q.map(contains_pattern);
        // Case-insensitive for ASCII in both: SQLite's LIKE is, PostgreSQL's ILIKE is.
        let like = match &self.backend {
            Backend::Sqlite(_) => "LIKE",
            Backend::Postgres(_) => "ILIKE",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents
              WHERE tenant = $1 AND archived = false
                AND (CAST($2 AS TEXT) IS NULL OR title {like} $2 ESCAPE '\\')
                AND (CAST($3 AS TEXT) IS NULL OR id < $3)
              ORDER BY id DESC LIMIT $4"
        );
        dispatch!(self, b => {
            let rows = sqlx::query(&sql)
                .bind(tenant)
                .bind(&pattern)
                .bind(cursor)
                .bind(i64::from(limit))
                .fetch_all(&b.pool)
                .await?;
            rows.iter().map(rows::summary).collect()
        })
    }

    /// A document's summary and state, within the tenant.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projected(&self, tenant: &str, id: &str) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, Some(tenant), false).await
    }

    /// A document's summary, state and blame, within the tenant.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projected_with_blame(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, Some(tenant), true).await
    }

    /// A document's summary and state, whatever its tenant (for the .docx materialiser).
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projected_any_tenant(&self, id: &str) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, None, false).await
    }

    /// A document's summary, state and blame, whatever its tenant: what the read-model
    /// projector continues from (and `rebuild --verify` compares).
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projection(&self, id: &str) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, None, true).await
    }

    /// Reads the summary and then, only if it is in `tenant` (when given), the blocks (and
    /// their blame, when asked: content reads leave it), both in one read transaction so
    /// they are of the same version even while a projector commits.
    async fn load_projected(
        &self,
        id: &str,
        tenant: Option<&str>,
        with_blame: bool,
    ) -> Result<Option<Projected>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, review FROM documents WHERE id = $1 AND (CAST($2 AS TEXT) IS NULL OR tenant = $2)"
        );
        let blocks_sql = if with_blame {
            "SELECT ord, body, blame FROM document_blocks WHERE document_id = $1 ORDER BY ord"
        } else {
            "SELECT ord, body, '' AS blame FROM document_blocks WHERE document_id = $1 ORDER BY ord"
        };
        let loaded: Option<LoadedRows> = dispatch!(self, b => {
            let mut tx = b.pool.begin().await?;
            let row = sqlx::query(&sql).bind(id).bind(tenant).fetch_optional(&mut *tx).await?;
            match row.as_ref().map(rows::summary_with_review).transpose()? {
                None => None,
                Some(summary) => {
                    let rows = sqlx::query(blocks_sql).bind(id).fetch_all(&mut *tx).await?;
                    tx.commit().await?;
                    let blocks = rows
                        .iter()
                        .map(rows::block)
                        .collect::<Result<_, StoreError>>()?;
                    Some((summary, blocks))
                }
            }
        });
        let Some((summary, rows)) = loaded else {
            return Ok(None);
        };
        let mut blocks = Vec::with_capacity(rows.len());
        let mut ords = Vec::with_capacity(rows.len());
        let mut blame = HashMap::with_capacity(rows.len());
        for (ord, body, block_blame) in rows {
            ords.push(ord);
            let block: Block = serde_json::from_str(&body).map_err(corrupt)?;
            if !block_blame.is_empty() {
                blame.insert(block.id().clone(), block_blame);
            }
            blocks.push(block);
        }
        let document = Document {
            id: Some(DocumentId::new(summary.id.clone())),
            title: summary.title.clone(),
            metadata: summary.metadata.clone(),
            blocks,
            version: Version(summary.version),
            archived: summary.archived,
            section: summary.section.clone(),
            styles: summary.styles.clone(),
            source: summary.source.clone(),
            labels: summary.labels.clone(),
            comments: summary.review.comments.clone(),
            notes: summary.review.notes.clone(),
            suggestions: summary.review.suggestions.clone(),
            review_ids: summary.review.ids,
        };
        Ok(Some(Projected::stored(
            summary,
            document,
            ords,
            with_blame.then_some(blame),
        )))
    }

    /// The projected version of a document (any tenant: used by projectors).
    ///
    /// # Errors
    /// Database failures.
    pub async fn version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        const SQL: &str = "SELECT version FROM documents WHERE id = $1";
        let v: Option<i64> =
            dispatch!(self, b => sqlx::query_scalar(SQL).bind(id).fetch_optional(&b.pool).await?);
        Ok(v.map(|v| v as u64))
    }

    /// Every projected document and its version (for `rebuild --verify`).
    ///
    /// # Errors
    /// Database failures.
    pub async fn versions(&self) -> Result<Vec<(String, u64)>, StoreError> {
        const SQL: &str = "SELECT id, version FROM documents ORDER BY id";
        let rows: Vec<(String, i64)> =
            dispatch!(self, b => sqlx::query_as(SQL).fetch_all(&b.pool).await?);
        Ok(rows.into_iter().map(|(id, v)| (id, v as u64)).collect())
    }

    /// Writes projected documents (their summaries and the block rows that changed) in one
    /// transaction, then wakes waiters. Each document is written only if its stored row is
    /// still at the version it was loaded at; otherwise nothing is written and the result
    /// is [`StoreError::Conflict`] (reload and apply again). On success the documents'
    /// change records are cleared.
    ///
    /// # Errors
    /// Conflicts and database failures (nothing is written, the change records stay).
    pub async fn upsert(&self, documents: &mut [&mut Projected]) -> Result<(), StoreError> {
        let writes = documents
            .iter()
            .map(|p| p.write())
            .collect::<Result<Vec<_>, _>>()?;
        dispatch!(self, b => b.write(&writes).await)?;
        for p in documents.iter_mut() {
            p.mark_stored();
            self.notify_version(&p.summary.id, p.summary.version);
        }
        Ok(())
    }

    /// Blocks of the tenant's live documents whose text contains `q` (case-insensitive),
    /// newest documents first and blocks in order; `after` is the `(document id, ordering
    /// key)` of the last block of the previous page.
    ///
    /// # Errors
    /// Database failures.
    pub async fn search_blocks(
        &self,
        tenant: &str,
        q: &str,
        after: Option<(&str, f64)>,
        limit: u32,
    ) -> Result<Vec<BlockHit>, StoreError> {
        let pattern = contains_pattern(q);
        dispatch!(self, b => b.search_blocks(tenant, &pattern, after, i64::from(limit)).await)
    }

    /// Records that a document's projection stopped at an event (the first failure of a
    /// document is kept).
    ///
    /// # Errors
    /// Database failures.
    pub async fn record_failure(&self, failure: &ProjectionFailure) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO projection_failures \
            (document_id, tenant, sequence, event_type, reason, failed_at) \
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id) DO NOTHING";
        macro_rules! insert {
            ($pool:expr) => {
                sqlx::query(SQL)
                    .bind(&failure.document_id)
                    .bind(&failure.tenant)
                    .bind(failure.sequence)
                    .bind(&failure.event_type)
                    .bind(&failure.reason)
                    .bind(&failure.failed_at)
                    .execute($pool)
                    .await?
            };
        }
        match &self.backend {
            Backend::Sqlite(b) => {
                let _writer = b.writer.lock().await;
                insert!(&b.pool);
            }
            Backend::Postgres(b) => {
                insert!(&b.pool);
            }
        }
        self.notify_changed();
        Ok(())
    }

    /// The failure of one document's projection, if it stopped (any tenant: callers
    /// check the tenant).
    ///
    /// # Errors
    /// Database failures.
    pub async fn failure(&self, id: &str) -> Result<Option<ProjectionFailure>, StoreError> {
        const SQL: &str = "SELECT document_id, tenant, sequence, event_type, reason, failed_at \
            FROM projection_failures WHERE document_id = $1";
        Ok(dispatch!(self, b => sqlx::query_as(SQL).bind(id).fetch_optional(&b.pool).await?))
    }

    /// Every document whose projection stopped.
    ///
    /// # Errors
    /// Database failures.
    pub async fn failures(&self) -> Result<Vec<ProjectionFailure>, StoreError> {
        const SQL: &str = "SELECT document_id, tenant, sequence, event_type, reason, failed_at \
            FROM projection_failures ORDER BY document_id";
        Ok(dispatch!(self, b => sqlx::query_as(SQL).fetch_all(&b.pool).await?))
    }

    /// The materialised .docx version of a document, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn blob_version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        const SQL: &str = "SELECT version FROM docx_blobs WHERE document_id = $1";
        let v: Option<i64> =
            dispatch!(self, b => sqlx::query_scalar(SQL).bind(id).fetch_optional(&b.pool).await?);
        Ok(v.map(|v| v as u64))
    }

    /// Documents whose materialised .docx is older than their read model.
    ///
    /// # Errors
    /// Database failures.
    pub async fn stale_blobs(&self) -> Result<Vec<String>, StoreError> {
        const SQL: &str =
            "SELECT d.id FROM documents d LEFT JOIN docx_blobs b ON b.document_id = d.id
              WHERE b.version IS NULL OR b.version < d.version";
        Ok(dispatch!(self, b => sqlx::query_scalar(SQL).fetch_all(&b.pool).await?))
    }

    /// Records that the .docx of `version` is in the blob store (never moves back).
    ///
    /// # Errors
    /// Database failures.
    pub async fn set_blob(
        &self,
        tenant: &str,
        id: &str,
        version: u64,
        size: usize,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO docx_blobs (document_id, tenant, version, size) VALUES ($1, $2, $3, $4)
             ON CONFLICT (document_id) DO UPDATE SET version = excluded.version, size = excluded.size
             WHERE excluded.version > docx_blobs.version";
        let _writer = match &self.backend {
            Backend::Sqlite(b) => Some(b.writer.lock().await),
            Backend::Postgres(_) => None,
        };
        dispatch!(self, b => {
            sqlx::query(SQL)
                .bind(id)
                .bind(tenant)
                .bind(version as i64)
                .bind(size as i64)
                .execute(&b.pool)
                .await?;
        });
        Ok(())
    }

    /// Waits until the document's read model is at `min_version` or later, or `timeout`
    /// passes. Reads the database once, then follows that document's commit notifications
    /// (from this process's projector, or from another process through a listener calling
    /// [`Views::notify_version`]), re-reading the database only when it is unknown what
    /// changed and every 250 ms as a fallback. A commit wakes only the waiters of its own
    /// documents, so many waiters cost nothing per unrelated commit.
    ///
    /// # Errors
    /// [`WaitError::Timeout`], or store failures.
    pub async fn wait_for(
        &self,
        id: &str,
        min_version: u64,
        timeout: Duration,
    ) -> Result<(), WaitError> {
        let mut known = self
            .waiters
            .documents()
            .entry(id.to_string())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        let result = self.wait(id, min_version, timeout, &mut known).await;
        drop(known);
        let mut documents = self.waiters.documents();
        if documents.get(id).is_some_and(|w| w.receiver_count() == 0) {
            documents.remove(id);
        }
        result
    }

    async fn wait(
        &self,
        id: &str,
        min_version: u64,
        timeout: Duration,
        known: &mut watch::Receiver<u64>,
    ) -> Result<(), WaitError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut unknown = self.waiters.unknown.subscribe();
        let mut check = true;
        let mut next_poll = tokio::time::Instant::now() + WAIT_POLL;
        loop {
            if *known.borrow_and_update() >= min_version {
                return Ok(());
            }
            if check {
                if self.version(id).await?.is_some_and(|v| v >= min_version) {
                    return Ok(());
                }
                check = false;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(WaitError::Timeout);
            }
            tokio::select! {
                _ = known.changed() => {}
                _ = unknown.changed() => check = true,
                () = tokio::time::sleep_until(next_poll) => {
                    next_poll = tokio::time::Instant::now() + WAIT_POLL;
                    check = true;
                }
                () = tokio::time::sleep_until(deadline) => check = true,
            }
        }
    }
}
