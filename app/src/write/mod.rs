//! Every write use case, without a transport: create, import, commands (one or an
//! all-or-nothing batch), archive — each with If-Match, Idempotency-Key, reason and dry
//! run — over the one write path ([`CommandService`]), and the mapping of its refusals to
//! [`ApiError`]s with stable codes.
//!
//! - [`service`]: the write path itself (decide, rebase, idempotency, append).
//! - [`port`]: what it needs from storage, and folio's implementation ([`Storage`]).
//! - [`inputs`]: the one way a command gets outside data (a past version, uploaded files).

pub mod inputs;
pub mod port;
pub mod service;

use std::sync::Arc;

use api_types::{
    ApiError, ChangedIds, Code, CommandResult, CreatedDocument, CreatedIds, EventRef, FieldError,
    ImportedDocument,
};
use domain::{DocumentCommand, DocumentId};
use infrastructure::RequestContext;
pub use port::{Storage, WriteStore};
pub use service::{CommandOutcome, CommandService, ConflictingEvent, WriteError};

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The write side's services.
#[derive(Debug, Clone)]
pub struct Writes {
    /// The write path.
    pub service: Arc<CommandService>,
    /// Most commands in one batch.
    pub max_batch: usize,
    /// How imports run.
    pub imports: Imports,
}

/// How .docx imports run: their limits, how many at once, and their time budget.
#[derive(Debug, Clone)]
pub struct Imports {
    /// The package gate's and reader's limits (`max_upload_bytes` is the upload limit).
    pub limits: docx_engine::ImportLimits,
    /// Imports reading a file at once (the others wait for a slot, within the budget).
    pub slots: Arc<tokio::sync::Semaphore>,
    /// How long reading one file may take.
    pub budget: std::time::Duration,
}

impl Imports {
    /// `slots` imports at once, each within `budget`.
    pub fn new(
        limits: docx_engine::ImportLimits,
        slots: usize,
        budget: std::time::Duration,
    ) -> Self {
        Self {
            limits,
            slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
            budget,
        }
    }
}

impl Default for Imports {
    fn default() -> Self {
        Self::new(
            docx_engine::ImportLimits::default(),
            2,
            std::time::Duration::from_secs(30),
        )
    }
}

/// How a write is asked for, whatever the transport (REST headers and query, MCP
/// arguments): the one request type of the write path.
#[derive(Debug, Clone, Default)]
pub struct WriteRequest {
    /// The version the request is based on (`If-Match`): an older one is rebased onto the
    /// current version when nothing since overlaps the request, else refused.
    pub if_match: Option<u64>,
    /// Refuse any `If-Match` but the current version (no rebase).
    pub strict: bool,
    /// Retries with the same key return the first result.
    pub idempotency_key: Option<String>,
    /// Decide and report, append nothing.
    pub dry_run: bool,
}

impl WriteRequest {
    /// Checks the idempotency key.
    fn checked(&self) -> Result<&Self, ApiError> {
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
        Ok(self)
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
        let request = request.checked()?;
        let outcome = self
            .service
            .create(ctx, title, request)
            .await
            .map_err(|e| write_error(e, false))?;
        Ok(CreatedDocument {
            id: outcome.document_id.to_string(),
            version: outcome.version,
            dry_run: outcome.preview.is_some(),
        })
    }

