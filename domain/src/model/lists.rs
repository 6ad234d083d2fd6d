//! Lists: items, levels, numbering.

use super::*;

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
