//! The body of the document and of its header and footer parts: blocks as paragraphs and
//! tables, runs with their links, fields, bookmarks, pictures and opaque content.

use std::io::{self, Write};

use domain::{Alignment, Block, CellBlock, Document, ListKind, Run, RunFormat};

use super::styles::{ListLook, Numbering};
use super::xml::Xml;
use super::{Ids, MARGIN_KINDS, MarginPart, Media, PartRels, Shown, Used};

/// Namespaces of the parts folio writes paragraphs into (pictures use `wp`; opaque content
/// declares its own on its root).
const BODY_NS: [(&str, &str); 3] = [
    (
        "xmlns:w",
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    ),
    (
        "xmlns:r",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    ),
    (
        "xmlns:wp",
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    ),
];

/// Word's built-in character style for links (blue, underlined).
pub(crate) const HYPERLINK_STYLE: &str = "Hyperlink";

/// Distance of the header and footer from the page edge: Word's 12.7 mm.
const HEADER_DISTANCE_TWIPS: u32 = 720;

/// Calls `f` with every run list a block holds (its runs, its items', its cells').
pub(crate) fn block_runs(block: &Block, f: &mut impl FnMut(&[Run])) {
    match block {
        Block::Paragraph(p) => f(&p.runs),
        Block::Heading(h) => f(&h.runs),
        Block::List(l) => l.items.iter().filter_map(|i| i.runs.as_deref()).for_each(f),
        Block::Table(t) => {
            for cell in &t.cell_runs {
                f(&cell.runs);
                for b in &cell.blocks {
                    match b {
                        CellBlock::Paragraph { runs, .. } => f(runs),
                        CellBlock::List { items, .. } => {
                            items
                                .iter()
                                .filter_map(|i| i.runs.as_deref())
                                .for_each(&mut *f);
                        }
                        CellBlock::Table { .. } => {}
                    }
                }
            }
        }
        Block::Opaque(_)
        | Block::PageBreak(_)
        | Block::TableOfContents(_)
        | Block::SectionBreak(_) => {}
    }
}

/// Paragraph properties, written in `CT_PPr`'s order.
#[derive(Debug, Default)]
pub(crate) struct ParaProps<'s> {
    pub(crate) style: Option<&'s str>,
    pub(crate) format: Option<&'s domain::ParagraphFormat>,
    /// Numbering instance and level.
    pub(crate) num: Option<(u64, u8)>,
    /// A right tab with a dot leader at this position (twips): a TOC entry's page number.
    pub(crate) right_tab: Option<usize>,
    pub(crate) alignment: Option<Alignment>,
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
            && self
                .format
                .is_none_or(|f| *f == domain::ParagraphFormat::default())
    }

    /// `w:pPr` with `tail` (a section's properties) written last; nothing when empty.
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
        tail(x)?;
        x.end("w:pPr")
    }
}

/// What a run's properties add to its format: a character style when it has none (links
/// look like links), bold (a header row's cells).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RunExtra<'s> {
    pub(crate) style: Option<&'s str>,
    pub(crate) bold: bool,
}

/// Whether a run's properties are empty.
fn plain(f: &RunFormat, extra: RunExtra<'_>) -> bool {
    !(f.bold
        || extra.bold
        || f.italic
        || f.underline
        || f.strike
        || f.superscript
        || f.subscript
        || f.small_caps
        || f.font.is_some()
        || f.size_pt.is_some()
        || f.color.is_some()
        || f.highlight.is_some()
        || f.style.is_some()
        || extra.style.is_some())
}

/// `w:rPr` of a run, in `CT_RPr`'s order; nothing when the run has no formatting.
pub(crate) fn rpr<W: Write>(
    x: &mut Xml<W>,
    f: &RunFormat,
    extra: RunExtra<'_>,
    used: &mut Used,
) -> io::Result<()> {
    if plain(f, extra) {
        return Ok(());
    }
    x.start("w:rPr", &[])?;
    rpr_inner(x, f, extra, used)?;
    x.end("w:rPr")
}

