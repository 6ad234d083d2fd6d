//! Sections: page setup, headers and footers, and the breaks between sections.

use super::*;

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
