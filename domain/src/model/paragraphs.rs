//! Paragraphs and headings, and their paragraph formatting.

use super::*;

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