/// The children of a run's `w:rPr`.
pub(crate) fn rpr_inner<W: Write>(
    x: &mut Xml<W>,
    f: &RunFormat,
    extra: RunExtra<'_>,
    used: &mut Used,
) -> io::Result<()> {
    if let Some(style) = f.style.as_deref().or(extra.style) {
        used.styles.insert(style.to_string());
        x.val("w:rStyle", style)?;
    }
    if let Some(font) = &f.font {
        fonts(x, font)?;
    }
    if f.bold || extra.bold {
        x.empty("w:b", &[])?;
        x.empty("w:bCs", &[])?;
    }
    if f.italic {
        x.empty("w:i", &[])?;
        x.empty("w:iCs", &[])?;
    }
    if f.small_caps {
        x.empty("w:smallCaps", &[])?;
    }
    if f.strike {
        x.empty("w:strike", &[])?;
    }
    if let Some(color) = &f.color {
        x.val("w:color", color)?;
    }
    if let Some(size) = f.size_pt {
        half_points(x, size)?;
    }
    if let Some(highlight) = &f.highlight {
        x.val("w:highlight", highlight)?;
    }
    if f.underline {
        x.val("w:u", "single")?;
    }
    if f.superscript {
        x.val("w:vertAlign", "superscript")?;
    } else if f.subscript {
        x.val("w:vertAlign", "subscript")?;
    }
    Ok(())
}

/// One font for every script (Latin, East Asian, complex).
pub(crate) fn fonts<W: Write>(x: &mut Xml<W>, name: &str) -> io::Result<()> {
    x.empty(
        "w:rFonts",
        &[
            ("w:ascii", name),
            ("w:hAnsi", name),
            ("w:eastAsia", name),
            ("w:cs", name),
        ],
    )
}

/// `w:sz` and `w:szCs` for a size in points (sizes are validated to 1..=1638 in half
/// points; a stored value out of range is brought into it).
pub(crate) fn half_points<W: Write>(x: &mut Xml<W>, size: f32) -> io::Result<()> {
    let half = if size.is_finite() {
        (size.clamp(1.0, 1638.0) * 2.0).round() as u32
    } else {
        22
    };
    let v = half.to_string();
    x.val("w:sz", &v)?;
    x.val("w:szCs", &v)
}

/// The content of a run for `text`: text as `w:t`, tabs as `w:tab` and line breaks as
/// `w:br` (Word shows a raw newline inside `w:t` as a space). `deleted`: `w:delText`.
pub(crate) fn text_content<W: Write>(x: &mut Xml<W>, text: &str, deleted: bool) -> io::Result<()> {
    let tag = if deleted { "w:delText" } else { "w:t" };
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest.find(['\t', '\n', '\r']).unwrap_or(rest.len());
        if cut > 0 {
            x.element(tag, &[("xml:space", "preserve")], &rest[..cut])?;
        }
        let mut chars = rest[cut..].chars();
        match chars.next() {
            Some('\t') => x.empty("w:tab", &[])?,
            Some('\r') => {
                x.empty("w:br", &[])?;
                // `\r\n` is one break.
                if rest[cut + 1..].starts_with('\n') {
                    chars.next();
                }
            }
            Some('\n') => x.empty("w:br", &[])?,
            _ => {}
        }
        rest = chars.as_str();
    }
    Ok(())
}

/// A field as Word writes it: begin, instruction, separator, the value shown until Word
/// computes it, end — each a run with the same properties.
fn field_instruction(field: domain::Field) -> &'static str {
    match field {
        domain::Field::Page => "PAGE",
        domain::Field::NumPages => "NUMPAGES",
        domain::Field::Date => r#"DATE \@ "d MMMM yyyy""#,
    }
}

/// The bookmark a table of contents entry links to: named after the heading's position,
/// so the same version always names it the same way (Word's own are `_Toc` + digits). The
/// HTML export uses it as the heading's id.
pub(crate) fn toc_bookmark(index: usize) -> String {
    format!("_Toc{index:08}")
}

/// Whether a table of contents' cached page numbers (an imported file's) still hold for
/// the headings it lists.
pub(crate) fn toc_is_cached(doc: &Document, toc: &domain::TableOfContents) -> bool {
    let entries: Vec<(u8, String)> = doc
        .toc_entries(toc.max_level)
        .map(|(_, level, text)| (level, text))
        .collect();
    toc.cached_pages(&entries).is_some()
}

/// Whether the deny list refuses an opaque relationship (stored by a build before it).
fn refused(rel: &domain::OpaqueRel) -> bool {
    crate::import::package::refused_kind(&rel.kind, &rel.target, rel.external).is_some()
}

/// One element, well-formed, no DOCTYPE, nesting within the import's limit: opaque XML
/// is checked where it is written (a stored event is still input).
fn well_formed(xml: &str) -> bool {
    let limits = crate::ImportLimits::default();
    !xml.is_empty()
        && crate::import::xml::parse(
            xml.as_bytes(),
            "opaque content",
            limits.max_depth,
            limits.max_xml_nodes,
        )
        .is_ok()
}

