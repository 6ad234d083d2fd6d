//! Every read use case, without a transport: tenant scope, time travel (`version`),
//! read-your-writes (`min_version`), pagination, history and audit filters, search,
//! exports and the .docx. REST handlers and MCP tools call these and only shape the answer.
//!
//! Latest state comes from the read models; `version` rebuilds the document from its
//! events; `min_version` waits, bounded, until the read model has caught up, answering
//! `not_ready` (503 with `Retry-After`) when it has not.

use std::sync::Arc;
use std::time::Duration;

use api_types::{
    ApiError, AuditItem, BlockResponse, BlockView, Code, ContentResponse, DocumentMatch,
    DocumentSearchResponse, DocumentSummary, ExportResponse, HistoryItem, OutlineItem,
    OutlineResponse, Page, SearchHit, TextResponse,
};
use auth::Principal;
use docx_engine::{ExportFormat, export, render_docx};
use domain::{Block, BlockId, Document, DocumentId};
use infrastructure::blobs::BlobStore;
use infrastructure::store::{EventLog, HistoryFilter, StoredEvent};
use infrastructure::views::{SummaryRow, Views, WaitError};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::page::{fetch_size, page_limit, paginate};

/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Characters of context on each side of a match in a snippet.
const SNIPPET_CONTEXT: usize = 30;
/// Most matches reported per block by the cross-document search (the document search
/// pages through all of them).
pub const MAX_MATCHES_PER_BLOCK: usize = 100;

/// The read side's services.
#[derive(Debug, Clone)]
pub struct Reads {
    /// Event store (history, time travel).
    pub log: EventLog,
    /// Read models.
    pub views: Views,
    /// .docx blobs.
    pub blobs: BlobStore,
    /// How long `min_version` waits before answering `not_ready`.
    pub read_wait: Duration,
    /// Permits for heavy reads (a past version rebuilt from events, a .docx render, an
    /// export): they cost memory in proportion to the document, so only so many run at
    /// once and the rest queue.
    pub heavy_reads: Arc<tokio::sync::Semaphore>,
}

/// Time travel and read-your-writes.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams, ToSchema)]
pub struct ReadAt {
    /// Show the document as it was at this version (rebuilt from events).
    #[schema(minimum = 1)]
    pub version: Option<u64>,
    /// Wait until the read model has caught up to at least this version.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// List parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct ListParams {
    /// Only documents whose title contains this text (case-insensitive for ASCII).
    #[schema(max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1-200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Export parameters.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
pub struct ExportParams {
    /// `html`, `markdown` or `text`.
    #[param(pattern = "^(html|markdown|text)$")]
    #[schema(pattern = "^(html|markdown|text)$")]
    pub format: String,
    /// Version to export.
    #[schema(minimum = 1)]
    pub version: Option<u64>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// History (one document) and audit (the tenant) parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct EventParams {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    #[schema(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Only events of this type (`ParagraphAdded`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[param(format = DateTime)]
    #[schema(format = DateTime)]
    pub since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[param(format = DateTime)]
    #[schema(format = DateTime)]
    pub until: Option<String>,
}

/// Search parameters inside one document.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct DocumentSearchParams {
    /// The text to find.
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    pub q: Option<String>,
    /// Case-sensitive (default false).
    #[serde(default)]
    pub match_case: bool,
    /// Whole words only (default false).
    #[serde(default)]
    pub whole_word: bool,
    /// Most matches per page, 1-200 (default 100).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}:[0-9]{1,18}$")]
    #[schema(pattern = "^[0-9]{1,18}:[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Search this version.
    #[schema(minimum = 1)]
    pub version: Option<u64>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// Search parameters across documents.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct SearchParams {
    /// The text to find (case-insensitive).
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    pub q: Option<String>,
    /// Most blocks per page, 1-200 (default 50); each block gives one item per match, up
    /// to 100 per block (the document search pages through every match).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^.+@-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?$")]
    #[schema(pattern = "^.+@-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?$")]
    pub cursor: Option<String>,
}

