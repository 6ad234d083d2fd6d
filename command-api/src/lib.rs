//! The write side over HTTP (actix-web): create, command and archive documents.
//!
//! Every handler reads the caller, parses the body into domain commands (400 for malformed
//! JSON, 422 naming the field), reads `If-Match`, `Idempotency-Key`, `?dry_run` and
//! `?strict` into the one [`app::WriteRequest`] and calls one [`app::Writes`] use case
//! (the write path is `app::write::CommandService`). Handlers never decide anything
//! themselves.

pub mod access;

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use api_types::{
    ApiError, Code, CommandRequest, CommandResult, CreateDocumentRequest, CreatedDocument,
    ImportedDocument, ProblemDetails, parse_commands, parse_document_id, parse_json, read_body,
    read_docx_body, single_header,
};
use app::{WriteRequest, Writes};
use auth::Caller;
use domain::DocumentCommand;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

/// Configuration and services of the command API.
#[derive(Debug, Clone)]
pub struct CommandApi {
    /// The write use cases.
    pub writes: Writes,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
}

/// Registers the command API's routes (with their OpenAPI descriptions).
pub fn configure(api: CommandApi) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(api))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::BadRequest {
                    code: Code::InvalidQuery,
                    detail: format!("invalid query parameter: {err}"),
                }
                .into()
            }))
            .service(import_document)
            .service(create_document)
            .service(run_commands)
            .service(archive_document);
    }
}

/// `?dry_run=true`: decide and report, append nothing; `?strict=true`: no rebase.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
pub struct DryRun {
    /// Decide and report what would be appended and which blocks would be created or
    /// changed; append nothing and touch no idempotency record.
    #[serde(default)]
    dry_run: bool,
    /// With `If-Match`: refuse unless it names the current version (an older one is
    /// otherwise rebased onto it when nothing since overlaps the request).
    #[serde(default)]
    strict: bool,
}

/// Reads `If-Match`, `Idempotency-Key` and `?dry_run`.
fn write_request(headers: &HeaderMap, dry_run: DryRun) -> Result<WriteRequest, ApiError> {
    let if_match = match single_header(headers, "if-match")? {
        None => None,
        Some(raw) => {
            let raw = raw.trim();
            if raw == "*" {
                None
            } else if raw.starts_with("W/") {
                // If-Match compares strongly: a weak tag never matches (and folio never
                // sends one).
                return Err(ApiError::BadRequest {
                    code: Code::InvalidIfMatch,
                    detail: "If-Match uses strong comparison: a weak tag (W/\"…\") never matches; send \"<version>\"".into(),
                });
            } else {
                let bare = raw
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(raw);
                Some(bare.parse::<u64>().map_err(|_| ApiError::BadRequest {
                    code: Code::InvalidIfMatch,
                    detail: format!("If-Match must be a document version like \"3\", not {raw:?}"),
                })?)
            }
        }
    };
    Ok(WriteRequest {
        if_match,
        strict: dry_run.strict,
        idempotency_key: single_header(headers, "idempotency-key")?.map(str::to_string),
        dry_run: dry_run.dry_run,
    })
}

/// Create a document.
#[utoipa::path(
    tag = "commands",
    request_body = CreateDocumentRequest,
    operation_id = "create_document",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "a retry with the same key returns the first result"), DryRun),
    responses(
        (status = 201, description = "created", body = CreatedDocument),
        (status = 200, description = "dry run: nothing created", body = CreatedDocument),
        (status = 400, description = "malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "body too large", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "invalid request", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/documents")]
async fn create_document(
    req: HttpRequest,
    payload: web::Payload,
    api: web::Data<CommandApi>,
    caller: Caller,
    dry_run: web::Query<DryRun>,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&req, payload, api.max_body_bytes).await?;
    let request: CreateDocumentRequest = parse_json(&body)?;
    if request.template_id.is_some() {
        return Err(ApiError::invalid("template_id", "no such template"));
    }
    if request.variables.is_some() {
        return Err(ApiError::invalid(
            "variables",
            "variables need a template_id",
        ));
    }
    let write = write_request(req.headers(), *dry_run)?;
    let created = api
        .writes
        .create(&caller.request, request.title, &write)
        .await?;
    if created.dry_run {
        return Ok(HttpResponse::Ok().json(created));
    }
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/documents/{}", created.id)))
        .insert_header((header::ETAG, format!("\"{}\"", created.version)))
        .json(created))
}

