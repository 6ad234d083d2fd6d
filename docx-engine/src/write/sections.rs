//! Section properties (`w:sectPr`): what each section shows, how it starts, its page.

use std::io::{self, Write};

use super::paragraphs::*;
use super::xml::Xml;
use super::{MARGIN_KINDS, Shown};

/// Distance of the header and footer from the page edge: Word's 12.7 mm.
pub(crate) const HEADER_DISTANCE_TWIPS: u32 = 720;

/// A section's properties: what it shows, how it starts (`None`: the first section,
/// which starts the document), page size and orientation, margins, columns.
pub(crate) fn section_properties<W: Write>(
    x: &mut Xml<W>,
    page: &domain::PageSetup,
    start: Option<domain::SectionStart>,
    shown: Option<&Shown>,
) -> io::Result<()> {
    x.start("w:sectPr", &[])?;
    let mut title_page = false;
    if let Some(shown) = shown {
        for (tag, ids) in [
            ("w:headerReference", &shown.headers),
            ("w:footerReference", &shown.footers),
        ] {
            for (kind, id) in MARGIN_KINDS.iter().zip(ids) {
                if let Some(id) = id {
                    title_page |= *kind == "first";
                    x.empty(tag, &[("w:type", kind), ("r:id", id)])?;
                }
            }
        }
    }
    if let Some(start) = start {
        x.val(
            "w:type",
            match start {
                domain::SectionStart::NextPage => "nextPage",
                domain::SectionStart::Continuous => "continuous",
            },
        )?;
    }
    let page = page.resolved();
    let (width, height) = (
        mm_twips(page.width_mm).max(144),
        mm_twips(page.height_mm).max(144),
    );
    let (w, h) = (width.to_string(), height.to_string());
    if width > height {
        x.empty(
            "w:pgSz",
            &[("w:w", &w), ("w:h", &h), ("w:orient", "landscape")],
        )?;
    } else {
        x.empty("w:pgSz", &[("w:w", &w), ("w:h", &h)])?;
    }
    let margin = |mm: f32| mm_twips(mm).to_string();
    let distance = HEADER_DISTANCE_TWIPS.to_string();
    x.empty(
        "w:pgMar",
        &[
            ("w:top", &margin(page.margin_top_mm)),
            ("w:right", &margin(page.margin_right_mm)),
            ("w:bottom", &margin(page.margin_bottom_mm)),
            ("w:left", &margin(page.margin_left_mm)),
            ("w:header", &distance),
            ("w:footer", &distance),
            ("w:gutter", "0"),
        ],
    )?;
    x.empty(
        "w:cols",
        &[
            ("w:space", "425"),
            ("w:num", &page.columns.clamp(1, 45).to_string()),
        ],
    )?;
    if title_page {
        x.empty("w:titlePg", &[])?;
    }
    x.end("w:sectPr")
}