/// The width between the margins, in twips (tables share it among their columns).
pub(crate) fn text_width_twips(page: &domain::PageSetup) -> usize {
    let page = page.resolved();
    let width = mm_twips(page.width_mm);
    let margins = mm_twips(page.margin_left_mm) + mm_twips(page.margin_right_mm);
    width.saturating_sub(margins).max(1440) as usize
}

/// Writes the body of the document and its header and footer parts.
pub(crate) struct Body<'a, 'b> {
    doc: &'a Document,
    media: &'b Media,
    ids: &'b mut Ids,
    used: Used,
    /// Headings a table of contents lists carry a `_Toc` bookmark its entries link to.
    toc_level: u8,
}

impl<'a, 'b> Body<'a, 'b> {
    pub(crate) fn new(
        doc: &'a Document,
        media: &'b Media,
        ids: &'b mut Ids,
        numbering_base: u64,
    ) -> Self {
        Self {
            doc,
            media,
            ids,
            used: Used {
                numbering: Numbering::new(numbering_base),
                ..Used::default()
            },
            toc_level: doc.toc_level(),
        }
    }

    /// What the parts used.
    pub(crate) fn finish(self) -> Used {
        self.used
    }

    /// `word/document.xml`; `shown`: what each section shows.
    pub(crate) fn document<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        shown: &[Shown],
    ) -> io::Result<PartRels> {
        let doc = self.doc;
        let mut rels = PartRels::default();
        x.start("w:document", &BODY_NS)?;
        x.start("w:body", &[])?;
        // The page of the section being written, and how it started.
        let mut page = &doc.section.page;
        let mut start: Option<domain::SectionStart> = None;
        let mut section = 0;
        for (index, block) in doc.blocks.iter().enumerate() {
            if let Block::SectionBreak(b) = block {
                // The section that ends here keeps its properties in this paragraph's
                // w:sectPr; the next one starts with the break's.
                x.start("w:p", &[])?;
                ParaProps::default().write(
                    x,
                    |x| section_properties(x, page, start, shown.get(section)),
                    true,
                )?;
                x.end("w:p")?;
                page = &b.page;
                start = Some(b.kind);
                section += 1;
                continue;
            }
            self.block(x, index, block, text_width_twips(page), &mut rels)?;
        }
        section_properties(x, page, start, shown.get(section))?;
        x.end("w:body")?;
        x.end("w:document")?;
        Ok(rels)
    }

    /// A header or footer part: one paragraph of its runs.
    pub(crate) fn margin<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        part: &MarginPart<'_>,
    ) -> io::Result<PartRels> {
        let root = if part.footer { "w:ftr" } else { "w:hdr" };
        let mut rels = PartRels::default();
        x.start(root, &BODY_NS)?;
        self.paragraph(x, &ParaProps::default(), part.runs, &[], &mut rels)?;
        x.end(root)?;
        Ok(rels)
    }

    /// One block of the body (a section break is written by [`Body::document`]).
    pub(crate) fn block<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        index: usize,
        block: &Block,
        text_width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match block {
            Block::Paragraph(p) => {
                let props = ParaProps {
                    style: p.style.as_deref(),
                    format: Some(&p.format),
                    alignment: p.alignment,
                    ..ParaProps::default()
                };
                self.paragraph(x, &props, &p.runs, &p.bookmarks, rels)
            }
            Block::Heading(h) => {
                let style = format!("Heading{}", h.level.clamp(1, 9));
                let props = ParaProps {
                    style: Some(&style),
                    format: Some(&h.format),
                    alignment: h.alignment,
                    ..ParaProps::default()
                };
                if h.level <= self.toc_level {
                    let mut bookmarks = h.bookmarks.clone();
                    bookmarks.push(toc_bookmark(index));
                    self.paragraph(x, &props, &h.runs, &bookmarks, rels)
                } else {
                    self.paragraph(x, &props, &h.runs, &h.bookmarks, rels)
                }
            }
            Block::Table(t) => self.table(x, t, text_width, rels),
            Block::List(l) => {
                let num = self.used.numbering.list(l);
                for item in &l.items {
                    self.list_item(x, num, item, rels)?;
                }
                Ok(())
            }
            Block::Opaque(o) => {
                let clean = !o.rels.iter().any(refused) && well_formed(&o.xml);
                if clean {
                    add_opaque_rels(rels, &o.rels);
                    x.raw(&o.xml)
                } else {
                    // Written as its text (XML that does not parse, or a relationship the
                    // deny list refuses, stored by a build before it).
                    x.start("w:p", &[])?;
                    x.start("w:r", &[])?;
                    text_content(x, &o.text, false)?;
                    x.end("w:r")?;
                    x.end("w:p")
                }
            }
            Block::PageBreak(_) => {
                x.start("w:p", &[])?;
                x.start("w:r", &[])?;
                x.empty("w:br", &[("w:type", "page")])?;
                x.end("w:r")?;
                x.end("w:p")
            }
            Block::TableOfContents(t) => self.table_of_contents(x, t, text_width),
            Block::SectionBreak(_) => Ok(()),
        }
    }

    fn list_item<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        num: u64,
        item: &domain::ListItem,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        self.used.styles.insert("ListParagraph".into());
        let props = ParaProps {
            style: Some("ListParagraph"),
            num: Some((num, item.level)),
            ..ParaProps::default()
        };
        match &item.runs {
            Some(runs) => self.paragraph(x, &props, runs, &[], rels),
            None => text_paragraph(x, &props, &item.text, RunExtra::default(), &mut self.used),
        }
    }

    /// A paragraph of runs: neighbouring runs with the same link target in one
    /// `w:hyperlink`, the paragraph's `bookmarks` spanning all of it.
    pub(crate) fn paragraph<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
        runs: &[Run],
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if let Some(style) = props.style {
            self.used.styles.insert(style.to_string());
        }
        x.start("w:p", &[])?;
        props.write(x, |_| Ok(()), false)?;
        self.runs(x, runs, bookmarks, rels)?;
        x.end("w:p")
    }

    /// The content of a paragraph: its runs, links and bookmarks.
    pub(crate) fn runs<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        runs: &[Run],
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut whole = Vec::with_capacity(bookmarks.len());
        for name in bookmarks {
            whole.push(self.bookmark_start(x, name)?);
        }
        // Range bookmarks open now, with their ids.
        let mut open: Vec<(&str, u64)> = Vec::new();
        let mut i = 0;
        while i < runs.len() {
            // A run, or the runs of one link.
            let link = runs[i].format.link.as_deref();
            let mut j = i + 1;
            if link.is_some() {
                while j < runs.len() && runs[j].format.link.as_deref() == link {
                    j += 1;
                }
            }
            // Range bookmarks that start in this span start before it.
            for run in &runs[i..j] {
                for name in &run.format.bookmarks {
                    if !open.iter().any(|(n, _)| n == name) {
                        let id = self.bookmark_start(x, name)?;
                        open.push((name, id));
                    }
                }
            }
            match link {
                None => self.run(x, &runs[i], RunExtra::default(), rels)?,
                Some(target) => {
                    match target.strip_prefix('#') {
                        Some(anchor) => {
                            x.start("w:hyperlink", &[("w:anchor", anchor), ("w:history", "1")])?
                        }
                        None => {
                            let id = format!("rIdLink{}", Ids::next(&mut self.ids.links));
                            x.start("w:hyperlink", &[("r:id", &id), ("w:history", "1")])?;
                            rels.links.push((id, target.to_string()));
                        }
                    }
                    for run in &runs[i..j] {
                        // A link looks like one, unless its run has a style of its own.
                        let extra = RunExtra {
                            style: Some(HYPERLINK_STYLE),
                            bold: false,
                        };
                        self.run(x, run, extra, rels)?;
                    }
                    x.end("w:hyperlink")?;
                }
            }
            // Range bookmarks the next run is not in end after this span.
            let next = runs
                .get(j)
                .map_or(&[][..], |r| r.format.bookmarks.as_slice());
            let mut k = 0;
            while k < open.len() {
                if next.iter().any(|n| n == open[k].0) {
                    k += 1;
                } else {
                    bookmark_end(x, open.remove(k).1)?;
                }
            }
            i = j;
        }
        for (_, id) in open {
            bookmark_end(x, id)?;
        }
        for id in whole {
            bookmark_end(x, id)?;
        }
        Ok(())
    }

    fn bookmark_start<W: Write>(&mut self, x: &mut Xml<W>, name: &str) -> io::Result<u64> {
        let id = self.ids.bookmarks;
        self.ids.bookmarks += 1;
        x.empty(
            "w:bookmarkStart",
            &[("w:id", &id.to_string()), ("w:name", name)],
        )?;
        Ok(id)
    }

    /// One run: a field's runs, a picture, opaque inline content, or text.
    pub(crate) fn run<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        run: &Run,
        extra: RunExtra<'_>,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let f = &run.format;
        if let Some(opaque) = &f.opaque {
            if !opaque.rels.iter().any(refused) && well_formed(&opaque.xml) {
                add_opaque_rels(rels, &opaque.rels);
                return x.raw(&opaque.xml);
            }
            // Written as its text.
            x.start("w:r", &[])?;
            text_content(x, &run.text, false)?;
            return x.end("w:r");
        }
        if let Some(field) = f.field {
            let fld = |x: &mut Xml<W>, used: &mut Used, kind: &str, dirty: &str| {
                x.start("w:r", &[])?;
                rpr(x, f, extra, used)?;
                x.empty("w:fldChar", &[("w:fldCharType", kind), ("w:dirty", dirty)])?;
                x.end("w:r")
            };
            fld(x, &mut self.used, "begin", "true")?;
            x.start("w:r", &[])?;
            rpr(x, f, extra, &mut self.used)?;
            x.element(
                "w:instrText",
                &[("xml:space", "preserve")],
                field_instruction(field),
            )?;
            x.end("w:r")?;
            fld(x, &mut self.used, "separate", "false")?;
            if !run.text.is_empty() {
                x.start("w:r", &[])?;
                rpr(x, f, extra, &mut self.used)?;
                text_content(x, &run.text, false)?;
                x.end("w:r")?;
            }
            return fld(x, &mut self.used, "end", "false");
        }
        if f.image.is_none() && run.text.is_empty() {
            return Ok(());
        }
        x.start("w:r", &[])?;
        rpr(x, f, extra, &mut self.used)?;
        match &f.image {
            Some(image) => match self.media.number(image) {
                Some(number) => {
                    let id = Ids::next(&mut self.ids.drawings);
                    if !rels.images.contains(&number) {
                        rels.images.push(number);
                    }
                    drawing(x, image, id, number)?;
                }
                // The bytes are gone (a store that lost them): the alternative text.
                None => {
                    let alt = if image.alt_text.is_empty() {
                        "image"
                    } else {
                        &image.alt_text
                    };
                    x.element("w:t", &[("xml:space", "preserve")], &format!("[{alt}]"))?;
                }
            },
            None => text_content(x, &run.text, false)?,
        }
        x.end("w:r")
    }

    /// A table of contents as Word writes one: an optional title, then a `TOC` field
    /// whose current result is one paragraph per heading (style `TOC1`…`TOC9`, linked to
    /// the heading). While an imported table's entries are still the document's headings,
    /// each entry keeps its page number (a right tab with a dot leader, then a `PAGEREF`
    /// field whose result is the number Word computed); otherwise Word refreshes the
    /// entries, page numbers included, when it opens the document (`w:updateFields`).
    fn table_of_contents<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        toc: &domain::TableOfContents,
        text_width: usize,
    ) -> io::Result<()> {
        let doc = self.doc;
        let entries: Vec<(usize, u8, String)> = doc.toc_entries(toc.max_level).collect();
        let levels: Vec<(u8, String)> = entries
            .iter()
            .map(|(_, level, text)| (*level, text.clone()))
            .collect();
        let mut pages = toc.cached_pages(&levels);
        if let Some(title) = &toc.title {
            self.used.styles.insert("TOCHeading".into());
            let props = ParaProps {
                style: Some("TOCHeading"),
                ..ParaProps::default()
            };
            text_paragraph(x, &props, title, RunExtra::default(), &mut self.used)?;
        }
        let instruction = format!(r#"TOC \o "1-{}" \h \z \u"#, toc.max_level);
        let begin = |x: &mut Xml<W>| -> io::Result<()> {
            field_char(x, "begin")?;
            x.start("w:r", &[])?;
            x.element("w:instrText", &[("xml:space", "preserve")], &instruction)?;
            x.end("w:r")?;
            field_char(x, "separate")
        };
        let mut begun = false;
        for (index, level, text) in entries {
            let style = format!("TOC{}", level.clamp(1, 9));
            self.used.styles.insert(style.clone());
            let page = pages.as_mut().and_then(Iterator::next);
            let props = ParaProps {
                style: Some(&style),
                right_tab: page.is_some().then_some(text_width),
                ..ParaProps::default()
            };
            x.start("w:p", &[])?;
            props.write(x, |_| Ok(()), false)?;
            if !begun {
                begin(x)?;
                begun = true;
            }
            let bookmark = toc_bookmark(index);
            x.start(
                "w:hyperlink",
                &[("w:anchor", &bookmark), ("w:history", "1")],
            )?;
            if !text.is_empty() {
                x.start("w:r", &[])?;
                text_content(x, &text, false)?;
                x.end("w:r")?;
            }
            if let Some(page) = page {
                x.start("w:r", &[])?;
                x.empty("w:tab", &[])?;
                x.end("w:r")?;
                field_char(x, "begin")?;
                x.start("w:r", &[])?;
                x.element(
                    "w:instrText",
                    &[("xml:space", "preserve")],
                    &format!(" PAGEREF {bookmark} \\h "),
                )?;
                x.end("w:r")?;
                field_char(x, "separate")?;
                x.start("w:r", &[])?;
                text_content(x, page, false)?;
                x.end("w:r")?;
                field_char(x, "end")?;
            }
            x.end("w:hyperlink")?;
            x.end("w:p")?;
        }
        if !begun {
            // No headings yet: the field still exists, with a note as its result.
            x.start("w:p", &[])?;
            begin(x)?;
            x.start("w:r", &[])?;
            text_content(
                x,
                "No headings yet: add headings, then update the table.",
                false,
            )?;
            x.end("w:r")?;
            x.end("w:p")?;
        }
        x.start("w:p", &[])?;
        field_char(x, "end")?;
        x.end("w:p")
    }

    fn table<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        t: &domain::Table,
        text_width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let cols = t.cols().max(1);
        // One w:gridCol per column (pandoc drops a table with an empty grid): the widths
        // set, else equal shares of the text width.
        let grid: Vec<usize> = match &t.widths_mm {
            Some(widths) if widths.len() == cols => widths
                .iter()
                .map(|w| mm_twips(*w).max(1) as usize)
                .collect(),
            _ => vec![text_width / cols; cols],
        };
        if let Some(style) = &t.style {
            self.used.styles.insert(style.clone());
        }
        table_start(x, t.style.as_deref(), &grid)?;
        let layout = slots(t);
        for (r, texts) in t.rows.iter().enumerate() {
            let header = t.header_row && r == 0;
            x.start("w:tr", &[])?;
            if header {
                x.start("w:trPr", &[])?;
                x.empty("w:cantSplit", &[])?;
                x.empty("w:tblHeader", &[])?;
                x.end("w:trPr")?;
            }
            for (c, text) in texts.iter().enumerate() {
                let slot = layout[r][c];
                if slot == Slot::Covered {
                    continue;
                }
                let span = match slot {
                    Slot::Start { cols, .. } | Slot::Below { cols } => cols,
                    _ => 1,
                };
                let width: usize = grid.iter().skip(c).take(span).sum();
                x.start("w:tc", &[])?;
                // The format of a merged cell is its top-left cell's.
                let origin = t.merge_at(r, c).map_or((r, c), |m| (m.row, m.col));
                cell_properties(x, width, span, slot, t.cell_format(origin.0, origin.1))?;
                match (slot, t.cell_runs_at(r, c), t.cell_blocks_at(r, c)) {
                    (Slot::Below { .. }, _, _) => x.empty("w:p", &[])?,
                    (_, _, Some(blocks)) => self.cell_blocks(x, blocks, width, rels)?,
                    (_, Some(runs), None) => {
                        self.paragraph(x, &ParaProps::default(), runs, &[], rels)?;
                    }
                    (_, None, None) => {
                        let extra = RunExtra {
                            style: None,
                            bold: header,
                        };
                        text_paragraph(x, &ParaProps::default(), text, extra, &mut self.used)?;
                    }
                }
                x.end("w:tc")?;
            }
            x.end("w:tr")?;
        }
        x.end("w:tbl")
    }

    /// A cell holding several blocks: its paragraphs, its lists (numbered ones restart at
    /// 1), its nested tables (equal columns over the cell's `width`, in twips), and a
    /// closing paragraph after a table (Word needs a cell to end with one).
    fn cell_blocks<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        blocks: &[CellBlock],
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut ends_with_table = false;
        if blocks.is_empty() {
            return x.empty("w:p", &[]);
        }
        for block in blocks {
            ends_with_table = false;
            match block {
                CellBlock::Paragraph {
                    runs,
                    style,
                    alignment,
                } => {
                    let props = ParaProps {
                        style: style.as_deref(),
                        alignment: *alignment,
                        ..ParaProps::default()
                    };
                    self.paragraph(x, &props, runs, &[], rels)?;
                }
                CellBlock::List { kind, items } => {
                    let num = self.used.numbering.cell_list(*kind);
                    for item in items {
                        self.list_item(x, num, item, rels)?;
                    }
                }
                CellBlock::Table { rows } => {
                    let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    let each = (width / cols).max(1);
                    self.used.styles.insert("TableGrid".into());
                    table_start(x, Some("TableGrid"), &vec![each; cols])?;
                    for row in rows {
                        x.start("w:tr", &[])?;
                        for c in 0..cols {
                            x.start("w:tc", &[])?;
                            cell_properties(x, each, 1, Slot::Single, None)?;
                            let text = row.get(c).map_or("", String::as_str);
                            text_paragraph(
                                x,
                                &ParaProps::default(),
                                text,
                                RunExtra::default(),
                                &mut self.used,
                            )?;
                            x.end("w:tc")?;
                        }
                        x.end("w:tr")?;
                    }
                    x.end("w:tbl")?;
                    ends_with_table = true;
                }
            }
        }
        if ends_with_table {
            x.empty("w:p", &[])?;
        }
        Ok(())
    }
}

