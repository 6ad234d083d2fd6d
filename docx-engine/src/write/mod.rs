//! folio's own .docx writer: the document model streamed as WordprocessingML, part by
//! part, straight into the zip entries of the package.
//!
//! Split by element family, as `domain/src/features/` is:
//! - [`body`]: `word/document.xml` and header/footer parts — the blocks in order,
//!   paragraphs, lists, tables of contents, opaque blocks.
//! - `paragraphs`: paragraph properties; `runs`: run properties, text, links, bookmarks,
//!   fields, opaque inline content; `tables`: tables, rows, cells, merges; `sections`:
//!   section properties and what each section shows; `drawings`: inline pictures.
//! - [`styles`]: `word/styles.xml` and `word/numbering.xml`.
//! - [`parts`]: the package around them — content types, relationships, core, app and
//!   custom properties, settings, font table, theme; [`source`]: an imported file's kept
//!   parts.
//! - `changes` and [`revision`]: the redline overlay — blocks inserted, deleted or changed,
//!   and the word-level pieces of a changed paragraph.
//! - [`xml`]: the one emitter every part is written with (escaping happens there).
//!
//! Every element's children are written in the schema's order by construction (the
//! schema-order table in `schema_order` checks it in tests). Relationship, drawing,
//! bookmark, numbering and revision ids come from one per-render [`Ids`], so the same
//! version renders to the same bytes in any process. An imported document's source file
//! gives the parts folio does not write (see `source`), spliced as the
//! package is written.
//!
//! Memory: the document's XML is never held whole — it is deflated as it is written; what
//! a render holds besides the model is the packed output and per-part bookkeeping.

pub(crate) mod body;
mod changes;
mod drawings;
mod paragraphs;
pub(crate) mod parts;
mod review;
pub(crate) mod revision;
mod runs;
#[cfg(test)]
pub(crate) mod schema_order;
mod sections;
pub(crate) mod source;
pub(crate) mod styles;
mod tables;
pub(crate) mod xml;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufWriter, Cursor, Write};
use std::sync::Arc;

use domain::{Block, Document, HeaderFooter, InlineImage, Run};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::RenderError;
use crate::render::RenderOptions;
use crate::write::source::Source;

/// The package being written.
pub(crate) type Zip = ZipWriter<Cursor<Vec<u8>>>;

/// Ids handed out while writing, one sequence each, per render.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    /// `w:bookmarkStart`/`w:bookmarkEnd` ids.
    pub(crate) bookmarks: u64,
    /// External link relationships (`rIdLinkN`), across every part.
    pub(crate) links: u64,
    /// Drawing ids (`wp:docPr`), across every part.
    pub(crate) drawings: u64,
    /// Revision ids (`w:ins`, `w:del`, `w:rPrChange`, `w:pPrChange`): one space.
    pub(crate) revisions: u64,
}

impl Ids {
    pub(crate) fn next(counter: &mut u64) -> u64 {
        *counter += 1;
        *counter
    }
}

/// A media file of the package: one per distinct picture whose bytes are there.
#[derive(Debug)]
pub(crate) struct MediaFile {
    /// Inside `word/`: `media/image1.png`.
    pub(crate) name: String,
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Arc<[u8]>,
}

/// The media files, numbered by first use as the parts are written (the body, then headers
/// and footers), so the same version always packs the same names.
#[derive(Debug)]
pub(crate) struct Media<'o> {
    pub(crate) files: Vec<MediaFile>,
    numbers: HashMap<String, usize>,
    /// The pictures' bytes, by media id.
    bytes: &'o BTreeMap<String, Arc<[u8]>>,
    /// `image`, or beside an imported file's own media `folio-image`.
    prefix: &'static str,
}

impl<'o> Media<'o> {
    fn new(options: &'o RenderOptions) -> Self {
        Self {
            files: Vec::new(),
            numbers: HashMap::new(),
            bytes: &options.media,
            prefix: if options.source.is_some() {
                "folio-image"
            } else {
                "image"
            },
        }
    }

