//! Commands: what a client asks a document to do.
//!
//! The wire form is JSON with a snake_case `type` (see `API.md`); the same structs are the
//! domain's input, so there is one definition of each command's fields. Unknown fields are
//! refused so a typo never silently does nothing.

use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
use crate::ids::BlockId;
use crate::model::{Run, RunFormat};

/// Every command a document accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentCommand {
    /// Create the document (version 1).
    CreateDocument(CreateDocument),
    /// Create the document from an imported Word file (version 1 and the events that
    /// carry its blocks).
    ImportDocument(ImportDocument),
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
    /// Set the spacing, indents and pagination of a paragraph or heading.
    SetParagraphFormat(SetParagraphFormat),
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
    /// Link text to a URL or a bookmark.
    AddHyperlink(AddHyperlink),
    /// Remove links from text.
    RemoveHyperlink(RemoveHyperlink),
    /// Name a paragraph or heading as a bookmark.
    AddBookmark(AddBookmark),
    /// Remove a bookmark.
    RemoveBookmark(RemoveBookmark),
    /// Set a section's page size, orientation, margins and columns.
    SetPageSetup(SetPageSetup),
    /// Set a section's header.
    SetHeader(SetHeader),
    /// Set a section's footer.
    SetFooter(SetFooter),
    /// Add a table of contents.
    AddTableOfContents(AddTableOfContents),
    /// Create a style of the document's own.
    CreateStyle(CreateStyle),
    /// Change a style of the document's own.
    UpdateStyle(UpdateStyle),
    /// Delete an unused style of the document's own.
    DeleteStyle(DeleteStyle),
    /// Give a paragraph, text range or table a style.
    ApplyStyle(ApplyStyle),
    /// Set a list's number format, bullet, first number or continuation.
    SetListNumbering(SetListNumbering),
    /// Merge a rectangle of table cells.
    MergeTableCells(MergeTableCells),
    /// Undo a merge of table cells.
    SplitTableCells(SplitTableCells),
    /// Set a table's column widths.
    SetTableColumnWidths(SetTableColumnWidths),
    /// Set the shading and vertical alignment of table cells.
    SetTableCellFormat(SetTableCellFormat),
    /// Start a new section.
    AddSectionBreak(AddSectionBreak),
    /// Add a PNG, JPEG or GIF picture.
    AddImage(AddImage),
    /// Change the shown size of an image.
    ResizeImage(ResizeImage),
    /// Set the alternative text of an image.
    SetImageAltText(SetImageAltText),
    /// Name a version ("sent-to-client"), usable wherever a version number is.
    LabelVersion(LabelVersion),
    /// Give the document back a past version's content (appending events; the history
    /// is kept).
    RevertToVersion(RevertToVersion),
}

