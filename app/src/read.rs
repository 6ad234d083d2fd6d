//! Every read use case, without a transport: tenant scope, time travel (`version`),
//! read-your-writes (`min_version`), pagination, history and audit filters, search,
//! exports and the .docx. REST handlers and MCP tools call these and only shape the answer.
//!
//! Latest state comes from the read models; `version` rebuilds the document from its
//! events; `min_version` waits, bounded, until the read model has caught up, answering
//! `not_ready` (503 with `Retry-After`) when it has not.

mod blame;
mod diff;
mod documents;
mod files;
mod history;
mod review;
mod search;

use std::sync::Arc;
use std::time::Duration;

use api_types::{
    ApiError, AuditItem, BlockResponse, BlockView, BlocksResponse, Code, ContentResponse,
    DocumentMatch, DocumentSearchResponse, DocumentSummary, ExportResponse, HistoryItem,
    OutlineItem, OutlineResponse, Page, SearchHit, SectionInfo, SectionTextResponse,
    SectionsResponse, StyleInfo, StylesResponse, TextResponse,
};
use auth::Principal;
pub use diff::{DiffLimits, DiffParams, changed_bytes, diff_documents};
pub use documents::{
    BlocksParams, ContentParams, ListParams, MAX_BLOCK_IDS, MAX_BUDGET, MIN_BUDGET,
};
use docx_engine::{ExportFormat, export, render_docx};
use domain::{Block, BlockId, Document, DocumentId, VersionRef};
pub use files::{DocxFile, ExportParams, file_name};
pub use history::EventParams;
use infrastructure::blobs::BlobStore;
use infrastructure::store::{EventLog, HistoryFilter, StoredEvent};
use infrastructure::views::{SummaryRow, Views, WaitError};
pub use review::{
    CommentStatus, CommentsParams, SuggestionsParams, comment_threads, note_views, suggestion_views,
};
pub use search::{DocumentSearchParams, MAX_MATCHES_PER_BLOCK, MAX_QUERY_CHARS, SearchParams};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::page::{fetch_size, page_limit, paginate};

/// The read side's services.
#[derive(Debug, Clone)]
pub struct Reads {
    /// Event store (history, time travel).
    pub log: EventLog,
    /// Read models.
    pub views: Views,
    /// .docx blobs.
    pub blobs: BlobStore,
    /// Image bytes.
    pub media: infrastructure::media::MediaStore,
    /// How long `min_version` waits before answering `not_ready`.
    pub read_wait: Duration,
    /// Permits for heavy reads (a past version rebuilt from events, a .docx render, an
    /// export): they cost memory in proportion to the document, so only so many run at
    /// once and the rest queue.
    pub heavy_reads: Arc<tokio::sync::Semaphore>,
    /// How much a diff or a redline may compare, and for how long.
    pub diff_limits: DiffLimits,
    /// PDFs through LibreOffice.
    pub pdf: crate::pdf::PdfConverter,
}

/// Time travel and read-your-writes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct ReadAt {
    /// Show the document as it was at this version (rebuilt from events): its number or
    /// its label (`sent-to-client`).
    pub version: Option<VersionRef>,
    /// Wait until the read model has caught up to at least this version.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// A document as read: state plus the facts of its first and last events.
pub(super) struct Resolved {
    pub(super) document: Document,
    pub(super) summary: SummaryRow,
}

impl Resolved {
    pub(super) fn version(&self) -> u64 {
        self.document.version.get()
    }
}

pub(super) fn store_error(e: infrastructure::StoreError) -> ApiError {
    ApiError::internal(&e)
}

pub(crate) fn label_not_found(name: &str) -> ApiError {
    ApiError::NotFound {
        code: Code::VersionNotFound,
        detail: format!("the document has no version labelled {name:?}"),
    }
}

/// The version a label names, read from the document's `VersionLabeled` events; 404
/// when none does.
pub(crate) async fn labelled(log: &EventLog, id: &DocumentId, name: &str) -> Result<u64, ApiError> {
    crate::write::port::labels_of(log, id)
        .await
        .map_err(store_error)?
        .get(name)
        .copied()
        .ok_or_else(|| label_not_found(name))
}

