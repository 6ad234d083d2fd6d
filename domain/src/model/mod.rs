//! The document model: what a document is made of.
//!
//! Text positions everywhere in folio are counted in Unicode scalar values (Rust `char`s),
//! not bytes and not UTF-16 units, so an offset means the same thing to every client.
//!
//! This file holds the document and its blocks; each family of content has its file:
//! `runs` (text, formatting, fields, images), `paragraphs`, `lists`, `tables`,
//! `toc`, `sections` (page setup, headers, footers) and `styles`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{BlockId, DocumentId, Version};

mod lists;
mod paragraphs;
mod review;
mod runs;
mod sections;
mod styles;
mod tables;
mod toc;

pub use lists::*;
pub use paragraphs::*;
pub use review::*;
pub use runs::*;
pub use sections::*;
pub use styles::*;
pub use tables::*;
pub use toc::*;

/// The Document aggregate: the state rebuilt from a document's events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    /// `None` until the document is created.
    pub id: Option<DocumentId>,
    /// The document title (also written as the .docx core property `title`).
    pub title: String,
    /// Core properties other than the title.
    pub metadata: DocumentMetadata,
    /// Top-level blocks, in reading order.
    pub blocks: Vec<Block>,
    /// The sequence number of the last event applied.
    pub version: Version,
    /// Archived documents keep their history but accept no more commands.
    pub archived: bool,
    /// The document's section: page setup, headers and footers (folio's defaults where
    /// nothing is set).
    #[serde(default, skip_serializing_if = "Section::is_empty")]
    pub section: Section,
    /// The document's own styles (Word's built-in ones that folio uses are always there:
    /// `GET …/styles` lists both).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub styles: Vec<StyleDef>,
    /// The Word file the document was imported from, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ImportSource>,
    /// Named versions: label → version (`label_version`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, u64>,
    /// Comments, roots and replies, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// Footnotes and endnotes, in the order they were made (numbered by their references'
    /// order: [`Document::note_numbers`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Suggestions: proposed changes, open or decided, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// The last comment and note numbers given out (ids are never reused).
    #[serde(default, skip_serializing_if = "ReviewCounters::is_zero")]
    pub review_ids: ReviewCounters,
}

/// The last comment and note numbers a document gave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewCounters {
    /// Last `c<n>`.
    #[serde(default)]
    pub comments: u64,
    /// Last note number (`f<n>` or `e<n>`).
    #[serde(default)]
    pub notes: u64,
    /// Last `s<n>`.
    #[serde(default)]
    pub suggestions: u64,
}

impl ReviewCounters {
    /// No id given out yet.
    pub fn is_zero(&self) -> bool {
        self.comments == 0 && self.notes == 0 && self.suggestions == 0
    }
}

/// The file an imported document came from: stored once, content-addressed, never
/// changed, so every replay and rebuild renders the same document from it (the parts folio
/// does not regenerate are written back from it byte for byte).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSource {
    /// SHA-256 of the uploaded .docx, 64 lower-case hex digits (its id in the media store).
    pub media: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Core properties of a document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentMetadata {
    /// Author (`dc:creator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Subject (`dc:subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Keywords (`cp:keywords`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Description (`dc:description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Category (`cp:category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Any other property, kept as custom metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

/// One top-level block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of formatted runs.
    Paragraph(Paragraph),
    /// A heading, level 1-9.
    Heading(Heading),
    /// A table of plain-text cells.
    Table(Table),
    /// A bullet or numbered list.
    List(List),
    /// A hard page break.
    PageBreak(PageBreak),
    /// A table of contents: Word's TOC field over the headings.
    TableOfContents(TableOfContents),
    /// A section break: the blocks after it form a new section with its own page setup.
    SectionBreak(SectionBreak),
    /// Content of an imported file that the model cannot hold (a content control, a text
    /// box, an equation…), kept as its exact XML: it can be moved and deleted, its text is
    /// read and searched, and it is written back as it was.
    Opaque(OpaqueBlock),
}

/// A block kept as its XML (see [`Block::Opaque`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpaqueBlock {
    /// Stable id.
    pub id: BlockId,
    /// The element, by its qualified name in the file (`w:sdt`, `w:p`, `w:tbl`).
    pub element: String,
    /// Why folio keeps it as it is ("content control", "text box", "tracked change"…).
    pub reason: String,
    /// Its text, as Word shows it.
    pub text: String,
    /// The element's exact XML, with the namespace declarations it needs on its root.
    pub xml: String,
    /// The relationships the XML names (`r:id`, `r:embed`…), renamed to ids of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rels: Vec<OpaqueRel>,
}