    /// The number of the media file that shows `image` (a new file the first time), if
    /// its bytes are there.
    pub(crate) fn number(&mut self, image: &InlineImage) -> Option<usize> {
        if let Some(number) = self.numbers.get(&image.media) {
            return Some(*number);
        }
        let bytes = self.bytes.get(&image.media)?;
        let number = self.files.len() + 1;
        self.files.push(MediaFile {
            name: format!("media/{}{number}.{}", self.prefix, image.format.extension()),
            content_type: image.format.content_type(),
            bytes: bytes.clone(),
        });
        self.numbers.insert(image.media.clone(), number);
        Some(number)
    }
}

/// A header or footer part folio writes.
#[derive(Debug)]
pub(crate) struct MarginPart<'a> {
    pub(crate) footer: bool,
    /// Numbered per kind, from 1.
    pub(crate) number: usize,
    pub(crate) runs: &'a [Run],
}

impl MarginPart<'_> {
    pub(crate) fn kind(&self) -> &'static str {
        if self.footer { "footer" } else { "header" }
    }

    /// Inside `word/`.
    pub(crate) fn name(&self) -> String {
        format!("folio{}{}.xml", self.kind(), self.number)
    }

    /// Its relationship id from the main part.
    pub(crate) fn id(&self) -> String {
        let kind = if self.footer { "Footer" } else { "Header" };
        format!("rIdFolio{kind}{}", self.number)
    }
}

/// What one section shows: the relationship id of each header and footer, by kind
/// (`default`, `first`, `even`) — its own, else the previous section's (Word's "link to
/// previous", made explicit so every reader shows the same).
#[derive(Debug, Clone, Default)]
pub(crate) struct Shown {
    pub(crate) headers: [Option<String>; 3],
    pub(crate) footers: [Option<String>; 3],
}

/// The kinds of header and footer, in the order `Shown` keeps them.
pub(crate) const MARGIN_KINDS: [&str; 3] = ["default", "first", "even"];

/// The header and footer parts and what each section shows.
pub(crate) fn plan_margins(doc: &Document) -> (Vec<MarginPart<'_>>, Vec<Shown>) {
    let mut parts: Vec<MarginPart<'_>> = Vec::new();
    let mut sections = Vec::new();
    let mut shown = Shown::default();
    for (_, header, footer) in doc.section_margins() {
        for (footer_kind, set) in [(false, header), (true, footer)] {
            for (k, runs) in margin_sets(set).into_iter().enumerate() {
                let Some(runs) = runs else { continue };
                let number = parts.iter().filter(|p| p.footer == footer_kind).count() + 1;
                let part = MarginPart {
                    footer: footer_kind,
                    number,
                    runs,
                };
                let slot = if footer_kind {
                    &mut shown.footers[k]
                } else {
                    &mut shown.headers[k]
                };
                *slot = Some(part.id());
                parts.push(part);
            }
        }
        sections.push(shown.clone());
    }
    (parts, sections)
}

fn margin_sets(set: &HeaderFooter) -> [Option<&[Run]>; 3] {
    [
        set.default.as_deref(),
        set.first.as_deref(),
        set.even.as_deref(),
    ]
}

/// The relationships a part's content made: external links and the media files its
/// pictures show.
#[derive(Debug, Default)]
pub(crate) struct PartRels {
    /// Relationship id and target of each external link.
    pub(crate) links: Vec<(String, String)>,
    /// Media file numbers, each once, in order of first use.
    pub(crate) images: Vec<usize>,
    /// Relationships opaque content names (the main part only), each id once.
    pub(crate) opaque: Vec<domain::OpaqueRel>,
}

/// Entry options: deflated, with a fixed time, so the same version packs the same bytes.
fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
}