// Each command lives with its feature (its rules and events beside it).
pub use crate::features::hyperlink::{AddBookmark, AddHyperlink, RemoveBookmark, RemoveHyperlink};
pub use crate::features::image::{AddImage, ResizeImage, SetImageAltText};
pub use crate::features::import::{ImportDocument, ImportWarning, ImportedContent};
pub use crate::features::list::{AddList, AddListItem, ListItemInput, SetListItemLevel};
pub use crate::features::list_numbering::SetListNumbering;
pub use crate::features::metadata::{ArchiveDocument, CreateDocument, SetMetadata, SetTitle};
pub use crate::features::page_break::AddPageBreak;
pub use crate::features::paragraph::{AddHeading, AddParagraph, SetAlignment, UpdateParagraph};
pub use crate::features::paragraph_format::SetParagraphFormat;
pub use crate::features::revision::{LabelVersion, RevertTarget, RevertToVersion, VersionRef};
pub use crate::features::section::{
    AddSectionBreak, HeaderKind, SetFooter, SetHeader, SetPageSetup,
};
pub use crate::features::structure::{DeleteBlock, MoveBlock};
pub use crate::features::style::{ApplyStyle, CreateStyle, DeleteStyle, UpdateStyle};
pub use crate::features::table::{
    AddTable, AddTableColumn, AddTableRow, CellBlockInput, DeleteTableColumn, DeleteTableRow,
    SetTableCell,
};
pub use crate::features::table_layout::{
    MergeTableCells, SetTableCellFormat, SetTableColumnWidths, SplitTableCells,
};
pub use crate::features::text_edit::{DeleteText, FormatText, InsertText, ReplaceText};
pub use crate::features::toc::AddTableOfContents;

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
            "set_paragraph_format" => SetParagraphFormat,
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
            "add_hyperlink" => AddHyperlink,
            "remove_hyperlink" => RemoveHyperlink,
            "add_bookmark" => AddBookmark,
            "remove_bookmark" => RemoveBookmark,
            "set_page_setup" => SetPageSetup,
            "set_header" => SetHeader,
            "set_footer" => SetFooter,
            "add_table_of_contents" => AddTableOfContents,
            "create_style" => CreateStyle,
            "update_style" => UpdateStyle,
            "delete_style" => DeleteStyle,
            "apply_style" => ApplyStyle,
            "set_list_numbering" => SetListNumbering,
            "merge_table_cells" => MergeTableCells,
            "split_table_cells" => SplitTableCells,
            "set_table_column_widths" => SetTableColumnWidths,
            "set_table_cell_format" => SetTableCellFormat,
            "add_section_break" => AddSectionBreak,
            "add_image" => AddImage,
            "resize_image" => ResizeImage,
            "set_image_alt_text" => SetImageAltText,
            "label_version" => LabelVersion,
            "revert_to_version" => RevertToVersion,
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
                    Self::ImportDocument(_) => "import_document",
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    /// Superscript.
    #[serde(default)]
    pub superscript: bool,
    /// Subscript.
    #[serde(default)]
    pub subscript: bool,
    /// Small capitals.
    #[serde(default)]
    pub small_caps: bool,
    /// Makes the run a hyperlink: an `http`, `https` or `mailto` URL, or `#name` for a
    /// bookmark of this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub link: Option<String>,
    /// Makes the run a field Word computes: `page`, `num_pages` or `date`. Its `text` is
    /// what readers that do not compute fields show (default `1`, `1`, `date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<crate::model::Field>,
    /// A character style of the document (`get_styles` lists them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
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
            superscript: Some(self.superscript),
            subscript: Some(self.subscript),
            small_caps: Some(self.small_caps),
        }
        .validated(field)?;
        let mut format = RunFormat::default();
        patch.apply_to(&mut format);
        format.field = self.field;
        format.style.clone_from(&self.style);
        if self.field.is_some() && self.link.is_some() {
            return Err(DocumentError::invalid(
                format!("{field}.field"),
                "a field cannot also be a link",
            ));
        }
        format.link = match &self.link {
            Some(link) => Some(crate::features::hyperlink::checked_target(
                &format!("{field}.link"),
                link,
            )?),
            None => None,
        };
        let text = match (self.field, self.text.is_empty()) {
            (Some(crate::model::Field::Page | crate::model::Field::NumPages), true) => "1".into(),
            (Some(crate::model::Field::Date), true) => "date".into(),
            _ => self.text.clone(),
        };
        Ok(Run { text, format })
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
    /// Superscript on or off (on clears subscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superscript: Option<bool>,
    /// Subscript on or off (on clears superscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscript: Option<bool>,
    /// Small capitals on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_caps: Option<bool>,
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
        if self.superscript == Some(true) && self.subscript == Some(true) {
            return Err(DocumentError::invalid(
                name("subscript"),
                "text is superscript or subscript, not both",
            ));
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
        if let Some(v) = self.superscript {
            format.superscript = v;
            format.subscript &= !v;
        }
        if let Some(v) = self.subscript {
            format.subscript = v;
            format.superscript &= !v;
        }
        if let Some(v) = self.small_caps {
            format.small_caps = v;
        }
    }
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
