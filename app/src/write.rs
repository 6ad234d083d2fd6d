//! Every write use case, without a transport: create, commands (one or an all-or-nothing
//! batch), archive — each with If-Match, Idempotency-Key, reason and dry run — over the one
//! write path ([`infrastructure::CommandService`]), and the mapping of its refusals to
//! [`ApiError`]s with stable codes.

use std::sync::Arc;

use api_types::{
    ApiError, ChangedIds, Code, CommandResult, CreatedDocument, CreatedIds, EventRef, FieldError,
};
use domain::{DocumentCommand, DocumentId};
use infrastructure::{CommandOutcome, CommandService, RequestContext, WriteError, WriteOptions};

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The write side's services.
#[derive(Debug, Clone)]
pub struct Writes {
    /// The write path.
    pub service: Arc<CommandService>,
    /// Most commands in one batch.
    pub max_batch: usize,
}

/// How a write is asked for, whatever the transport.
#[derive(Debug, Clone, Default)]
pub struct WriteRequest {
    /// The version the request is based on (`If-Match`); a stale one is refused.
    pub if_match: Option<u64>,
    /// Retries with the same key return the first result.
    pub idempotency_key: Option<String>,
    /// Decide and report, append nothing.
    pub dry_run: bool,
}

impl WriteRequest {
    fn options(&self) -> Result<WriteOptions, ApiError> {
        if let Some(key) = &self.idempotency_key
            && (key.is_empty()
                || key.len() > MAX_IDEMPOTENCY_KEY
                || !key.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(ApiError::BadRequest {
                code: Code::InvalidIdempotencyKey,
                detail: format!(
                    "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
                ),
            });
        }
        Ok(WriteOptions {
            expected_version: self.if_match,
            idempotency_key: self.idempotency_key.clone(),
            dry_run: self.dry_run,
        })
    }
}

impl Writes {
    /// Creates a document in the caller's tenant.
    ///
    /// # Errors
    /// An invalid title (422), If-Match on a new document (400), a storage failure.
    pub async fn create(
        &self,
        ctx: &RequestContext,
        title: String,
        request: &WriteRequest,
    ) -> Result<CreatedDocument, ApiError> {
        if request.if_match.is_some() {
            return Err(ApiError::BadRequest {
                code: Code::InvalidIfMatch,
                detail: "If-Match makes no sense on a new document".into(),
            });
        }
        let options = request.options()?;
        let outcome = self
            .service
            .create(ctx, title, &options)
            .await
            .map_err(|e| write_error(e, false))?;
        Ok(CreatedDocument {
            id: outcome.document_id.to_string(),
            version: outcome.version,
            dry_run: outcome.preview.is_some(),
        })
    }

    /// Applies commands to a document, all or nothing. `batch` says whether the request
    /// was a batch (refusals then name the command's index). The commands come from
    /// [`api_types::parse_commands`] or [`api_types::parse_command_value`], which bound the
    /// batch to `max_batch`.
    ///
    /// # Errors
    /// Not found, stale version (409 with the current one), a refused command (422 and
    /// others, by its code), an oversized batch.
    pub async fn execute(
        &self,
        ctx: &RequestContext,
        id: &DocumentId,
        commands: &[DocumentCommand],
        batch: bool,
        request: &WriteRequest,
    ) -> Result<CommandResult, ApiError> {
        let options = request.options()?;
        let outcome = self
            .service
            .execute(ctx, id, commands, &options)
            .await
            .map_err(|e| write_error(e, batch))?;
        Ok(result_of(outcome))
    }

    /// Archives a document (an event; its history stays readable).
    ///
    /// # Errors
    /// As [`Writes::execute`]; 409 when already archived.
    pub async fn archive(
        &self,
        ctx: &RequestContext,
        id: &DocumentId,
        request: &WriteRequest,
    ) -> Result<CommandResult, ApiError> {
        let command = DocumentCommand::ArchiveDocument(domain::command::ArchiveDocument {});
        self.execute(ctx, id, &[command], false, request).await
    }
}

/// Maps a write failure to its error.
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
            errors: vec![FieldError {
                field: "Idempotency-Key".into(),
                message: "already used for another request".into(),
            }],
            command_index: None,
        },
        WriteError::Contended => ApiError::Conflict {
            code: Code::Contended,
            detail: "too many concurrent writers on this document; retry".into(),
        },
        WriteError::Store(e) => ApiError::internal(&e),
        e @ WriteError::Internal(_) => ApiError::internal(&e),
    }
}

fn result_of(outcome: CommandOutcome) -> CommandResult {
    let dry_run = outcome.preview.is_some();
    let payloads: Vec<Option<serde_json::Value>> = match &outcome.preview {
        Some(events) => events
            .iter()
            .map(|e| serde_json::to_value(e).ok())
            .collect(),
        None => Vec::new(),
    };
    CommandResult {
        version: outcome.version,
        events: outcome
            .events
            .into_iter()
            .enumerate()
            .map(|(i, (sequence, kind))| EventRef {
                sequence,
                kind,
                payload: payloads.get(i).cloned().flatten(),
            })
            .collect(),
        created: CreatedIds {
            block_ids: outcome
                .created_block_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
        changed: ChangedIds {
            block_ids: outcome
                .changed_block_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
        dry_run,
    }
}