fn add_opaque_rels(rels: &mut PartRels, opaque: &[domain::OpaqueRel]) {
    for rel in opaque {
        if !rels.opaque.iter().any(|r| r.id == rel.id) {
            rels.opaque.push(rel.clone());
        }
    }
}

fn bookmark_end<W: Write>(x: &mut Xml<W>, id: u64) -> io::Result<()> {
    x.empty("w:bookmarkEnd", &[("w:id", &id.to_string())])
}

/// A run holding only a field character.
fn field_char<W: Write>(x: &mut Xml<W>, kind: &str) -> io::Result<()> {
    x.start("w:r", &[])?;
    x.empty("w:fldChar", &[("w:fldCharType", kind)])?;
    x.end("w:r")
}

/// A paragraph of one run of `text` (none when it is empty).
fn text_paragraph<W: Write>(
    x: &mut Xml<W>,
    props: &ParaProps<'_>,
    text: &str,
    extra: RunExtra<'_>,
    used: &mut Used,
) -> io::Result<()> {
    if let Some(style) = props.style {
        used.styles.insert(style.to_string());
    }
    x.start("w:p", &[])?;
    props.write(x, |_| Ok(()), false)?;
    if !text.is_empty() {
        x.start("w:r", &[])?;
        rpr(x, &RunFormat::default(), extra, used)?;
        text_content(x, text, false)?;
        x.end("w:r")?;
    }
    x.end("w:p")
}

