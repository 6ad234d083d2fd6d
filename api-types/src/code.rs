//! Every machine-readable error code folio answers with, listed once, with its HTTP status
//! (in the manner of meilisearch's `Code`). A problem's `code` and `type`
//! (`urn:folio:problem:<code>`) and an MCP tool error's `code` come from here; no code
//! string is written at a call site.

use http::StatusCode;

macro_rules! codes {
    ($($variant:ident = $name:literal, $status:ident, $doc:literal;)*) => {
        /// A stable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in the order of this table.
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            /// The wire name (`document_not_found`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The HTTP status this code answers with.
            pub fn status(self) -> StatusCode {
                match self {
                    $(Code::$variant => StatusCode::$status,)*
                }
            }

            /// What the code means (one line, for docs and tool descriptions).
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }

            /// The code with this wire name.
            pub fn parse(name: &str) -> Option<Code> {
                match name {
                    $($name => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    // The request could not be read.
    MalformedJson = "malformed_json", BAD_REQUEST, "The body is not JSON (or names a key twice).";
    UnreadableBody = "unreadable_body", BAD_REQUEST, "The body could not be read.";
    InvalidHeader = "invalid_header", BAD_REQUEST, "A header has a value folio does not accept.";
    RepeatedHeader = "repeated_header", BAD_REQUEST, "A header that must appear once appears more than once.";
    InvalidIfMatch = "invalid_if_match", BAD_REQUEST, "If-Match is not a document version (\"3\" or *).";
    InvalidIdempotencyKey = "invalid_idempotency_key", BAD_REQUEST, "Idempotency-Key is not 1 to 255 visible ASCII characters.";
    InvalidQuery = "invalid_query", BAD_REQUEST, "A query parameter cannot be read.";
    // Valid JSON that is not a valid request.
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "The request is well-formed but a field is invalid; `errors` names it.";
    // Authentication and authorization.
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "No credentials.";
    InvalidToken = "invalid_token", UNAUTHORIZED, "The bearer token is malformed, expired or not signed by folio.";
    AmbiguousCredentials = "ambiguous_credentials", UNAUTHORIZED, "More than one credential (Authorization and X-API-Key, or one header twice).";
    InvalidApiKey = "invalid_api_key", UNAUTHORIZED, "The API key is unknown.";
    RevokedApiKey = "revoked_api_key", UNAUTHORIZED, "The API key was revoked.";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED, "Wrong username or password.";
    Forbidden = "forbidden", FORBIDDEN, "The principal lacks the scope the operation needs.";
    NotCommentAuthor = "not_comment_author", FORBIDDEN, "Only a comment's author (or an admin) may edit it.";
    SuggestionStale = "suggestion_stale", CONFLICT, "The suggestion no longer applies (its text or block is gone, or it no longer fits); the detail says why.";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS, "Too many requests; retry after Retry-After seconds.";
    // Not found.
    DocumentNotFound = "document_not_found", NOT_FOUND, "No such document in the caller's tenant.";
    VersionNotFound = "version_not_found", NOT_FOUND, "The document has no such version.";
    MediaNotFound = "media_not_found", NOT_FOUND, "The document (at the version read) shows no image with that media id.";
    OriginalNotFound = "original_not_found", NOT_FOUND, "The document was not imported from a file, so it has no original.";
    BlockNotFound = "block_not_found", UNPROCESSABLE_ENTITY, "No block with that id (404 when a read names it in the path).";
    ApiKeyNotFound = "api_key_not_found", NOT_FOUND, "No such API key among those the caller manages.";
    UserNotFound = "user_not_found", NOT_FOUND, "No such user in the tenant.";
    RouteNotFound = "route_not_found", NOT_FOUND, "No such route.";
    ResourceNotFound = "resource_not_found", NOT_FOUND, "No such MCP resource (or not in the caller's tenant).";
    ToolNotFound = "tool_not_found", NOT_FOUND, "No such MCP tool.";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "The route exists, not with this method; Allow lists the methods.";
    // Conflicts.
    StaleVersion = "stale_version", CONFLICT, "If-Match named another version; `current_version` is the current one.";
    Contended = "contended", CONFLICT, "Too many concurrent writers on this document; retry.";
    DocumentAlreadyExists = "document_already_exists", CONFLICT, "A document with this id exists.";
    DocumentArchived = "document_archived", CONFLICT, "The document is archived and takes no more commands.";
    UsernameTaken = "username_taken", CONFLICT, "The username exists.";
    // Commands the domain refused.
    BlockIndexOutOfRange = "block_index_out_of_range", UNPROCESSABLE_ENTITY, "A block index past the end of the document.";
    WrongBlockType = "wrong_block_type", UNPROCESSABLE_ENTITY, "The command does not apply to this kind of block.";
    RangeOutOfBounds = "range_out_of_bounds", UNPROCESSABLE_ENTITY, "A character range outside the block's text.";
    IndexOutOfRange = "index_out_of_range", UNPROCESSABLE_ENTITY, "A row, column or item index outside the table or list.";
    InvalidField = "invalid_field", UNPROCESSABLE_ENTITY, "A field breaks a rule of the command; `errors` names it.";
    DocumentTooLarge = "document_too_large", PAYLOAD_TOO_LARGE, "The command would take the document past a size limit.";
    // Sizes and media types.
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "The body is larger than the limit.";
    EventTooLarge = "event_too_large", PAYLOAD_TOO_LARGE, "The request would append an event larger than the event bus carries (`--max-event-bytes`, and NATS's max_payload); nothing was appended: split the content over several commands.";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "The body is not of the media type the route takes (application/json; a Word document for an import).";
    InvalidDocx = "invalid_docx", UNPROCESSABLE_ENTITY, "The uploaded file is not a Word document folio can read; the detail says what it is or what is wrong with it.";
    // Server side.
    PdfUnavailable = "pdf_unavailable", SERVICE_UNAVAILABLE, "A PDF could not be made: LibreOffice is not installed, or the conversion failed or ran past --pdf-timeout-secs; the detail says which.";
    NotReady = "not_ready", SERVICE_UNAVAILABLE, "The read model has not reached min_version yet; retry after Retry-After seconds.";
    ProjectionFailed = "projection_failed", INTERNAL_SERVER_ERROR, "This document's read model stopped at an event that could not be projected.";
    Internal = "internal", INTERNAL_SERVER_ERROR, "An internal error; the details are in the server log.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&domain::DocumentError> for Code {
    fn from(error: &domain::DocumentError) -> Self {
        use domain::DocumentError as E;
        match error {
            E::DocumentNotFound => Code::DocumentNotFound,
            E::DocumentAlreadyExists => Code::DocumentAlreadyExists,
            E::DocumentArchived => Code::DocumentArchived,
            E::BlockNotFound { .. } => Code::BlockNotFound,
            E::BlockIndexOutOfRange { .. } => Code::BlockIndexOutOfRange,
            E::WrongBlockType { .. } => Code::WrongBlockType,
            E::TextRangeOutOfBounds { .. } => Code::RangeOutOfBounds,
            E::IndexOutOfRange { .. } => Code::IndexOutOfRange,
            E::InvalidField { .. } => Code::InvalidField,
            E::TooLarge { .. } => Code::DocumentTooLarge,
            E::NotCommentAuthor { .. } => Code::NotCommentAuthor,
            E::SuggestionStale { .. } => Code::SuggestionStale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(Code::parse(code.as_str()), Some(*code));
        }
    }
}
