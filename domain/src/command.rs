//! Commands: what a client asks a document to do.
//!
//! The wire form is JSON with a snake_case `type` (see `API.md`); the same structs are the
//! domain's input, so there is one definition of each command's fields. Unknown fields are
//! refused so a typo never silently does nothing.

use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
use crate::ids::BlockId;
use crate::model::{Alignment, ListKind, Run, RunFormat};

/// Every command a document accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentCommand {
    /// Create the document (version 1).
    CreateDocument(CreateDocument),
    /// Archive the document; its history stays readable.
    ArchiveDocument(ArchiveDocument),
    /// Change the title.
    SetTitle(SetTitle),
    /// Set core properties; absent fields stay as they are.
    SetMetadata(SetMetadata),
    /// Add a paragraph.
    AddParagraph(AddParagraph),
    /// Add a heading.
    AddHeading(AddHeading),
    /// Replace the text (or runs) of a paragraph or heading.
    UpdateParagraph(UpdateParagraph),
    /// Insert text at a character offset.
    InsertText(InsertText),
    /// Delete a character range.
    DeleteText(DeleteText),
    /// Delete a block.
    DeleteBlock(DeleteBlock),
    /// Move a block.
    MoveBlock(MoveBlock),
    /// Replace text everywhere in the document, tables and lists included.
    ReplaceText(ReplaceText),
    /// Format a character range of a paragraph or heading.
    FormatText(FormatText),
    /// Set the alignment of a paragraph or heading.
    SetAlignment(SetAlignment),
    /// Add a table.
    AddTable(AddTable),
    /// Set the text of one table cell.
    SetTableCell(SetTableCell),
    /// Insert a table row.
    AddTableRow(AddTableRow),
    /// Insert a table column.
    AddTableColumn(AddTableColumn),
    /// Delete a table row.
    DeleteTableRow(DeleteTableRow),
    /// Delete a table column.
    DeleteTableColumn(DeleteTableColumn),
    /// Add a list.
    AddList(AddList),
    /// Insert a list item.
    AddListItem(AddListItem),
    /// Change the nesting level of a list item.
    SetListItemLevel(SetListItemLevel),
    /// Add a page break.
    AddPageBreak(AddPageBreak),
}

/// Calls `$callback! { "wire_name" => Variant, ... }` with every document command (every
/// command but create and archive, which have their own endpoints): the one place a
/// command's wire name is written. `DocumentCommand::name`, the request parser and the
/// operation catalogue are all made from it.
#[macro_export]
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            "set_title" => SetTitle,
            "set_metadata" => SetMetadata,
            "add_paragraph" => AddParagraph,
            "add_heading" => AddHeading,
            "update_paragraph" => UpdateParagraph,
            "insert_text" => InsertText,
            "delete_text" => DeleteText,
            "delete_block" => DeleteBlock,
            "move_block" => MoveBlock,
            "replace_text" => ReplaceText,
            "format_text" => FormatText,
            "set_alignment" => SetAlignment,
            "add_table" => AddTable,
            "set_table_cell" => SetTableCell,
            "add_table_row" => AddTableRow,
            "add_table_column" => AddTableColumn,
            "delete_table_row" => DeleteTableRow,
            "delete_table_column" => DeleteTableColumn,
            "add_list" => AddList,
            "add_list_item" => AddListItem,
            "set_list_item_level" => SetListItemLevel,
            "add_page_break" => AddPageBreak,
        }
    };
}

macro_rules! command_names {
    ($($name:literal => $variant:ident),* $(,)?) => {
        impl DocumentCommand {
            /// The wire name of the command (`add_paragraph`).
            pub fn name(&self) -> &'static str {
                match self {
                    Self::CreateDocument(_) => "create_document",
                    Self::ArchiveDocument(_) => "archive_document",
                    $(Self::$variant(_) => $name,)*
                }
            }
        }
    };
}

for_each_command!(command_names);

/// A reference to a top-level block: by id, or by 0-based index at the version the command
/// is applied to. Exactly one of the two must be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockRef {
    /// By stable id.
    Id(BlockId),
    /// By position among top-level blocks.
    Index(usize),
}

impl BlockRef {
    /// Builds the reference from the two optional wire fields.
    ///
    /// # Errors
    /// [`DocumentError::InvalidField`] when neither or both are given.
    pub fn from_fields(
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<Self, DocumentError> {
        match (block_id, block_index) {
            (Some(id), None) => Ok(Self::Id(id.clone())),
            (None, Some(index)) => Ok(Self::Index(index)),
            (None, None) => Err(DocumentError::invalid(
                "block_id",
                "name the block with block_id or block_index",
            )),
            (Some(_), Some(_)) => Err(DocumentError::invalid(
                "block_index",
                "give block_id or block_index, not both",
            )),
        }
    }
}

/// Where a new block goes. At most one field may be set; none means the end.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// `"start"` or `"end"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<PositionAt>,
    /// Directly after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<BlockId>,
    /// Directly before this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<BlockId>,
    /// At this 0-based index among top-level blocks (the length means the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// The two named ends of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PositionAt {
    /// Before the first block.
    Start,
    /// After the last block.
    End,
}