/// `w:tbl`'s properties and grid: a table across the text width with single borders.
fn table_start<W: Write>(x: &mut Xml<W>, style: Option<&str>, grid: &[usize]) -> io::Result<()> {
    x.start("w:tbl", &[])?;
    x.start("w:tblPr", &[])?;
    if let Some(style) = style {
        x.val("w:tblStyle", style)?;
    }
    x.empty("w:tblW", &[("w:w", "0"), ("w:type", "auto")])?;
    x.start("w:tblBorders", &[])?;
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.empty(
            &format!("w:{side}"),
            &[
                ("w:val", "single"),
                ("w:sz", "2"),
                ("w:space", "0"),
                ("w:color", "000000"),
            ],
        )?;
    }
    x.end("w:tblBorders")?;
    x.end("w:tblPr")?;
    x.start("w:tblGrid", &[])?;
    for width in grid {
        x.empty("w:gridCol", &[("w:w", &width.to_string())])?;
    }
    x.end("w:tblGrid")
}

/// `w:tcPr`: width, span, vertical merge, shading, vertical alignment.
fn cell_properties<W: Write>(
    x: &mut Xml<W>,
    width: usize,
    span: usize,
    slot: Slot,
    format: Option<&domain::CellFormatAt>,
) -> io::Result<()> {
    x.start("w:tcPr", &[])?;
    x.empty("w:tcW", &[("w:w", &width.to_string()), ("w:type", "dxa")])?;
    if span > 1 {
        x.val("w:gridSpan", &span.to_string())?;
    }
    match slot {
        Slot::Start { rows, .. } if rows > 1 => x.val("w:vMerge", "restart")?,
        Slot::Below { .. } => x.val("w:vMerge", "continue")?,
        _ => {}
    }
    if let Some(format) = format {
        if let Some(fill) = &format.shading {
            x.empty(
                "w:shd",
                &[("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)],
            )?;
        }
        if let Some(align) = format.vertical_align {
            x.val(
                "w:vAlign",
                match align {
                    domain::VerticalAlign::Top => "top",
                    domain::VerticalAlign::Center => "center",
                    domain::VerticalAlign::Bottom => "bottom",
                },
            )?;
        }
    }
    x.end("w:tcPr")
}

/// A section's properties: what it shows, how it starts (`None`: the first section,
/// which starts the document), page size and orientation, margins, columns.
fn section_properties<W: Write>(
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

/// Where each cell of a table stands in its merges: the merges laid on a grid (clamped to
/// the table; of two that overlap — which folio never stores — the first wins).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Slot {
    /// A cell of its own.
    Single,
    /// The top-left cell of a merge `cols` wide; `rows` high (1: a horizontal merge).
    Start { rows: usize, cols: usize },
    /// The first cell of a lower row of a vertical merge `cols` wide.
    Below { cols: usize },
    /// Covered: not written (the merge's grid span stands for it).
    Covered,
}

fn slots(t: &domain::Table) -> Vec<Vec<Slot>> {
    let nrows = t.rows.len();
    let ncols = t.cols();
    let mut grid: Vec<Vec<Slot>> = t
        .rows
        .iter()
        .map(|row| vec![Slot::Single; row.len().max(ncols)])
        .collect();
    for m in &t.merges {
        let rows = m.rows.min(nrows.saturating_sub(m.row));
        let cols = m.cols.min(ncols.saturating_sub(m.col));
        if rows == 0 || cols == 0 || rows * cols < 2 {
            continue;
        }
        let area = m.row..m.row + rows;
        let free = grid[area.clone()].iter().all(|row| {
            row.get(m.col..m.col + cols)
                .is_some_and(|s| s.iter().all(|s| *s == Slot::Single))
        });
        if !free {
            continue;
        }
        for (i, row) in grid[area].iter_mut().enumerate() {
            row[m.col..m.col + cols].fill(Slot::Covered);
            row[m.col] = if i == 0 {
                Slot::Start { rows, cols }
            } else {
                Slot::Below { cols }
            };
        }
    }
    grid
}

/// An inline picture as Word writes one: `id` numbers the drawing, `number` its media
/// file (and relationship `rIdImage{number}`).
fn drawing<W: Write>(
    x: &mut Xml<W>,
    image: &domain::InlineImage,
    id: u64,
    number: usize,
) -> io::Result<()> {
    let (cx, cy) = (
        image.width_emu.max(1).to_string(),
        image.height_emu.max(1).to_string(),
    );
    let (id, name) = (id.to_string(), format!("Picture {id}"));
    let embed = format!("rIdImage{number}");
    let file = format!("image{number}");
    const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
    const PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
    x.start("w:drawing", &[])?;
    x.start(
        "wp:inline",
        &[
            ("distT", "0"),
            ("distB", "0"),
            ("distL", "0"),
            ("distR", "0"),
        ],
    )?;
    x.empty("wp:extent", &[("cx", &cx), ("cy", &cy)])?;
    x.empty(
        "wp:effectExtent",
        &[("l", "0"), ("t", "0"), ("r", "0"), ("b", "0")],
    )?;
    x.empty(
        "wp:docPr",
        &[("id", &id), ("name", &name), ("descr", &image.alt_text)],
    )?;
    x.start("wp:cNvGraphicFramePr", &[])?;
    x.empty(
        "a:graphicFrameLocks",
        &[("xmlns:a", A), ("noChangeAspect", "1")],
    )?;
    x.end("wp:cNvGraphicFramePr")?;
    x.start("a:graphic", &[("xmlns:a", A)])?;
    x.start("a:graphicData", &[("uri", PIC)])?;
    x.start("pic:pic", &[("xmlns:pic", PIC)])?;
    x.start("pic:nvPicPr", &[])?;
    x.empty(
        "pic:cNvPr",
        &[("id", &id), ("name", &file), ("descr", &image.alt_text)],
    )?;
    x.start("pic:cNvPicPr", &[])?;
    x.empty("a:picLocks", &[("noChangeAspect", "1")])?;
    x.end("pic:cNvPicPr")?;
    x.end("pic:nvPicPr")?;
    x.start("pic:blipFill", &[])?;
    x.empty("a:blip", &[("r:embed", &embed)])?;
    x.start("a:stretch", &[])?;
    x.empty("a:fillRect", &[])?;
    x.end("a:stretch")?;
    x.end("pic:blipFill")?;
    x.start("pic:spPr", &[])?;
    x.start("a:xfrm", &[])?;
    x.empty("a:off", &[("x", "0"), ("y", "0")])?;
    x.empty("a:ext", &[("cx", &cx), ("cy", &cy)])?;
    x.end("a:xfrm")?;
    x.start("a:prstGeom", &[("prst", "rect")])?;
    x.empty("a:avLst", &[])?;
    x.end("a:prstGeom")?;
    x.end("pic:spPr")?;
    x.end("pic:pic")?;
    x.end("a:graphicData")?;
    x.end("a:graphic")?;
    x.end("wp:inline")?;
    x.end("w:drawing")
}

/// Which list look a list block has (for its numbering definition).
pub(crate) fn list_look(l: &domain::List) -> Option<ListLook<'_>> {
    match (l.kind, &l.numbering.bullet) {
        (ListKind::Bullet, None) => None,
        (ListKind::Bullet, Some(b)) => Some(ListLook::Bullet(b)),
        (ListKind::Numbered, _) => Some(ListLook::Numbered(
            l.numbering.format.unwrap_or(domain::NumberStyle::Decimal),
        )),
    }
}
