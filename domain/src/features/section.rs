//! The section: page setup (size, orientation, margins, columns) and headers and footers
//! (every page, first page, even pages) with page-number fields.
//!
//! Section 0 starts the document; each section break starts the next one, with its own
//! page setup. Each section may set its own headers and footers; a kind it does not set
//! is the previous section's (Word's "link to previous"), so section 0's show everywhere
//! until a later section sets its own.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::RunInput;
use crate::input::{Limits, check_index, check_text, runs_from, too_large};
use crate::model::{
    Block, Document, Field, HeaderFooter, Orientation, PageSetup, Run, RunFormat, SectionBreak,
    SectionStart,
};
use crate::text;

/// Page sizes by name, in millimetres (portrait).
pub(crate) const PAPER_SIZES: &[(&str, f32, f32)] = &[
    ("A3", 297.0, 420.0),
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("Letter", 215.9, 279.4),
    ("Legal", 215.9, 355.6),
];
/// Page sides, in millimetres: Word's range (0.1 to 22 inches).
const PAGE_RANGE: (f32, f32) = (2.54, 558.8);
/// What margins must leave for text, in millimetres.
const MIN_TEXT_MM: f32 = 10.0;
/// Most text columns.
const MAX_COLUMNS: u8 = 10;

impl PageSetup {
    /// Whether every set field is one `set_page_setup` would accept: sides within Word's
    /// range, margins that leave room for text, 1-10 columns (an importer keeps only such).
    pub fn is_sound(&self) -> bool {
        let r = self.resolved();
        let (lo, hi) = PAGE_RANGE;
        let side = |v: f32| v.is_finite() && (lo..=hi).contains(&v);
        let margin = |v: f32| v.is_finite() && (0.0..=hi).contains(&v);
        side(r.width_mm)
            && side(r.height_mm)
            && [
                r.margin_top_mm,
                r.margin_bottom_mm,
                r.margin_left_mm,
                r.margin_right_mm,
            ]
            .into_iter()
            .all(margin)
            && r.margin_left_mm + r.margin_right_mm <= r.width_mm - MIN_TEXT_MM
            && r.margin_top_mm + r.margin_bottom_mm <= r.height_mm - MIN_TEXT_MM
            && (1..=MAX_COLUMNS).contains(&r.columns)
    }
}

/// `add_section_break`: a new section starts after the blocks before `position`, with the
/// page setup of the section it is cut from (turned to `orientation` when given).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddSectionBreak {
    /// Where the break goes (default: the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<crate::input::Position>,
    /// `next_page` (default) or `continuous`.
    #[serde(default)]
    pub kind: SectionStart,
    /// The new section's orientation (default: as the section it is cut from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<Orientation>,
}

/// `set_page_setup`: changes the fields given, keeps the others.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPageSetup {
    /// Section index (0, the default: documents have one section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<usize>,
    /// A named paper size: `A3`, `A4`, `A5`, `Letter` or `Legal` (not with width/height);
    /// the orientation stays as it is unless `orientation` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Page width in millimetres (2.54 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 2.54, maximum = 558.8))]
    pub width_mm: Option<f32>,
    /// Page height in millimetres (2.54 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 2.54, maximum = 558.8))]
    pub height_mm: Option<f32>,
    /// `portrait` or `landscape`: width and height are swapped as needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<Orientation>,
    /// Top margin in millimetres (0 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 558.8))]
    pub margin_top_mm: Option<f32>,
    /// Bottom margin in millimetres (0 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 558.8))]
    pub margin_bottom_mm: Option<f32>,
    /// Left margin in millimetres (0 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 558.8))]
    pub margin_left_mm: Option<f32>,
    /// Right margin in millimetres (0 to 558.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 558.8))]
    pub margin_right_mm: Option<f32>,
    /// Text columns, 1 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub columns: Option<u8>,
}

pub use crate::model::HeaderKind;

/// Header or footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub(crate) enum Margin {
    /// The header, above the text.
    Header,
    /// The footer, below the text.
    Footer,
}

