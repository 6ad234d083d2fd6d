//! The read side over HTTP (actix-web): each route reads its path and query, calls one
//! read use case of [`app::Reads`] and shapes the answer (ETag, content type, download
//! name). Tenant scope, time travel, read-your-writes, pagination and search live in
//! `app`, shared with the MCP tools.

pub mod access;
pub mod ui;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use api_types::{
    ApiError, AuditItem, BlockView, BlocksResponse, Code, ContentResponse, DocumentSearchResponse,
    DocumentSummary, HistoryPage, ImagesResponse, OutlineResponse, Page, ProblemDetails, SearchHit,
    SectionTextResponse, SectionsResponse, StylesResponse,
};
use app::read::{
    BlocksParams, ContentParams, DiffParams, DocumentSearchParams, EventParams, ExportParams,
    ListParams, ReadAt, Reads, SearchParams,
};
use auth::Principal;
use docx_engine::DOCX_CONTENT_TYPE;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the query API's routes (with their OpenAPI descriptions).
pub fn configure(reads: Reads) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(reads))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::BadRequest {
                    code: Code::InvalidQuery,
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
            .service(get_blocks)
            .service(get_section_text)
            .service(get_sections)
            .service(get_styles)
            .service(get_images)
            .service(get_media)
            .service(get_original)
            .service(get_diff)
            .service(get_blame)
            .service(get_docx)
            .service(get_pdf)
            .service(get_pdf)
            .service(get_export)
            .service(get_history)
            .service(search_document)
            .service(search_all)
            .service(get_audit);
    }
}

fn etag(version: u64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// An answer made off the HTTP workers, its body already serialised: a worker only sends
/// it (see [`app::offload`]).
struct Answer {
    headers: Vec<(header::HeaderName, String)>,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    /// `value` as JSON.
    fn json<T: serde::Serialize>(value: &T) -> Result<Self, ApiError> {
        Ok(Self::bytes(
            "application/json",
            serde_json::to_vec(value).map_err(|e| ApiError::internal(&e))?,
        ))
    }

    /// `body` as `content_type`.
    fn bytes(content_type: &str, body: Vec<u8>) -> Self {
        Self {
            headers: Vec::new(),
            content_type: content_type.to_string(),
            body,
        }
    }

    /// A file whose URL always gives the same bytes (a media id, an original upload):
    /// cached for a year, shown `inline` or downloaded as an `attachment` by its name.
    fn immutable(file: app::read::DocxFile, disposition: &str) -> Self {
        Self::bytes(file.mime_type, file.bytes)
            .with((
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ))
            .with((
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{}\"", file.file_name),
            ))
    }

    /// With one more header.
    fn with(mut self, (name, value): (header::HeaderName, impl Into<String>)) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Runs a read (its use case and the serialisation of its answer) off the HTTP workers.
async fn off<F, Fut>(reads: &web::Data<Reads>, work: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Reads) -> Fut,
    Fut: std::future::Future<Output = Result<Answer, ApiError>> + Send + 'static,
{
    let answer = app::offload::offload(work(reads.get_ref().clone())).await??;
    let mut response = HttpResponse::Ok();
    for header in answer.headers {
        response.insert_header(header);
    }
    Ok(response.content_type(answer.content_type).body(answer.body))
}

/// List the tenant's documents, newest first.
#[utoipa::path(
    tag = "queries",
    operation_id = "list_documents",
    params(ListParams),
    responses(
        (status = 200, description = "a page of summaries", body = Page<DocumentSummary>),
        (status = 400, description = "bad parameter", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents")]
async fn list_documents(
    reads: web::Data<Reads>,
    principal: Principal,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        Answer::json(&reads.list(&principal, &params).await?)
    })
    .await
}

/// A document's summary.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_document",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "summary", body = DocumentSummary),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "read model not caught up to min_version", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}")]
async fn get_document(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let summary = reads
            .summary(&principal, &path, params.into_inner())
            .await?;
        Ok(Answer::json(&summary)?.with(etag(summary.version)))
    })
    .await
}

/// A document's blocks.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_content",
    params(("id" = String, Path, description = "document id"), ContentParams),
    responses(
        (status = 200, description = "content", body = ContentResponse),
        (status = 422, description = "a bad cursor or budget", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "read model not caught up to min_version", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/content")]
async fn get_content(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ContentParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let content = reads
            .content(&principal, &path, params.into_inner())
            .await?;
        Ok(Answer::json(&content)?.with(etag(content.version)))
    })
    .await
}

