//! .docx import: an uploaded Word file → the folio model, behind a hardened gate.
//!
//! 1. `package`: the package gate (what the file is, entry count, sizes read through
//!    caps, inflate ratio, compression methods, CRC, part names).
//! 2. `xml`: each XML part parsed into a bounded tree (no DTD, no entities beyond XML's
//!    own, a depth limit, exact byte spans), transitional and strict namespaces alike.
//! 3. `styles`: the style sheet (headings by outline level or Word's heading names,
//!    numbering carried by styles) and the numbering definitions.
//! 4. `body`: blocks. What the model holds is mapped (paragraphs, headings, lists, tables
//!    with merges and cell blocks, images, links, bookmarks, PAGE/NUMPAGES/DATE fields,
//!    page and section breaks, headers and footers per section, a table of contents);
//!    anything else becomes an opaque block keeping its exact XML (namespace declarations
//!    added, relationships renamed and recorded), with a warning per kind.
//!
//! Nothing here recurses without a bound, allocates by a size a file declares, fetches an
//! external target, or panics: no unwrap, expect, panic or unchecked indexing outside the
//! tests (enforced below).

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod body;
pub(crate) mod package;
mod styles;
pub(crate) mod xml;

use std::collections::BTreeMap;

use domain::command::{ImportWarning, ImportedContent};
pub(crate) use package::Package;

/// Limits of the import gate and reader.
#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Bytes of the uploaded file.
    pub max_upload_bytes: u64,
    /// Entries in the zip package.
    pub max_entries: usize,
    /// Decompressed bytes of one XML part.
    pub max_xml_part_bytes: u64,
    /// Decompressed bytes of one media or other binary part.
    pub max_binary_part_bytes: u64,
    /// Decompressed bytes of the whole package.
    pub max_total_bytes: u64,
    /// Decompressed : compressed ratio of a part larger than 1 MiB.
    pub max_ratio: u64,
    /// Element nesting in one part.
    pub max_depth: usize,
    /// Elements in one part.
    pub max_xml_nodes: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_upload_bytes: 25 * 1024 * 1024,
            max_entries: 2_000,
            max_xml_part_bytes: 64 * 1024 * 1024,
            max_binary_part_bytes: 32 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
            max_ratio: 200,
            max_depth: 128,
            max_xml_nodes: 4_000_000,
        }
    }
}

/// Why a file cannot be imported. Every one is the client's file, not folio's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is not a Word document (says what it is) (422).
    #[error("{0}")]
    NotDocx(String),
    /// A limit was passed (413).
    #[error("{what} is over the limit of {limit}")]
    TooLarge {
        /// What.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// The zip package is damaged: a CRC error, a truncated entry, an unknown method (422).
    #[error("the zip package is damaged: {0}")]
    Corrupt(String),
    /// An XML part is not well-formed (422).
    #[error("{0}")]
    Malformed(String),
    /// Something refused on principle: a DTD, a part name outside the package (422).
    #[error("{0}")]
    Forbidden(String),
    /// Elements nested deeper than the limit (422).
    #[error("{part} nests elements deeper than {limit} levels")]
    TooDeep {
        /// The part.
        part: String,
        /// The limit.
        limit: usize,
    },
}

/// What an import read from a file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The title in the file's core properties, if any.
    pub title: Option<String>,
    /// The document.
    pub content: ImportedContent,
    /// The pictures the mapped images show: media id (SHA-256) → bytes.
    pub media: BTreeMap<String, Vec<u8>>,
}

/// Reads an uploaded .docx.
///
/// # Errors
/// [`ImportError`]: not a Word document, a limit, damage, malformed or forbidden XML.
pub fn import_docx(
    bytes: &[u8],
    limits: &ImportLimits,
    model_limits: &domain::Limits,
) -> Result<Imported, ImportError> {
    let package = Package::open(bytes, limits)?;
    let mut imported = body::Importer::run(&package, limits, model_limits)?;
    let mut warnings = Warnings::default();
    let main = package.office_document(limits)?.unwrap_or_default();
    if package
        .content_types(limits)
        .of(&main)
        .is_some_and(|ct| ct.contains("macroEnabled"))
    {
        warnings.add(
            "macro_enabled",
            || "the file is macro-enabled (.docm): its macros are never kept; folio's files of it are plain .docx (the original keeps its own type)".into(),
            &main,
        );
    }
    // What renders will leave out of the parts kept from the file: say so now.
    let opaque_targets: std::collections::BTreeSet<String> = imported
        .content
        .blocks
        .iter()
        .flat_map(opaque_rels)
        .filter(|r| !r.external)
        .map(|r| r.target.clone())
        .collect();
    if let Some(source) = crate::write::source::Source::of(package) {
        for dropped in source.dropped(&opaque_targets) {
            let message = dropped.message.clone();
            warnings.add(
                &format!("dropped_{}", dropped.kind),
                || format!("{message}: left out of folio's files of this document"),
                &dropped.part,
            );
        }
    }
    let extra = warnings.into_vec();
    let list = &mut imported.content.warnings;
    for w in extra {
        if let Some(x) = list.iter_mut().find(|x| x.kind == w.kind) {
            x.count += w.count;
        } else if list.len() < domain::MAX_IMPORT_WARNINGS {
            list.push(w);
        }
    }
    list.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(imported)
}

/// The relationships of a block's opaque content (its own, its inline runs', its cells').
fn opaque_rels(block: &domain::Block) -> Vec<&domain::OpaqueRel> {
    let mut out: Vec<&domain::OpaqueRel> = Vec::new();
    if let domain::Block::Opaque(o) = block {
        out.extend(&o.rels);
    }
    for run in block.runs() {
        if let Some(o) = &run.format.opaque {
            out.extend(&o.rels);
        }
    }
    out
}

/// Warnings gathered per kind (the first place each was seen, and how often).
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    by_kind: BTreeMap<String, ImportWarning>,
}

impl Warnings {
    pub(crate) fn add(&mut self, kind: &str, message: impl FnOnce() -> String, example: &str) {
        if let Some(w) = self.by_kind.get_mut(kind) {
            w.count += 1;
            return;
        }
        if self.by_kind.len() >= domain::MAX_IMPORT_WARNINGS {
            return;
        }
        self.by_kind.insert(
            kind.to_string(),
            ImportWarning {
                kind: kind.to_string(),
                message: message(),
                count: 1,
                example: example.to_string(),
            },
        );
    }

    pub(crate) fn into_vec(self) -> Vec<ImportWarning> {
        self.by_kind.into_values().collect()
    }
}

#[cfg(test)]
pub(crate) mod tests;