pub(crate) fn version_not_found(version: u64) -> ApiError {
    ApiError::NotFound {
        code: Code::VersionNotFound,
        detail: format!("the document has no version {version}"),
    }
}

/// Runs CPU-bound work (matching, rendering) on the blocking pool, off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(&e))
}

impl Reads {
    /// The document's head version, if it exists in the caller's tenant.
    pub(super) async fn head(
        &self,
        principal: &Principal,
        id: &DocumentId,
    ) -> Result<u64, ApiError> {
        match self.log.head(id).await.map_err(store_error)? {
            Some((version, tenant)) if tenant == principal.tenant.as_str() => Ok(version),
            _ => Err(ApiError::document_not_found()),
        }
    }

    /// Refuses reads of a document whose projection stopped (in the caller's tenant): its
    /// read model would be silently stale.
    pub(super) async fn check_projected(
        &self,
        tenant: &str,
        id: &DocumentId,
    ) -> Result<(), ApiError> {
        match self.views.failure(id.as_str()).await.map_err(store_error)? {
            Some(f) if f.tenant == tenant => Err(ApiError::ProjectionFailed {
                detail: format!(
                    "this document's read model stopped before event {} ({}), which could not be projected; \
                     versions before it are readable with ?version=, and its history is intact",
                    f.sequence, f.event_type
                ),
            }),
            _ => Ok(()),
        }
    }

    /// A permit for one heavy read (held while it runs).
    pub(super) async fn heavy(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.heavy_reads
            .acquire()
            .await
            .map_err(|e| ApiError::internal(&e))
    }

    pub(super) async fn wait(&self, id: &DocumentId, min_version: u64) -> Result<(), ApiError> {
        match self
            .views
            .wait_for(id.as_str(), min_version, self.read_wait)
            .await
        {
            Ok(()) => Ok(()),
            Err(WaitError::Timeout) => Err(ApiError::NotReady {
                detail: format!("the read model has not reached version {min_version} yet; retry"),
                retry_after: 1,
            }),
            Err(WaitError::Store(e)) => Err(store_error(e)),
        }
    }

    /// Waits until the read model has version `min` of a document of the caller's tenant:
    /// not found when there is no such document or version.
    pub(super) async fn wait_min(
        &self,
        principal: &Principal,
        id: &DocumentId,
        min: u64,
    ) -> Result<(), ApiError> {
        let head = self.head(principal, id).await?;
        if min > head {
            return Err(version_not_found(min));
        }
        self.wait(id, min).await
    }