/// A rendered .docx.
#[derive(Debug, Clone)]
pub struct DocxFile {
    /// The version rendered.
    pub version: u64,
    /// A file name for it.
    pub file_name: String,
    /// The file.
    pub bytes: Vec<u8>,
}

/// A document as read: state plus the facts of its first and last events.
struct Resolved {
    document: Document,
    summary: SummaryRow,
}

impl Resolved {
    fn version(&self) -> u64 {
        self.document.version.get()
    }
}

fn store_error(e: infrastructure::StoreError) -> ApiError {
    ApiError::internal(&e)
}

fn version_not_found(version: u64) -> ApiError {
    ApiError::NotFound {
        code: Code::VersionNotFound,
        detail: format!("the document has no version {version}"),
    }
}

/// Runs CPU-bound work (matching, rendering) on the blocking pool, off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(&e))
}

impl Reads {
    /// The document's head version, if it exists in the caller's tenant.
    async fn head(&self, principal: &Principal, id: &DocumentId) -> Result<u64, ApiError> {
        match self.log.head(id).await.map_err(store_error)? {
            Some((version, tenant)) if tenant == principal.tenant.as_str() => Ok(version),
            _ => Err(ApiError::document_not_found()),
        }
    }

    /// Refuses reads of a document whose projection stopped (in the caller's tenant): its
    /// read model would be silently stale.
    async fn check_projected(&self, tenant: &str, id: &DocumentId) -> Result<(), ApiError> {
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
    async fn heavy(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.heavy_reads
            .acquire()
            .await
            .map_err(|e| ApiError::internal(&e))
    }

    async fn wait(&self, id: &DocumentId, min_version: u64) -> Result<(), ApiError> {
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
    async fn wait_min(
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
    async fn latest_summary(
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

    /// Resolves the document a read is about: a past version, or the read model (after
    /// waiting for `min_version`).
    async fn resolve(
        &self,
        principal: &Principal,
        raw_id: &str,
        at: ReadAt,
    ) -> Result<Resolved, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        if let Some(version) = at.version {
            let head = self.head(principal, &id).await?;
            if version == 0 || version > head {
                return Err(version_not_found(version));
            }
            let _permit = self.heavy().await?;
            let past = self
                .log
                .document_at(&id, version)
                .await
                .map_err(store_error)?
                .filter(|d| d.tenant == tenant)
                .ok_or_else(|| version_not_found(version))?;
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

    /// The tenant's documents, newest first.
    ///
    /// # Errors
    /// A bad `limit`; a storage failure.
    pub async fn list(
        &self,
        principal: &Principal,
        params: &ListParams,
    ) -> Result<Page<DocumentSummary>, ApiError> {
        let limit = page_limit(params.limit, 20)?;
        let rows = self
            .views
            .list(
                principal.tenant.as_str(),
                params.q.as_deref().filter(|q| !q.is_empty()),
                fetch_size(limit),
                params.cursor.as_deref(),
            )
            .await
            .map_err(store_error)?;
        Ok(paginate(rows, limit, |r| r.id.clone(), summary_dto))
    }

    /// A document's summary.
    ///
    /// # Errors
    /// Not found (document or version), not ready, a failed projection.
    pub async fn summary(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<DocumentSummary, ApiError> {
        // The latest summary is one row: no need to load the blocks.
        let summary = if at.version.is_none() {
            self.latest_summary(principal, id, at).await?
        } else {
            self.resolve(principal, id, at).await?.summary
        };
        Ok(summary_dto(summary))
    }

    /// A document's blocks.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn content(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<ContentResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        Ok(ContentResponse {
            version: resolved.version(),
            blocks: resolved
                .document
                .blocks
                .iter()
                .map(BlockView::from)
                .collect(),
        })
    }

    /// One block.
    ///
    /// # Errors
    /// As [`Reads::summary`], and not found for an unknown block.
    pub async fn block(
        &self,
        principal: &Principal,
        id: &str,
        block_id: &str,
        at: ReadAt,
    ) -> Result<BlockResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let block: &Block = resolved
            .document
            .block(&BlockId::new(block_id.to_string()))
            .ok_or_else(|| ApiError::NotFound {
                code: Code::BlockNotFound,
                detail: format!("no block with id {block_id}"),
            })?;
        Ok(BlockResponse {
            version: resolved.version(),
            block: BlockView::from(block),
        })
    }

    /// The document as plain text.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn text(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<TextResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        Ok(TextResponse {
            version: resolved.version(),
            text: export(&resolved.document, ExportFormat::Text),
        })
    }

    /// The headings.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn outline(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<OutlineResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let items = resolved
            .document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(OutlineItem {
                    block_id: h.id.to_string(),
                    level: h.level,
                    text: b.text(),
                }),
                _ => None,
            })
            .collect();
        Ok(OutlineResponse {
            version: resolved.version(),
            items,
        })
    }

    /// The document as a .docx file: the materialised blob when it is of exactly this
    /// version, otherwise rendered now.
    ///
    /// # Errors
    /// As [`Reads::summary`], and a render failure.
    pub async fn docx(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<DocxFile, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let id = resolved.summary.id.clone();
        let version = resolved.version();
        let stored = match self.views.blob_version(&id).await.map_err(store_error)? {
            Some(v) if v == version => self
                .blobs
                .get(&resolved.summary.tenant, &id, v)
                .await
                .map_err(|e| ApiError::internal(&e))?,
            _ => None,
        };
        let file_name = file_name(&resolved.document.title, "docx");
        let bytes = match stored {
            Some(bytes) => bytes,
            None => {
                let _permit = self.heavy().await?;
                let options = resolved.summary.render_options();
                let document = resolved.document;
                blocking(move || render_docx(&document, &options))
                    .await?
                    .map_err(|e| ApiError::internal(&e))?
            }
        };
        Ok(DocxFile {
            version,
            file_name,
            bytes,
        })
    }

    /// The document exported as HTML, Markdown or plain text.
    ///
    /// # Errors
    /// An unknown format (422); as [`Reads::summary`].
    pub async fn export(
        &self,
        principal: &Principal,
        id: &str,
        params: &ExportParams,
    ) -> Result<ExportResponse, ApiError> {
        let format = ExportFormat::parse(&params.format).ok_or_else(|| {
            ApiError::invalid(
                "format",
                format!(
                    "unknown format {:?}; use html, markdown or text (pdf is not available yet)",
                    params.format
                ),
            )
        })?;
        let at = ReadAt {
            version: params.version,
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let file_name = file_name(&resolved.document.title, format.extension());
        let body = {
            let _permit = self.heavy().await?;
            let document = resolved.document;
            blocking(move || export(&document, format)).await?
        };
        Ok(ExportResponse {
            version,
            format: params.format.clone(),
            content_type: format.content_type().to_string(),
            file_name,
            body,
        })
    }

    /// The document's events with their metadata (who, when, which request), oldest first.
    ///
    /// # Errors
    /// Not found; a bad filter or cursor (422).
    pub async fn history(
        &self,
        principal: &Principal,
        id: &str,
        params: &EventParams,
    ) -> Result<Page<HistoryItem>, ApiError> {
        let id = api_types::parse_document_id(id)?;
        self.head(principal, &id).await?;
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => 0,
            Some(c) => c.parse::<u64>().map_err(|_| bad_cursor())?,
        };
        let filter = event_filter(after, params)?;
        let events = self
            .log
            .history(&id, &filter, u64::from(fetch_size(limit)))
            .await
            .map_err(store_error)?;
        Ok(paginate(
            events,
            limit,
            |e| e.sequence.to_string(),
            history_item,
        ))
    }

    /// The tenant-wide event log: every event of every document, in commit order.
    ///
    /// # Errors
    /// A bad filter or cursor (422).
    pub async fn audit(
        &self,
        principal: &Principal,
        params: &EventParams,
    ) -> Result<Page<AuditItem>, ApiError> {
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => 0,
            Some(c) => c
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .ok_or_else(bad_cursor)?,
        };
        let filter = event_filter(0, params)?;
        let events = self
            .log
            .audit(
                principal.tenant.as_str(),
                &filter,
                after,
                u64::from(fetch_size(limit)),
            )
            .await
            .map_err(store_error)?;
        Ok(paginate(
            events,
            limit,
            |(position, _)| position.to_string(),
            |(_, e)| AuditItem {
                document_id: e.document_id.to_string(),
                event: history_item(e),
            },
        ))
    }

    /// Where a text occurs in a document: block ids and offsets in the blocks' plain text.
    ///
    /// # Errors
    /// No search text, a bad cursor (422); as [`Reads::summary`].
    pub async fn search_document(
        &self,
        principal: &Principal,
        id: &str,
        params: &DocumentSearchParams,
    ) -> Result<DocumentSearchResponse, ApiError> {
        let q = search_text(params.q.as_deref())?.to_string();
        let at = ReadAt {
            version: params.version,
            min_version: params.min_version,
        };
        let limit = page_limit(params.limit, 100)? as usize;
        let cursor = match_cursor(params.cursor.as_deref())?;
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let (match_case, whole_word) = (params.match_case, params.whole_word);
        // Matching is linear but a document can hold millions of characters: off the async
        // workers, so one search never stalls other requests.
        let (items, next_cursor) = blocking(move || {
            document_matches(
                &resolved.document,
                &q,
                (match_case, whole_word),
                cursor,
                limit,
            )
        })
        .await?;
        Ok(DocumentSearchResponse {
            version,
            items,
            next_cursor,
        })
    }

    /// Text search across the tenant's live documents.
    ///
    /// # Errors
    /// No search text, a bad cursor (422).
    pub async fn search(
        &self,
        principal: &Principal,
        params: &SearchParams,
    ) -> Result<Page<SearchHit>, ApiError> {
        let q = search_text(params.q.as_deref())?.to_string();
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => None,
            Some(c) => Some(
                c.rsplit_once('@')
                    .and_then(|(id, ord)| Some((id, ord.parse::<f64>().ok()?)))
                    .ok_or_else(bad_cursor)?,
            ),
        };
        let blocks = self
            .views
            .search_blocks(principal.tenant.as_str(), &q, after, fetch_size(limit))
            .await
            .map_err(store_error)?;
        let page = paginate(
            blocks,
            limit,
            |b| format!("{}@{}", b.document_id, b.ord),
            |b| b,
        );
        let next_cursor = page.next_cursor;
        let blocks = page.items;
        let items = blocking(move || {
            blocks
                .iter()
                .flat_map(|b| {
                    // LIKE matched case-insensitively for ASCII; report the same matches.
                    domain::text::find_matches_in(
                        &b.text,
                        &q,
                        false,
                        false,
                        0,
                        MAX_MATCHES_PER_BLOCK,
                    )
                    .into_iter()
                    .map(|m| SearchHit {
                        document_id: b.document_id.clone(),
                        block_id: b.block_id.clone(),
                        offset: m.offset,
                        snippet: snippet(&b.text, &m),
                    })
                })
                .collect::<Vec<_>>()
        })
        .await?;
        Ok(Page { items, next_cursor })
    }
}

