//! What commands share, below every feature: how a command names a block or a place
//! ([`BlockRef`], [`Position`]), runs as a client writes them ([`RunInput`]), the limits
//! ([`Limits`]) and the checks every feature applies to its input. A leaf of the domain:
//! it uses the model and the text operations, and nothing that uses it.

use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
use crate::ids::BlockId;
use crate::model::{Block, Document, Run, RunFormat};
use crate::text::{self, FormatPatch};

/// Size limits a command must respect. Exceeding one is [`DocumentError::TooLarge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Top-level blocks per document.
    pub max_blocks: usize,
    /// Characters in one paragraph, heading, table cell or list item.
    pub max_text_chars: usize,
    /// Cells in one table.
    pub max_table_cells: usize,
    /// Items in one list.
    pub max_list_items: usize,
    /// Characters in a title or a metadata value.
    pub max_title_chars: usize,
    /// Bytes of one image file.
    pub max_image_bytes: usize,
    /// Pixels (width × height) of one image.
    pub max_image_pixels: u64,
    /// Images in one document.
    pub max_images: usize,
}

impl Limits {
    /// The defaults: the one place they are written (the CLI's defaults, the OpenAPI
    /// bounds and the docs read them from here).
    pub const DEFAULT: Self = Self {
        max_blocks: 100_000,
        max_text_chars: 1_000_000,
        max_table_cells: 100_000,
        max_list_items: 10_000,
        max_title_chars: 1_000,
        max_image_bytes: 10 * 1024 * 1024,
        max_image_pixels: 40_000_000,
        max_images: 1_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Most columns Word allows in a table.
pub const MAX_TABLE_COLS: usize = 63;
/// Deepest list level (0-based).
pub const MAX_LIST_LEVEL: u8 = 8;

/// Checks that text can be stored in a .docx (XML 1.0 characters only; tab and newline
/// allowed) and is not longer than `max` characters.
pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<(), DocumentError> {
    if let Some(c) = text::first_non_xml_char(value) {
        return Err(DocumentError::invalid(
            field,
            format!(
                "contains the control character U+{:04X}, which a .docx cannot hold",
                c as u32
            ),
        ));
    }
    if value.chars().nth(max).is_some() {
        return Err(DocumentError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

pub(crate) fn too_large(what: &'static str, limit: usize) -> DocumentError {
    DocumentError::TooLarge { what, limit }
}

/// Longest link target, in characters (browsers and Word handle far longer; 2,048 keeps
/// a link a link, not a payload).
pub(crate) const MAX_LINK_CHARS: usize = 2048;
/// Longest bookmark name (Word's own limit).
pub(crate) const MAX_BOOKMARK_CHARS: usize = 40;

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
            Some(link) => Some(checked_target(&format!("{field}.link"), link)?),
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

/// Checks a link target as a client gave it: an `http`/`https` URL with a host, a
/// `mailto:` address, or `#name` naming a bookmark. Returns it with the scheme in lower
/// case.
///
/// # Errors
/// [`DocumentError::InvalidField`] naming `field`.
pub(crate) fn checked_target(field: &str, target: &str) -> Result<String, DocumentError> {
    let bad = |why: &str| Err(DocumentError::invalid(field, why));
    if target.chars().count() > MAX_LINK_CHARS {
        return bad("a link target has at most 2048 characters");
    }
    if target
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !text::is_xml_char(c))
    {
        return bad("a link target holds no spaces or control characters (percent-encode them)");
    }
    if let Some(name) = target.strip_prefix('#') {
        checked_bookmark_name(field, name)?;
        return Ok(target.to_string());
    }
    let Some((scheme, rest)) = target.split_once(':') else {
        return bad("a link is an http, https or mailto URL, or #bookmark");
    };
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "http" | "https" => {
            let host = rest
                .strip_prefix("//")
                .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""))
                .unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or("");
            if host.is_empty() || host.starts_with(':') {
                return bad("an http or https link needs a host (https://example.com/…)");
            }
        }
        "mailto" => {
            if rest.is_empty() {
                return bad("a mailto link needs an address");
            }
        }
        _ => {
            return bad(&format!(
                "links may use http, https or mailto, not {scheme}:"
            ));
        }
    }
    Ok(format!("{scheme}:{rest}"))
}

/// Checks a bookmark name against Word's rules.
pub(crate) fn checked_bookmark_name(field: &str, name: &str) -> Result<(), DocumentError> {
    let mut chars = name.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_is_letter
        || name.len() > MAX_BOOKMARK_CHARS
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(DocumentError::invalid(
            field,
            "a bookmark name has 1 to 40 characters: a letter, then letters, digits or _",
        ));
    }
    Ok(())
}

