//! The read side over HTTP (actix-web): summaries, content, text, outline, .docx, exports
//! and history, each scoped to the caller's tenant.
//!
//! Latest state comes from the read models; `?version=N` rebuilds the document from its
//! events (time travel); `?min_version=N` waits, bounded, until the read model has caught
//! up (read-your-writes), answering 503 with `Retry-After` when it has not.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use api_types::{
    ApiError, AuditItem, BlockView, ContentResponse, DocumentMatch, DocumentSearchResponse,
    DocumentSummary, HistoryItem, OutlineItem, OutlineResponse, Page, ProblemDetails, SearchHit,
};
use auth::Principal;
use docx_engine::{DOCX_CONTENT_TYPE, ExportFormat, export, render_docx};
use domain::{Block, BlockId, Document, DocumentId};
use infrastructure::blobs::BlobStore;
use infrastructure::store::{EventLog, HistoryFilter, StoredEvent};
use infrastructure::views::{SummaryRow, Views, WaitError};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

/// Largest page of a list.
pub const MAX_PAGE: u32 = 200;

/// Configuration and services of the query API.
#[derive(Debug, Clone)]
pub struct QueryApi {
    /// Event store (history, time travel).
    pub log: EventLog,
    /// Read models.
    pub views: Views,
    /// .docx blobs.
    pub blobs: BlobStore,
    /// How long `?min_version` waits before answering 503.
    pub read_wait: Duration,
    /// Permits for heavy reads (a past version rebuilt from events, a .docx render, an
    /// export): they cost memory in proportion to the document, so only so many run at
    /// once and the rest queue.
    pub heavy_reads: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Registers the query API's routes (with their OpenAPI descriptions).
pub fn configure(api: QueryApi) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(api))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::BadRequest {
                    code: "invalid_query",
                    detail: format!("invalid query parameter: {err}"),
                }
                .into()
            }))
            .service(list_documents)
            .service(get_document)
            .service(get_content)
            .service(get_block)
            .service(get_text)
            .service(get_outline)
            .service(get_docx)
            .service(get_export)
            .service(get_history)
            .service(search_document)
            .service(search_all)
            .service(get_audit);
    }
}

/// Time travel and read-your-writes parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ReadParams {
    /// Show the document as it was at this version (rebuilt from events).
    version: Option<u64>,
    /// Wait until the read model has caught up to at least this version.
    min_version: Option<u64>,
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

    fn etag(&self) -> (header::HeaderName, String) {
        (header::ETAG, format!("\"{}\"", self.version()))
    }
}

fn store_error(e: infrastructure::StoreError) -> ApiError {
    ApiError::internal(&e)
}

fn version_not_found(version: u64) -> ApiError {
    ApiError::NotFound {
        code: "version_not_found",
        detail: format!("the document has no version {version}"),
    }
}

impl QueryApi {
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

    /// The read model's summary of a document (after waiting for `min_version`), without
    /// its blocks.
    async fn latest_summary(
        &self,
        principal: &Principal,
        raw_id: &str,
        params: &ReadParams,
    ) -> Result<SummaryRow, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        self.check_projected(tenant, &id).await?;
        let min = params.min_version.unwrap_or(1);
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

    /// Waits until the read model has version `min` of a document of the caller's tenant:
    /// 404 when there is no such document or version.
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

