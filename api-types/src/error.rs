//! RFC 9457 problem details and the mapping from errors to HTTP statuses.

use domain::DocumentError;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::code::Code;

/// A problem+json body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem: `urn:folio:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Stable machine-readable code (the last part of `type`).
    pub code: String,
    /// Fields at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The document's current version, on 409 conflicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    /// For a refused command of a batch: its 0-based index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_index: Option<usize>,
    /// On a stale `If-Match` that could not be rebased: the events since that version
    /// that overlap the request (re-read those blocks, then send it again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// An event since the version a request was based on that overlaps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conflict {
    /// Its version (sequence number).
    pub version: u64,
    /// Its type (`ParagraphUpdated`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Who made it.
    pub actor: String,
    /// The blocks it and the request both touch (empty when they overlap in positions or
    /// the whole document).
    pub block_ids: Vec<String>,
}

/// One field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Dotted path of the field (`commands.2.block_id`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every error an API answers with. One `match` decides the status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read at all (malformed JSON, bad header).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: Code,
        /// Detail.
        detail: String,
    },
    /// 422: well-formed JSON that is not a valid request, naming the fields.
    #[error("{detail}")]
    Validation {
        /// Detail.
        detail: String,
        /// Fields at fault.
        errors: Vec<FieldError>,
        /// Index of the command in a batch.
        command_index: Option<usize>,
    },
    /// A command the domain refused.
    #[error("{error}")]
    Domain {
        /// The domain's reason.
        error: DocumentError,
        /// Index of the command in a batch.
        command_index: Option<usize>,
    },
    /// 404.
    #[error("{detail}")]
    NotFound {
        /// Stable code.
        code: Code,
        /// Detail.
        detail: String,
    },
    /// 409: the version named in If-Match is not the current one (and the request was not
    /// rebased onto it: `strict`, or the changes since overlap it).
    #[error("{}", stale_detail(*expected, *current_version, conflicts))]
    StaleVersion {
        /// The version the client named.
        expected: u64,
        /// The current version.
        current_version: u64,
        /// The events since that overlap the request (empty with `strict`).
        conflicts: Vec<Conflict>,
    },
    /// 409: any other conflict.
    #[error("{detail}")]
    Conflict {
        /// Stable code.
        code: Code,
        /// Detail.
        detail: String,
    },
    /// 401 with `WWW-Authenticate`: no credentials, or credentials that do not verify.
    /// The detail never repeats what the client sent.
    #[error("{detail}")]
    Unauthorized {
        /// Stable code.
        code: Code,
        /// Detail.
        detail: String,
    },
    /// 403: a known principal without the scope the request needs.
    #[error("{detail}")]
    Forbidden {
        /// Detail.
        detail: String,
    },
    /// 429 with `Retry-After`.
    #[error("{detail}")]
    TooManyRequests {
        /// Detail.
        detail: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 405 with `Allow`: the route exists, not with this method.
    #[error("this route does not answer {method}; it answers {allow}")]
    MethodNotAllowed {
        /// The method asked for.
        method: String,
        /// The methods the route answers, comma-separated.
        allow: String,
    },
    /// 422: a file that cannot be read as what the route takes (an import).
    #[error("{detail}")]
    InvalidFile {
        /// Stable code.
        code: Code,
        /// What the file is, or what is wrong with it.
        detail: String,
    },
    /// 413.
    #[error("{detail}")]
    PayloadTooLarge {
        /// Detail.
        detail: String,
    },
    /// 413: an event the request would append is larger than the event bus carries.
    #[error("{detail}")]
    EventTooLarge {
        /// Detail (the event's size and the limit).
        detail: String,
        /// Index of the command in a batch.
        command_index: Option<usize>,
    },
    /// 415.
    #[error("{detail}")]
    UnsupportedMediaType {
        /// Detail.
        detail: String,
    },
    /// 503: a service folio relies on for this answer is missing or failed.
    #[error("{detail}")]
    Unavailable {
        /// Stable code.
        code: Code,
        /// What is missing, and how to fix it.
        detail: String,
    },
    /// 503 with Retry-After: the read model did not catch up in time.
    #[error("{detail}")]
    NotReady {
        /// Detail.
        detail: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 500 with its own code: this document's read model stopped at an event that could
    /// not be projected (every other document is unaffected; past versions before that
    /// event stay readable with `?version=`).
    #[error("{detail}")]
    ProjectionFailed {
        /// Detail (which event, and why).
        detail: String,
    },
    /// 500: the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// An internal error from any error: the cause chain is logged once, here.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = error.to_string();
        let mut source = error.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error.cause_chain = %chain, "internal error");
        Self::Internal(chain)
    }

    /// A 422 naming one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            detail: message.clone(),
            errors: vec![FieldError {
                field: field.into(),
                message,
            }],
            command_index: None,
        }
    }

    /// A 404 for a document.
    pub fn document_not_found() -> Self {
        Self::NotFound {
            code: Code::DocumentNotFound,
            detail: "no such document".into(),
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> Code {
        match self {
            Self::BadRequest { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unauthorized { code, .. } => *code,
            Self::Forbidden { .. } => Code::Forbidden,
            Self::TooManyRequests { .. } => Code::RateLimited,
            Self::Validation { .. } => Code::ValidationFailed,
            Self::Domain { error, .. } => Code::from(error),
            Self::StaleVersion { .. } => Code::StaleVersion,
            Self::MethodNotAllowed { .. } => Code::MethodNotAllowed,
            Self::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            Self::EventTooLarge { .. } => Code::EventTooLarge,
            Self::InvalidFile { code, .. } => *code,
            Self::UnsupportedMediaType { .. } => Code::UnsupportedMediaType,
            Self::NotReady { .. } => Code::NotReady,
            Self::Unavailable { code, .. } => *code,
            Self::ProjectionFailed { .. } => Code::ProjectionFailed,
            Self::Internal(_) => Code::Internal,
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> ProblemDetails {
        let status = self.status();
        let code = self.code().as_str();
        let detail = match self {
            Self::Internal(_) => "an internal error occurred".to_string(),
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation { errors, .. } => errors.clone(),
            Self::Domain { error, .. } => error
                .field()
                .map(|field| {
                    vec![FieldError {
                        field,
                        message: error.to_string(),
                    }]
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let command_index = match self {
            Self::Validation { command_index, .. }
            | Self::Domain { command_index, .. }
            | Self::EventTooLarge { command_index, .. } => *command_index,
            _ => None,
        };
        let errors = errors
            .into_iter()
            .map(|e| FieldError {
                field: printable(&e.field),
                message: printable(&e.message),
            })
            .collect();
        ProblemDetails {
            kind: format!("urn:folio:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: printable(&detail),
            code: code.to_string(),
            errors,
            current_version: match self {
                Self::StaleVersion {
                    current_version, ..
                } => Some(*current_version),
                _ => None,
            },
            command_index,
            conflicts: match self {
                Self::StaleVersion { conflicts, .. } => conflicts.clone(),
                _ => Vec::new(),
            },
        }
    }
}

/// What a stale-version refusal says.
fn stale_detail(expected: u64, current: u64, conflicts: &[Conflict]) -> String {
    if conflicts.is_empty() {
        format!("the document is at version {current}, not {expected}")
    } else {
        format!(
            "the document is at version {current}, not {expected}, and {} change(s) since overlap this request (see conflicts): re-read those blocks and send it again",
            conflicts.len()
        )
    }
}

/// Whether `c` would reorder or hide text around it when shown: the Unicode
/// bidirectional controls.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text a problem may show: control and bidirectional-control characters that a client
/// sent (and an error message repeats) are written as `\u{…}` escapes, never raw.
fn printable(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The HTTP status of a domain error.
fn domain_status(error: &DocumentError) -> StatusCode {
    match error {
        DocumentError::DocumentNotFound => StatusCode::NOT_FOUND,
        DocumentError::DocumentAlreadyExists | DocumentError::DocumentArchived => {
            StatusCode::CONFLICT
        }
        DocumentError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        DocumentError::NotCommentAuthor { .. } => StatusCode::FORBIDDEN,
        DocumentError::SuggestionStale { .. } => StatusCode::CONFLICT,
        DocumentError::BlockNotFound { .. }
        | DocumentError::BlockIndexOutOfRange { .. }
        | DocumentError::WrongBlockType { .. }
        | DocumentError::TextRangeOutOfBounds { .. }
        | DocumentError::IndexOutOfRange { .. }
        | DocumentError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl ApiError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Domain { error, .. } => domain_status(error),
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::StaleVersion { .. } | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } | Self::EventTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::InvalidFile { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotReady { .. } | Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::ProjectionFailed { .. } | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The headers a response of this error carries besides its content type:
    /// `Retry-After`, `Allow`, `WWW-Authenticate`, and the current version's `ETag` on a
    /// stale-version refusal.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Self::NotReady { retry_after, .. } | Self::TooManyRequests { retry_after, .. } = self
        {
            headers.push(("retry-after", retry_after.to_string()));
        }
        if let Self::MethodNotAllowed { allow, .. } = self {
            headers.push(("allow", allow.clone()));
        }
        if let Self::Unauthorized { .. } = self {
            headers.push((
                "www-authenticate",
                "Bearer realm=\"folio\", ApiKey header=\"X-API-Key\"".to_string(),
            ));
        }
        if let Self::StaleVersion {
            current_version, ..
        } = self
        {
            headers.push(("etag", format!("\"{current_version}\"")));
        }
        headers
    }
}

/// The error as an actix response: problem+json with its status and headers.
#[cfg(feature = "actix")]
impl actix_web::ResponseError for ApiError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::from_u16(self.status().as_u16())
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
        let mut response = actix_web::HttpResponse::build(self.status_code());
        response.insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        for (name, value) in self.headers() {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.insert_header((HeaderName::from_static(name), value));
            }
        }
        response.json(self.problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 9: a problem's detail echoed raw control and bidi characters.
    #[test]
    fn problems_never_show_raw_control_or_bidi_characters() {
        let error = ApiError::invalid("runs.0.font\u{202E}", "unknown \u{1}font \u{2066}x\n");
        let problem = error.problem();
        let shown = format!("{} {}", problem.detail, problem.errors[0].field);
        assert!(
            !shown.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{shown}"
        );
        assert!(problem.detail.contains("\\u{1}font"), "{}", problem.detail);
        assert_eq!(printable("plain é"), "plain é");
    }
}
