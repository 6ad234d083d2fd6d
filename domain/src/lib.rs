//! The pure core of folio: the [`Document`] aggregate.
//!
//! A document is a list of blocks (paragraphs, headings, tables, lists, page breaks), each
//! with a stable [`BlockId`]. Clients send a [`DocumentCommand`]; [`Document::decide`] checks
//! it against the current state and answers with the [`DocumentEvent`]s it produces, or a
//! typed [`DocumentError`]. [`Document::apply`] folds an event into the state. Replaying the
//! events of a document from an empty state always gives the same document.
//!
//! Layout:
//! - [`ids`]: newtypes for document and block ids and versions.
//! - [`model`]: the document model (blocks, runs, formatting).
//! - [`input`]: what commands share below every feature: block references, positions,
//!   runs as clients write them, the limits and the checks features apply.
//! - [`command`]: what clients ask for (each feature's command, in one enum).
//! - [`event`]: what happened, in domain words, with every id it created.
//! - [`error`]: why a command was refused.
//! - [`text`]: run-level text editing (insert, delete, format, search) on character offsets.
//! - [`rebase`]: whether commands decided against an older version may apply to the
//!   current one (they commute with the events since), anchored to block ids.
//! - `features`: one file per feature (paragraph, text editing, table, list, …) with its
//!   commands, its `decide_*` rules and the fold of its events; `decide` dispatches to them.
//!
//! This crate does no IO: no clock, no random ids, no database. Block ids are derived from the
//! sequence number of the event that creates the block, so they are deterministic. Time, the
//! acting user and the document id arrive from the caller (as event metadata, or inside the
//! command).

#![warn(missing_docs)]
// Applying a stored event never panics, and neither does deciding a command: no unwrap,
// expect, panic or unchecked indexing outside the tests (the exceptions say why, where
// they are).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod command;
mod decide;
pub mod error;
pub mod event;
mod features;
pub mod ids;
pub mod input;
pub mod model;
pub mod rebase;
pub mod text;

pub use command::{BlockRef, DocumentCommand, Position};
pub use error::{DocumentError, EventMisfit};
pub use event::DocumentEvent;
pub use features::image::{
    CheckedImage, EMU_PER_MM, EMU_PER_PX, check_image, check_image_bytes, is_media_id, media_id,
};
pub use features::import::{IMPORT_EVENT_BYTES, MAX_IMPORT_BLOCK_BYTES, MAX_IMPORT_WARNINGS};
pub use features::list_numbering::format_number;
pub use features::review::{MAX_COMMENTS, MAX_NOTES, MAX_REPLIES, MAX_REVIEW_TEXT_CHARS};
pub use features::revision::{MAX_LABELS, RevertTarget, VersionRef, labels_by_version};
pub use features::style::{BUILTIN_STYLES, MAX_STYLES};
pub use features::suggestion::{MAX_SUGGESTIONS, SUGGESTIBLE, status_name};
pub use ids::{BlockId, DocumentId, Version};
pub use input::{Limits, MAX_LIST_LEVEL, MAX_TABLE_COLS};
pub use model::{
    Alignment, Block, CellBlock, CellFormatAt, CellRunsAt, CellSpan, Document, DocumentMetadata,
    Field, HeaderFooter, Heading, IMAGE_CHAR, ImageFormat, ImportSource, InlineImage, List,
    ListItem, ListKind, ListNumbering, NumberStyle, OpaqueBlock, OpaqueInline, OpaqueRel,
    Orientation, PageBreak, PageSetup, Paragraph, ParagraphFormat, ResolvedPageSetup, Run,
    RunFormat, Section, SectionBreak, SectionStart, Stats, StyleDef, StyleKind, Table,
    TableOfContents, TocPage, VerticalAlign,
};
pub use model::{
    Anchor, Author, Comment, Mark, NOTE_CHAR, Note, NoteKind, ReviewCounters, Suggestion,
    SuggestionStatus, paragraphs_text,
};
pub use text::text_and_runs;