    /// Resolves the document a read is about: a past version, or the read model (after
    /// waiting for `min_version`).
    async fn resolve(
        &self,
        principal: &Principal,
        raw_id: &str,
        params: &ReadParams,
    ) -> Result<Resolved, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        if let Some(version) = params.version {
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
        if let Some(min) = params.min_version {
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

/// List parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct ListParams {
    /// Only documents whose title contains this text (case-insensitive for ASCII).
    q: Option<String>,
    /// Page size, 1-200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List the tenant's documents, newest first.
#[utoipa::path(
    tag = "queries",
    params(ListParams),
    responses(
        (status = 200, description = "a page of summaries", body = Page<DocumentSummary>),
        (status = 400, description = "bad parameter", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents")]
async fn list_documents(
    api: web::Data<QueryApi>,
    principal: Principal,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(params.limit, 20)?;
    let mut rows = api
        .views
        .list(
            principal.tenant.as_str(),
            params.q.as_deref().filter(|q| !q.is_empty()),
            limit + 1,
            params.cursor.as_deref(),
        )
        .await
        .map_err(store_error)?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.clone())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(summary_dto).collect(),
        next_cursor,
    }))
}

/// A document's summary.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ReadParams),
    responses(
        (status = 200, description = "summary", body = DocumentSummary),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "read model not caught up to min_version", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}")]
async fn get_document(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    // The latest summary is one row: no need to load the blocks.
    let summary = if params.version.is_none() {
        api.latest_summary(&principal, &path, &params).await?
    } else {
        api.resolve(&principal, &path, &params).await?.summary
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", summary.version)))
        .json(summary_dto(summary)))
}

/// A document's blocks.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ReadParams),
    responses(
        (status = 200, description = "content", body = ContentResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "read model not caught up to min_version", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/content")]
async fn get_content(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let resolved = api.resolve(&principal, &path, &params).await?;
    Ok(HttpResponse::Ok()
        .insert_header(resolved.etag())
        .json(ContentResponse {
            version: resolved.version(),
            blocks: resolved
                .document
                .blocks
                .iter()
                .map(BlockView::from)
                .collect(),
        }))
}

/// One block.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ("block_id" = String, Path, description = "block id"), ReadParams),
    responses(
        (status = 200, description = "the block", body = BlockView),
        (status = 404, description = "no such document, version or block", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/blocks/{block_id}")]
async fn get_block(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, block_id) = path.into_inner();
    let resolved = api.resolve(&principal, &id, &params).await?;
    let block: &Block = resolved
        .document
        .block(&BlockId::new(block_id.clone()))
        .ok_or_else(|| ApiError::NotFound {
            code: "block_not_found",
            detail: format!("no block with id {block_id}"),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(resolved.etag())
        .json(BlockView::from(block)))
}

/// The document as plain text.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ReadParams),
    responses(
        (status = 200, description = "plain text", body = String, content_type = "text/plain"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/text")]
async fn get_text(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let resolved = api.resolve(&principal, &path, &params).await?;
    Ok(HttpResponse::Ok()
        .insert_header(resolved.etag())
        .content_type(ExportFormat::Text.content_type())
        .body(export(&resolved.document, ExportFormat::Text)))
}

/// The headings.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ReadParams),
    responses(
        (status = 200, description = "outline", body = OutlineResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/outline")]
async fn get_outline(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let resolved = api.resolve(&principal, &path, &params).await?;
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
    Ok(HttpResponse::Ok()
        .insert_header(resolved.etag())
        .json(OutlineResponse {
            version: resolved.version(),
            items,
        }))
}

/// A page size from `limit`: `default` when absent, 422 outside 1..=[`MAX_PAGE`].
fn page_limit(limit: Option<u32>, default: u32) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(default);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_PAGE}"),
        ))
    }
}

/// The event filters shared by history and audit, with their times checked.
fn event_filter(
    after: u64,
    actor: &Option<String>,
    kind: &Option<String>,
    since: &Option<String>,
    until: &Option<String>,
) -> Result<HistoryFilter, ApiError> {
    Ok(HistoryFilter {
        after,
        actor: actor.clone(),
        event_type: kind.clone(),
        since: rfc3339("since", since)?,
        until: rfc3339("until", until)?,
    })
}

/// A file name for downloads: the title with only safe characters.
fn file_name(title: &str, extension: &str) -> String {
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

/// The document as a .docx file.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ReadParams),
    responses(
        (status = 200, description = "the .docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/docx")]
async fn get_docx(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let resolved = api.resolve(&principal, &path, &params).await?;
    let id = resolved.summary.id.clone();
    let version = resolved.version();
    // The materialised blob when it is of exactly this version; otherwise render now.
    let stored = match api.views.blob_version(&id).await.map_err(store_error)? {
        Some(v) if v == version => api
            .blobs
            .get(&resolved.summary.tenant, &id, v)
            .await
            .map_err(|e| ApiError::internal(&e))?,
        _ => None,
    };
    let etag = resolved.etag();
    let name = file_name(&resolved.document.title, "docx");
    let bytes = match stored {
        Some(bytes) => bytes,
        None => {
            let _permit = api.heavy().await?;
            let options = resolved.summary.render_options();
            let document = resolved.document;
            web::block(move || render_docx(&document, &options))
                .await
                .map_err(|e| ApiError::internal(&e))?
                .map_err(|e| ApiError::internal(&e))?
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header(etag)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .content_type(DOCX_CONTENT_TYPE)
        .body(bytes))
}

/// Export parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `html`, `markdown` or `text`.
    #[param(pattern = "^(html|markdown|text)$")]
    format: String,
    /// Version to export.
    version: Option<u64>,
    /// Wait for this version first.
    min_version: Option<u64>,
}

/// The document exported as HTML, Markdown or plain text.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), ExportParams),
    responses(
        (status = 200, description = "the export", content(
            (String = "text/html"),
            (String = "text/markdown"),
            (String = "text/plain"),
        )),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "unknown format", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/export")]
async fn get_export(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let format = ExportFormat::parse(&params.format).ok_or_else(|| {
        ApiError::invalid(
            "format",
            format!(
                "unknown format {:?}; use html, markdown or text (pdf is not available yet)",
                params.format
            ),
        )
    })?;
    let read = ReadParams {
        version: params.version,
        min_version: params.min_version,
    };
    let resolved = api.resolve(&principal, &path, &read).await?;
    let etag = resolved.etag();
    let name = file_name(&resolved.document.title, format.extension());
    let body = {
        let _permit = api.heavy().await?;
        let document = resolved.document;
        web::block(move || export(&document, format))
            .await
            .map_err(|e| ApiError::internal(&e))?
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header(etag)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if format == ExportFormat::Html {
        // The export is escaped; the policy is the second line: no script, no fetch, no
        // frame, only the inline styles the export writes.
        response.insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ));
    }
    Ok(response.content_type(format.content_type()).body(body))
}

/// History parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Only events by this actor.
    actor: Option<String>,
    /// Only events of this type (`ParagraphAdded`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
}

fn history_item(e: StoredEvent) -> HistoryItem {
    let meta = |k: &str| e.meta(k).map(str::to_string);
    HistoryItem {
        sequence: e.sequence,
        kind: e.event_type.clone(),
        event_version: e.event_version.clone(),
        payload: serde_json::to_value(&e.event).unwrap_or_default(),
        actor: meta("actor"),
        tenant: meta("tenant"),
        request_id: meta("request_id"),
        command: meta("command"),
        ip: meta("ip"),
        user_agent: meta("user_agent"),
        at: meta("at"),
        reason: meta("reason"),
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

/// The document's events with their metadata (who, when, which request), oldest first.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), HistoryParams),
    responses(
        (status = 200, description = "a page of events", body = Page<HistoryItem>),
        (status = 404, description = "no such document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "bad filter", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/history")]
async fn get_history(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let id = api_types::parse_document_id(&path)?;
    api.head(&principal, &id).await?;
    let limit = page_limit(params.limit, 50)?;
    let after = match &params.cursor {
        None => 0,
        Some(c) => c
            .parse::<u64>()
            .map_err(|_| ApiError::invalid("cursor", "not a cursor from this endpoint"))?,
    };
    let filter = event_filter(
        after,
        &params.actor,
        &params.kind,
        &params.since,
        &params.until,
    )?;
    let mut events = api
        .log
        .history(&id, &filter, u64::from(limit) + 1)
        .await
        .map_err(store_error)?;
    let next_cursor = if events.len() > limit as usize {
        events.truncate(limit as usize);
        events.last().map(|e| e.sequence.to_string())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Page {
        items: events.into_iter().map(history_item).collect(),
        next_cursor,
    }))
}

/// Longest search text.
pub const MAX_QUERY_CHARS: usize = 200;
/// Characters of context on each side of a match in a snippet.
const SNIPPET_CONTEXT: usize = 30;

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

/// Most matches reported per block by the cross-document search (the document search
/// pages through all of them).
pub const MAX_MATCHES_PER_BLOCK: usize = 100;

/// Search parameters inside one document.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct DocumentSearchParams {
    /// The text to find.
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    q: Option<String>,
    /// Case-sensitive (default false).
    #[serde(default)]
    match_case: bool,
    /// Whole words only (default false).
    #[serde(default)]
    whole_word: bool,
    /// Most matches per page, 1-200 (default 100).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}:[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Search this version.
    version: Option<u64>,
    /// Wait for this version first.
    min_version: Option<u64>,
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
        .ok_or_else(|| ApiError::invalid("cursor", "not a cursor from this endpoint"))
}

/// One page of the matches of `q` in `document`, in document order, after `cursor`; and
/// the cursor of the next page. Linear in the text searched.
fn document_matches(
    document: &Document,
    q: &str,
    params: &DocumentSearchParams,
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
        for m in domain::text::find_matches_in(
            &text,
            q,
            params.match_case,
            params.whole_word,
            from,
            wanted,
        ) {
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

/// Where a text occurs in a document: block ids and offsets in the blocks' plain text.
#[utoipa::path(
    tag = "queries",
    params(("id" = String, Path, description = "document id"), DocumentSearchParams),
    responses(
        (status = 200, description = "matches in document order", body = DocumentSearchResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "no search text", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/search")]
async fn search_document(
    api: web::Data<QueryApi>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<DocumentSearchParams>,
) -> Result<HttpResponse, ApiError> {
    let q = search_text(params.q.as_deref())?;
    let read = ReadParams {
        version: params.version,
        min_version: params.min_version,
    };
    let limit = page_limit(params.limit, 100)? as usize;
    let cursor = match_cursor(params.cursor.as_deref())?;
    let resolved = api.resolve(&principal, &path, &read).await?;
    let (version, etag) = (resolved.version(), resolved.etag());
    let q = q.to_string();
    let params = params.into_inner();
    // Matching is linear but a document can hold millions of characters: off the async
    // workers, so one search never stalls other requests.
    let (items, next_cursor) =
        web::block(move || document_matches(&resolved.document, &q, &params, cursor, limit))
            .await
            .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .insert_header(etag)
        .json(DocumentSearchResponse {
            version,
            items,
            next_cursor,
        }))
}

/// Search parameters across documents.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct SearchParams {
    /// The text to find (case-insensitive).
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    q: Option<String>,
    /// Most blocks per page, 1-200 (default 50); each block gives one item per match, up
    /// to 100 per block (the document search pages through every match).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^.+@-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?$")]
    cursor: Option<String>,
}

/// Text search across the tenant's live documents.
#[utoipa::path(
    tag = "queries",
    params(SearchParams),
    responses(
        (status = 200, description = "matches", body = Page<SearchHit>),
        (status = 422, description = "no search text or a bad cursor", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/search")]
async fn search_all(
    api: web::Data<QueryApi>,
    principal: Principal,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let q = search_text(params.q.as_deref())?;
    let limit = page_limit(params.limit, 50)?;
    let after = match &params.cursor {
        None => None,
        Some(c) => Some(
            c.rsplit_once('@')
                .and_then(|(id, ord)| Some((id, ord.parse::<f64>().ok()?)))
                .ok_or_else(|| ApiError::invalid("cursor", "not a cursor from this endpoint"))?,
        ),
    };
    let mut blocks = api
        .views
        .search_blocks(principal.tenant.as_str(), q, after, limit + 1)
        .await
        .map_err(store_error)?;
    let next_cursor = if blocks.len() > limit as usize {
        blocks.truncate(limit as usize);
        blocks
            .last()
            .map(|b| format!("{}@{}", b.document_id, b.ord))
    } else {
        None
    };
    let q = q.to_string();
    let items = web::block(move || {
        blocks
            .iter()
            .flat_map(|b| {
                // LIKE matched case-insensitively for ASCII; report the same matches.
                domain::text::find_matches_in(&b.text, &q, false, false, 0, MAX_MATCHES_PER_BLOCK)
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
    .await
    .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Audit parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Only events by this actor.
    actor: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
}

/// The tenant-wide event log: every event of every document, in commit order.
#[utoipa::path(
    tag = "queries",
    params(AuditParams),
    responses(
        (status = 200, description = "a page of events", body = Page<AuditItem>),
        (status = 422, description = "bad filter or cursor", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/audit")]
async fn get_audit(
    api: web::Data<QueryApi>,
    principal: Principal,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(params.limit, 50)?;
    let after = match &params.cursor {
        None => 0,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 0)
            .ok_or_else(|| ApiError::invalid("cursor", "not a cursor from this endpoint"))?,
    };
    let filter = event_filter(0, &params.actor, &params.kind, &params.since, &params.until)?;
    let mut events = api
        .log
        .audit(
            principal.tenant.as_str(),
            &filter,
            after,
            u64::from(limit) + 1,
        )
        .await
        .map_err(store_error)?;
    let next_cursor = if events.len() > limit as usize {
        events.truncate(limit as usize);
        events.last().map(|(position, _)| position.to_string())
    } else {
        None
    };
    let items = events
        .into_iter()
        .map(|(_, e)| AuditItem {
            document_id: e.document_id.to_string(),
            event: history_item(e),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
