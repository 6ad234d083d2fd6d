//! Identifier newtypes. Never a bare `String` or `u64` across a crate boundary.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of a document (a UUID chosen by the caller, rendered as a string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct DocumentId(String);

impl DocumentId {
    /// Wraps an id chosen by the caller.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a block inside one document. Stable for the life of the block.
///
/// Ids are derived from the sequence number of the event that created the block
/// (`b7` for the one block created by event 7, `b7_2` for the third of several), so they are
/// unique within a document and deterministic on replay.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct BlockId(String);

impl BlockId {
    /// Wraps an existing id (as received from a client or read from storage).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id of the `n`th block created by the event with sequence `sequence`.
    pub fn minted(sequence: u64, n: usize) -> Self {
        if n == 0 {
            Self(format!("b{sequence}"))
        } else {
            Self(format!("b{sequence}_{n}"))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document version: the sequence number of its last event. Creation is version 1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Version(pub u64);

impl Version {
    /// The version as a number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The version after this one.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