    /// Creates a document from an uploaded Word file. The file is read off the async
    /// workers, behind the package gate, at most `imports.slots` at once and within
    /// `imports.budget`; the file and its pictures are stored by their hash only once the
    /// import is decided.
    ///
    /// # Errors
    /// 413 over a limit; 422 (`invalid_docx`) for a file that is not a Word document folio
    /// can read, naming what it is; the refusals of [`Writes::create`].
    #[tracing::instrument(name = "folio.import", skip_all, fields(bytes = file.len()))]
    pub async fn import(
        &self,
        ctx: &RequestContext,
        file: Vec<u8>,
        title: Option<String>,
        request: &WriteRequest,
    ) -> Result<ImportedDocument, ApiError> {
        if request.if_match.is_some() {
            return Err(ApiError::BadRequest {
                code: Code::InvalidIfMatch,
                detail: "If-Match makes no sense on a new document".into(),
            });
        }
        let request = request.checked()?;
        let limits = self.imports.limits.clone();
        if file.len() as u64 > limits.max_upload_bytes {
            return Err(ApiError::PayloadTooLarge {
                detail: format!(
                    "the file is larger than the upload limit of {} bytes",
                    limits.max_upload_bytes
                ),
            });
        }
        let budget = self.imports.budget;
        let too_slow = || ApiError::InvalidFile {
            code: Code::InvalidDocx,
            detail: format!(
                "the file could not be read within the import time budget of {} s",
                budget.as_secs()
            ),
        };
        let started = tokio::time::Instant::now();
        let permit = tokio::time::timeout(budget, self.imports.slots.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::NotReady {
                detail: "every import slot is busy; retry shortly".into(),
                retry_after: 2,
            })?
            .map_err(|e| ApiError::internal(&e))?;
        let model = *self.service.limits();
        let task = tokio::task::spawn_blocking(move || {
            // The slot is held until the reading ends, even past the budget: a slow file
            // keeps its slot, so slow files cannot pile up.
            let _permit = permit;
            let result = docx_engine::import_docx(&file, &limits, &model);
            (file, result)
        });
        let remaining = budget.saturating_sub(started.elapsed());
        let (file, result) = match tokio::time::timeout(remaining, task).await {
            Err(_) => return Err(too_slow()),
            Ok(Err(join)) => {
                tracing::error!(error = %join, "reading an uploaded .docx failed");
                return Err(ApiError::InvalidFile {
                    code: Code::InvalidDocx,
                    detail: "the file could not be read".into(),
                });
            }
            Ok(Ok(joined)) => joined,
        };
        let imported = result.map_err(import_error)?;
        let title = title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .or_else(|| imported.title.clone())
            .unwrap_or_else(|| "Imported document".into());
        let warnings = imported.content.warnings.clone();
        let blocks = imported.content.blocks.len();
        let opaque_blocks = imported
            .content
            .blocks
            .iter()
            .filter(|b| matches!(b, domain::Block::Opaque(_)))
            .count();
        let outcome = self
            .service
            .import(ctx, title.clone(), &file, imported, request)
            .await
            .map_err(|e| write_error(e, false))?;
        Ok(ImportedDocument {
            id: outcome.document_id.to_string(),
            version: outcome.version,
            title,
            blocks,
            opaque_blocks,
            warnings,
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
        let request = request.checked()?;
        let outcome = self
            .service
            .execute(ctx, id, commands, request)
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

/// Maps an import failure to its error: limits are 413, everything else 422.
fn import_error(error: docx_engine::ImportError) -> ApiError {
    match error {
        docx_engine::ImportError::TooLarge { .. } => ApiError::PayloadTooLarge {
            detail: error.to_string(),
        },
        other => ApiError::InvalidFile {
            code: Code::InvalidDocx,
            detail: other.to_string(),
        },
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
        WriteError::Forbidden(detail) => ApiError::Forbidden { detail },
        WriteError::VersionNotFound(version) => crate::read::version_not_found(version),
        WriteError::LabelNotFound(name) => crate::read::label_not_found(&name),
        WriteError::StaleVersion {
            expected,
            current,
            conflicts,
        } => ApiError::StaleVersion {
            expected,
            current_version: current,
            conflicts: conflicts
                .into_iter()
                .map(|c| api_types::Conflict {
                    version: c.version,
                    kind: c.event_type,
                    actor: c.actor,
                    block_ids: c.block_ids.iter().map(ToString::to_string).collect(),
                })
                .collect(),
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
        WriteError::EventTooLarge {
            index,
            event_type,
            bytes,
            limit,
        } => ApiError::EventTooLarge {
            detail: format!(
                "the {event_type} event this request would append takes {bytes} bytes on the event bus; an event may take at most {limit} bytes: split the content over several blocks or commands"
            ),
            command_index: batch.then_some(index),
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
        rebased_from: outcome.rebased_from,
    }
}

#[cfg(test)]
mod tests;
