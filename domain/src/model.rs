//! The document model: what a document is made of.
//!
//! Text positions everywhere in folio are counted in Unicode scalar values (Rust `char`s),
//! not bytes and not UTF-16 units, so an offset means the same thing to every client.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{BlockId, DocumentId, Version};

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

/// What a style formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StyleKind {
    /// Whole paragraphs.
    #[default]
    Paragraph,
    /// Runs of text.
    Character,
    /// Tables.
    Table,
}

/// A style of the document's own (a custom style).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StyleDef {
    /// Its id, as blocks and runs refer to it (`LegalClause`).
    pub style_id: String,
    /// Its name as Word shows it ("Legal Clause").
    pub name: String,
    /// Paragraph, character or table.
    pub kind: StyleKind,
    /// The style it inherits from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    /// The paragraph style Word gives the next paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_pt: Option<f32>,
    /// Bold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bold: Option<bool>,
    /// Italic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Space before paragraphs, in points (paragraph styles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing_before: Option<f32>,
    /// Space after paragraphs, in points (paragraph styles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing_after: Option<f32>,
    /// Alignment (paragraph styles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// The style came from an imported file and is unchanged since: the file's own
    /// definition (with everything folio does not model) is written back as it was.
    #[serde(default, skip_serializing_if = "is_false")]
    pub imported: bool,
}

impl StyleDef {
    /// A style that sets nothing yet.
    pub fn blank(style_id: String, name: String, kind: StyleKind) -> Self {
        Self {
            style_id,
            name,
            kind,
            based_on: None,
            next: None,
            font: None,
            size_pt: None,
            bold: None,
            italic: None,
            underline: None,
            color: None,
            spacing_before: None,
            spacing_after: None,
            alignment: None,
            imported: false,
        }
    }
}

/// A section: its page setup and its headers and footers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    /// Page size, orientation, margins and columns, where set.
    #[serde(default, skip_serializing_if = "PageSetup::is_empty")]
    pub page: PageSetup,
    /// Headers, where set.
    #[serde(default, skip_serializing_if = "HeaderFooter::is_empty")]
    pub header: HeaderFooter,
    /// Footers, where set.
    #[serde(default, skip_serializing_if = "HeaderFooter::is_empty")]
    pub footer: HeaderFooter,
}

impl Section {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A page setup. Lengths are in millimetres; unset fields take folio's defaults
/// ([`PageSetup::DEFAULT`]: A4 portrait, 25.4 mm margins, one column).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageSetup {
    /// Page width in millimetres (wider than high in landscape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_mm: Option<f32>,
    /// Page height in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_mm: Option<f32>,
    /// Top margin in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_top_mm: Option<f32>,
    /// Bottom margin in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_bottom_mm: Option<f32>,
    /// Left margin in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_left_mm: Option<f32>,
    /// Right margin in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_right_mm: Option<f32>,
    /// Text columns, 1-10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<u8>,
}

/// A page setup with every field resolved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedPageSetup {
    /// Page width in millimetres.
    pub width_mm: f32,
    /// Page height in millimetres.
    pub height_mm: f32,
    /// `portrait` or `landscape` (wider than high).
    pub orientation: Orientation,
    /// Top margin in millimetres.
    pub margin_top_mm: f32,
    /// Bottom margin in millimetres.
    pub margin_bottom_mm: f32,
    /// Left margin in millimetres.
    pub margin_left_mm: f32,
    /// Right margin in millimetres.
    pub margin_right_mm: f32,
    /// Text columns.
    pub columns: u8,
}

/// Page orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Higher than wide.
    Portrait,
    /// Wider than high.
    Landscape,
}