fn bad_cursor() -> ApiError {
    ApiError::invalid("cursor", "not a cursor from this endpoint")
}

fn summary_dto(s: SummaryRow) -> DocumentSummary {
    DocumentSummary {
        id: s.id,
        title: s.title,
        version: s.version,
        metadata: s.metadata,
        stats: s.stats,
        created_at: s.created_at,
        updated_at: s.updated_at,
        created_by: s.created_by,
        archived: s.archived,
    }
}

/// The event filters shared by history and audit, with their times checked.
fn event_filter(after: u64, params: &EventParams) -> Result<HistoryFilter, ApiError> {
    Ok(HistoryFilter {
        after,
        actor: params.actor.clone(),
        event_type: params.kind.clone(),
        since: rfc3339("since", &params.since)?,
        until: rfc3339("until", &params.until)?,
    })
}

/// A file name for downloads: the title with only safe characters.
pub fn file_name(title: &str, extension: &str) -> String {
    let base: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let base = base.trim();
    format!(
        "{}.{extension}",
        if base.is_empty() { "document" } else { base }
    )
}

fn history_item(e: StoredEvent) -> HistoryItem {
    let known = |s: String| (!s.is_empty()).then_some(s);
    let payload = serde_json::to_value(&e.event).unwrap_or_default();
    let m = e.metadata;
    HistoryItem {
        sequence: e.sequence,
        kind: e.event_type,
        event_version: e.event_version,
        payload,
        actor: known(m.actor),
        tenant: known(m.tenant),
        request_id: known(m.request_id),
        command: known(m.command),
        ip: m.ip,
        user_agent: m.user_agent,
        at: known(m.at),
        reason: m.reason,
    }
}

