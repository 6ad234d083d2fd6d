//! Runs: text with its formatting, fields, inline images and opaque inlines.

use super::*;

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
    /// The comments whose anchor covers this run (ids of thread roots). A run with no text
    /// and comments is a comment anchored to a point (its text was deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<String>,
    /// The run is the reference mark of this footnote or endnote (its text is one
    /// U+FFFC); atomic like a picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The open suggestions whose anchor covers this run (like `comments`: a run with no
    /// text and suggestions is one anchored to a point).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
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

/// A kind of anchor runs carry: a comment's or a suggestion's (see [`RunFormat::comments`]
/// and [`RunFormat::suggestions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A comment thread's anchor.
    Comment,
    /// A suggestion's anchor.
    Suggestion,
}

impl Mark {
    /// Both kinds.
    pub const ALL: [Mark; 2] = [Mark::Comment, Mark::Suggestion];

    /// The ids of this kind a run's format carries.
    pub fn of(self, format: &RunFormat) -> &Vec<String> {
        match self {
            Mark::Comment => &format.comments,
            Mark::Suggestion => &format.suggestions,
        }
    }

    /// [`Mark::of`], for changing them.
    pub fn of_mut(self, format: &mut RunFormat) -> &mut Vec<String> {
        match self {
            Mark::Comment => &mut format.comments,
            Mark::Suggestion => &mut format.suggestions,
        }
    }
}

impl RunFormat {
    /// Whether the run carries a comment's or suggestion's anchor.
    pub fn is_anchor(&self) -> bool {
        !self.comments.is_empty() || !self.suggestions.is_empty()
    }

    /// Whether the run is one indivisible inline (a field or an image): it never merges
    /// with its neighbours, and typed text never joins it.
    pub fn is_atomic(&self) -> bool {
        self.field.is_some() || self.image.is_some() || self.opaque.is_some() || self.note.is_some()
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

/// Formatting-free default for callers that build runs from plain text.
pub fn plain_runs(text: &str) -> Vec<Run> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Run::plain(text)]
    }
}