impl PageSetup {
    /// folio's page when nothing is set: A4 portrait with Word's 25.4 mm margins.
    pub const DEFAULT: ResolvedPageSetup = ResolvedPageSetup {
        width_mm: 210.0,
        height_mm: 297.0,
        orientation: Orientation::Portrait,
        margin_top_mm: 25.4,
        margin_bottom_mm: 25.4,
        margin_left_mm: 25.4,
        margin_right_mm: 25.4,
        columns: 1,
    };

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Every field, defaults filled in.
    pub fn resolved(&self) -> ResolvedPageSetup {
        let d = Self::DEFAULT;
        let width_mm = self.width_mm.unwrap_or(d.width_mm);
        let height_mm = self.height_mm.unwrap_or(d.height_mm);
        ResolvedPageSetup {
            width_mm,
            height_mm,
            orientation: if width_mm > height_mm {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            },
            margin_top_mm: self.margin_top_mm.unwrap_or(d.margin_top_mm),
            margin_bottom_mm: self.margin_bottom_mm.unwrap_or(d.margin_bottom_mm),
            margin_left_mm: self.margin_left_mm.unwrap_or(d.margin_left_mm),
            margin_right_mm: self.margin_right_mm.unwrap_or(d.margin_right_mm),
            columns: self.columns.unwrap_or(d.columns),
        }
    }
}

/// The headers (or footers) of a section: one for every page, one for the first page,
/// one for even pages. Each is a paragraph of runs; fields (`PAGE`, `NUMPAGES`, `DATE`)
/// are runs with a `field`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeaderFooter {
    /// On every page (odd pages too, when `even` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<Run>>,
    /// On the first page of the section instead of `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Vec<Run>>,
    /// On even pages instead of `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub even: Option<Vec<Run>>,
}

impl HeaderFooter {
    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The text of each set header or footer, for counting and searching.
    pub fn texts(&self) -> impl Iterator<Item = String> + '_ {
        [&self.default, &self.first, &self.even]
            .into_iter()
            .flatten()
            .map(|runs| runs_text(runs))
    }
}

/// A field Word computes when it lays out the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The page number.
    Page,
    /// The number of pages.
    NumPages,
    /// Today's date (when the document is opened or printed).
    Date,
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

/// A section break.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionBreak {
    /// Stable id.
    pub id: BlockId,
    /// Where the new section starts.
    pub kind: SectionStart,
    /// The page setup of the section that starts here.
    #[serde(default, skip_serializing_if = "PageSetup::is_empty")]
    pub page: PageSetup,
    /// The section's own headers; a kind it does not set is the previous section's (as
    /// Word's "link to previous").
    #[serde(default, skip_serializing_if = "HeaderFooter::is_empty")]
    pub header: HeaderFooter,
    /// The section's own footers, inherited the same way.
    #[serde(default, skip_serializing_if = "HeaderFooter::is_empty")]
    pub footer: HeaderFooter,
}

/// Where a section starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SectionStart {
    /// On a new page.
    #[default]
    NextPage,
    /// On the same page.
    Continuous,
}

/// Paragraph alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    /// Flush left (the default).
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
    /// Justified.
    Justify,
}

/// A run of text with one formatting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Run {
    /// The text of the run.
    pub text: String,
    /// Its formatting.
    #[serde(flatten)]
    pub format: RunFormat,
}

impl Run {
    /// A run without formatting.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            format: RunFormat::default(),
        }
    }
}