/// A relationship an opaque block's XML refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpaqueRel {
    /// Its id, as the XML names it.
    pub id: String,
    /// The relationship type (a URI).
    pub kind: String,
    /// For an internal target, the part's name in the source file (`word/media/image1.png`);
    /// for an external one, the URL as written (never fetched).
    pub target: String,
    /// The target is outside the package (`TargetMode="External"`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub external: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

impl Document {
    /// The deepest heading level a table of contents of the document lists (0: none).
    pub fn toc_level(&self) -> u8 {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::TableOfContents(t) => Some(t.max_level),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// The entries of a table of contents listing headings down to `max_level`: each
    /// heading's index, level and text.
    pub fn toc_entries(&self, max_level: u8) -> impl Iterator<Item = (usize, u8, String)> + '_ {
        self.blocks
            .iter()
            .enumerate()
            .filter_map(move |(i, b)| match b {
                Block::Heading(h) if h.level <= max_level => Some((i, h.level, b.text())),
                _ => None,
            })
    }
}

/// A page break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageBreak {
    /// Stable id.
    pub id: BlockId,
}

impl Block {
    /// The block's id.
    pub fn id(&self) -> &BlockId {
        match self {
            Block::Paragraph(p) => &p.id,
            Block::Heading(h) => &h.id,
            Block::Table(t) => &t.id,
            Block::List(l) => &l.id,
            Block::PageBreak(b) => &b.id,
            Block::TableOfContents(t) => &t.id,
            Block::SectionBreak(b) => &b.id,
            Block::Opaque(o) => &o.id,
        }
    }

    /// The bookmarks spanning this block (only paragraphs and headings hold them).
    pub fn bookmarks(&self) -> &[String] {
        match self {
            Block::Paragraph(p) => &p.bookmarks,
            Block::Heading(h) => &h.bookmarks,
            _ => &[],
        }
    }

