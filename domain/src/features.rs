//! One file per feature: its commands, how they are decided, how its events are applied.
//! A new feature arrives as a new file here (and its line in `for_each_command!`).

pub(crate) mod hyperlink;
pub(crate) mod image;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod list_numbering;
pub(crate) mod metadata;
pub(crate) mod page_break;
pub(crate) mod paragraph;
pub(crate) mod paragraph_format;
pub(crate) mod review;
pub(crate) mod revision;
pub(crate) mod section;
pub(crate) mod structure;
pub(crate) mod style;
pub(crate) mod suggestion;
pub(crate) mod table;
pub(crate) mod table_layout;
pub(crate) mod text_edit;
pub(crate) mod toc;