/// Character formatting of a run. Absent fields mean "inherit from the style".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunFormat {
    /// Bold.
    #[serde(default, skip_serializing_if = "is_false")]
    pub bold: bool,
    /// Italic.
    #[serde(default, skip_serializing_if = "is_false")]
    pub italic: bool,
    /// Single underline.
    #[serde(default, skip_serializing_if = "is_false")]
    pub underline: bool,
    /// Strike-through.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strike: bool,
    /// Font family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Font size in points (half-point precision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_pt: Option<f32>,
    /// Text colour as six hex digits, upper case (`FF0000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Highlight colour, one of Word's named highlight colours (`yellow`, `green`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
    /// Superscript (raised and smaller; never with `subscript`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub superscript: bool,
    /// Subscript (lowered and smaller; never with `superscript`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub subscript: bool,
    /// Small capitals.
    #[serde(default, skip_serializing_if = "is_false")]
    pub small_caps: bool,
    /// The run is (part of) a hyperlink to this target: an `http`, `https` or `mailto` URL,
    /// or `#name` for the bookmark `name` in this document. Neighbouring runs with the same
    /// target form one link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The run is a field Word computes; its text is the value shown until it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    /// Character style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// The bookmarks (named ranges) this run is part of: a bookmark added over a range of
    /// a paragraph's text marks the runs it covers, as a link does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookmarks: Vec<String>,
    /// The run is an inline image; its text is one object replacement character
    /// (U+FFFC), so the image takes one character position, as in Word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<InlineImage>,
    /// The run is content of an imported file the model cannot hold (a symbol, a
    /// footnote reference, a tracked change, a comment mark…), kept as its exact XML; its
    /// text is what readers show of it (U+FFFC when it shows none). Only an import makes
    /// one; it is atomic like a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque: Option<OpaqueInline>,
}

/// Inline content kept as its XML (see [`RunFormat::opaque`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpaqueInline {
    /// The element, by its qualified name in the file (`w:r`, `w:ins`, `w:sdt`).
    pub element: String,
    /// Its exact XML, with the namespace declarations it needs on its root.
    pub xml: String,
    /// The relationships the XML names, renamed to ids of their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rels: Vec<OpaqueRel>,
}

impl RunFormat {
    /// Whether the run is one indivisible inline (a field or an image): it never merges
    /// with its neighbours, and typed text never joins it.
    pub fn is_atomic(&self) -> bool {
        self.field.is_some() || self.image.is_some() || self.opaque.is_some()
    }
}

/// The text an inline image takes in its paragraph: U+FFFC, the object replacement
/// character.
pub const IMAGE_CHAR: char = '\u{FFFC}';

/// An inline image: the stored picture it shows (by content hash), and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InlineImage {
    /// SHA-256 of the image bytes, 64 lower-case hex digits: the media id (`GET
    /// …/media/{media}` downloads it).
    pub media: String,
    /// The image's own format (kept as uploaded, never re-encoded).
    pub format: ImageFormat,
    /// Width of the picture itself, in pixels.
    pub width_px: u32,
    /// Height of the picture itself, in pixels.
    pub height_px: u32,
    /// Shown width, in EMU (914,400 per inch; 9,525 per pixel at 96 dpi).
    pub width_emu: u32,
    /// Shown height, in EMU.
    pub height_emu: u32,
    /// Size of the image file, in bytes.
    pub bytes: u64,
    /// Alternative text for readers who cannot see the image.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alt_text: String,
}

/// The formats folio stores images in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF.
    Gif,
}

impl ImageFormat {
    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

/// A paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paragraph {
    /// Stable id.
    pub id: BlockId,
    /// Formatted runs; their concatenation is the paragraph text.
    pub runs: Vec<Run>,
    /// Paragraph style id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Alignment, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Spacing, indents and pagination, where set.
    #[serde(default, skip_serializing_if = "ParagraphFormat::is_empty")]
    pub format: ParagraphFormat,
    /// Names of the bookmarks that span this whole paragraph (targets of internal links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookmarks: Vec<String>,
}

/// A paragraph's spacing, indents and pagination; each unset field keeps the style's.
/// Lengths are in points.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParagraphFormat {
    /// Space before the paragraph, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing_before: Option<f32>,
    /// Space after the paragraph, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing_after: Option<f32>,
    /// Line spacing as a multiple of single spacing (1 single, 1.5, 2 double).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_spacing: Option<f32>,
    /// Left indent, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indent_left: Option<f32>,
    /// Right indent, in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indent_right: Option<f32>,
    /// First-line indent, in points (not with `hanging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_line: Option<f32>,
    /// Hanging indent of the lines after the first, in points (not with `first_line`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hanging: Option<f32>,
    /// Keep on the same page as the next paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_with_next: Option<bool>,
    /// Start on a new page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_break_before: Option<bool>,
}