/// One block.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_block",
    params(("id" = String, Path, description = "document id"), ("block_id" = String, Path, description = "block id"), ReadAt),
    responses(
        (status = 200, description = "the block", body = BlockView),
        (status = 404, description = "no such document, version or block", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/blocks/{block_id}")]
async fn get_block(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    let (id, block_id) = path.into_inner();
    off(&reads, |reads| async move {
        let found = reads
            .block(&principal, &id, &block_id, params.into_inner())
            .await?;
        Ok(Answer::json(&found.block)?.with(etag(found.version)))
    })
    .await
}

/// The document as plain text.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_text",
    params(("id" = String, Path, description = "document id"), ContentParams),
    responses(
        (status = 200, description = "plain text (with a budget, a page of it; `Folio-Next-Cursor` names the next)", body = String, content_type = "text/plain"),
        (status = 422, description = "a bad cursor or budget", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/text")]
async fn get_text(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ContentParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let text = reads.text(&principal, &path, params.into_inner()).await?;
        let mut answer = Answer::bytes(
            docx_engine::ExportFormat::Text.content_type(),
            text.text.into_bytes(),
        )
        .with(etag(text.version));
        if let Some(next) = text.next_cursor {
            answer = answer.with((header::HeaderName::from_static("folio-next-cursor"), next));
        }
        Ok(answer)
    })
    .await
}

/// The headings (with a `budget`, a page of them).
#[utoipa::path(
    tag = "queries",
    operation_id = "get_outline",
    params(("id" = String, Path, description = "document id"), ContentParams),
    responses(
        (status = 200, description = "outline", body = OutlineResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "a bad cursor or budget", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/outline")]
async fn get_outline(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ContentParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let outline = reads
            .outline(&principal, &path, params.into_inner())
            .await?;
        Ok(Answer::json(&outline)?.with(etag(outline.version)))
    })
    .await
}

/// Some blocks: by id, from one block to another, or by position.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_blocks",
    params(("id" = String, Path, description = "document id"), BlocksParams),
    responses(
        (status = 200, description = "the blocks, in document order", body = BlocksResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "no form or two forms of selection, an unknown block, a range backwards or past the end", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/blocks")]
async fn get_blocks(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<BlocksParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let blocks = reads.blocks(&principal, &path, params.into_inner()).await?;
        Ok(Answer::json(&blocks)?.with(etag(blocks.version)))
    })
    .await
}

/// A heading and everything under it, as plain text.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_section_text",
    params(
        ("id" = String, Path, description = "document id"),
        ("heading_block_id" = String, Path, description = "the heading's block id"),
        ReadAt
    ),
    responses(
        (status = 200, description = "the section's text and blocks", body = SectionTextResponse),
        (status = 404, description = "no such document, version or block", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "the block is not a heading", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/headings/{heading_block_id}/text")]
async fn get_section_text(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    let (id, heading) = path.into_inner();
    off(&reads, |reads| async move {
        let section = reads
            .section_text(&principal, &id, &heading, params.into_inner())
            .await?;
        Ok(Answer::json(&section)?.with(etag(section.version)))
    })
    .await
}

/// The style sheet.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_styles",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "styles", body = StylesResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/styles")]
async fn get_styles(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let styles = reads.styles(&principal, &path, params.into_inner()).await?;
        Ok(Answer::json(&styles)?.with(etag(styles.version)))
    })
    .await
}

/// The sections: page setup, headers and footers.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_sections",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "sections", body = SectionsResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/sections")]
async fn get_sections(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let sections = reads
            .sections(&principal, &path, params.into_inner())
            .await?;
        Ok(Answer::json(&sections)?.with(etag(sections.version)))
    })
    .await
}

/// The inline images: where each is, its media id, sizes and alt text.
#[utoipa::path(
    tag = "queries",
    operation_id = "list_images",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "images", body = ImagesResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/images")]
async fn get_images(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let images = reads.images(&principal, &path, params.into_inner()).await?;
        Ok(Answer::json(&images)?.with(etag(images.version)))
    })
    .await
}

