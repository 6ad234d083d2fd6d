//! Events: facts about a document, in domain words.
//!
//! Every event carries the ids it created and positions already resolved (an index, never
//! "after block X"), so replaying events never has to decide anything again.
//!
//! Over 800 lines on purpose: the one `DocumentEvent` enum (the stored wire format, one
//! variant per fact) and the exhaustive matches over it (`name`, `placement`,
//! `created_block_ids`, `touched_block_ids`) sit together, so adding an event is one
//! place the compiler walks you through.

use serde::{Deserialize, Serialize};

use crate::ids::{BlockId, DocumentId};
pub use crate::model::Within;
use crate::model::{
    Alignment, Author, Comment, DocumentMetadata, ListItem, ListKind, Note, NoteKind,
    ParagraphFormat, Run,
};
use crate::text::FormatPatch;

/// The version of the event schema written today. Older stored versions are upcast on read.
pub const EVENT_VERSION: &str = "1.0";

/// Everything that can happen to a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "PascalCase")]
pub enum DocumentEvent {
    /// The document was created.
    DocumentCreated {
        /// Its id.
        document_id: DocumentId,
        /// Its title.
        title: String,
    },
    /// The document was created from an imported Word file; its blocks follow in
    /// `BlocksImported` events.
    DocumentImported {
        /// Its id.
        document_id: DocumentId,
        /// Its title.
        title: String,
        /// The uploaded file (stored once, by its hash).
        source: crate::model::ImportSource,
        /// Core properties other than the title.
        metadata: Box<DocumentMetadata>,
        /// The first section's page setup, headers and footers.
        section: Box<crate::model::Section>,
        /// The file's styles.
        styles: Vec<crate::model::StyleDef>,
        /// What the import kept opaque or changed.
        warnings: Vec<crate::model::ImportWarning>,
    },
    /// Blocks of an imported file, appended in reading order (ids minted from this
    /// event's sequence).
    BlocksImported {
        /// The blocks.
        blocks: Vec<crate::model::Block>,
    },
    /// The document was archived.
    DocumentArchived {},
    /// The title changed.
    TitleSet {
        /// New title.
        title: String,
    },
    /// Core properties changed; this is the complete new set.
    MetadataSet {
        /// All core properties after the change.
        metadata: DocumentMetadata,
    },
    /// A paragraph was added.
    ParagraphAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Its runs.
        runs: Vec<Run>,
        /// Its style.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
        /// Its alignment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<Alignment>,
    },
    /// A heading was added.
    HeadingAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Level 1-9.
        level: u8,
        /// Its runs.
        runs: Vec<Run>,
    },
    /// A paragraph's or heading's content was replaced.
    ParagraphUpdated {
        /// The block.
        block_id: BlockId,
        /// Its new runs.
        runs: Vec<Run>,
    },
    /// Text was inserted.
    TextInserted {
        /// The block.
        block_id: BlockId,
        /// Character offset.
        offset: usize,
        /// Inserted text.
        text: String,
    },
    /// Text was deleted.
    TextDeleted {
        /// The block.
        block_id: BlockId,
        /// Character offset.
        offset: usize,
        /// Number of characters.
        length: usize,
    },
    /// A block was deleted.
    BlockDeleted {
        /// The block.
        block_id: BlockId,
    },
    /// A block was moved.
    BlockMoved {
        /// The block.
        block_id: BlockId,
        /// Its index after the move.
        to_index: usize,
    },
    /// Occurrences of a text were replaced.
    TextReplaced {
        /// What was searched for.
        find: String,
        /// The replacement.
        replace: String,
        /// Each replaced occurrence, in document order.
        occurrences: Vec<Occurrence>,
    },
    /// A character range was formatted.
    TextFormatted {
        /// The block.
        block_id: BlockId,
        /// First character.
        start: usize,
        /// End (exclusive).
        end: usize,
        /// What changed.
        format: FormatPatch,
    },
    /// Alignment was set.
    AlignmentSet {
        /// The block.
        block_id: BlockId,
        /// New alignment.
        alignment: Alignment,
    },
    /// A paragraph's or heading's spacing, indents and pagination were set (the whole
    /// resulting format).
    ParagraphFormatSet {
        /// The block.
        block_id: BlockId,
        /// Its format now.
        format: ParagraphFormat,
    },
    /// Text was inserted as a hyperlink (it takes the rest of its formatting from the text
    /// before it).
    HyperlinkInserted {
        /// The block.
        block_id: BlockId,
        /// Character offset.
        offset: usize,
        /// The link's text.
        text: String,
        /// `http`/`https`/`mailto` URL, or `#bookmark`.
        target: String,
    },
    /// Characters `start..end` became a link to `target`, or stopped being a link (`None`).
    HyperlinkSet {
        /// The block.
        block_id: BlockId,
        /// First character.
        start: usize,
        /// End (exclusive).
        end: usize,
        /// `http`/`https`/`mailto` URL, `#bookmark`, or none.
        target: Option<String>,
    },
    /// A bookmark now spans the paragraph or heading.
    BookmarkAdded {
        /// The block.
        block_id: BlockId,
        /// Its name.
        name: String,
        /// The characters `start..end` it names; absent: the whole block.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<(usize, usize)>,
    },
    /// A bookmark was removed.
    BookmarkRemoved {
        /// The block that held it.
        block_id: BlockId,
        /// Its name.
        name: String,
    },
    /// A section's page setup was set (every field, resolved).
    PageSetupSet {
        /// Section index.
        section: usize,
        /// The page setup now.
        page: crate::model::PageSetup,
    },
    /// A section's header was set, or removed (`runs` absent).
    HeaderSet {
        /// Section index.
        section: usize,
        /// Which pages.
        kind: crate::model::HeaderKind,
        /// Its content.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// A section's footer was set, or removed (`runs` absent).
    FooterSet {
        /// Section index.
        section: usize,
        /// Which pages.
        kind: crate::model::HeaderKind,
        /// Its content.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// A table of contents was added.
    TableOfContentsAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Deepest heading level listed.
        max_level: u8,
        /// Its title, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// A style of the document's own was created.
    StyleCreated {
        /// The style.
        style: crate::model::StyleDef,
    },
    /// A style of the document's own was changed (the whole resulting style).
    StyleUpdated {
        /// The style now.
        style: crate::model::StyleDef,
    },
    /// A style of the document's own was deleted.
    StyleDeleted {
        /// Its id.
        style_id: String,
    },
    /// A paragraph's style was set.
    ParagraphStyleSet {
        /// The block.
        block_id: BlockId,
        /// The paragraph style id.
        style: Option<String>,
    },
    /// A table's style was set.
    TableStyleSet {
        /// The block.
        block_id: BlockId,
        /// The table style id.
        style: Option<String>,
    },
    /// Characters `start..end` got a character style.
    CharacterStyleSet {
        /// The block.
        block_id: BlockId,
        /// First character.
        start: usize,
        /// End (exclusive).
        end: usize,
        /// The character style id.
        style: Option<String>,
    },
    /// A list's numbering was set (the whole resulting numbering).
    ListNumberingSet {
        /// The list.
        block_id: BlockId,
        /// Its numbering now.
        numbering: crate::model::ListNumbering,
    },
    /// Table cells were merged.
    TableCellsMerged {
        /// The table.
        block_id: BlockId,
        /// The merged rectangle.
        span: crate::model::CellSpan,
    },
    /// The merge starting at `row`, `col` was undone.
    TableCellsSplit {
        /// The table.
        block_id: BlockId,
        /// The merge's top row.
        row: usize,
        /// The merge's left column.
        col: usize,
    },
    /// A table's column widths were set (or cleared).
    TableColumnWidthsSet {
        /// The table.
        block_id: BlockId,
        /// Widths in millimetres, one per column.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        widths_mm: Option<Vec<f32>>,
    },
    /// Table cells got a shading and/or vertical alignment (`auto` shading: none).
    TableCellsFormatted {
        /// The table.
        block_id: BlockId,
        /// The cells.
        span: crate::model::CellSpan,
        /// Six hex digits, or `auto`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shading: Option<String>,
        /// Vertical alignment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vertical_align: Option<crate::model::VerticalAlign>,
    },
    /// An image was put inside a paragraph or heading (an image in a paragraph of its own
    /// arrives as a `ParagraphAdded` holding it).
    ImageInserted {
        /// The block: a paragraph or heading, table, list, or for a header or footer the
        /// section break starting its section (none: section 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block_id: Option<BlockId>,
        /// Where in the block: its text (absent), a table cell or a list item.
        #[serde(default, skip_serializing_if = "Within::is_text")]
        within: Within,
        /// Character offset of the image.
        offset: usize,
        /// The image.
        image: crate::model::InlineImage,
    },
    /// An image's shown size changed.
    ImageResized {
        /// The block: a paragraph or heading, table, list, or for a header or footer the
        /// section break starting its section (none: section 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block_id: Option<BlockId>,
        /// Where in the block: its text (absent), a table cell or a list item.
        #[serde(default, skip_serializing_if = "Within::is_text")]
        within: Within,
        /// Character offset of the image.
        offset: usize,
        /// Shown width, in EMU.
        width_emu: u32,
        /// Shown height, in EMU.
        height_emu: u32,
    },
    /// An image's alternative text changed.
    ImageAltTextSet {
        /// The block: a paragraph or heading, table, list, or for a header or footer the
        /// section break starting its section (none: section 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block_id: Option<BlockId>,
        /// Where in the block: its text (absent), a table cell or a list item.
        #[serde(default, skip_serializing_if = "Within::is_text")]
        within: Within,
        /// Character offset of the image.
        offset: usize,
        /// The new alternative text (empty: none).
        alt_text: String,
    },
    /// A later section's own header was set, or removed (`runs` absent): on the section
    /// break that starts it (section 0's are `HeaderSet`).
    SectionHeaderSet {
        /// The section break.
        block_id: BlockId,
        /// Which pages.
        kind: crate::model::HeaderKind,
        /// Its content.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// A later section's own footer was set, or removed (`runs` absent).
    SectionFooterSet {
        /// The section break.
        block_id: BlockId,
        /// Which pages.
        kind: crate::model::HeaderKind,
        /// Its content.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// The page setup of the section a section break starts was set (the whole setup).
    SectionPageSet {
        /// The section break.
        block_id: BlockId,
        /// The page setup now.
        page: crate::model::PageSetup,
    },
    /// A section break was added.
    SectionBreakAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Where the new section starts.
        kind: crate::model::SectionStart,
        /// The new section's page setup.
        page: crate::model::PageSetup,
    },
    /// A table was added.
    TableAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Cell texts.
        rows: Vec<Vec<String>>,
        /// Header row.
        header_row: bool,
        /// Style.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
    },
    /// A cell's text was set.
    TableCellSet {
        /// The table.
        block_id: BlockId,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// New text.
        text: String,
        /// Formatted runs, when the cell has formatting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// A cell's content was set to several blocks.
    TableCellBlocksSet {
        /// The table.
        block_id: BlockId,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The blocks.
        blocks: Vec<crate::model::CellBlock>,
    },
    /// A row was inserted.
    TableRowAdded {
        /// The table.
        block_id: BlockId,
        /// Index of the new row.
        row: usize,
        /// Its cells (exactly as many as the table has columns).
        cells: Vec<String>,
    },
    /// A column was inserted.
    TableColumnAdded {
        /// The table.
        block_id: BlockId,
        /// Index of the new column.
        col: usize,
        /// Its cells, top to bottom (exactly as many as the table has rows).
        cells: Vec<String>,
    },
    /// A row was deleted.
    TableRowDeleted {
        /// The table.
        block_id: BlockId,
        /// Row index.
        row: usize,
    },
    /// A column was deleted.
    TableColumnDeleted {
        /// The table.
        block_id: BlockId,
        /// Column index.
        col: usize,
    },
    /// A list was added.
    ListAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
        /// Bullet or numbered.
        kind: ListKind,
        /// Items.
        items: Vec<ListItem>,
    },
    /// A list item was inserted.
    ListItemAdded {
        /// The list.
        block_id: BlockId,
        /// Index of the new item.
        item: usize,
        /// Text.
        text: String,
        /// Level.
        level: u8,
        /// Formatted runs, when the item has formatting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<Run>>,
    },
    /// A list item's level changed.
    ListItemLevelSet {
        /// The list.
        block_id: BlockId,
        /// Item.
        item: usize,
        /// New level.
        level: u8,
    },
    /// A page break was added.
    PageBreakAdded {
        /// New block id.
        block_id: BlockId,
        /// Index it was inserted at.
        index: usize,
    },
    /// A version was given a name.
    VersionLabeled {
        /// The version named.
        version: u64,
        /// Its label.
        name: String,
    },
    /// Blocks were given back their content at `version` (a revert, in events of bounded
    /// size; a `DocumentReverted` ends it).
    BlocksReverted {
        /// The version reverted to.
        version: u64,
        /// Blocks the document has, replaced in place by their content then.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        changed: Vec<crate::model::Block>,
        /// Blocks it had then and no longer has, appended (ordered by `DocumentReverted`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        restored: Vec<crate::model::Block>,
    },
    /// The document was reverted to the content of `version`: the blocks it did not have
    /// then removed, the blocks put in their order then, and the title, properties,
    /// section and styles it had then (each only when it differed).
    DocumentReverted {
        /// The version reverted to.
        version: u64,
        /// Blocks removed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<BlockId>,
        /// Every block's id in its order then (absent: the order is already right).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<Vec<BlockId>>,
        /// The title then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// The core properties then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<Box<DocumentMetadata>>,
        /// The first section then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        section: Option<Box<crate::model::Section>>,
        /// The styles then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        styles: Option<Vec<crate::model::StyleDef>>,
        /// The comments then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comments: Option<Vec<Comment>>,
        /// The footnotes and endnotes then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<Vec<Note>>,
    },
    /// An imported file's comments and notes (after its blocks, which carry their marks).
    ReviewImported {
        /// Comments, roots before their replies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        comments: Vec<Comment>,
        /// Footnotes and endnotes.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notes: Vec<Note>,
        /// The file's tracked changes, as open suggestions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        suggestions: Vec<crate::model::Suggestion>,
    },
    /// A change was proposed, not made: the command (its blocks named by id) and the
    /// ranges of text it is about (anchored on the runs from now on).
    SuggestionMade {
        /// Its id.
        suggestion_id: String,
        /// The command proposed (`insert_text`…).
        kind: String,
        /// Who.
        author: Author,
        /// When (RFC 3339, UTC).
        date: String,
        /// Why, as the request said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The command.
        command: serde_json::Value,
        /// The ranges of paragraphs' text it is about: block, start, end.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ranges: Vec<(BlockId, usize, usize)>,
    },
    /// A suggestion was accepted (its change's events come just before this one).
    SuggestionAccepted {
        /// The suggestion.
        suggestion_id: String,
        /// Who decided.
        by: Author,
        /// The blocks its anchor was in.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        blocks: Vec<BlockId>,
    },
    /// A suggestion was rejected: nothing changed.
    SuggestionRejected {
        /// The suggestion.
        suggestion_id: String,
        /// Who decided.
        by: Author,
        /// The blocks its anchor was in.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        blocks: Vec<BlockId>,
    },
    /// A comment was made on a range of a paragraph's text (or a point in it).
    CommentAdded {
        /// Its id.
        comment_id: String,
        /// The paragraph or heading.
        block_id: BlockId,
        /// First character of the range.
        start: usize,
        /// The character after the range (`start` for a point).
        end: usize,
        /// Who.
        author: Author,
        /// When (RFC 3339, UTC).
        date: String,
        /// Its text.
        paragraphs: Vec<Vec<Run>>,
    },
    /// A comment was answered.
    CommentReplied {
        /// The reply's id.
        comment_id: String,
        /// The thread's root.
        parent_id: String,
        /// Who.
        author: Author,
        /// When (RFC 3339, UTC).
        date: String,
        /// Its text.
        paragraphs: Vec<Vec<Run>>,
    },
    /// A comment's text changed.
    CommentEdited {
        /// The comment (root or reply).
        comment_id: String,
        /// Its new text.
        paragraphs: Vec<Vec<Run>>,
    },
    /// A thread was resolved, or reopened.
    CommentResolved {
        /// The thread's root.
        comment_id: String,
        /// Resolved (true) or open again (false).
        resolved: bool,
    },
    /// A comment was deleted (a root with its replies and its anchor).
    CommentDeleted {
        /// The comment.
        comment_id: String,
        /// The block its anchor was in (a root's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block_id: Option<BlockId>,
    },
    /// A footnote or endnote was added, its reference mark inserted in the text.
    NoteAdded {
        /// Its id.
        note_id: String,
        /// Footnote or endnote.
        kind: NoteKind,
        /// The paragraph or heading holding the reference.
        block_id: BlockId,
        /// The reference's character offset.
        offset: usize,
        /// Its text.
        paragraphs: Vec<Vec<Run>>,
    },
    /// A note's text changed.
    NoteEdited {
        /// The note.
        note_id: String,
        /// Its new text.
        paragraphs: Vec<Vec<Run>>,
    },
    /// A note was deleted with its reference mark.
    NoteDeleted {
        /// The note.
        note_id: String,
        /// The block its reference was in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        block_id: Option<BlockId>,
    },
    /// Not a fact: a stored event this build cannot read (a payload that does not decode,
    /// or a schema version without an upcaster). Only the store adapter makes it, so that
    /// one bad row harms only its own document: it applies to nothing, loading the
    /// document for a write refuses it, and projectors mark the document failed.
    Unreadable {
        /// The stored event type.
        event_type: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// A change in the order of top-level blocks (see [`DocumentEvent::placement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement<'a> {
    /// No block is added, removed or moved.
    None,
    /// A new block at `index`.
    Insert {
        /// The new block.
        block_id: &'a BlockId,
        /// Its index.
        index: usize,
    },
    /// A block is removed.
    Remove {
        /// The block.
        block_id: &'a BlockId,
    },
    /// A block moves to `to_index` (counted after its removal).
    Move {
        /// The block.
        block_id: &'a BlockId,
        /// Its new index.
        to_index: usize,
    },
    /// New blocks at the end (those of [`DocumentEvent::created_block_ids`]).
    Append,
    /// Any block may change, go, come back or move (a revert): every row is rewritten.
    Reset,
}

/// Where a replaced occurrence was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The block.
    pub block_id: BlockId,
    /// Inside the block: its text, a table cell, or a list item.
    pub within: Within,
    /// Character offset of the match in that text, before any replacement.
    pub offset: usize,
    /// Length of the match in characters.
    pub length: usize,
}

impl DocumentEvent {
    /// The event type name as stored (`ParagraphAdded`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::DocumentCreated { .. } => "DocumentCreated",
            Self::DocumentImported { .. } => "DocumentImported",
            Self::BlocksImported { .. } => "BlocksImported",
            Self::DocumentArchived { .. } => "DocumentArchived",
            Self::TitleSet { .. } => "TitleSet",
            Self::MetadataSet { .. } => "MetadataSet",
            Self::ParagraphAdded { .. } => "ParagraphAdded",
            Self::HeadingAdded { .. } => "HeadingAdded",
            Self::ParagraphUpdated { .. } => "ParagraphUpdated",
            Self::TextInserted { .. } => "TextInserted",
            Self::TextDeleted { .. } => "TextDeleted",
            Self::BlockDeleted { .. } => "BlockDeleted",
            Self::BlockMoved { .. } => "BlockMoved",
            Self::TextReplaced { .. } => "TextReplaced",
            Self::TextFormatted { .. } => "TextFormatted",
            Self::AlignmentSet { .. } => "AlignmentSet",
            Self::ParagraphFormatSet { .. } => "ParagraphFormatSet",
            Self::HyperlinkInserted { .. } => "HyperlinkInserted",
            Self::PageSetupSet { .. } => "PageSetupSet",
            Self::TableOfContentsAdded { .. } => "TableOfContentsAdded",
            Self::SectionBreakAdded { .. } => "SectionBreakAdded",
            Self::SectionPageSet { .. } => "SectionPageSet",
            Self::SectionHeaderSet { .. } => "SectionHeaderSet",
            Self::SectionFooterSet { .. } => "SectionFooterSet",
            Self::ImageInserted { .. } => "ImageInserted",
            Self::ImageResized { .. } => "ImageResized",
            Self::ImageAltTextSet { .. } => "ImageAltTextSet",
            Self::StyleCreated { .. } => "StyleCreated",
            Self::ListNumberingSet { .. } => "ListNumberingSet",
            Self::TableCellsMerged { .. } => "TableCellsMerged",
            Self::TableCellsSplit { .. } => "TableCellsSplit",
            Self::TableColumnWidthsSet { .. } => "TableColumnWidthsSet",
            Self::TableCellsFormatted { .. } => "TableCellsFormatted",
            Self::StyleUpdated { .. } => "StyleUpdated",
            Self::StyleDeleted { .. } => "StyleDeleted",
            Self::ParagraphStyleSet { .. } => "ParagraphStyleSet",
            Self::TableStyleSet { .. } => "TableStyleSet",
            Self::CharacterStyleSet { .. } => "CharacterStyleSet",
            Self::HeaderSet { .. } => "HeaderSet",
            Self::FooterSet { .. } => "FooterSet",
            Self::HyperlinkSet { .. } => "HyperlinkSet",
            Self::BookmarkAdded { .. } => "BookmarkAdded",
            Self::BookmarkRemoved { .. } => "BookmarkRemoved",
            Self::TableAdded { .. } => "TableAdded",
            Self::TableCellSet { .. } => "TableCellSet",
            Self::TableCellBlocksSet { .. } => "TableCellBlocksSet",
            Self::TableRowAdded { .. } => "TableRowAdded",
            Self::TableColumnAdded { .. } => "TableColumnAdded",
            Self::TableRowDeleted { .. } => "TableRowDeleted",
            Self::TableColumnDeleted { .. } => "TableColumnDeleted",
            Self::ListAdded { .. } => "ListAdded",
            Self::ListItemAdded { .. } => "ListItemAdded",
            Self::ListItemLevelSet { .. } => "ListItemLevelSet",
            Self::PageBreakAdded { .. } => "PageBreakAdded",
            Self::VersionLabeled { .. } => "VersionLabeled",
            Self::BlocksReverted { .. } => "BlocksReverted",
            Self::DocumentReverted { .. } => "DocumentReverted",
            Self::ReviewImported { .. } => "ReviewImported",
            Self::SuggestionMade { .. } => "SuggestionMade",
            Self::SuggestionAccepted { .. } => "SuggestionAccepted",
            Self::SuggestionRejected { .. } => "SuggestionRejected",
            Self::CommentAdded { .. } => "CommentAdded",
            Self::CommentReplied { .. } => "CommentReplied",
            Self::CommentEdited { .. } => "CommentEdited",
            Self::CommentResolved { .. } => "CommentResolved",
            Self::CommentDeleted { .. } => "CommentDeleted",
            Self::NoteAdded { .. } => "NoteAdded",
            Self::NoteEdited { .. } => "NoteEdited",
            Self::NoteDeleted { .. } => "NoteDeleted",
            Self::Unreadable { .. } => "Unreadable",
        }
    }

    /// How the event changes the order of top-level blocks, if it does. Positions are as
    /// [`crate::Document::apply`] uses them (an insertion index past the end means the end).
    pub fn placement(&self) -> Placement<'_> {
        match self {
            Self::ParagraphAdded {
                block_id, index, ..
            }
            | Self::HeadingAdded {
                block_id, index, ..
            }
            | Self::TableAdded {
                block_id, index, ..
            }
            | Self::ListAdded {
                block_id, index, ..
            }
            | Self::TableOfContentsAdded {
                block_id, index, ..
            }
            | Self::SectionBreakAdded {
                block_id, index, ..
            }
            | Self::PageBreakAdded { block_id, index } => Placement::Insert {
                block_id,
                index: *index,
            },
            Self::BlocksImported { .. } => Placement::Append,
            Self::BlocksReverted { .. } | Self::DocumentReverted { .. } => Placement::Reset,
            Self::BlockDeleted { block_id } => Placement::Remove { block_id },
            Self::BlockMoved { block_id, to_index } => Placement::Move {
                block_id,
                to_index: *to_index,
            },
            // Listed one by one (no `_`): a new event that adds or removes blocks must
            // not be mistaken for one that does not.
            Self::DocumentCreated { .. }
            | Self::DocumentImported { .. }
            | Self::DocumentArchived {}
            | Self::TitleSet { .. }
            | Self::MetadataSet { .. }
            | Self::ParagraphUpdated { .. }
            | Self::TextInserted { .. }
            | Self::TextDeleted { .. }
            | Self::TextReplaced { .. }
            | Self::TextFormatted { .. }
            | Self::AlignmentSet { .. }
            | Self::ParagraphFormatSet { .. }
            | Self::HyperlinkInserted { .. }
            | Self::PageSetupSet { .. }
            | Self::HeaderSet { .. }
            | Self::FooterSet { .. }
            | Self::StyleCreated { .. }
            | Self::StyleUpdated { .. }
            | Self::StyleDeleted { .. }
            | Self::ParagraphStyleSet { .. }
            | Self::TableStyleSet { .. }
            | Self::CharacterStyleSet { .. }
            | Self::HyperlinkSet { .. }
            | Self::BookmarkAdded { .. }
            | Self::BookmarkRemoved { .. }
            | Self::TableCellSet { .. }
            | Self::TableCellBlocksSet { .. }
            | Self::TableRowAdded { .. }
            | Self::TableColumnAdded { .. }
            | Self::TableRowDeleted { .. }
            | Self::TableColumnDeleted { .. }
            | Self::ListItemAdded { .. }
            | Self::ListItemLevelSet { .. }
            | Self::ListNumberingSet { .. }
            | Self::TableCellsMerged { .. }
            | Self::TableCellsSplit { .. }
            | Self::TableColumnWidthsSet { .. }
            | Self::TableCellsFormatted { .. }
            | Self::SectionPageSet { .. }
            | Self::SectionHeaderSet { .. }
            | Self::SectionFooterSet { .. }
            | Self::ImageInserted { .. }
            | Self::ImageResized { .. }
            | Self::ImageAltTextSet { .. }
            | Self::VersionLabeled { .. }
            | Self::ReviewImported { .. }
            | Self::SuggestionMade { .. }
            | Self::SuggestionAccepted { .. }
            | Self::SuggestionRejected { .. }
            | Self::CommentAdded { .. }
            | Self::CommentReplied { .. }
            | Self::CommentEdited { .. }
            | Self::CommentResolved { .. }
            | Self::CommentDeleted { .. }
            | Self::NoteAdded { .. }
            | Self::NoteEdited { .. }
            | Self::NoteDeleted { .. }
            | Self::Unreadable { .. } => Placement::None,
        }
    }

    /// Ids of blocks this event created.
    pub fn created_block_ids(&self) -> Vec<BlockId> {
        match self {
            Self::ParagraphAdded { block_id, .. }
            | Self::HeadingAdded { block_id, .. }
            | Self::TableOfContentsAdded { block_id, .. }
            | Self::SectionBreakAdded { block_id, .. }
            | Self::TableAdded { block_id, .. }
            | Self::ListAdded { block_id, .. }
            | Self::PageBreakAdded { block_id, .. } => vec![block_id.clone()],
            Self::BlocksImported { blocks } => blocks.iter().map(|b| b.id().clone()).collect(),
            // Restored blocks come back under their old ids: created again.
            Self::BlocksReverted { restored, .. } => {
                restored.iter().map(|b| b.id().clone()).collect()
            }
            Self::DocumentCreated { .. }
            | Self::DocumentImported { .. }
            | Self::DocumentArchived {}
            | Self::TitleSet { .. }
            | Self::MetadataSet { .. }
            | Self::ParagraphUpdated { .. }
            | Self::TextInserted { .. }
            | Self::TextDeleted { .. }
            | Self::BlockDeleted { .. }
            | Self::BlockMoved { .. }
            | Self::TextReplaced { .. }
            | Self::TextFormatted { .. }
            | Self::AlignmentSet { .. }
            | Self::ParagraphFormatSet { .. }
            | Self::HyperlinkInserted { .. }
            | Self::PageSetupSet { .. }
            | Self::HeaderSet { .. }
            | Self::FooterSet { .. }
            | Self::StyleCreated { .. }
            | Self::StyleUpdated { .. }
            | Self::StyleDeleted { .. }
            | Self::ParagraphStyleSet { .. }
            | Self::TableStyleSet { .. }
            | Self::CharacterStyleSet { .. }
            | Self::HyperlinkSet { .. }
            | Self::BookmarkAdded { .. }
            | Self::BookmarkRemoved { .. }
            | Self::TableCellSet { .. }
            | Self::TableCellBlocksSet { .. }
            | Self::TableRowAdded { .. }
            | Self::TableColumnAdded { .. }
            | Self::TableRowDeleted { .. }
            | Self::TableColumnDeleted { .. }
            | Self::ListItemAdded { .. }
            | Self::ListItemLevelSet { .. }
            | Self::ListNumberingSet { .. }
            | Self::TableCellsMerged { .. }
            | Self::TableCellsSplit { .. }
            | Self::TableColumnWidthsSet { .. }
            | Self::TableCellsFormatted { .. }
            | Self::SectionPageSet { .. }
            | Self::SectionHeaderSet { .. }
            | Self::SectionFooterSet { .. }
            | Self::ImageInserted { .. }
            | Self::ImageResized { .. }
            | Self::ImageAltTextSet { .. }
            | Self::VersionLabeled { .. }
            | Self::DocumentReverted { .. }
            | Self::ReviewImported { .. }
            | Self::SuggestionMade { .. }
            | Self::SuggestionAccepted { .. }
            | Self::SuggestionRejected { .. }
            | Self::CommentAdded { .. }
            | Self::CommentReplied { .. }
            | Self::CommentEdited { .. }
            | Self::CommentResolved { .. }
            | Self::CommentDeleted { .. }
            | Self::NoteAdded { .. }
            | Self::NoteEdited { .. }
            | Self::NoteDeleted { .. }
            | Self::Unreadable { .. } => Vec::new(),
        }
    }

    /// Ids of existing blocks this event changed or removed (not the ones it created).
    pub fn touched_block_ids(&self) -> Vec<BlockId> {
        match self {
            Self::ParagraphUpdated { block_id, .. }
            | Self::TextInserted { block_id, .. }
            | Self::TextDeleted { block_id, .. }
            | Self::BlockDeleted { block_id }
            | Self::BlockMoved { block_id, .. }
            | Self::TextFormatted { block_id, .. }
            | Self::AlignmentSet { block_id, .. }
            | Self::ParagraphFormatSet { block_id, .. }
            | Self::HyperlinkInserted { block_id, .. }
            | Self::HyperlinkSet { block_id, .. }
            | Self::ParagraphStyleSet { block_id, .. }
            | Self::TableStyleSet { block_id, .. }
            | Self::CharacterStyleSet { block_id, .. }
            | Self::BookmarkAdded { block_id, .. }
            | Self::BookmarkRemoved { block_id, .. }
            | Self::TableCellSet { block_id, .. }
            | Self::TableCellBlocksSet { block_id, .. }
            | Self::TableRowAdded { block_id, .. }
            | Self::TableColumnAdded { block_id, .. }
            | Self::TableRowDeleted { block_id, .. }
            | Self::TableColumnDeleted { block_id, .. }
            | Self::ListItemAdded { block_id, .. }
            | Self::ListItemLevelSet { block_id, .. }
            | Self::ListNumberingSet { block_id, .. }
            | Self::TableCellsMerged { block_id, .. }
            | Self::TableCellsSplit { block_id, .. }
            | Self::TableColumnWidthsSet { block_id, .. }
            | Self::TableCellsFormatted { block_id, .. }
            | Self::SectionPageSet { block_id, .. }
            | Self::SectionHeaderSet { block_id, .. }
            | Self::SectionFooterSet { block_id, .. } => vec![block_id.clone()],
            Self::ImageInserted { block_id, .. }
            | Self::ImageResized { block_id, .. }
            | Self::ImageAltTextSet { block_id, .. } => block_id.iter().cloned().collect(),
            Self::TextReplaced { occurrences, .. } => {
                let mut ids: Vec<BlockId> = Vec::new();
                for o in occurrences {
                    if !ids.contains(&o.block_id) {
                        ids.push(o.block_id.clone());
                    }
                }
                ids
            }
            Self::BlocksReverted { changed, .. } => {
                changed.iter().map(|b| b.id().clone()).collect()
            }
            Self::DocumentReverted { removed, .. } => removed.clone(),
            Self::CommentAdded { block_id, .. } | Self::NoteAdded { block_id, .. } => {
                vec![block_id.clone()]
            }
            Self::CommentDeleted { block_id, .. } | Self::NoteDeleted { block_id, .. } => {
                block_id.iter().cloned().collect()
            }
            Self::SuggestionMade { ranges, .. } => {
                let mut ids: Vec<BlockId> = Vec::new();
                for (id, ..) in ranges {
                    if !ids.contains(id) {
                        ids.push(id.clone());
                    }
                }
                ids
            }
            Self::SuggestionAccepted { blocks, .. } | Self::SuggestionRejected { blocks, .. } => {
                blocks.clone()
            }
            Self::DocumentCreated { .. }
            | Self::DocumentImported { .. }
            | Self::BlocksImported { .. }
            | Self::DocumentArchived {}
            | Self::TitleSet { .. }
            | Self::MetadataSet { .. }
            | Self::PageSetupSet { .. }
            | Self::HeaderSet { .. }
            | Self::FooterSet { .. }
            | Self::StyleCreated { .. }
            | Self::StyleUpdated { .. }
            | Self::StyleDeleted { .. }
            | Self::ParagraphAdded { .. }
            | Self::HeadingAdded { .. }
            | Self::TableOfContentsAdded { .. }
            | Self::SectionBreakAdded { .. }
            | Self::TableAdded { .. }
            | Self::ListAdded { .. }
            | Self::PageBreakAdded { .. }
            | Self::VersionLabeled { .. }
            | Self::ReviewImported { .. }
            | Self::CommentReplied { .. }
            | Self::CommentEdited { .. }
            | Self::CommentResolved { .. }
            | Self::NoteEdited { .. }
            | Self::Unreadable { .. } => Vec::new(),
        }
    }
}