pub(crate) fn normalized(runs: &[Run]) -> Vec<Run> {
    let mut runs = runs.to_vec();
    text::normalize(&mut runs);
    runs
}

pub(crate) fn wrong_type(block: &Block, expected: &'static str) -> DocumentError {
    DocumentError::WrongBlockType {
        block_id: block.id().clone(),
        expected,
        actual: block.kind(),
    }
}

/// The runs of a paragraph or heading; any other block is the wrong type.
pub(crate) fn text_runs(block: &Block) -> Result<&Vec<Run>, DocumentError> {
    match block {
        Block::Paragraph(p) => Ok(&p.runs),
        Block::Heading(h) => Ok(&h.runs),
        other => Err(wrong_type(other, "paragraph or heading")),
    }
}

/// Resolves an optional `start..end` (default: the whole text) against a text of `len`
/// characters: `end` at most `len`, `start` before `end`.
pub(crate) fn text_range(
    start: Option<usize>,
    end: Option<usize>,
    len: usize,
) -> Result<(usize, usize), DocumentError> {
    let start = start.unwrap_or(0);
    let end = end.unwrap_or(len);
    if end > len {
        return Err(DocumentError::TextRangeOutOfBounds {
            field: "end",
            value: end,
            len,
        });
    }
    if start >= end {
        return Err(DocumentError::TextRangeOutOfBounds {
            field: "start",
            value: start,
            len,
        });
    }
    Ok((start, end))
}

pub(crate) fn check_index(
    field: &'static str,
    value: usize,
    len: usize,
) -> Result<(), DocumentError> {
    if value < len {
        Ok(())
    } else {
        Err(DocumentError::IndexOutOfRange { field, value, len })
    }
}

/// A command's JSON with a `block_index` (where it has no `block_id`) and a
/// `position.index` replaced by the id of the block that stands there in `doc` (an index
/// at the end: `position.at = end`); left as it is where no block stands there.
pub(crate) fn anchor_to_ids(value: &mut serde_json::Value, doc: &Document) {
    use serde_json::Value;
    let id_at = |i: u64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| doc.blocks.get(i))
            .map(|b| b.id().to_string())
    };
    let Some(object) = value.as_object_mut() else {
        return;
    };
    if !object.contains_key("block_id")
        && let Some(id) = object
            .get("block_index")
            .and_then(Value::as_u64)
            .and_then(id_at)
    {
        object.remove("block_index");
        object.insert("block_id".into(), Value::String(id));
    }
    if let Some(position) = object.get_mut("position").and_then(Value::as_object_mut)
        && let Some(index) = position.get("index").and_then(Value::as_u64)
    {
        let at_end = usize::try_from(index).is_ok_and(|i| i == doc.blocks.len());
        match id_at(index) {
            Some(id) => {
                position.remove("index");
                position.insert("before".into(), Value::String(id));
            }
            None if at_end => {
                position.remove("index");
                position.insert("at".into(), Value::String("end".into()));
            }
            None => {}
        }
    }
}

/// Runs from the `text` or `runs` field of a command (`None` when neither is given).
pub(crate) fn runs_from(
    text_field: &str,
    text: Option<&str>,
    runs: Option<&[RunInput]>,
    limits: &Limits,
) -> Result<Option<Vec<Run>>, DocumentError> {
    match (text, runs) {
        (Some(_), Some(_)) => Err(DocumentError::invalid(
            "runs",
            "give text or runs, not both",
        )),
        (Some(t), None) => {
            check_text(text_field, t, limits.max_text_chars)?;
            Ok(Some(crate::model::plain_runs(t)))
        }
        (None, Some(inputs)) => {
            let mut runs = Vec::with_capacity(inputs.len());
            let mut total: usize = 0;
            for (i, input) in inputs.iter().enumerate() {
                let field = format!("runs.{i}");
                check_text(&format!("{field}.text"), &input.text, limits.max_text_chars)?;
                total = total.saturating_add(text::str_len(&input.text));
                runs.push(input.to_run(&field)?);
            }
            if total > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            text::normalize(&mut runs);
            Ok(Some(runs))
        }
        (None, None) => Ok(None),
    }
}