    /// Every list of runs the block holds, with where it is: a paragraph's or heading's
    /// text, a formatted table cell (one paragraph), a formatted list item.
    pub fn inline_runs(&self) -> Vec<(Within, &[Run])> {
        match self {
            Block::Paragraph(p) => vec![(Within::Text, p.runs.as_slice())],
            Block::Heading(h) => vec![(Within::Text, h.runs.as_slice())],
            Block::Table(t) => t
                .cell_runs
                .iter()
                .filter(|c| c.blocks.is_empty())
                .map(|c| {
                    (
                        Within::Cell {
                            row: c.row,
                            col: c.col,
                        },
                        c.runs.as_slice(),
                    )
                })
                .collect(),
            Block::List(l) => l
                .items
                .iter()
                .enumerate()
                .filter_map(|(item, i)| Some((Within::Item { item }, i.runs.as_deref()?)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The runs inside the blocks of a table's cells (paragraphs and list items), which
    /// [`Block::inline_runs`] does not address.
    pub fn cell_block_runs(&self) -> Vec<&Run> {
        let Block::Table(t) = self else {
            return Vec::new();
        };
        t.cell_runs
            .iter()
            .flat_map(|c| c.blocks.iter())
            .flat_map(|cb| match cb {
                CellBlock::Paragraph { runs, .. } => runs.iter().collect::<Vec<_>>(),
                CellBlock::List { items, .. } => {
                    items.iter().flat_map(|i| i.runs.iter().flatten()).collect()
                }
                CellBlock::Table { .. } => Vec::new(),
            })
            .collect()
    }

    /// The runs of a paragraph or heading, for changing them (none for other blocks).
    pub fn runs_mut(&mut self) -> Option<&mut Vec<Run>> {
        match self {
            Block::Paragraph(p) => Some(&mut p.runs),
            Block::Heading(h) => Some(&mut h.runs),
            _ => None,
        }
    }

    /// The runs of a paragraph or heading (none for other blocks).
    pub fn runs(&self) -> &[Run] {
        match self {
            Block::Paragraph(p) => &p.runs,
            Block::Heading(h) => &h.runs,
            _ => &[],
        }
    }

    /// The block type as the API names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Paragraph(_) => "paragraph",
            Block::Heading(_) => "heading",
            Block::Table(_) => "table",
            Block::List(_) => "list",
            Block::PageBreak(_) => "page_break",
            Block::TableOfContents(_) => "table_of_contents",
            Block::SectionBreak(_) => "section_break",
            Block::Opaque(_) => "opaque",
        }
    }

    /// The block's plain text: runs joined; table cells separated by tabs and rows by
    /// newlines; list items by newlines; empty for a page break.
    pub fn text(&self) -> String {
        match self {
            Block::Paragraph(p) => runs_text(&p.runs),
            Block::Heading(h) => runs_text(&h.runs),
            Block::Table(t) => t
                .rows
                .iter()
                .map(|row| row.join("\t"))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::List(l) => l
                .items
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            Block::PageBreak(_) | Block::SectionBreak(_) => String::new(),
            Block::TableOfContents(t) => t.title.clone().unwrap_or_default(),
            Block::Opaque(o) => o.text.clone(),
        }
    }

    /// Every piece of text this block holds, for counting and searching.
    pub fn text_pieces(&self) -> Vec<String> {
        match self {
            Block::Paragraph(p) => vec![runs_text(&p.runs)],
            Block::Heading(h) => vec![runs_text(&h.runs)],
            Block::Table(t) => t.rows.iter().flatten().cloned().collect(),
            Block::List(l) => l.items.iter().map(|i| i.text.clone()).collect(),
            Block::PageBreak(_) | Block::SectionBreak(_) => Vec::new(),
            Block::TableOfContents(t) => t.title.iter().cloned().collect(),
            Block::Opaque(o) => vec![o.text.clone()],
        }
    }
}

/// An estimate of the bytes runs hold: their structures, text and strings.
fn runs_bytes(runs: &[Run]) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    runs.iter()
        .map(|r| {
            std::mem::size_of::<Run>()
                + r.text.len()
                + opt(&r.format.font)
                + opt(&r.format.color)
                + opt(&r.format.highlight)
                + opt(&r.format.link)
                + opt(&r.format.style)
                + r.format.opaque.as_ref().map_or(0, |o| {
                    std::mem::size_of::<OpaqueInline>() + o.xml.len() + o.element.len()
                })
                + r.format.image.as_ref().map_or(0, |i| {
                    std::mem::size_of::<InlineImage>() + i.media.len() + i.alt_text.len()
                })
        })
        .sum()
}

/// An estimate of the bytes a cell's block holds.
fn cell_block_bytes(block: &CellBlock) -> usize {
    std::mem::size_of::<CellBlock>()
        + match block {
            CellBlock::Paragraph { runs, style, .. } => {
                runs_bytes(runs) + style.as_ref().map_or(0, String::len)
            }
            CellBlock::List { items, .. } => items
                .iter()
                .map(|i| {
                    std::mem::size_of::<ListItem>()
                        + i.text.len()
                        + i.runs.as_deref().map_or(0, runs_bytes)
                })
                .sum(),
            CellBlock::Table { rows } => rows
                .iter()
                .flatten()
                .map(|c| std::mem::size_of::<String>() + c.len())
                .sum(),
        }
}

/// The concatenated text of runs.
pub fn runs_text(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

/// Counts shown in the document summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Paragraphs and headings (list items and table cells not included).
    pub paragraphs: u64,
    /// Whitespace-separated words in all text, tables and lists included.
    pub words: u64,
    /// Characters (Unicode scalar values) in all text, tables and lists included.
    pub characters: u64,
    /// Tables.
    pub tables: u64,
    /// Images.
    pub images: u64,
}

impl Block {
    /// An estimate of the bytes this block holds in memory (its structures and its text).
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let names = |names: &[String]| -> usize {
            names.iter().map(|n| size_of::<String>() + n.len()).sum()
        };
        let runs = |runs: &[Run]| runs_bytes(runs);
        size_of::<Block>()
            + self.id().as_str().len()
            + match self {
                Block::Paragraph(p) => runs(&p.runs) + opt(&p.style) + names(&p.bookmarks),
                Block::Heading(h) => runs(&h.runs) + names(&h.bookmarks),
                Block::Table(t) => {
                    t.rows
                        .iter()
                        .map(|r| {
                            size_of::<Vec<String>>()
                                + r.iter()
                                    .map(|c| size_of::<String>() + c.len())
                                    .sum::<usize>()
                        })
                        .sum::<usize>()
                        + opt(&t.style)
                        + t.cell_runs
                            .iter()
                            .map(|c| {
                                size_of::<CellRunsAt>()
                                    + runs(&c.runs)
                                    + c.blocks.iter().map(cell_block_bytes).sum::<usize>()
                            })
                            .sum::<usize>()
                        + t.merges.len() * size_of::<CellSpan>()
                        + t.cell_formats.len() * size_of::<CellFormatAt>()
                }
                Block::List(l) => l
                    .items
                    .iter()
                    .map(|i| {
                        size_of::<ListItem>() + i.text.len() + i.runs.as_deref().map_or(0, runs)
                    })
                    .sum(),
                Block::PageBreak(_) => 0,
                Block::SectionBreak(b) => [&b.header, &b.footer]
                    .into_iter()
                    .flat_map(|set| [&set.default, &set.first, &set.even])
                    .flatten()
                    .map(|r| runs(r))
                    .sum(),
                Block::TableOfContents(t) => opt(&t.title),
                Block::Opaque(o) => {
                    o.element.len()
                        + o.reason.len()
                        + o.text.len()
                        + o.xml.len()
                        + o.rels
                            .iter()
                            .map(|r| {
                                size_of::<OpaqueRel>() + r.id.len() + r.kind.len() + r.target.len()
                            })
                            .sum::<usize>()
                }
            }
    }
}

