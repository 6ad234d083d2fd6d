//! Paragraph properties (`w:pPr`) and the units they are written in.

use std::io::{self, Write};

use domain::Alignment;

use super::revision::{Op, Stamp};
use super::xml::Xml;

/// Paragraph properties, written in `CT_PPr`'s order.
#[derive(Debug, Default, Clone)]
pub(crate) struct ParaProps<'s> {
    pub(crate) style: Option<&'s str>,
    pub(crate) format: Option<&'s domain::ParagraphFormat>,
    /// Numbering instance and level.
    pub(crate) num: Option<(u64, u8)>,
    /// A right tab with a dot leader at this position (twips): a TOC entry's page number.
    pub(crate) right_tab: Option<usize>,
    pub(crate) alignment: Option<Alignment>,
    /// The paragraph mark inserted or deleted (a redline).
    pub(crate) mark: Option<(Op, Stamp)>,
    /// A's properties, where a redline's paragraph had others (`w:pPrChange`).
    pub(crate) change: Option<(Box<ParaProps<'s>>, Stamp)>,
}

/// Points in twentieths of a point (Word's unit for spacing and indents).
pub(crate) fn twips(points: f32) -> i64 {
    let t = (f64::from(points) * 20.0).round();
    if t.is_finite() {
        t.clamp(-31_680.0, 31_680.0) as i64
    } else {
        0
    }
}

/// Millimetres in twentieths of a point, within Word's page limits (22 inches); a value
/// stored by anything but folio's checks is brought into range, never trusted.
pub(crate) fn mm_twips(mm: f32) -> u32 {
    let twips = (f64::from(mm) * 1440.0 / 25.4).round();
    if twips.is_finite() {
        twips.clamp(0.0, 31_680.0) as u32
    } else {
        0
    }
}

/// Word's name for an alignment (justified is `both`).
pub(crate) fn jc(alignment: Alignment) -> &'static str {
    match alignment {
        Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
        Alignment::Justify => "both",
    }
}

/// `w:spacing` from space before/after in points and line spacing as a multiple.
pub(crate) fn spacing<W: Write>(
    x: &mut Xml<W>,
    before: Option<f32>,
    after: Option<f32>,
    line: Option<f32>,
) -> io::Result<()> {
    if before.is_none() && after.is_none() && line.is_none() {
        return Ok(());
    }
    let before = before.map(|v| twips(v).max(0).to_string());
    let after = after.map(|v| twips(v).max(0).to_string());
    // 240 = single spacing, in 240ths of a line.
    let line = line.map(|v| {
        let l = (f64::from(v) * 240.0).round();
        (if l.is_finite() {
            l.clamp(0.0, 31_680.0)
        } else {
            240.0
        } as i64)
            .to_string()
    });
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(4);
    if let Some(v) = &before {
        attrs.push(("w:before", v));
    }
    if let Some(v) = &after {
        attrs.push(("w:after", v));
    }
    if let Some(v) = &line {
        attrs.push(("w:line", v));
        attrs.push(("w:lineRule", "auto"));
    }
    x.empty("w:spacing", &attrs)
}

impl ParaProps<'_> {
    fn is_empty(&self) -> bool {
        self.style.is_none()
            && self.num.is_none()
            && self.right_tab.is_none()
            && self.alignment.is_none()
            && self.mark.is_none()
            && self.change.is_none()
            && self
                .format
                .is_none_or(|f| *f == domain::ParagraphFormat::default())
    }

    /// Whether two paragraphs' properties write the same `w:pPr` children.
    pub(crate) fn same(&self, other: &ParaProps<'_>) -> bool {
        let format = |p: &ParaProps<'_>| p.format.cloned().unwrap_or_default();
        self.style == other.style
            && self.num == other.num
            && self.right_tab == other.right_tab
            && self.alignment == other.alignment
            && format(self) == format(other)
    }

    /// `w:pPr` with `tail` (a section's properties) written after the paragraph mark's
    /// properties; nothing when empty.
    pub(crate) fn write<W: Write>(
        &self,
        x: &mut Xml<W>,
        tail: impl FnOnce(&mut Xml<W>) -> io::Result<()>,
        has_tail: bool,
    ) -> io::Result<()> {
        if self.is_empty() && !has_tail {
            return Ok(());
        }
        x.start("w:pPr", &[])?;
        self.children(x)?;
        if let Some((op, stamp)) = &self.mark {
            x.start("w:rPr", &[])?;
            x.empty(op.tag(), &stamp.attrs())?;
            x.end("w:rPr")?;
        }
        tail(x)?;
        if let Some((old, stamp)) = &self.change {
            x.start("w:pPrChange", &stamp.attrs())?;
            x.start("w:pPr", &[])?;
            old.children(x)?;
            x.end("w:pPr")?;
            x.end("w:pPrChange")?;
        }
        x.end("w:pPr")
    }

    /// The children of `CT_PPrBase` folio writes, in order.
    fn children<W: Write>(&self, x: &mut Xml<W>) -> io::Result<()> {
        if let Some(style) = self.style {
            x.val("w:pStyle", style)?;
        }
        let f = self.format.cloned().unwrap_or_default();
        if f.keep_with_next == Some(true) {
            x.empty("w:keepNext", &[])?;
        }
        if f.page_break_before == Some(true) {
            x.empty("w:pageBreakBefore", &[])?;
        }
        if let Some((num, level)) = self.num {
            x.start("w:numPr", &[])?;
            x.val("w:ilvl", &level.min(8).to_string())?;
            x.val("w:numId", &num.to_string())?;
            x.end("w:numPr")?;
        }
        if let Some(pos) = self.right_tab {
            x.start("w:tabs", &[])?;
            x.empty(
                "w:tab",
                &[
                    ("w:val", "right"),
                    ("w:leader", "dot"),
                    ("w:pos", &pos.to_string()),
                ],
            )?;
            x.end("w:tabs")?;
        }
        spacing(x, f.spacing_before, f.spacing_after, f.line_spacing)?;
        let left = f.indent_left.map(|v| twips(v).to_string());
        let right = f.indent_right.map(|v| twips(v).to_string());
        let special = match (f.first_line, f.hanging) {
            (Some(first), _) => Some(("w:firstLine", twips(first).to_string())),
            (None, Some(hanging)) => Some(("w:hanging", twips(hanging).to_string())),
            (None, None) => None,
        };
        if left.is_some() || right.is_some() || special.is_some() {
            let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(3);
            if let Some(v) = &left {
                attrs.push(("w:left", v));
            }
            if let Some(v) = &right {
                attrs.push(("w:right", v));
            }
            if let Some((name, v)) = &special {
                attrs.push((name, v));
            }
            x.empty("w:ind", &attrs)?;
        }
        if let Some(a) = self.alignment {
            x.val("w:jc", jc(a))?;
        }
        Ok(())
    }
}