impl ParagraphFormat {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Heading {
    /// Stable id.
    pub id: BlockId,
    /// Level 1-9.
    pub level: u8,
    /// Formatted runs.
    pub runs: Vec<Run>,
    /// Alignment, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Spacing, indents and pagination, where set.
    #[serde(default, skip_serializing_if = "ParagraphFormat::is_empty")]
    pub format: ParagraphFormat,
    /// Names of the bookmarks that span this whole paragraph (targets of internal links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookmarks: Vec<String>,
}

/// A table. Every row has the same number of cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    /// Stable id.
    pub id: BlockId,
    /// Rows of cells, each cell plain text.
    pub rows: Vec<Vec<String>>,
    /// Whether the first row is a header row (repeated on each page).
    #[serde(default)]
    pub header_row: bool,
    /// Table style id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Merged cells: each a rectangle shown as one cell holding the text of its top-left
    /// cell (the cells it covers are empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<CellSpan>,
    /// Column widths in millimetres, one per column; equal shares of the text width when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths_mm: Option<Vec<f32>>,
    /// Shading and vertical alignment of cells, where set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cell_formats: Vec<CellFormatAt>,
    /// The formatted runs of cells that hold formatting (their text in `rows` is the
    /// runs' text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cell_runs: Vec<CellRunsAt>,
}

/// The formatted content of one cell: one paragraph of runs, or several blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellRunsAt {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Formatted runs of a one-paragraph cell (empty when the cell holds `blocks`).
    pub runs: Vec<Run>,
    /// The blocks of a cell that holds several (paragraphs, lists, a nested table); the
    /// cell's text in `rows` is theirs, one line per paragraph, list item or table row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<CellBlock>,
}

/// A block inside a table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CellBlock {
    /// A paragraph of formatted runs.
    Paragraph {
        /// Its runs.
        runs: Vec<Run>,
        /// Paragraph style id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
        /// Alignment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<Alignment>,
    },
    /// A bullet or numbered list.
    List {
        /// Bullets or numbers.
        kind: ListKind,
        /// Its items.
        items: Vec<ListItem>,
    },
    /// A nested table of plain-text cells.
    Table {
        /// Cell texts, row by row.
        rows: Vec<Vec<String>>,
    },
}

impl CellBlock {
    /// The block's lines: a paragraph's text, each list item's, each nested row's (cells
    /// separated by tabs).
    pub fn lines(&self) -> Vec<String> {
        match self {
            CellBlock::Paragraph { runs, .. } => vec![runs_text(runs)],
            CellBlock::List { items, .. } => items.iter().map(|i| i.text.clone()).collect(),
            CellBlock::Table { rows } => rows.iter().map(|r| r.join("\t")).collect(),
        }
    }
}

/// Where a piece of a cell's text lives: block `block`, then the list item or the nested
/// table row `line`, then the nested cell `cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellPartAt {
    pub(crate) block: usize,
    pub(crate) line: usize,
    pub(crate) cell: usize,
}

/// The text of a cell holding blocks: their lines, one per line.
pub fn cell_blocks_text(blocks: &[CellBlock]) -> String {
    blocks
        .iter()
        .flat_map(CellBlock::lines)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A rectangle of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellSpan {
    /// Top row.
    pub row: usize,
    /// Left column.
    pub col: usize,
    /// Rows spanned (at least 1).
    pub rows: usize,
    /// Columns spanned (at least 1).
    pub cols: usize,
}

impl CellSpan {
    /// Whether the cell at `row`, `col` is inside.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        (self.row..self.row.saturating_add(self.rows)).contains(&row)
            && (self.col..self.col.saturating_add(self.cols)).contains(&col)
    }

    /// Whether two rectangles share a cell.
    pub fn overlaps(&self, other: &CellSpan) -> bool {
        self.row < other.row.saturating_add(other.rows)
            && other.row < self.row.saturating_add(self.rows)
            && self.col < other.col.saturating_add(other.cols)
            && other.col < self.col.saturating_add(self.cols)
    }
}