/// A run as a client sends it: text plus optional formatting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// The text.
    pub text: String,
    /// Bold.
    #[serde(default)]
    pub bold: bool,
    /// Italic.
    #[serde(default)]
    pub italic: bool,
    /// Underline.
    #[serde(default)]
    pub underline: bool,
    /// Strike-through.
    #[serde(default)]
    pub strike: bool,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
    pub size_pt: Option<f32>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Highlight colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

impl RunInput {
    /// Validates and normalises into a model run.
    ///
    /// # Errors
    /// [`DocumentError::InvalidField`] for a bad colour, size or highlight.
    pub fn to_run(&self, field: &str) -> Result<Run, DocumentError> {
        let patch = FormatPatch {
            bold: Some(self.bold),
            italic: Some(self.italic),
            underline: Some(self.underline),
            strike: Some(self.strike),
            font: self.font.clone(),
            size_pt: self.size_pt,
            color: self.color.clone(),
            highlight: self.highlight.clone(),
        }
        .validated(field)?;
        let mut format = RunFormat::default();
        patch.apply_to(&mut format);
        Ok(Run {
            text: self.text.clone(),
            format,
        })
    }
}

/// A partial change of run formatting: only the fields that are `Some` change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormatPatch {
    /// Bold on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bold: Option<bool>,
    /// Italic on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underline on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
    /// Strike-through on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike: Option<bool>,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
    pub size_pt: Option<f32>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Highlight colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// Word's named highlight colours (`w:highlight/@w:val`).
pub const HIGHLIGHT_COLORS: &[&str] = &[
    "black",
    "blue",
    "cyan",
    "green",
    "magenta",
    "red",
    "yellow",
    "white",
    "darkBlue",
    "darkCyan",
    "darkGreen",
    "darkMagenta",
    "darkRed",
    "darkYellow",
    "darkGray",
    "lightGray",
];

impl FormatPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks and normalises values: colour to upper-case hex without `#`, size to half
    /// points, highlight to Word's spelling.
    ///
    /// # Errors
    /// [`DocumentError::InvalidField`] naming `<prefix>.<field>`.
    pub fn validated(mut self, prefix: &str) -> Result<Self, DocumentError> {
        let name = |f: &str| {
            if prefix.is_empty() {
                f.to_string()
            } else {
                format!("{prefix}.{f}")
            }
        };
        if let Some(color) = &self.color {
            let hex = color.strip_prefix('#').unwrap_or(color);
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(DocumentError::invalid(
                    name("color"),
                    "colour must be six hex digits, like FF0000",
                ));
            }
            self.color = Some(hex.to_ascii_uppercase());
        }
        if let Some(size) = self.size_pt {
            if !(1.0..=1638.0).contains(&size) || !size.is_finite() {
                return Err(DocumentError::invalid(
                    name("size_pt"),
                    "size must be between 1 and 1638 points",
                ));
            }
            self.size_pt = Some((size * 2.0).round() / 2.0);
        }
        if let Some(font) = &self.font {
            let trimmed = font.trim();
            if trimmed.is_empty() || trimmed.chars().count() > 64 {
                return Err(DocumentError::invalid(
                    name("font"),
                    "font must be a name of 1 to 64 characters",
                ));
            }
            if let Some(c) = font
                .chars()
                .find(|c| c.is_control() || !crate::text::is_xml_char(*c))
            {
                return Err(DocumentError::invalid(
                    name("font"),
                    format!(
                        "font names cannot hold the control character U+{:04X}",
                        c as u32
                    ),
                ));
            }
            self.font = Some(trimmed.to_string());
        }
        if let Some(highlight) = &self.highlight {
            let found = HIGHLIGHT_COLORS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&highlight.replace(['_', '-', ' '], "")));
            match found {
                Some(c) => self.highlight = Some((*c).to_string()),
                None => {
                    return Err(DocumentError::invalid(
                        name("highlight"),
                        format!("highlight must be one of {}", HIGHLIGHT_COLORS.join(", ")),
                    ));
                }
            }
        }
        Ok(self)
    }

    /// Applies the patch to a run format.
    pub fn apply_to(&self, format: &mut RunFormat) {
        if let Some(v) = self.bold {
            format.bold = v;
        }
        if let Some(v) = self.italic {
            format.italic = v;
        }
        if let Some(v) = self.underline {
            format.underline = v;
        }
        if let Some(v) = self.strike {
            format.strike = v;
        }
        if let Some(v) = &self.font {
            format.font = Some(v.clone());
        }
        if let Some(v) = self.size_pt {
            format.size_pt = Some(v);
        }
        if let Some(v) = &self.color {
            format.color = Some(v.clone());
        }
        if let Some(v) = &self.highlight {
            format.highlight = Some(v.clone());
        }
    }
}

/// `create_document`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    /// The new document's id (chosen by the caller).
    pub document_id: crate::ids::DocumentId,
    /// Title.
    pub title: String,
}