/// Starts a zip entry and hands `write` a buffered XML emitter over it.
pub(crate) fn part<T>(
    zip: &mut Zip,
    name: &str,
    write: impl FnOnce(&mut xml::Xml<BufWriter<&mut Zip>>) -> std::io::Result<T>,
) -> Result<T, RenderError> {
    zip.start_file(name, deflated())?;
    let mut out = xml::Xml::new(BufWriter::with_capacity(64 * 1024, &mut *zip));
    out.declaration()?;
    let value = write(&mut out)?;
    out.into_inner().flush().map_err(RenderError::Io)?;
    Ok(value)
}

/// Writes bytes as a zip entry (`stored`: as they are, for pictures).
pub(crate) fn entry(
    zip: &mut Zip,
    name: &str,
    bytes: &[u8],
    stored: bool,
) -> Result<(), RenderError> {
    let options = if stored {
        deflated().compression_method(CompressionMethod::Stored)
    } else {
        deflated()
    };
    zip.start_file(name, options)?;
    zip.write_all(bytes)?;
    Ok(())
}

/// A redline: version A, and who made each block's changes.
pub(crate) struct Redline<'a> {
    pub(crate) from: &'a Document,
    pub(crate) by: &'a dyn Fn(&domain::BlockId, crate::MarkKind) -> crate::Mark,
}

/// Renders `doc` as a .docx; with `redline`, every change since its version A as a
/// tracked change.
pub(crate) fn package(
    doc: &Document,
    options: &RenderOptions,
    redline: Option<&Redline<'_>>,
) -> Result<Vec<u8>, RenderError> {
    let source = options.source.as_deref().and_then(Source::open);
    let (margins, shown) = plan_margins(doc);
    let numbering_base = source
        .as_ref()
        .and_then(Source::numbering_base)
        .unwrap_or(0);
    let mut ids = Ids::default();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(16 * 1024)));

    // The body first: what it uses decides the style sheet, numbering and relationships.
    let mut writer = body::Body::new(doc, Media::new(options), &mut ids, numbering_base);
    let entries: Vec<body::Entry<'_>> = match redline {
        Some(r) => crate::redline::plan(r.from, doc),
        None => doc.blocks.iter().map(body::Entry::Kept).collect(),
    };
    let revisions = redline.map(|r| body::Revisions { by: r.by });
    let doc_rels = part(&mut zip, "word/document.xml", |x| {
        writer.document(x, &entries, revisions.as_ref(), &shown)
    })?;
    let mut margin_rels = Vec::with_capacity(margins.len());
    for margin in &margins {
        let rels = part(&mut zip, &format!("word/{}", margin.name()), |x| {
            writer.margin(x, margin)
        })?;
        margin_rels.push(rels);
    }
    let review = review::ReviewParts::of(doc);
    let review_rels = writer.review_parts(&mut zip, review)?;
    let (used, media) = writer.finish();

    let written = parts::Written {
        doc,
        options,
        source: source.as_ref(),
        media: &media,
        margins: &margins,
        margin_rels: &margin_rels,
        doc_rels: &doc_rels,
        review,
        review_rels: &review_rels,
        used: &used,
        numbering_base,
        even_headers: doc
            .section_margins()
            .any(|(_, header, footer)| header.even.is_some() || footer.even.is_some()),
        update_fields: doc
            .blocks
            .iter()
            .any(|b| matches!(b, Block::TableOfContents(t) if !body::toc_is_cached(doc, t))),
    };
    written.rest(&mut zip)?;
    Ok(zip.finish()?.into_inner())
}

/// What the body used, for the parts written after it.
#[derive(Debug, Default)]
pub(crate) struct Used {
    /// Style ids the parts refer to.
    pub(crate) styles: BTreeSet<String>,
    /// The numbering instances and abstract definitions the lists need.
    pub(crate) numbering: styles::Numbering,
}

impl Used {
    /// Notes that a part refers to style `id` (allocating only the first time).
    pub(crate) fn style(&mut self, id: &str) {
        if !self.styles.contains(id) {
            self.styles.insert(id.to_string());
        }
    }
}