impl Document {
    /// An estimate of the bytes the document holds in memory (linear in its length: call
    /// it when the document is loaded or stored, not per read). Caches are budgeted with it.
    pub fn approx_bytes(&self) -> usize {
        let headers: usize = [&self.section.header, &self.section.footer]
            .into_iter()
            .flat_map(|set| [&set.default, &set.first, &set.even])
            .flatten()
            .map(|runs| runs_bytes(runs))
            .sum();
        std::mem::size_of::<Self>()
            + self.title.len()
            + headers
            + self.styles.len() * std::mem::size_of::<StyleDef>()
            + self.blocks.iter().map(Block::approx_bytes).sum::<usize>()
    }

    /// Whether the document has been created.
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// The position of a block, by id.
    pub fn position_of(&self, id: &BlockId) -> Option<usize> {
        self.blocks.iter().position(|b| b.id() == id)
    }

    /// A block, by id.
    pub fn block(&self, id: &BlockId) -> Option<&Block> {
        self.blocks.iter().find(|b| b.id() == id)
    }

    /// The block holding the bookmark `name` (compared as Word does, ignoring ASCII case).
    pub fn bookmark_block(&self, name: &str) -> Option<&Block> {
        self.bookmark(name).map(|(block, _)| block)
    }

    /// The bookmark `name` (ignoring ASCII case): the block holding it, and the name as
    /// it was given when the bookmark was added.
    pub fn bookmark(&self, name: &str) -> Option<(&Block, &str)> {
        self.blocks.iter().find_map(|b| {
            b.bookmarks()
                .iter()
                .chain(b.runs().iter().flat_map(|r| r.format.bookmarks.iter()))
                .find(|n| n.eq_ignore_ascii_case(name))
                .map(|n| (b, n.as_str()))
        })
    }