/// The format of one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellFormatAt {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Background colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shading: Option<String>,
    /// Vertical alignment of the cell's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical_align: Option<VerticalAlign>,
}

/// Vertical alignment in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerticalAlign {
    /// At the top (Word's default).
    Top,
    /// Centred.
    Center,
    /// At the bottom.
    Bottom,
}

impl Table {
    /// The merge a cell belongs to, if any.
    pub fn merge_at(&self, row: usize, col: usize) -> Option<&CellSpan> {
        self.merges.iter().find(|m| m.contains(row, col))
    }

    /// The formatted runs of a one-paragraph cell, if it has formatting.
    pub fn cell_runs_at(&self, row: usize, col: usize) -> Option<&[Run]> {
        self.cell_runs
            .iter()
            .find(|c| c.row == row && c.col == col && c.blocks.is_empty())
            .map(|c| c.runs.as_slice())
    }

    /// A one-paragraph cell's content as runs (a plain cell as one plain run); none for a
    /// cell that does not exist.
    pub(crate) fn cell_as_runs(&self, row: usize, col: usize) -> Option<Vec<Run>> {
        let text = self.rows.get(row)?.get(col)?;
        Some(
            self.cell_runs_at(row, col)
                .map_or_else(|| plain_runs(text), <[Run]>::to_vec),
        )
    }

    /// The blocks of a cell that holds several, if it does.
    pub fn cell_blocks_at(&self, row: usize, col: usize) -> Option<&[CellBlock]> {
        self.cell_runs
            .iter()
            .find(|c| c.row == row && c.col == col && !c.blocks.is_empty())
            .map(|c| c.blocks.as_slice())
    }

    /// Sets a cell's content to several blocks (its text becomes theirs).
    pub(crate) fn set_cell_blocks(&mut self, row: usize, col: usize, blocks: Vec<CellBlock>) {
        let text = cell_blocks_text(&blocks);
        self.set_cell(row, col, text, None);
        if !blocks.is_empty() {
            self.cell_runs.push(CellRunsAt {
                row,
                col,
                runs: Vec::new(),
                blocks,
            });
            self.cell_runs.sort_by_key(|c| (c.row, c.col));
        }
    }

    /// Sets a cell's content: its text, and its runs when it has formatting.
    pub(crate) fn set_cell(
        &mut self,
        row: usize,
        col: usize,
        text: String,
        runs: Option<Vec<Run>>,
    ) {
        self.cell_runs.retain(|c| (c.row, c.col) != (row, col));
        if let Some(runs) = runs {
            self.cell_runs.push(CellRunsAt {
                row,
                col,
                runs,
                blocks: Vec::new(),
            });
            self.cell_runs.sort_by_key(|c| (c.row, c.col));
        }
        if let Some(cell) = self.rows.get_mut(row).and_then(|r| r.get_mut(col)) {
            *cell = text;
        }
    }

    /// The format of a cell, if set.
    pub fn cell_format(&self, row: usize, col: usize) -> Option<&CellFormatAt> {
        self.cell_formats
            .iter()
            .find(|f| f.row == row && f.col == col)
    }
}

impl Table {
    /// Number of columns (0 for a table without rows, which the domain never produces).
    pub fn cols(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }
}

/// Kind of list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Bulleted.
    Bullet,
    /// Numbered (1., 2., … restarting for each list).
    Numbered,
}

/// A list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List {
    /// Stable id.
    pub id: BlockId,
    /// Bullet or numbered.
    pub kind: ListKind,
    /// Items in order.
    pub items: Vec<ListItem>,
    /// Number format, bullet character, first number, where set.
    #[serde(default, skip_serializing_if = "ListNumbering::is_empty")]
    pub numbering: ListNumbering,
}

