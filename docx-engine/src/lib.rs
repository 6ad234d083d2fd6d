//! Bytes in, bytes out: the folio document model as a real Word file, as a redline and
//! as exports, and an uploaded Word file as the model.
//!
//! - [`render_docx`] writes a .docx with folio's own streaming writer (`write`): every
//!   part straight into its deflated zip entry, an imported file's kept parts spliced in.
//! - [`redline`]: version B with every change since A as a tracked change
//!   ([`redline_docx`], [`redline_html`]), over `history`'s alignment and word diff.
//! - [`export()`] renders HTML (escaped), Markdown and plain text.
//! - [`import_docx`] reads an uploaded .docx behind a hardened package gate (folio's own
//!   reader on quick-xml and zip).
//!
//! Pure: no IO beyond in-memory buffers, no clock (timestamps arrive in
//! [`RenderOptions`]), so the same document and options always give the same bytes.

#![warn(missing_docs)]

pub mod export;
pub mod import;
pub mod redline;
mod render;
mod write;
mod xml_safe;

pub use export::{ExportFormat, ExportOptions, export, export_with};
pub use import::{ImportError, ImportLimits, Imported, import_docx};
pub use redline::{Mark, MarkKind, redline_docx, redline_html};
pub use render::{RenderOptions, render_docx};

/// Why a .docx could not be produced. Any of these is a bug or a resource problem, not bad
/// user input: the domain only admits documents that can be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing a zip entry failed.
    #[error("writing the docx package failed: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// An IO error on an in-memory buffer.
    #[error("io error while building the package: {0}")]
    Io(#[from] std::io::Error),
}

/// The media type of a .docx file.
pub const DOCX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// What kind of Word file an uploaded original is, from its main part's content type: its
/// media type and file extension (`.docx`, or `.docm`, `.dotx`, `.dotm` for a
/// macro-enabled document, a template, a macro-enabled template), so that `/original`
/// serves it as what it is.
pub fn original_kind(bytes: &[u8]) -> (&'static str, &'static str) {
    use std::io::Read as _;
    let types = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .ok()
        .and_then(|mut zip| {
            let entry = zip.by_name("[Content_Types].xml").ok()?;
            let mut text = String::new();
            entry.take(1 << 20).read_to_string(&mut text).ok()?;
            Some(text)
        })
        .unwrap_or_default();
    if types.contains("application/vnd.ms-word.template.macroEnabledTemplate.main+xml") {
        ("application/vnd.ms-word.template.macroEnabled.12", "dotm")
    } else if types.contains("application/vnd.ms-word.document.macroEnabled.main+xml") {
        ("application/vnd.ms-word.document.macroEnabled.12", "docm")
    } else if types.contains("wordprocessingml.template.main+xml") {
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
            "dotx",
        )
    } else {
        (DOCX_CONTENT_TYPE, "docx")
    }
}