/// `set_header` and `set_footer` take the same fields.
macro_rules! header_footer_command {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Section index (0, the default; `k` is the section after the `k`th section
            /// break). Later sections show the previous section's until they set their own.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub section: Option<usize>,
            /// `default` (every page, the default), `first` (first page) or `even` (even
            /// pages).
            #[serde(default)]
            pub kind: HeaderKind,
            /// Text; `{PAGE}`, `{NUMPAGES}` and `{DATE}` become fields ("Page {PAGE} of
            /// {NUMPAGES}"). Empty text removes it.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub text: Option<String>,
            /// Formatted runs (a run with `field` is a field); not with `text`. No runs
            /// removes it.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub runs: Option<Vec<RunInput>>,
        }

        impl $name {
            fn content(&self) -> Content<'_> {
                Content {
                    section: self.section,
                    kind: self.kind,
                    text: self.text.as_deref(),
                    runs: self.runs.as_deref(),
                }
            }
        }
    };
}

header_footer_command! {
    /// `set_header`: the header of a section's pages, as `text` (where `{PAGE}`,
    /// `{NUMPAGES}` and `{DATE}` become fields) or as `runs`.
    SetHeader
}

header_footer_command! {
    /// `set_footer`: the footer of a section's pages, as `text` (where `{PAGE}`,
    /// `{NUMPAGES}` and `{DATE}` become fields) or as `runs`.
    SetFooter
}

/// What `set_header` and `set_footer` ask for.
struct Content<'a> {
    section: Option<usize>,
    kind: HeaderKind,
    text: Option<&'a str>,
    runs: Option<&'a [RunInput]>,
}

/// Checks a length in millimetres against `min..=max`.
fn mm(field: &str, value: Option<f32>, min: f32, max: f32) -> Result<Option<f32>, DocumentError> {
    match value {
        Some(v) if !v.is_finite() || v < min || v > max => Err(DocumentError::invalid(
            field,
            format!("must be {min} to {max} mm"),
        )),
        // Word stores twentieths of a point: keep a tenth of a millimetre.
        Some(v) => Ok(Some((v * 10.0).round() / 10.0)),
        None => Ok(None),
    }
}

/// Text with `{PAGE}`, `{NUMPAGES}` and `{DATE}` as runs, the placeholders as fields.
pub(crate) fn placeholder_runs(text: &str) -> Vec<Run> {
    const FIELDS: [(&str, Field, &str); 3] = [
        ("{PAGE}", Field::Page, "1"),
        ("{NUMPAGES}", Field::NumPages, "1"),
        ("{DATE}", Field::Date, "date"),
    ];
    let mut runs = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = FIELDS
            .iter()
            .filter_map(|(token, field, shown)| {
                rest.find(token).map(|at| (at, *token, *field, *shown))
            })
            .min_by_key(|(at, ..)| *at);
        let Some((at, token, field, shown)) = next else {
            runs.push(Run::plain(rest));
            break;
        };
        if at > 0 {
            runs.push(Run::plain(&rest[..at]));
        }
        runs.push(Run {
            text: shown.into(),
            format: RunFormat {
                field: Some(field),
                ..RunFormat::default()
            },
        });
        rest = &rest[at + token.len()..];
    }
    runs
}

