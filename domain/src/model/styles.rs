//! Styles: the document's own paragraph, character and table styles.

use super::*;

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