fn rfc3339(field: &str, value: &Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| {
                Some(
                    t.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                )
            })
            .map_err(|_| {
                ApiError::invalid(field, "must be an RFC 3339 time like 2026-01-31T12:00:00Z")
            }),
    }
}

fn search_text(q: Option<&str>) -> Result<&str, ApiError> {
    match q {
        Some(q) if !q.trim().is_empty() && q.chars().count() <= MAX_QUERY_CHARS => Ok(q),
        _ => Err(ApiError::invalid(
            "q",
            format!("give the text to search for, 1 to {MAX_QUERY_CHARS} characters"),
        )),
    }
}

/// A match with up to [`SNIPPET_CONTEXT`] characters around it; control characters shown
/// as spaces. Costs the snippet's length, not the text's.
fn snippet(text: &str, m: &domain::text::TextMatch) -> String {
    let (from, to) = m.bytes;
    let before: Vec<char> = text[..from]
        .chars()
        .rev()
        .take(SNIPPET_CONTEXT + 1)
        .collect();
    let after: Vec<char> = text[to..].chars().take(SNIPPET_CONTEXT + 1).collect();
    let mut out = String::new();
    if before.len() > SNIPPET_CONTEXT {
        out.push('…');
    }
    let visible = |c: char| if c.is_control() { ' ' } else { c };
    out.extend(
        before
            .iter()
            .take(SNIPPET_CONTEXT)
            .rev()
            .map(|c| visible(*c)),
    );
    out.extend(text[from..to].chars().map(visible));
    out.extend(after.iter().take(SNIPPET_CONTEXT).map(|c| visible(*c)));
    if after.len() > SNIPPET_CONTEXT {
        out.push('…');
    }
    out
}