/// `archive_document`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchiveDocument {}

/// `set_title`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTitle {
    /// The new title.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub title: String,
}

/// `set_metadata`: absent fields stay as they are; an empty string clears a field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetMetadata {
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Other properties.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom: std::collections::BTreeMap<String, String>,
}

/// `add_paragraph`: `text` or `runs` (or neither, for an empty paragraph).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddParagraph {
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatted runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
    /// Paragraph style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(Normal|Title|Subtitle|Quote|IntenseQuote|Caption|NoSpacing)$")
    )]
    pub style: Option<String>,
    /// Alignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `add_heading`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddHeading {
    /// Heading text.
    pub text: String,
    /// Level 1-9 (default 1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9))]
    pub level: u8,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

fn one() -> u8 {
    1
}

/// `update_paragraph`: replaces the whole content with `text` or `runs`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateParagraph {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatted runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
}

/// `insert_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InsertText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Character offset (0 = start; the text length = end).
    pub offset: usize,
    /// Text to insert; it takes the formatting of the run it lands in.
    pub text: String,
}

/// `delete_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Character offset of the first character to delete.
    pub offset: usize,
    /// Number of characters to delete.
    pub length: usize,
}

/// `delete_block`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteBlock {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
}

/// `move_block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveBlock {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Where to move it, resolved against the document as it is before the move.
    pub position: Position,
}

/// `replace_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplaceText {
    /// Text to find (not empty).
    pub find: String,
    /// Replacement.
    pub replace: String,
    /// Case-sensitive (default true).
    #[serde(default = "yes")]
    pub match_case: bool,
    /// Only whole words (default false).
    #[serde(default)]
    pub whole_word: bool,
}

fn yes() -> bool {
    true
}

/// `format_text`: formats characters `start..end` of a paragraph or heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormatText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// First character (inclusive); default 0.
    #[serde(default)]
    pub start: usize,
    /// Last character (exclusive); default the end of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// Bold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bold: Option<bool>,
    /// Italic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
    /// Strike-through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike: Option<bool>,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
    pub size_pt: Option<f32>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Highlight colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// `set_alignment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetAlignment {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// New alignment.
    pub alignment: Alignment,
}

/// `add_table`: `rows` and `cols`, or `data` (or both; `data` may be smaller).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTable {
    /// Number of rows (default: the rows of `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub rows: Option<usize>,
    /// Number of columns (default: the longest row of `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 63))]
    pub cols: Option<usize>,
    /// Cell texts, row by row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<Vec<String>>>,
    /// First row is a header row.
    #[serde(default)]
    pub header_row: bool,
    /// Table style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^TableGrid$"))]
    pub style: Option<String>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `set_table_cell`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTableCell {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Row, 0-based.
    pub row: usize,
    /// Column, 0-based.
    pub col: usize,
    /// New cell text.
    pub text: String,
}

/// `add_table_row`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTableRow {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Insert before this row (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Cell texts (may be shorter than the row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<String>>,
}

/// `add_table_column`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTableColumn {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Insert before this column (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    /// Cell texts, top to bottom (may be shorter than the column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<String>>,
}

/// `delete_table_row`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTableRow {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Row to delete.
    pub row: usize,
}

/// `delete_table_column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTableColumn {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Column to delete.
    pub col: usize,
}

/// A list item as a client sends it: a string, or `{"text", "level"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ListItemInput {
    /// Just the text, level 0.
    Text(String),
    /// Text and level.
    Item {
        /// Text.
        text: String,
        /// Level 0-8.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(maximum = 8))]
        level: u8,
    },
}

/// `add_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddList {
    /// Bullet or numbered.
    pub kind: ListKind,
    /// Items (at least one).
    pub items: Vec<ListItemInput>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `add_list_item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddListItem {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Item text.
    pub text: String,
    /// Level 0-8 (default 0).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 8))]
    pub level: u8,
    /// Insert before this item (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
}

/// `set_list_item_level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetListItemLevel {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Item, 0-based.
    pub item: usize,
    /// New level 0-8.
    #[cfg_attr(feature = "openapi", schema(maximum = 8))]
    pub level: u8,
}

/// `add_page_break`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddPageBreak {
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// Formatting-free default for callers that build runs from plain text.
pub fn plain_runs(text: &str) -> Vec<Run> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Run::plain(text)]
    }
}

#[cfg(test)]
mod wire_name_tests {
    /// serde names a variant of the tagged enum by `rename_all = "snake_case"`; the table's
    /// wire names must be the same, or a command would serialize under another name than
    /// it is parsed by.
    fn snake(camel: &str) -> String {
        let mut out = String::new();
        for (i, c) in camel.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    macro_rules! check_names {
        ($($name:literal => $variant:ident),* $(,)?) => {
            #[test]
            fn wire_names_are_serdes_snake_case_names() {
                $(assert_eq!($name, snake(stringify!($variant)));)*
            }
        };
    }

    for_each_command!(check_names);
}
