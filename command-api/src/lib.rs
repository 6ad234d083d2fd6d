//! The write side over HTTP (actix-web): create, command and archive documents.
//!
//! Every handler reads the caller, parses the body into domain commands (400 for malformed
//! JSON, 422 naming the field) and hands them to the one write path,
//! [`infrastructure::CommandService`]. Handlers never decide anything themselves.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use api_types::{
    ApiError, CommandRequest, CommandResult, CreateDocumentRequest, CreatedDocument, CreatedIds,
    EventRef, ProblemDetails, parse_commands, parse_document_id, parse_json, read_body,
    single_header,
};
use auth::Caller;
use domain::DocumentCommand;
use infrastructure::{CommandOutcome, CommandService, WriteError, WriteOptions};
use utoipa_actix_web::service_config::ServiceConfig;

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Configuration and services of the command API.
#[derive(Debug, Clone)]
pub struct CommandApi {
    /// The write path.
    pub service: Arc<CommandService>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Most commands in one batch.
    pub max_batch: usize,
}

/// Registers the command API's routes (with their OpenAPI descriptions).
pub fn configure(api: CommandApi) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(api))
            .service(create_document)
            .service(run_commands)
            .service(archive_document);
    }
}

/// Maps a write failure to its HTTP answer.
pub fn write_error(error: WriteError, batch: bool) -> ApiError {
    match error {
        WriteError::Domain { error, index } => ApiError::Domain {
            error,
            command_index: batch.then_some(index),
        },
        WriteError::NotFound => ApiError::document_not_found(),
        WriteError::StaleVersion { expected, current } => ApiError::StaleVersion {
            expected,
            current_version: current,
        },
        WriteError::IdempotencyKeyReused => ApiError::Validation {
            detail: "this Idempotency-Key was used before with a different request".into(),
            errors: vec![api_types::FieldError {
                field: "Idempotency-Key".into(),
                message: "already used for another request".into(),
            }],
            command_index: None,
        },
        WriteError::Contended => ApiError::Conflict {
            code: "contended",
            detail: "too many concurrent writers on this document; retry".into(),
        },
        WriteError::Store(e) => ApiError::internal(&e),
        e @ WriteError::Internal(_) => ApiError::internal(&e),
    }
}

fn result_of(outcome: &CommandOutcome) -> CommandResult {
    CommandResult {
        version: outcome.version,
        events: outcome
            .events
            .iter()
            .map(|(sequence, kind)| EventRef {
                sequence: *sequence,
                kind: kind.clone(),
            })
            .collect(),
        created: CreatedIds {
            block_ids: outcome
                .created_block_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
    }
}

/// Reads `If-Match` and `Idempotency-Key`.
fn write_options(headers: &HeaderMap) -> Result<WriteOptions, ApiError> {
    let expected_version = match single_header(headers, "if-match")? {
        None => None,
        Some(raw) => {
            let raw = raw.trim();
            if raw == "*" {
                None
            } else if raw.starts_with("W/") {
                // If-Match compares strongly: a weak tag never matches (and folio never
                // sends one).
                return Err(ApiError::BadRequest {
                    code: "invalid_if_match",
                    detail: "If-Match uses strong comparison: a weak tag (W/\"…\") never matches; send \"<version>\"".into(),
                });
            } else {
                let bare = raw
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(raw);
                Some(bare.parse::<u64>().map_err(|_| ApiError::BadRequest {
                    code: "invalid_if_match",
                    detail: format!("If-Match must be a document version like \"3\", not {raw:?}"),
                })?)
            }
        }
    };
    let idempotency_key = match single_header(headers, "idempotency-key")? {
        None => None,
        Some(key) => {
            if key.is_empty()
                || key.len() > MAX_IDEMPOTENCY_KEY
                || !key.chars().all(|c| c.is_ascii_graphic())
            {
                return Err(ApiError::BadRequest {
                    code: "invalid_idempotency_key",
                    detail: format!(
                        "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
                    ),
                });
            }
            Some(key.to_string())
        }
    };
    Ok(WriteOptions {
        expected_version,
        idempotency_key,
    })
}

/// Create a document.
#[utoipa::path(
    tag = "commands",
    request_body = CreateDocumentRequest,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "a retry with the same key returns the first result")),
    responses(
        (status = 201, description = "created", body = CreatedDocument),
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
    let options = write_options(req.headers())?;
    if options.expected_version.is_some() {
        return Err(ApiError::BadRequest {
            code: "invalid_if_match",
            detail: "If-Match makes no sense on a new document".into(),
        });
    }
    let outcome = api
        .service
        .create(&caller.0, request.title, &options)
        .await
        .map_err(|e| write_error(e, false))?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/documents/{}", outcome.document_id),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", outcome.version)))
        .json(CreatedDocument {
            id: outcome.document_id.to_string(),
            version: outcome.version,
        }))
}

/// Apply one command or an all-or-nothing batch.
#[utoipa::path(
    tag = "commands",
    request_body(content = CommandRequest, description = "one command `{\"type\": \"add_paragraph\", ...}` or a batch `{\"commands\": [...]}`"),
    params(
        ("id" = String, Path, description = "document id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,18}\"|[0-9]{1,18})$", description = "the version the command is based on; 409 when stale"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "a retry with the same key appends nothing and returns the first result"),
        ("X-Folio-Reason" = Option<String>, Header, pattern = "^[\\t -~]{0,500}$", description = "why: recorded on the events"),
    ),
    responses(
        (status = 200, description = "applied", body = CommandResult),
        (status = 400, description = "malformed JSON or header", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such document", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "stale If-Match (body has current_version) or archived document", body = ProblemDetails, content_type = "application/problem+json"),
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
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&path)?;
    let body = read_body(&req, payload, api.max_body_bytes).await?;
    let commands: Vec<DocumentCommand> = parse_commands(&body, api.max_batch)?;
    let options = write_options(req.headers())?;
    let batch = commands.len() > 1 || body_is_batch(&body);
    let outcome = api
        .service
        .execute(&caller.0, &id, &commands, &options)
        .await
        .map_err(|e| write_error(e, batch))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", outcome.version)))
        .json(result_of(&outcome)))
}

fn body_is_batch(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("commands").is_some())
}

/// Archive a document (an event; its history stays readable).
#[utoipa::path(
    tag = "commands",
    params(
        ("id" = String, Path, description = "document id"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|\"[0-9]{1,18}\"|[0-9]{1,18})$", description = "the version the archive is based on"),
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
) -> Result<HttpResponse, ApiError> {
    let id = parse_document_id(&path)?;
    let options = write_options(req.headers())?;
    let command = DocumentCommand::ArchiveDocument(domain::command::ArchiveDocument {});
    let outcome = api
        .service
        .execute(&caller.0, &id, &[command], &options)
        .await
        .map_err(|e| write_error(e, false))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", outcome.version)))
        .json(result_of(&outcome)))
}