/// How a list's top level is numbered or bulleted (deeper levels keep Word's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListNumbering {
    /// Number format of a numbered list (default `decimal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<NumberStyle>,
    /// Bullet character of a bulleted list (default `•`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bullet: Option<String>,
    /// First number of a numbered list (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
    /// Numbered lists only: go on from the previous numbered list instead of restarting.
    #[serde(default, skip_serializing_if = "is_false")]
    pub continue_previous: bool,
}

impl ListNumbering {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NumberStyle {
    /// 1, 2, 3
    Decimal,
    /// a, b, c
    LowerLetter,
    /// A, B, C
    UpperLetter,
    /// i, ii, iii
    LowerRoman,
    /// I, II, III
    UpperRoman,
}

/// One list item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListItem {
    /// Item text (the runs' text joined, when it has runs).
    pub text: String,
    /// Nesting level, 0-8.
    #[serde(default)]
    pub level: u8,
    /// Formatted runs, when the item has formatting (absent for plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<Run>>,
}

impl ListItem {
    /// The item's content as runs (a plain item as one plain run).
    pub(crate) fn as_runs(&self) -> Vec<Run> {
        self.runs.clone().unwrap_or_else(|| plain_runs(&self.text))
    }
}

/// A table of contents. Its entries are the document's headings down to `max_level`, as
/// they are at each version (written into the .docx as the field's current result, so
/// readers that do not update fields list them too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableOfContents {
    /// Stable id.
    pub id: BlockId,
    /// Deepest heading level listed, 1-9.
    pub max_level: u8,
    /// A title above the entries ("Contents"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The entries an imported file's table of contents showed, with the page numbers
    /// Word computed: written again, page numbers included, as long as the document's
    /// headings (down to `max_level`) are still these; after a change to the outline folio
    /// writes new entries and asks Word to number them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<TocPage>,
}

/// One entry of a table of contents as a file showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TocPage {
    /// The heading's level, 1-9.
    pub level: u8,
    /// The heading's text as the entry showed it.
    pub text: String,
    /// The page number shown ("3", "iv").
    pub page: String,
}

/// Most characters of a page number a table of contents entry keeps.
pub const MAX_TOC_PAGE_CHARS: usize = 16;

impl TableOfContents {
    /// The page numbers to show, one per entry, when the cached entries are still the
    /// document's (`entries`: level and text of each heading listed, in order).
    pub fn cached_pages<'a>(
        &'a self,
        entries: &[(u8, String)],
    ) -> Option<impl Iterator<Item = &'a str> + 'a> {
        let same = !self.pages.is_empty()
            && self.pages.len() == entries.len()
            && self
                .pages
                .iter()
                .zip(entries)
                .all(|(p, (level, text))| p.level == *level && same_words(&p.text, text));
        same.then(|| self.pages.iter().map(|p| p.page.as_str()))
    }
}

/// Whether two texts have the same words (a cached entry drops tabs and doubled spaces).
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
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
    /// table cell, which [`Document::images`] does not address — for loading the bytes a
    /// render needs and for allowing their download.
    pub fn all_images(&self) -> impl Iterator<Item = &InlineImage> + '_ {
        let in_cells = self.blocks.iter().flat_map(Block::cell_block_runs);
        self.images()
            .map(|(_, _, _, image)| image)
            .chain(in_cells.filter_map(|r| r.format.image.as_ref()))
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

/// Which pages a header or footer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HeaderKind {
    /// Every page (the odd ones when an even-page one is set).
    #[default]
    Default,
    /// The first page of the section.
    First,
    /// Even pages.
    Even,
}

impl HeaderKind {
    /// Every kind, in Word's order.
    pub const ALL: [HeaderKind; 3] = [HeaderKind::Default, HeaderKind::First, HeaderKind::Even];

    /// Its wire name (`default`, `first`, `even`).
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderKind::Default => "default",
            HeaderKind::First => "first",
            HeaderKind::Even => "even",
        }
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

/// Formatting-free default for callers that build runs from plain text.
pub fn plain_runs(text: &str) -> Vec<Run> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Run::plain(text)]
    }
}
