//! Read-model repositories (`views.db`) and read-your-writes waiting.

use std::time::Duration;

use std::collections::BTreeSet;

use domain::event::Placement;
use domain::{
    Block, BlockId, Document, DocumentEvent, DocumentId, DocumentMetadata, Stats, Version,
};
use sqlx::{Row, SqlitePool};
use tokio::sync::watch;

use crate::store::StoreError;

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
    /// and its last editor.
    pub fn render_options(&self) -> docx_engine::RenderOptions {
        let present = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        docx_engine::RenderOptions {
            created_at: present(&self.created_at),
            modified_at: present(&self.updated_at),
            last_modified_by: present(&self.updated_by),
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
            changed: BTreeSet::new(),
            removed: BTreeSet::new(),
            rewrite_all: false,
        }
    }

    fn with_ords(summary: SummaryRow, document: Document, ords: Vec<f64>) -> Self {
        Self {
            ords,
            ..Self::new(summary, document)
        }
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

    /// Applies an event to the state, keeping the ordering keys and recording which rows
    /// must be written.
    pub fn apply(&mut self, event: &DocumentEvent) {
        match event.placement() {
            Placement::Insert { block_id, index } => {
                let id = block_id.clone();
                self.document.apply(event);
                let i = index.min(self.ords.len());
                let key = self.key_at(i);
                self.ords.insert(i, key);
                self.changed.insert(id);
            }
            Placement::Remove { block_id } => {
                if let Some(pos) = self.document.position_of(block_id) {
                    self.ords.remove(pos);
                    self.changed.remove(block_id);
                    self.removed.insert(block_id.clone());
                }
                self.document.apply(event);
            }
            Placement::Move { block_id, to_index } => {
                let id = block_id.clone();
                let pos = self.document.position_of(&id);
                self.document.apply(event);
                if let Some(pos) = pos {
                    self.ords.remove(pos);
                    let i = to_index.min(self.ords.len());
                    let key = self.key_at(i);
                    self.ords.insert(i, key);
                    self.changed.insert(id);
                }
            }
            Placement::None => {
                self.document.apply(event);
                self.changed.extend(event.touched_block_ids());
            }
        }
    }
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

/// The read models.
#[derive(Debug, Clone)]
pub struct Views {
    pool: SqlitePool,
    changed: watch::Sender<u64>,
    /// Queues this process's writers (see `EventLog`): SQLite's busy handler sleeps.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

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

fn summary_row(row: &sqlx::sqlite::SqliteRow) -> Result<SummaryRow, StoreError> {
    Ok(SummaryRow {
        id: row.try_get("id")?,
        tenant: row.try_get("tenant")?,
        title: row.try_get("title")?,
        version: row.try_get::<i64, _>("version")? as u64,
        archived: row.try_get::<i64, _>("archived")? != 0,
        metadata: serde_json::from_str(&row.try_get::<String, _>("metadata")?).map_err(corrupt)?,
        stats: serde_json::from_str(&row.try_get::<String, _>("stats")?).map_err(corrupt)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

impl Views {
    /// Read models over the `views.db` pool.
    pub fn new(pool: SqlitePool) -> Self {
        let (changed, _) = watch::channel(0);
        Self {
            pool,
            changed,
            writer: std::sync::Arc::default(),
        }
    }

    /// A document's summary, within the tenant.
    ///
    /// # Errors
    /// Database failures.
    pub async fn summary(&self, tenant: &str, id: &str) -> Result<Option<SummaryRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = ? AND tenant = ?"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(summary_row).transpose()
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
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents
              WHERE tenant = ?1 AND archived = 0
                AND (?2 IS NULL OR title LIKE ?2 ESCAPE '\\')
                AND (?3 IS NULL OR id < ?3)
              ORDER BY id DESC LIMIT ?4"
        ))
        .bind(tenant)
        .bind(pattern)
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_row).collect()
    }

    /// A document's summary and state, within the tenant.
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projected(&self, tenant: &str, id: &str) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, Some(tenant)).await
    }

    /// A document's summary and state, whatever its tenant (for projectors only).
    ///
    /// # Errors
    /// Database or decoding failures.
    pub async fn projected_any_tenant(&self, id: &str) -> Result<Option<Projected>, StoreError> {
        self.load_projected(id, None).await
    }

    /// Reads the summary and then, only if it is in `tenant` (when given), the blocks, both
    /// in one read transaction so they are of the same version even while the projector
    /// commits.
    async fn load_projected(
        &self,
        id: &str,
        tenant: Option<&str>,
    ) -> Result<Option<Projected>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = ?1 AND (?2 IS NULL OR tenant = ?2)"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(summary) = row.as_ref().map(summary_row).transpose()? else {
            return Ok(None);
        };
        let rows =
            sqlx::query("SELECT ord, body FROM document_blocks WHERE document_id = ? ORDER BY ord")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        let mut blocks = Vec::with_capacity(rows.len());
        let mut ords = Vec::with_capacity(rows.len());
        for row in &rows {
            ords.push(row.try_get::<f64, _>("ord")?);
            let block: Block =
                serde_json::from_str(&row.try_get::<String, _>("body")?).map_err(corrupt)?;
            blocks.push(block);
        }
        let document = Document {
            id: Some(DocumentId::new(summary.id.clone())),
            title: summary.title.clone(),
            metadata: summary.metadata.clone(),
            blocks,
            version: Version(summary.version),
            archived: summary.archived,
        };
        Ok(Some(Projected::with_ords(summary, document, ords)))
    }

    /// The projected version of a document (any tenant: used by projectors).
    ///
    /// # Errors
    /// Database failures.
    pub async fn version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM documents WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.map(|v| v as u64))
    }

    /// Writes projected documents (their summaries and the block rows that changed) in one
    /// transaction, then wakes waiters. On success the documents' change records are
    /// cleared.
    ///
    /// # Errors
    /// Database failures (nothing is written, the change records stay).
    pub async fn upsert(&self, documents: &mut [&mut Projected]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        for p in documents.iter() {
            let s = &p.summary;
            sqlx::query(&format!(
                "INSERT INTO documents ({SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version,
                   archived = excluded.archived, metadata = excluded.metadata, stats = excluded.stats,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by"
            ))
            .bind(&s.id)
            .bind(&s.tenant)
            .bind(&s.title)
            .bind(s.version as i64)
            .bind(i64::from(s.archived))
            .bind(serde_json::to_string(&s.metadata).map_err(corrupt)?)
            .bind(serde_json::to_string(&s.stats).map_err(corrupt)?)
            .bind(&s.created_at)
            .bind(&s.created_by)
            .bind(&s.updated_at)
            .bind(&s.updated_by)
            .execute(&mut *tx)
            .await?;
            if p.rewrite_all {
                sqlx::query("DELETE FROM document_blocks WHERE document_id = ?")
                    .bind(&s.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for block_id in &p.removed {
                sqlx::query("DELETE FROM document_blocks WHERE document_id = ? AND block_id = ?")
                    .bind(&s.id)
                    .bind(block_id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            let positions: Vec<usize> = if p.rewrite_all {
                (0..p.document.blocks.len()).collect()
            } else {
                p.changed
                    .iter()
                    .filter_map(|id| p.document.position_of(id))
                    .collect()
            };
            for i in positions {
                let block = &p.document.blocks[i];
                sqlx::query(
                    "INSERT INTO document_blocks (document_id, block_id, ord, body, plain) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (document_id, block_id) DO UPDATE SET ord = excluded.ord, body = excluded.body,
                       plain = excluded.plain",
                )
                .bind(&s.id)
                .bind(block.id().as_str())
                .bind(p.ords[i])
                .bind(serde_json::to_string(block).map_err(corrupt)?)
                .bind(block.text())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        for p in documents.iter_mut() {
            p.changed.clear();
            p.removed.clear();
            p.rewrite_all = false;
        }
        self.changed.send_modify(|n| *n += 1);
        Ok(())
    }

    /// Blocks of the tenant's live documents whose text contains `q` (case-insensitive for
    /// ASCII), newest documents first and blocks in order; `after` is the `(document id,
    /// ordering key)` of the last block of the previous page.
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
        let rows = sqlx::query(
            "SELECT b.document_id, b.block_id, b.ord, b.plain
               FROM document_blocks b JOIN documents d ON d.id = b.document_id
              WHERE d.tenant = ?1 AND d.archived = 0 AND b.plain LIKE ?2 ESCAPE '\\'
                AND (?3 IS NULL OR b.document_id < ?3 OR (b.document_id = ?3 AND b.ord > ?4))
              ORDER BY b.document_id DESC, b.ord LIMIT ?5",
        )
        .bind(tenant)
        .bind(contains_pattern(q))
        .bind(after.map(|(id, _)| id))
        .bind(after.map_or(0.0, |(_, ord)| ord))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BlockHit {
                    document_id: r.try_get("document_id")?,
                    block_id: r.try_get("block_id")?,
                    ord: r.try_get("ord")?,
                    text: r.try_get("plain")?,
                })
            })
            .collect()
    }

    /// The materialised .docx version of a document, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn blob_version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT version FROM docx_blobs WHERE document_id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.map(|v| v as u64))
    }

    /// Documents whose materialised .docx is older than their read model.
    ///
    /// # Errors
    /// Database failures.
    pub async fn stale_blobs(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT d.id FROM documents d LEFT JOIN docx_blobs b ON b.document_id = d.id
              WHERE b.version IS NULL OR b.version < d.version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records that the .docx of `version` is in the blob store.
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
        let _writer = self.writer.lock().await;
        sqlx::query(
            "INSERT INTO docx_blobs (document_id, tenant, version, size) VALUES (?, ?, ?, ?)
             ON CONFLICT (document_id) DO UPDATE SET version = excluded.version, size = excluded.size
             WHERE excluded.version > docx_blobs.version",
        )
        .bind(id)
        .bind(tenant)
        .bind(version as i64)
        .bind(size as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Waits until the document's read model is at `min_version` or later, or `timeout`
    /// passes. Wakes when a projector commits, and polls in case the projector runs in
    /// another process.
    ///
    /// # Errors
    /// [`WaitError::Timeout`], or store failures.
    pub async fn wait_for(
        &self,
        id: &str,
        min_version: u64,
        timeout: Duration,
    ) -> Result<(), WaitError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changed = self.changed.subscribe();
        loop {
            if self.version(id).await?.is_some_and(|v| v >= min_version) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(WaitError::Timeout);
            }
            tokio::select! {
                _ = changed.changed() => {}
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }
}