impl Document {
    /// The number of sections: one, and one more after each section break.
    pub fn section_count(&self) -> usize {
        1 + self
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::SectionBreak(_)))
            .count()
    }

    /// The page setup of section `index` (0: the document's first section; `k`: the one
    /// after the `k`th section break).
    pub fn section_page(&self, index: usize) -> Option<&PageSetup> {
        match index {
            0 => Some(&self.section.page),
            _ => self.section_break(index - 1).map(|b| &b.page),
        }
    }

    /// The `n`th section break (0-based), which starts section `n + 1`.
    fn section_break(&self, n: usize) -> Option<&SectionBreak> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::SectionBreak(s) => Some(s),
                _ => None,
            })
            .nth(n)
    }

    /// The headers and footers section `index` sets itself (section 0: the document's).
    pub fn margins(&self, index: usize) -> Option<(&HeaderFooter, &HeaderFooter)> {
        match index {
            0 => Some((&self.section.header, &self.section.footer)),
            _ => self
                .section_break(index - 1)
                .map(|b| (&b.header, &b.footer)),
        }
    }

    /// Every section's own headers and footers, in order (one pass over the blocks):
    /// section 0's, then each section break's (the break given).
    pub fn section_margins(
        &self,
    ) -> impl Iterator<Item = (Option<&Block>, &HeaderFooter, &HeaderFooter)> + '_ {
        let breaks = self.blocks.iter().filter_map(|b| match b {
            Block::SectionBreak(s) => Some((Some(b), &s.header, &s.footer)),
            _ => None,
        });
        std::iter::once((None, &self.section.header, &self.section.footer)).chain(breaks)
    }

    /// Every header and footer the sections set themselves: the section's index, its
    /// break (none for section 0), which one (`Within::Header` or `Within::Footer`) and
    /// its runs.
    pub fn margin_runs(
        &self,
    ) -> impl Iterator<Item = (usize, Option<&Block>, crate::event::Within, &Vec<Run>)> + '_ {
        use crate::event::Within;
        self.section_margins()
            .enumerate()
            .flat_map(|(section, (block, header, footer))| {
                HeaderKind::ALL.into_iter().flat_map(move |pages| {
                    let header = slot(header, pages)
                        .as_ref()
                        .map(|runs| (section, block, Within::Header { pages }, runs));
                    let footer = slot(footer, pages)
                        .as_ref()
                        .map(|runs| (section, block, Within::Footer { pages }, runs));
                    header.into_iter().chain(footer)
                })
            })
    }

    /// The headers and footers each section shows: its own, and for each kind it does
    /// not set, the previous section's (Word's "link to previous").
    pub fn shown_margins(&self) -> Vec<(HeaderFooter, HeaderFooter)> {
        let mut header = HeaderFooter::default();
        let mut footer = HeaderFooter::default();
        self.section_margins()
            .map(|(_, own_header, own_footer)| {
                inherit(&mut header, own_header);
                inherit(&mut footer, own_footer);
                (header.clone(), footer.clone())
            })
            .collect()
    }

    /// The index of the section block `index` is in.
    pub fn section_of(&self, index: usize) -> usize {
        self.blocks
            .iter()
            .take(index)
            .filter(|b| matches!(b, Block::SectionBreak(_)))
            .count()
    }

    /// Decides `add_section_break`.
    pub(crate) fn decide_add_section_break(
        &self,
        c: &AddSectionBreak,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        let index = self.insertion_index(c.position.as_ref(), limits)?;
        // The new section starts with the page of the section it is cut from.
        let mut page = self
            .section_page(self.section_of(index))
            .copied()
            .unwrap_or_default()
            .resolved();
        match c.orientation {
            Some(Orientation::Landscape) if page.width_mm < page.height_mm => {
                (page.width_mm, page.height_mm) = (page.height_mm, page.width_mm);
            }
            Some(Orientation::Portrait) if page.width_mm > page.height_mm => {
                (page.width_mm, page.height_mm) = (page.height_mm, page.width_mm);
            }
            _ => {}
        }
        Ok(DocumentEvent::SectionBreakAdded {
            block_id: new_id,
            index,
            kind: c.kind,
            page: PageSetup {
                width_mm: Some(page.width_mm),
                height_mm: Some(page.height_mm),
                margin_top_mm: Some(page.margin_top_mm),
                margin_bottom_mm: Some(page.margin_bottom_mm),
                margin_left_mm: Some(page.margin_left_mm),
                margin_right_mm: Some(page.margin_right_mm),
                columns: Some(page.columns),
            },
        })
    }

    fn section_index(&self, section: Option<usize>) -> Result<usize, DocumentError> {
        let index = section.unwrap_or(0);
        check_index("section", index, self.section_count())?;
        Ok(index)
    }

    /// Decides `set_page_setup`.
    pub(crate) fn decide_set_page_setup(
        &self,
        c: &SetPageSetup,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let section = self.section_index(c.section)?;
        let stored = self.section_page(section).copied().unwrap_or_default();
        let current = stored.resolved();
        let (mut width, mut height) = (current.width_mm, current.height_mm);
        if let Some(name) = &c.size {
            if c.width_mm.is_some() || c.height_mm.is_some() {
                return Err(DocumentError::invalid(
                    "size",
                    "give size or width_mm/height_mm, not both",
                ));
            }
            let Some((_, w, h)) = PAPER_SIZES
                .iter()
                .find(|(n, ..)| n.eq_ignore_ascii_case(name))
            else {
                let names: Vec<&str> = PAPER_SIZES.iter().map(|(n, ..)| *n).collect();
                return Err(DocumentError::invalid(
                    "size",
                    format!("size is one of {}", names.join(", ")),
                ));
            };
            (width, height) = if current.orientation == Orientation::Landscape {
                (*h, *w)
            } else {
                (*w, *h)
            };
        }
        let (lo, hi) = PAGE_RANGE;
        width = mm("width_mm", c.width_mm, lo, hi)?.unwrap_or(width);
        height = mm("height_mm", c.height_mm, lo, hi)?.unwrap_or(height);
        match c.orientation {
            Some(Orientation::Landscape) if width < height => (width, height) = (height, width),
            Some(Orientation::Portrait) if width > height => (width, height) = (height, width),
            _ => {}
        }
        let top = mm("margin_top_mm", c.margin_top_mm, 0.0, hi)?.unwrap_or(current.margin_top_mm);
        let bottom = mm("margin_bottom_mm", c.margin_bottom_mm, 0.0, hi)?
            .unwrap_or(current.margin_bottom_mm);
        let left =
            mm("margin_left_mm", c.margin_left_mm, 0.0, hi)?.unwrap_or(current.margin_left_mm);
        let right =
            mm("margin_right_mm", c.margin_right_mm, 0.0, hi)?.unwrap_or(current.margin_right_mm);
        if left + right > width - MIN_TEXT_MM {
            return Err(DocumentError::invalid(
                "margin_left_mm",
                format!(
                    "the left and right margins leave less than {MIN_TEXT_MM} mm of a {width} mm wide page"
                ),
            ));
        }
        if top + bottom > height - MIN_TEXT_MM {
            return Err(DocumentError::invalid(
                "margin_top_mm",
                format!(
                    "the top and bottom margins leave less than {MIN_TEXT_MM} mm of a {height} mm high page"
                ),
            ));
        }
        let columns = match c.columns {
            Some(n) if !(1..=MAX_COLUMNS).contains(&n) => {
                return Err(DocumentError::invalid(
                    "columns",
                    format!("columns must be 1 to {MAX_COLUMNS}"),
                ));
            }
            Some(n) => n,
            None => current.columns,
        };
        let given = c.size.is_some()
            || c.width_mm.is_some()
            || c.height_mm.is_some()
            || c.orientation.is_some()
            || c.margin_top_mm.is_some()
            || c.margin_bottom_mm.is_some()
            || c.margin_left_mm.is_some()
            || c.margin_right_mm.is_some()
            || c.columns.is_some();
        if !given {
            return Err(DocumentError::invalid(
                "size",
                "give at least one of size, width_mm, height_mm, orientation, margins, columns",
            ));
        }
        let page = PageSetup {
            width_mm: Some(width),
            height_mm: Some(height),
            margin_top_mm: Some(top),
            margin_bottom_mm: Some(bottom),
            margin_left_mm: Some(left),
            margin_right_mm: Some(right),
            columns: Some(columns),
        };
        if page.resolved() == current && !stored.is_empty() {
            return Ok(None);
        }
        if section == 0 {
            return Ok(Some(DocumentEvent::PageSetupSet { section, page }));
        }
        // A later section's page lives on the break that starts it.
        let Some(SectionBreak { id: block_id, .. }) = self.section_break(section - 1) else {
            return Err(DocumentError::IndexOutOfRange {
                field: "section",
                value: section,
                len: self.section_count(),
            });
        };
        Ok(Some(DocumentEvent::SectionPageSet {
            block_id: block_id.clone(),
            page,
        }))
    }

    /// Decides `set_header`.
    pub(crate) fn decide_set_header(
        &self,
        c: &SetHeader,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        self.decide_header_footer(Margin::Header, &c.content(), limits)
    }

    /// Decides `set_footer`.
    pub(crate) fn decide_set_footer(
        &self,
        c: &SetFooter,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        self.decide_header_footer(Margin::Footer, &c.content(), limits)
    }

    fn decide_header_footer(
        &self,
        margin: Margin,
        c: &Content<'_>,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let section = self.section_index(c.section)?;
        let runs = match (c.text, c.runs) {
            (Some(t), None) => {
                check_text("text", t, limits.max_text_chars)?;
                let mut runs = placeholder_runs(t);
                text::normalize(&mut runs);
                runs
            }
            (None, Some(_)) => {
                let runs = runs_from("text", None, c.runs, limits)?.unwrap_or_default();
                self.check_run_references(&runs, "runs")?;
                normalized_runs(runs)
            }
            _ => return Err(DocumentError::invalid("text", "give text or runs (one)")),
        };
        let count: usize = self
            .margin_runs()
            .map(|(.., runs)| text::char_len(runs))
            .sum();
        if count.saturating_add(text::char_len(&runs)) > limits.max_text_chars {
            return Err(too_large("header and footer text", limits.max_text_chars));
        }
        let runs = (!runs.is_empty()).then_some(runs);
        let Some((header, footer)) = self.margins(section) else {
            return Err(DocumentError::invalid("section", "no such section"));
        };
        let set = match margin {
            Margin::Header => header,
            Margin::Footer => footer,
        };
        if slot(set, c.kind) == &runs {
            return Ok(None);
        }
        // A later section's are kept on its break (so a read model stores them with it).
        if let Some(b) = section.checked_sub(1).and_then(|n| self.section_break(n)) {
            let block_id = b.id.clone();
            return Ok(Some(match margin {
                Margin::Header => DocumentEvent::SectionHeaderSet {
                    block_id,
                    kind: c.kind,
                    runs,
                },
                Margin::Footer => DocumentEvent::SectionFooterSet {
                    block_id,
                    kind: c.kind,
                    runs,
                },
            }));
        }
        Ok(Some(match margin {
            Margin::Header => DocumentEvent::HeaderSet {
                section,
                kind: c.kind,
                runs,
            },
            Margin::Footer => DocumentEvent::FooterSet {
                section,
                kind: c.kind,
                runs,
            },
        }))
    }

    /// Folds a section event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_section(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::PageSetupSet { section, page } => {
                if *section != 0 {
                    return Err(misfit("a later section's page is set on its break"));
                }
                self.section.page = *page;
            }
            E::SectionPageSet { block_id, page } => match self.block_mut(block_id) {
                Some(Block::SectionBreak(s)) => s.page = *page,
                _ => return Err(misfit("no such section break")),
            },
            E::SectionBreakAdded {
                block_id,
                index,
                kind,
                page,
            } => self.insert_block(
                *index,
                Block::SectionBreak(SectionBreak {
                    id: block_id.clone(),
                    kind: *kind,
                    page: *page,
                    header: HeaderFooter::default(),
                    footer: HeaderFooter::default(),
                }),
            ),
            E::HeaderSet {
                section,
                kind,
                runs,
            }
            | E::FooterSet {
                section,
                kind,
                runs,
            } => {
                if *section != 0 {
                    return Err(misfit("a later section's are set on its break"));
                }
                let set = if matches!(event, E::HeaderSet { .. }) {
                    &mut self.section.header
                } else {
                    &mut self.section.footer
                };
                *slot_mut(set, *kind) = runs.clone().map(normalized_runs);
            }
            E::SectionHeaderSet {
                block_id,
                kind,
                runs,
            }
            | E::SectionFooterSet {
                block_id,
                kind,
                runs,
            } => {
                let is_header = matches!(event, E::SectionHeaderSet { .. });
                let Some(Block::SectionBreak(b)) = self.block_mut(block_id) else {
                    return Err(misfit("no such section break"));
                };
                let set = if is_header {
                    &mut b.header
                } else {
                    &mut b.footer
                };
                *slot_mut(set, *kind) = runs.clone().map(normalized_runs);
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// Takes each kind `own` sets.
fn inherit(set: &mut HeaderFooter, own: &HeaderFooter) {
    for kind in HeaderKind::ALL {
        if let Some(runs) = slot(own, kind) {
            *slot_mut(set, kind) = Some(runs.clone());
        }
    }
}

fn normalized_runs(mut runs: Vec<Run>) -> Vec<Run> {
    text::normalize(&mut runs);
    runs
}

pub(crate) fn slot(set: &HeaderFooter, kind: HeaderKind) -> &Option<Vec<Run>> {
    match kind {
        HeaderKind::Default => &set.default,
        HeaderKind::First => &set.first,
        HeaderKind::Even => &set.even,
    }
}

pub(crate) fn slot_mut(set: &mut HeaderFooter, kind: HeaderKind) -> &mut Option<Vec<Run>> {
    match kind {
        HeaderKind::Default => &mut set.default,
        HeaderKind::First => &mut set.first,
        HeaderKind::Even => &mut set.even,
    }
}

#[cfg(test)]
mod tests;