/// Where a page of document matches starts: `<block index>:<character offset>` (every
/// such pair is a valid cursor; past the end, the page is empty). Pass `version` with it
/// to page through one version while others are written.
fn match_cursor(cursor: Option<&str>) -> Result<(usize, usize), ApiError> {
    let Some(cursor) = cursor else {
        return Ok((0, 0));
    };
    cursor
        .split_once(':')
        .and_then(|(block, offset)| Some((block.parse().ok()?, offset.parse().ok()?)))
        .ok_or_else(bad_cursor)
}

/// One page of the matches of `q` in `document`, in document order, after `cursor`; and
/// the cursor of the next page. Linear in the text searched.
fn document_matches(
    document: &Document,
    q: &str,
    (match_case, whole_word): (bool, bool),
    (first, start): (usize, usize),
    limit: usize,
) -> (Vec<DocumentMatch>, Option<String>) {
    let mut items: Vec<DocumentMatch> = Vec::new();
    let mut last_block = first;
    for (i, block) in document.blocks.iter().enumerate().skip(first) {
        let text = block.text();
        // Greedy matching resumes where the previous page's last match ended.
        let from = if i == first { start } else { 0 };
        // One more than the page needs tells whether another page follows.
        let wanted = limit + 1 - items.len();
        for m in domain::text::find_matches_in(&text, q, match_case, whole_word, from, wanted) {
            if items.len() == limit {
                let last = &items[limit - 1];
                let next = format!("{}:{}", last_block, last.offset + last.length);
                return (items, Some(next));
            }
            last_block = i;
            items.push(DocumentMatch {
                block_id: block.id().to_string(),
                offset: m.offset,
                length: m.length,
                snippet: snippet(&text, &m),
            });
        }
    }
    (items, None)
}