/// `POST /v1/documents/import`'s query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ImportParams {
    /// The new document's title (default: the file's title property, else "Imported
    /// document").
    #[serde(default)]
    title: Option<String>,
    /// Read the file and report; store nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Create a document from a Word file (the body is the .docx itself).
#[utoipa::path(
    tag = "commands",
    operation_id = "import_document",
    request_body(description = "the .docx file", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/octet-stream"),
    )),
    params(
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "a retry with the same key returns the first result"),
        ("X-Folio-Reason" = Option<String>, Header, pattern = "^[\\t -~]{0,500}$", description = "why: recorded on the events"),
        ImportParams,
    ),
    responses(
        (status = 201, description = "imported", body = ImportedDocument),
        (status = 200, description = "dry run: nothing stored", body = ImportedDocument),
        (status = 413, description = "the file (or something in it) is over a limit", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "not sent as a .docx", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "not a Word document folio can read (the detail says what it is)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "every import slot is busy", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/documents/import")]
async fn import_document(
    req: HttpRequest,
    payload: web::Payload,
    api: web::Data<CommandApi>,
    caller: Caller,
    params: web::Query<ImportParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = usize::try_from(api.writes.imports.limits.max_upload_bytes).unwrap_or(usize::MAX);
    let body = read_docx_body(&req, payload, limit).await?;
    let params = params.into_inner();
    let write = write_request(
        req.headers(),
        DryRun {
            dry_run: params.dry_run,
            strict: false,
        },
    )?;
    let imported = api
        .writes
        .import(&caller.request, body.to_vec(), params.title, &write)
        .await?;
    if imported.dry_run {
        return Ok(HttpResponse::Ok().json(imported));
    }
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/documents/{}", imported.id)))
        .insert_header((header::ETAG, format!("\"{}\"", imported.version)))
        .json(imported))
}

/// Apply one command or an all-or-nothing batch.
#[utoipa::path(
    tag = "commands",
    operation_id = "run_commands",
    request_body(content = CommandRequest, description = "one command `{\"type\": \"add_paragraph\", ...}` or a batch `{\"commands\": [...]}`"),
    params(
        ("id" = String, Path, description = "document id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,18}\"|[0-9]{1,18})$", description = "the version the command is based on: an older one is rebased onto the current version when nothing since overlaps the command (`rebased_from` in the answer), else 409 naming the conflicting events; with `?strict=true`, 409 unless current"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "a retry with the same key appends nothing and returns the first result"),
        ("X-Folio-Reason" = Option<String>, Header, pattern = "^[\\t -~]{0,500}$", description = "why: recorded on the events"),
        DryRun,
    ),
    responses(
        (status = 200, description = "applied", body = CommandResult),
        (status = 400, description = "malformed JSON or header", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "stale If-Match that could not be rebased (body has current_version and the conflicting events) or archived document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "body or document too large", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "not a valid command, or one that cannot apply", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/documents/{id}/commands")]
async fn run_commands(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    api: web::Data<CommandApi>,
    caller: Caller,
    dry_run: web::Query<DryRun>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&path)?;
    let body = read_body(&req, payload, api.max_body_bytes).await?;
    let (commands, batch): (Vec<DocumentCommand>, bool) =
        parse_commands(&body, api.writes.max_batch)?;
    let write = write_request(req.headers(), *dry_run)?;
    let result = api
        .writes
        .execute(&caller.request, &id, &commands, batch, &write)
        .await?;
    Ok(respond(result))
}

/// 200 with the result; the ETag is the new version (not on a dry run: nothing changed).
fn respond(result: CommandResult) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if !result.dry_run {
        response.insert_header((header::ETAG, format!("\"{}\"", result.version)));
    }
    response.json(result)
}

/// Archive a document (an event; its history stays readable).
#[utoipa::path(
    tag = "commands",
    operation_id = "archive_document",
    params(
        ("id" = String, Path, description = "document id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,18}\"|[0-9]{1,18})$", description = "the version the archive is based on"),
        DryRun,
    ),
    responses(
        (status = 200, description = "archived", body = CommandResult),
        (status = 404, description = "no such document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "already archived or stale version", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/documents/{id}")]
async fn archive_document(
    req: HttpRequest,
    path: web::Path<String>,
    api: web::Data<CommandApi>,
    caller: Caller,
    dry_run: web::Query<DryRun>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&path)?;
    let write = write_request(req.headers(), *dry_run)?;
    Ok(respond(
        api.writes.archive(&caller.request, &id, &write).await?,
    ))
}