    /// How many bookmarks the document has (whole blocks and ranges).
    pub fn bookmark_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| {
                let mut ranges: Vec<&String> = b
                    .runs()
                    .iter()
                    .flat_map(|r| r.format.bookmarks.iter())
                    .collect();
                ranges.sort();
                ranges.dedup();
                b.bookmarks().len() + ranges.len()
            })
            .sum()
    }

    /// How many inline images the document has (linear in its runs, not its text).
    pub fn image_count(&self) -> usize {
        let count = |runs: &[Run]| runs.iter().filter(|r| r.format.image.is_some()).count();
        let body: usize = self
            .blocks
            .iter()
            .flat_map(Block::inline_runs)
            .map(|(_, runs)| count(runs))
            .sum();
        let margins: usize = self.margin_runs().map(|(.., runs)| count(runs)).sum();
        body + margins
    }

    /// Every inline image: the body's in reading order, then the headers' and footers'
    /// section by section. Each with the block holding it (for a header or footer, the
    /// section break starting its section; none for section 0), where in it (text, cell,
    /// item, header, footer), its character offset there, and the image.
    pub fn images(
        &self,
    ) -> impl Iterator<Item = (Option<&Block>, Within, usize, &InlineImage)> + '_ {
        let body = self.blocks.iter().flat_map(|block| {
            block
                .inline_runs()
                .into_iter()
                .map(move |(w, r)| (Some(block), w, r))
        });
        let margins = self
            .margin_runs()
            .map(|(_, block, within, runs)| (block, within, runs.as_slice()));
        body.chain(margins).flat_map(|(block, within, runs)| {
            let mut offset = 0;
            runs.iter().filter_map(move |run| {
                let at = offset;
                offset += run.text.chars().count();
                run.format
                    .image
                    .as_ref()
                    .map(|image| (block, within, at, image))
            })
        })
    }

    /// Every picture the document shows, wherever it is — also inside the blocks of a
    /// table cell and in comments and notes, which [`Document::images`] does not address —
    /// for loading the bytes a render needs and for allowing their download.
    pub fn all_images(&self) -> impl Iterator<Item = &InlineImage> + '_ {
        let in_cells = self.blocks.iter().flat_map(Block::cell_block_runs);
        let in_review = self
            .comments
            .iter()
            .flat_map(|c| c.paragraphs.iter())
            .chain(self.notes.iter().flat_map(|n| n.paragraphs.iter()))
            .flatten();
        self.images()
            .map(|(_, _, _, image)| image)
            .chain(in_cells.filter_map(|r| r.format.image.as_ref()))
            .chain(in_review.filter_map(|r| r.format.image.as_ref()))
    }

    /// The whole document as plain text, one block per line group.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            if let Block::PageBreak(_) = block {
                out.push('\u{c}');
                out.push('\n');
                continue;
            }
            out.push_str(&block.text());
            out.push('\n');
        }
        out
    }

    /// Counts for the summary. Linear in the document's text; allocates nothing.
    pub fn stats(&self) -> Stats {
        fn count(stats: &mut Stats, text: &str) {
            stats.characters += text.chars().count() as u64;
            stats.words += text.split_whitespace().count() as u64;
        }
        let mut stats = Stats::default();
        for block in &self.blocks {
            match block {
                Block::Paragraph(Paragraph { runs, .. }) | Block::Heading(Heading { runs, .. }) => {
                    stats.paragraphs += 1;
                    stats.images += runs.iter().filter(|r| r.format.image.is_some()).count() as u64;
                    // Words may continue across runs ("bo**ld**"), so count the joined text.
                    if let [run] = runs.as_slice() {
                        count(&mut stats, &run.text);
                    } else {
                        count(&mut stats, &runs_text(runs));
                    }
                }
                Block::Table(t) => {
                    stats.tables += 1;
                    for cell in t.rows.iter().flatten() {
                        count(&mut stats, cell);
                    }
                }
                Block::List(l) => {
                    for item in &l.items {
                        count(&mut stats, &item.text);
                    }
                }
                Block::TableOfContents(t) => {
                    if let Some(title) = &t.title {
                        count(&mut stats, title);
                    }
                }
                Block::Opaque(o) => count(&mut stats, &o.text),
                Block::PageBreak(_) | Block::SectionBreak(_) => {}
            }
        }
        stats
    }
}

/// The text inside a block that an occurrence (or an inline image) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Within {
    /// The runs of a paragraph or heading.
    #[default]
    Text,
    /// A table cell.
    Cell {
        /// Row.
        row: usize,
        /// Column.
        col: usize,
    },
    /// A list item.
    Item {
        /// Item index.
        item: usize,
    },
    /// A header of the section (the event's section break, or section 0 without one).
    Header {
        /// Which pages.
        pages: HeaderKind,
    },
    /// A footer of the section.
    Footer {
        /// Which pages.
        pages: HeaderKind,
    },
}

impl Within {
    /// Whether it is a paragraph's or heading's own text.
    pub fn is_text(&self) -> bool {
        *self == Within::Text
    }

    /// For a header or footer, its name as the API gives it (`header_default`,
    /// `footer_first`…).
    pub fn margin_part(&self) -> Option<String> {
        match self {
            Within::Header { pages } => Some(format!("header_{}", pages.as_str())),
            Within::Footer { pages } => Some(format!("footer_{}", pages.as_str())),
            _ => None,
        }
    }
}

/// Something an import kept opaque or changed: one per kind, with how often and where
/// first (as mammoth reports what it ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportWarning {
    /// A stable name for the kind (`opaque_content_control`, `external_image`…).
    pub kind: String,
    /// What happened, in words.
    pub message: String,
    /// How many times.
    pub count: u64,
    /// Where the first one is (`word/document.xml, block 12`).
    pub example: String,
}
