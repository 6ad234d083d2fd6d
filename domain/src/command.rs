//! Commands: what a client asks a document to do.
//!
//! The wire form is JSON with a snake_case `type` (see `API.md`); the same structs are the
//! domain's input, so there is one definition of each command's fields. Unknown fields are
//! refused so a typo never silently does nothing.

use serde::{Deserialize, Serialize};

pub use crate::input::{BlockRef, Position, PositionAt, RunInput};
pub use crate::model::plain_runs;
pub use crate::text::{FormatPatch, HIGHLIGHT_COLORS};

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
    /// Comment on a range of a paragraph's text.
    AddComment(AddComment),
    /// Answer a comment.
    ReplyToComment(ReplyToComment),
    /// Change a comment's text (its author or an admin).
    EditComment(EditComment),
    /// Mark a comment thread resolved.
    ResolveComment(ResolveComment),
    /// Open a resolved comment thread again.
    ReopenComment(ReopenComment),
    /// Delete a comment (a thread's root with its replies).
    DeleteComment(DeleteComment),
    /// Add a footnote, its reference mark at a character offset.
    AddFootnote(AddFootnote),
    /// Add an endnote, its reference mark at a character offset.
    AddEndnote(AddEndnote),
    /// Change a footnote's or endnote's text.
    EditNote(EditNote),
    /// Delete a footnote or endnote and its reference mark.
    DeleteNote(DeleteNote),
    /// Apply a suggestion.
    AcceptSuggestion(AcceptSuggestion),
    /// Drop a suggestion.
    RejectSuggestion(RejectSuggestion),
    /// Apply every open suggestion (of one author).
    AcceptAllSuggestions(AcceptAllSuggestions),
    /// Drop every open suggestion (of one author).
    RejectAllSuggestions(RejectAllSuggestions),
    /// A command recorded as a suggestion (`"suggest": true` on the command, or any
    /// command of a suggest-only principal); never sent in this form.
    #[serde(skip_deserializing)]
    Suggest(Suggest),
}

/// A command to record as a suggestion instead of making it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggest {
    /// The command proposed.
    pub command: Box<DocumentCommand>,
    /// Filled by the write path.
    #[serde(skip)]
    pub by: Option<Stamp>,
}

impl Suggest {
    /// `command` as a suggestion.
    pub fn of(command: DocumentCommand) -> Self {
        Self {
            command: Box::new(command),
            by: None,
        }
    }
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
pub use crate::features::review::{
    AddComment, AddEndnote, AddFootnote, DeleteComment, DeleteNote, EditComment, EditNote,
    ReopenComment, ReplyToComment, ResolveComment, Stamp,
};
pub use crate::features::revision::{LabelVersion, RevertTarget, RevertToVersion, VersionRef};
pub use crate::features::section::{
    AddSectionBreak, HeaderKind, SetFooter, SetHeader, SetPageSetup,
};
pub use crate::features::structure::{DeleteBlock, MoveBlock};
pub use crate::features::style::{ApplyStyle, CreateStyle, DeleteStyle, UpdateStyle};
pub use crate::features::suggestion::{
    AcceptAllSuggestions, AcceptSuggestion, RejectAllSuggestions, RejectSuggestion, SUGGESTIBLE,
};
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
            "add_comment" => AddComment,
            "reply_to_comment" => ReplyToComment,
            "edit_comment" => EditComment,
            "resolve_comment" => ResolveComment,
            "reopen_comment" => ReopenComment,
            "delete_comment" => DeleteComment,
            "add_footnote" => AddFootnote,
            "add_endnote" => AddEndnote,
            "edit_note" => EditNote,
            "delete_note" => DeleteNote,
            "accept_suggestion" => AcceptSuggestion,
            "reject_suggestion" => RejectSuggestion,
            "accept_all_suggestions" => AcceptAllSuggestions,
            "reject_all_suggestions" => RejectAllSuggestions,
        }
    };
}

impl DocumentCommand {
    /// Who makes the command and when, for the commands that record it (a comment, a
    /// reply, an edit of a comment): the write path fills it, a client never sends it.
    pub fn stamp(&self) -> Option<&Option<Stamp>> {
        match self {
            Self::AddComment(c) => Some(&c.by),
            Self::ReplyToComment(c) => Some(&c.by),
            Self::EditComment(c) => Some(&c.by),
            Self::Suggest(c) => Some(&c.by),
            Self::AcceptSuggestion(c) => Some(&c.by),
            Self::RejectSuggestion(c) => Some(&c.by),
            Self::AcceptAllSuggestions(c) => Some(&c.by),
            Self::RejectAllSuggestions(c) => Some(&c.by),
            _ => None,
        }
    }

    /// [`DocumentCommand::stamp`], for filling it.
    pub fn stamp_mut(&mut self) -> Option<&mut Option<Stamp>> {
        match self {
            Self::AddComment(c) => Some(&mut c.by),
            Self::ReplyToComment(c) => Some(&mut c.by),
            Self::EditComment(c) => Some(&mut c.by),
            Self::Suggest(c) => Some(&mut c.by),
            Self::AcceptSuggestion(c) => Some(&mut c.by),
            Self::RejectSuggestion(c) => Some(&mut c.by),
            Self::AcceptAllSuggestions(c) => Some(&mut c.by),
            Self::RejectAllSuggestions(c) => Some(&mut c.by),
            _ => None,
        }
    }
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
                    Self::Suggest(s) => s.command.name(),
                    $(Self::$variant(_) => $name,)*
                }
            }
        }
    };
}

for_each_command!(command_names);

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