    /// The read model's summary of a document (after waiting for `min_version`), without
    /// its blocks.
    pub(super) async fn latest_summary(
        &self,
        principal: &Principal,
        raw_id: &str,
        at: ReadAt,
    ) -> Result<SummaryRow, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        self.check_projected(tenant, &id).await?;
        let min = at.min_version.unwrap_or(1);
        // Already there (the common case): one query. The summary is tenant-scoped.
        if let Some(summary) = self
            .views
            .summary(tenant, id.as_str())
            .await
            .map_err(store_error)?
            && summary.version >= min
        {
            return Ok(summary);
        }
        // Not yet (or not in this tenant): wait for `min_version`, or for the first
        // projection of a document just created.
        self.wait_min(principal, &id, min).await?;
        self.views
            .summary(tenant, id.as_str())
            .await
            .map_err(store_error)?
            .ok_or_else(ApiError::document_not_found)
    }

    /// The document's labels (name → version) as its read model has them (a label made
    /// a moment ago may not be there yet; [`Reads::version_number`] falls back on the
    /// events).
    pub(crate) async fn labels(
        &self,
        principal: &Principal,
        id: &DocumentId,
    ) -> Result<std::collections::BTreeMap<String, u64>, ApiError> {
        Ok(self
            .views
            .summary(principal.tenant.as_str(), id.as_str())
            .await
            .map_err(store_error)?
            .map(|s| s.labels)
            .unwrap_or_default())
    }

    /// The number of a version given by number or label (of a document of the caller's
    /// tenant): 404 for a label it does not have. Labels come from the read model, or
    /// from the events when it has not caught up with a new one.
    pub(crate) async fn version_number(
        &self,
        principal: &Principal,
        id: &DocumentId,
        version: &VersionRef,
    ) -> Result<u64, ApiError> {
        let name = match version {
            VersionRef::Number(n) => return Ok(*n),
            VersionRef::Label(name) => name,
        };
        if let Some(n) = self.labels(principal, id).await?.get(name) {
            return Ok(*n);
        }
        labelled(&self.log, id, name).await
    }

    /// The document at `version` (of at most `head`), rebuilt from its events, in the
    /// caller's tenant; 404 for a version it does not have. The caller holds a heavy-read
    /// permit.
    pub(super) async fn past(
        &self,
        principal: &Principal,
        id: &DocumentId,
        version: u64,
        head: u64,
    ) -> Result<infrastructure::store::HistoricDocument, ApiError> {
        if version == 0 || version > head {
            return Err(version_not_found(version));
        }
        self.log
            .document_at(id, version)
            .await
            .map_err(store_error)?
            .filter(|d| d.tenant == principal.tenant.as_str())
            .ok_or_else(|| version_not_found(version))
    }

    /// Resolves the document a read is about: a past version, or the read model (after
    /// waiting for `min_version`).
    pub(super) async fn resolve(
        &self,
        principal: &Principal,
        raw_id: &str,
        at: ReadAt,
    ) -> Result<Resolved, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        if let Some(version) = &at.version {
            let head = self.head(principal, &id).await?;
            let version = self.version_number(principal, &id, version).await?;
            let _permit = self.heavy().await?;
            let past = self.past(principal, &id, version, head).await?;
            let summary = SummaryRow::of(
                &past.document,
                &past.tenant,
                (&past.created_at, &past.created_by),
                (&past.updated_at, &past.updated_by),
            );
            return Ok(Resolved {
                document: past.document,
                summary,
            });
        }
        self.check_projected(tenant, &id).await?;
        if let Some(min) = at.min_version {
            self.wait_min(principal, &id, min).await?;
        }
        let projected = match self
            .views
            .projected(tenant, id.as_str())
            .await
            .map_err(store_error)?
        {
            Some(p) => p,
            None => {
                // Just created and not projected yet: wait for it, as if min_version=1.
                self.wait_min(principal, &id, 1).await?;
                self.views
                    .projected(tenant, id.as_str())
                    .await
                    .map_err(store_error)?
                    .ok_or_else(ApiError::document_not_found)?
            }
        };
        Ok(Resolved {
            document: projected.document,
            summary: projected.summary,
        })
    }
}

pub(super) fn bad_cursor() -> ApiError {
    ApiError::invalid("cursor", "not a cursor from this endpoint")
}

/// A page's token budget being spent: each item costs its size in characters / 4 (plus
/// one); the first item of a page always fits. Without a budget, everything fits.
pub(super) struct PageBudget {
    budget: Option<usize>,
    used: usize,
    taken: usize,
}

impl PageBudget {
    /// A budget out of range is a 422 naming it.
    pub(super) fn new(budget: Option<u32>) -> Result<Self, ApiError> {
        if let Some(b) = budget
            && !(MIN_BUDGET..=MAX_BUDGET).contains(&b)
        {
            return Err(ApiError::invalid(
                "budget",
                format!("a budget is {MIN_BUDGET} to {MAX_BUDGET} tokens"),
            ));
        }
        Ok(Self {
            budget: budget.map(|b| b as usize),
            used: 0,
            taken: 0,
        })
    }

    /// Whether an item of `chars` characters still fits the page; counts it when it does.
    pub(super) fn take(&mut self, chars: usize) -> bool {
        let cost = chars / 4 + 1;
        if let Some(budget) = self.budget
            && self.taken > 0
            && self.used.saturating_add(cost) > budget
        {
            return false;
        }
        self.used = self.used.saturating_add(cost);
        self.taken += 1;
        true
    }

    /// [`PageBudget::take`] for an item costed by its JSON.
    pub(super) fn take_json(&mut self, item: &impl serde::Serialize) -> bool {
        if self.budget.is_none() {
            self.taken += 1;
            return true;
        }
        self.take(serde_json::to_string(item).map_or(0, |j| j.chars().count()))
    }
}