/// The file of an image the document shows, as uploaded.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_media",
    params(
        ("id" = String, Path, description = "document id"),
        ("media" = String, Path, description = "media id (SHA-256 of the image, hex)"),
        ReadAt
    ),
    responses(
        (status = 200, description = "the image", content(
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/gif"),
        )),
        (status = 404, description = "no such document, version or image", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/media/{media}")]
async fn get_media(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<(String, String)>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    let (id, media) = path.into_inner();
    off(&reads, |reads| async move {
        let file = reads
            .media(&principal, &id, &media, params.into_inner())
            .await?;
        Ok(Answer::immutable(file, "inline").with((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
    })
    .await
}

/// What changed between two versions.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_diff",
    params(("id" = String, Path, description = "document id"), DiffParams),
    responses(
        (status = 200, description = "the changes (json), or the redline as a Word file with tracked changes (docx) or as HTML (html)", content(
            (api_types::DiffResponse = "application/json"),
            (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (String = "text/html"),
        )),
        (status = 404, description = "no such document, version or label", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "unknown format", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/diff")]
async fn get_diff(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<DiffParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    off(&reads, |reads| async move {
        if matches!(params.format.as_deref(), None | Some("json")) {
            return Answer::json(&reads.diff(&principal, &path, params).await?);
        }
        let file = reads.redline(&principal, &path, params).await?;
        let html = file.mime_type.starts_with("text/html");
        let disposition = format!(
            "{}; filename=\"{}\"",
            if html { "inline" } else { "attachment" },
            file.file_name
        );
        let mut answer = Answer::bytes(file.mime_type, file.bytes)
            .with((header::CONTENT_DISPOSITION, disposition))
            .with((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if html {
            // Escaped text and inline styles only; the history viewer may frame it.
            answer = answer.with((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
            ));
        }
        Ok(answer)
    })
    .await
}

/// Who last changed each block, and each word range of its text.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_blame",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "each block's last change and its text's authors", body = api_types::BlameResponse),
        (status = 404, description = "no such document, version or label", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/blame")]
async fn get_blame(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        Answer::json(&reads.blame(&principal, &path, params.into_inner()).await?)
    })
    .await
}

/// The Word file an imported document was made from, as uploaded.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_original",
    params(("id" = String, Path, description = "document id")),
    responses(
        (status = 200, description = "the uploaded .docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, description = "no such document, or one not imported", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/original")]
async fn get_original(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let file = reads.original(&principal, &path).await?;
        Ok(Answer::immutable(file, "attachment"))
    })
    .await
}

/// The document as a .docx file.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_docx",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "the .docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/docx")]
async fn get_docx(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let file = reads.docx(&principal, &path, params.into_inner()).await?;
        Ok(Answer::bytes(DOCX_CONTENT_TYPE, file.bytes)
            .with(etag(file.version))
            .with((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            )))
    })
    .await
}

/// The document (or a past version) as a PDF, made by LibreOffice and cached per version.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_pdf",
    params(("id" = String, Path, description = "document id"), ReadAt),
    responses(
        (status = 200, description = "the PDF", content_type = "application/pdf"),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "no LibreOffice here, or the conversion failed or timed out", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/pdf")]
async fn get_pdf(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ReadAt>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let file = reads.pdf(&principal, &path, params.into_inner()).await?;
        Ok(Answer::bytes(file.mime_type, file.bytes)
            .with(etag(file.version))
            .with((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            )))
    })
    .await
}

/// The document exported as HTML, Markdown or plain text.
#[utoipa::path(
    tag = "queries",
    operation_id = "export_document",
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
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let exported = reads.export(&principal, &path, &params).await?;
        let mut answer = Answer::bytes(&exported.content_type, exported.body.into_bytes())
            .with(etag(exported.version))
            .with((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", exported.file_name),
            ))
            .with((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if exported.format == "html" {
            // The export is escaped; the policy is the second line: no script, no fetch,
            // no frame, only the inline styles the export writes.
            answer = answer.with((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ));
        }
        Ok(answer)
    })
    .await
}

/// The document's events with their metadata (who, when, which request), oldest first.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_history",
    params(("id" = String, Path, description = "document id"), EventParams),
    responses(
        (status = 200, description = "a page of events", body = HistoryPage),
        (status = 404, description = "no such document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "bad filter", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/history")]
async fn get_history(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        Answer::json(&reads.history(&principal, &path, &params).await?)
    })
    .await
}

/// Where a text occurs in a document: block ids and offsets in the blocks' plain text.
#[utoipa::path(
    tag = "queries",
    operation_id = "search_document",
    params(("id" = String, Path, description = "document id"), DocumentSearchParams),
    responses(
        (status = 200, description = "matches in document order", body = DocumentSearchResponse),
        (status = 404, description = "no such document (or version)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "no search text", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/documents/{id}/search")]
async fn search_document(
    reads: web::Data<Reads>,
    principal: Principal,
    path: web::Path<String>,
    params: web::Query<DocumentSearchParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        let found = reads.search_document(&principal, &path, &params).await?;
        Ok(Answer::json(&found)?.with(etag(found.version)))
    })
    .await
}

/// Text search across the tenant's live documents.
#[utoipa::path(
    tag = "queries",
    operation_id = "search_documents",
    params(SearchParams),
    responses(
        (status = 200, description = "matches", body = Page<SearchHit>),
        (status = 422, description = "no search text or a bad cursor", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/search")]
async fn search_all(
    reads: web::Data<Reads>,
    principal: Principal,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        Answer::json(&reads.search(&principal, &params).await?)
    })
    .await
}

/// The tenant-wide event log: every event of every document, in commit order.
#[utoipa::path(
    tag = "queries",
    operation_id = "get_audit",
    params(EventParams),
    responses(
        (status = 200, description = "a page of events", body = Page<AuditItem>),
        (status = 422, description = "bad filter or cursor", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/audit")]
async fn get_audit(
    reads: web::Data<Reads>,
    principal: Principal,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    off(&reads, |reads| async move {
        Answer::json(&reads.audit(&principal, &params).await?)
    })
    .await
}
