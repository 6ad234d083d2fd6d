//! Why a command was refused.

use thiserror::Error;

use crate::ids::BlockId;

/// A command that cannot apply. Nothing changes when a command is refused.
///
/// Each variant says how the API reports it (the status in brackets).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    /// The document does not exist (404).
    #[error("document not found")]
    DocumentNotFound,
    /// Creating a document that already exists (409).
    #[error("document already exists")]
    DocumentAlreadyExists,
    /// The document is archived and accepts no more changes (409).
    #[error("document is archived")]
    DocumentArchived,
    /// No block with this id (422).
    #[error("no block with id {block_id}")]
    BlockNotFound {
        /// The id asked for.
        block_id: BlockId,
        /// The field that named it (`block_id`, `position.after`…).
        field: &'static str,
    },
    /// A block index past the end (422).
    #[error("block index {index} is out of range (the document has {len} blocks)")]
    BlockIndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// Number of top-level blocks.
        len: usize,
    },
    /// The block is not of a type the command works on (422).
    #[error("block {block_id} is a {actual}, expected {expected}")]
    WrongBlockType {
        /// The block.
        block_id: BlockId,
        /// What the command needs.
        expected: &'static str,
        /// What the block is.
        actual: &'static str,
    },
    /// A character offset or range outside the text (422).
    #[error("{field} {value} is out of range (the text has {len} characters)")]
    TextRangeOutOfBounds {
        /// The field at fault.
        field: &'static str,
        /// Its value.
        value: usize,
        /// Text length in characters.
        len: usize,
    },
    /// A row, column or item index outside the table or list (422).
    #[error("{field} {value} is out of range (there are {len})")]
    IndexOutOfRange {
        /// `row`, `col` or `item`.
        field: &'static str,
        /// Its value.
        value: usize,
        /// How many there are.
        len: usize,
    },
    /// A field with a value the command cannot use (422).
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field, dotted for nested fields (`runs.2.color`).
        field: String,
        /// Why.
        reason: String,
    },
    /// Only a comment's author (or an admin) may change its text (403).
    #[error("only the author of comment {comment_id} or an admin may edit it")]
    NotCommentAuthor {
        /// The comment.
        comment_id: String,
    },
    /// A suggestion can no longer be accepted as it was made (409).
    #[error("suggestion {suggestion_id} no longer applies: {reason}")]
    SuggestionStale {
        /// The suggestion.
        suggestion_id: String,
        /// Why.
        reason: String,
    },
    /// The command would make the document larger than the configured limit (413).
    #[error("{what} would exceed the limit of {limit}")]
    TooLarge {
        /// What grows too large.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

impl DocumentError {
    /// Shorthand for [`DocumentError::InvalidField`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The request field the error is about, if one is.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::BlockNotFound { field, .. } => Some((*field).to_string()),
            Self::WrongBlockType { .. } => Some("block_id".into()),
            Self::BlockIndexOutOfRange { .. } => Some("block_index".into()),
            Self::TextRangeOutOfBounds { field, .. } | Self::IndexOutOfRange { field, .. } => {
                Some((*field).to_string())
            }
            Self::InvalidField { field, .. } => Some(field.clone()),
            _ => None,
        }
    }
}

/// An event that does not fit the state it is applied to: it names a block, range or index
/// the document does not have. [`crate::Document::decide`] never produces one; a store
/// written by an earlier build may hold one, and replay then skips it (see
/// [`crate::Document::apply`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{event} does not fit the document: {reason}")]
pub struct EventMisfit {
    /// The event type.
    pub event: &'static str,
    /// What did not fit.
    pub reason: &'static str,
}
