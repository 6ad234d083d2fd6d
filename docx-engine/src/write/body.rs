//! The body of the document and of its header and footer parts: blocks as paragraphs and
//! tables, runs with their links, fields, bookmarks, pictures and opaque content.

use std::io::{self, Write};

use domain::{Alignment, Block, CellBlock, Document, ListKind, Run, RunFormat};

use super::revision::{Op, RunRev, Stamp};
use super::styles::{ListLook, Numbering};
use super::xml::Xml;
use super::{Ids, MARGIN_KINDS, MarginPart, Media, PartRels, Shown, Used};

/// Namespaces declared on the root of the parts folio writes paragraphs into: the ones
/// folio's own markup uses (`w`, `r`, `wp`; pictures declare `a` and `pic` where they
/// use them, as Word does), and Word's usual set, so opaque content (which declares what
/// it uses on its own root) also reads in tools that look namespaces up on the part's
/// root only (pandoc does, for VML objects).
const BODY_NS: [(&str, &str); 13] = [
    ("xmlns:o", "urn:schemas-microsoft-com:office:office"),
    (
        "xmlns:r",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    ),
    ("xmlns:v", "urn:schemas-microsoft-com:vml"),
    (
        "xmlns:w",
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    ),
    ("xmlns:w10", "urn:schemas-microsoft-com:office:word"),
    (
        "xmlns:wp",
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    ),
    (
        "xmlns:wps",
        "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    ),
    (
        "xmlns:wpg",
        "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    ),
    (
        "xmlns:mc",
        "http://schemas.openxmlformats.org/markup-compatibility/2006",
    ),
    (
        "xmlns:wp14",
        "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    ),
    (
        "xmlns:w14",
        "http://schemas.microsoft.com/office/word/2010/wordml",
    ),
    (
        "xmlns:w15",
        "http://schemas.microsoft.com/office/word/2012/wordml",
    ),
    ("mc:Ignorable", "w14 wp14"),
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

/// `w:rPr` of a run, in `CT_RPr`'s order, with A's formatting in a `w:rPrChange` where a
/// redline's run had other formatting; nothing when the run has no formatting.
pub(crate) fn rpr<W: Write>(
    x: &mut Xml<W>,
    f: &RunFormat,
    extra: RunExtra<'_>,
    used: &mut Used,
    change: Option<(&RunFormat, Stamp)>,
) -> io::Result<()> {
    if plain(f, extra) && change.is_none() {
        return Ok(());
    }
    x.start("w:rPr", &[])?;
    rpr_inner(x, f, extra, used)?;
    if let Some((old, stamp)) = change {
        x.start("w:rPrChange", &stamp.attrs())?;
        x.start("w:rPr", &[])?;
        rpr_inner(x, old, extra, used)?;
        x.end("w:rPr")?;
        x.end("w:rPrChange")?;
    }
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

/// One block of a body as written: as it is, or as a redline shows it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry<'a> {
    /// The same in both versions (or not a redline): written as it is.
    Kept(&'a Block),
    /// Only in B (or moved here): inserted.
    Added(&'a Block),
    /// Only in A (or moved away from here): deleted, where it stood in A.
    Removed(&'a Block),
    /// In both, different: A's and B's.
    Changed(&'a Block, &'a Block),
}

impl<'a> Entry<'a> {
    /// The block B has here, if any.
    fn current(&self) -> Option<&'a Block> {
        match self {
            Entry::Kept(b) | Entry::Added(b) | Entry::Changed(_, b) => Some(b),
            Entry::Removed(_) => None,
        }
    }
}

/// Who made a block's change of text and of its formatting.
#[derive(Debug, Clone)]
pub(crate) struct Marks {
    text: crate::Mark,
    format: crate::Mark,
}

/// A's and B's version of a paragraph: properties and runs.
pub(crate) struct Pair<'p, 'r> {
    old: (&'p ParaProps<'p>, &'r [Run]),
    new: (&'p ParaProps<'p>, &'r [Run]),
}

/// How a redline writes a table row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowPlan<'t> {
    /// A row of a table as it is.
    Kept(&'t domain::Table, usize),
    /// A row of a table inserted or deleted whole.
    Marked(&'t domain::Table, usize, Op),
    /// A's row and B's, compared cell by cell.
    Changed(usize, usize),
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CellContent<'t> {
    /// Covered by a vertical merge from above.
    Below,
    Blocks(&'t [CellBlock]),
    Runs(&'t [Run]),
    Text(&'t str),
}

/// A cell of a table: its content, and whether it is in a header row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell<'t> {
    content: CellContent<'t>,
    header: bool,
}

impl<'t> Cell<'t> {
    fn of(t: &'t domain::Table, layout: &[Vec<Slot>], r: usize, c: usize) -> Self {
        let content = match (layout[r][c], t.cell_runs_at(r, c), t.cell_blocks_at(r, c)) {
            (Slot::Below { .. }, _, _) => CellContent::Below,
            (_, _, Some(blocks)) => CellContent::Blocks(blocks),
            (_, Some(runs), None) => CellContent::Runs(runs),
            (_, None, None) => CellContent::Text(t.rows[r].get(c).map_or("", String::as_str)),
        };
        Self {
            content,
            header: t.header_row && r == 0,
        }
    }

    /// The cell as one paragraph's runs, when it is one (plain text as one run, bold in a
    /// header row).
    fn runs(&self) -> Option<Vec<Run>> {
        match self.content {
            CellContent::Runs(runs) => Some(runs.to_vec()),
            CellContent::Text(text) => Some(vec![Run {
                text: text.to_string(),
                format: RunFormat {
                    bold: self.header,
                    ..RunFormat::default()
                },
            }]),
            CellContent::Blocks(_) | CellContent::Below => None,
        }
    }
}

/// A list item's runs (plain text as one run).
fn item_runs(item: &domain::ListItem) -> Vec<Run> {
    match &item.runs {
        Some(runs) => runs.clone(),
        None => vec![Run {
            text: item.text.clone(),
            format: RunFormat::default(),
        }],
    }
}

/// Whether row `o` of `old` and row `n` of `new` hold the same cells (runs, blocks,
/// formats), not only the same texts.
fn same_row(old: &domain::Table, o: usize, new: &domain::Table, n: usize) -> bool {
    (0..old.rows[o].len().max(new.rows[n].len())).all(|c| {
        old.cell_runs_at(o, c) == new.cell_runs_at(n, c)
            && old.cell_blocks_at(o, c) == new.cell_blocks_at(n, c)
            && old.cell_format(o, c) == new.cell_format(n, c)
            && (old.header_row && o == 0) == (new.header_row && n == 0)
    })
}

/// Who made the changes of a redline: `by` names the author and time of a block's change
/// of text or of formatting.
pub(crate) struct Revisions<'a> {
    pub(crate) by: &'a dyn Fn(&domain::BlockId, crate::MarkKind) -> crate::Mark,
}

/// Writes the body of the document and its header and footer parts.
pub(crate) struct Body<'a, 'b> {
    doc: &'a Document,
    media: &'b Media,
    ids: &'b mut Ids,
    used: Used,
    /// Headings a table of contents lists carry a `_Toc` bookmark its entries link to.
    toc_level: u8,
    /// While a whole block is inserted or deleted: which, and whose change.
    whole: Option<(Op, crate::Mark)>,
    /// The table row being written is inserted or deleted whole (its cells' paragraph
    /// marks are not marked: the row is).
    row_marked: bool,
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
            whole: None,
            row_marked: false,
        }
    }

    /// What the parts used.
    pub(crate) fn finish(self) -> Used {
        self.used
    }

    /// `word/document.xml`: `entries` in order (the document's blocks, or a redline's);
    /// `shown`: what each section shows.
    pub(crate) fn document<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        entries: &[Entry<'_>],
        revisions: Option<&Revisions<'_>>,
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
        // Each block of B's index, for the bookmarks a table of contents links to.
        let mut index = 0usize;
        for entry in entries {
            let at = entry.current().map(|_| {
                index += 1;
                index - 1
            });
            if let Some(Block::SectionBreak(b)) = entry.current() {
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
            let width = text_width_twips(page);
            match (entry, revisions) {
                (Entry::Kept(block), _) => self.block(x, at, block, width, &mut rels)?,
                // Without revisions only kept entries are made; written as B has them.
                (Entry::Added(block) | Entry::Changed(_, block), None) => {
                    self.block(x, at, block, width, &mut rels)?;
                }
                (Entry::Removed(_), None) => {}
                (Entry::Added(block), Some(r)) => {
                    self.whole(x, at, block, Op::Insert, r, width, &mut rels)?;
                }
                (Entry::Removed(block), Some(r)) => {
                    self.whole(x, None, block, Op::Delete, r, width, &mut rels)?;
                }
                (Entry::Changed(old, new), Some(r)) => {
                    self.changed(x, at, old, new, r, width, &mut rels)?;
                }
            }
        }
        section_properties(x, page, start, shown.get(section))?;
        x.end("w:body")?;
        x.end("w:document")?;
        Ok(rels)
    }

    /// A block inserted or deleted whole (a section break or opaque block, whose change
    /// cannot be marked, is written as B has it).
    #[allow(clippy::too_many_arguments)]
    fn whole<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        at: Option<usize>,
        block: &Block,
        op: Op,
        revisions: &Revisions<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match block {
            Block::SectionBreak(_) | Block::Opaque(_) => {
                if op == Op::Insert {
                    self.block(x, at, block, width, rels)?;
                }
                Ok(())
            }
            _ => {
                self.whole = Some((op, (revisions.by)(block.id(), crate::MarkKind::Text)));
                let written = match block {
                    // Its text, as the change (its field cannot be wrapped).
                    Block::TableOfContents(_) => {
                        let text = block.text();
                        self.text_paragraph(x, &ParaProps::default(), &text, RunExtra::default())
                    }
                    _ => self.block(x, at, block, width, rels),
                };
                self.whole = None;
                written
            }
        }
    }

    /// A block both versions have, changed: a paragraph or heading word by word, a table
    /// row by row; anything else deleted as it was and inserted as it is.
    #[allow(clippy::too_many_arguments)]
    fn changed<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        at: Option<usize>,
        old: &Block,
        new: &Block,
        revisions: &Revisions<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let marks = Marks {
            text: (revisions.by)(new.id(), crate::MarkKind::Text),
            format: (revisions.by)(new.id(), crate::MarkKind::Format),
        };
        match (old, new) {
            (Block::Paragraph(_) | Block::Heading(_), Block::Paragraph(_) | Block::Heading(_)) => {
                let (mut old_style, mut new_style) = (String::new(), String::new());
                let (props, bookmarks) = self.props(new, at, &mut new_style);
                let (old_props, _) = self.props(old, None, &mut old_style);
                let pair = Pair {
                    old: (&old_props, old.runs()),
                    new: (&props, new.runs()),
                };
                self.changed_paragraph(x, pair, &bookmarks, &marks, rels)
            }
            (Block::List(a), Block::List(b)) if a.kind == b.kind => {
                let num = self.used.numbering.list(b);
                self.changed_items(x, num, &a.items, &b.items, &marks, rels)
            }
            (Block::Table(a), Block::Table(b)) if a.cols() == b.cols() => {
                self.changed_table(x, a, b, &marks, width, rels)
            }
            (_, Block::SectionBreak(_) | Block::Opaque(_)) => self.block(x, at, new, width, rels),
            _ => {
                self.whole(x, None, old, Op::Delete, revisions, width, rels)?;
                self.whole(x, at, new, Op::Insert, revisions, width, rels)
            }
        }
    }

    /// A paragraph's or heading's properties and bookmarks (with its `_Toc` bookmark when
    /// a table of contents lists it); `style` holds a heading's style name.
    fn props<'p>(
        &self,
        block: &'p Block,
        at: Option<usize>,
        style: &'p mut String,
    ) -> (ParaProps<'p>, Vec<String>) {
        match block {
            Block::Heading(h) => {
                *style = format!("Heading{}", h.level.clamp(1, 9));
                let mut bookmarks = h.bookmarks.clone();
                if let Some(index) = at
                    && h.level <= self.toc_level
                {
                    bookmarks.push(toc_bookmark(index));
                }
                let props = ParaProps {
                    style: Some(style.as_str()),
                    format: Some(&h.format),
                    alignment: h.alignment,
                    ..ParaProps::default()
                };
                (props, bookmarks)
            }
            Block::Paragraph(p) => (
                ParaProps {
                    style: p.style.as_deref(),
                    format: Some(&p.format),
                    alignment: p.alignment,
                    ..ParaProps::default()
                },
                p.bookmarks.clone(),
            ),
            _ => (ParaProps::default(), Vec::new()),
        }
    }

    /// A paragraph both versions have, changed: A's and B's runs word by word, B's
    /// properties (A's in a `w:pPrChange` where they differ).
    fn changed_paragraph<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        pair: Pair<'_, '_>,
        bookmarks: &[String],
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let (old_props, old_runs) = pair.old;
        let (new_props, new_runs) = pair.new;
        if old_runs == new_runs && old_props.same(new_props) {
            return self.paragraph(x, new_props, new_runs, bookmarks, rels);
        }
        let (runs, revs) = super::revision::pieces(old_runs, new_runs, &marks.text, &marks.format);
        let mut props = new_props.clone();
        if !props.same(old_props) {
            let stamp = Stamp::new(self.ids, &marks.format);
            props.change = Some((Box::new(old_props.clone()), stamp));
        }
        self.paragraph_with(x, &props, &runs, Some(&revs), bookmarks, rels)
    }

    /// The items of a list both versions have (numbering instance `num`): the same ones
    /// kept, a changed one word by word (in pairs, where as many changed on both sides),
    /// the others deleted and inserted.
    fn changed_items<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        num: u64,
        old: &[domain::ListItem],
        new: &[domain::ListItem],
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let key = |items: &[domain::ListItem]| -> Vec<String> {
            items.iter().map(|i| format!("{i:?}")).collect()
        };
        let (a, b) = (key(old), key(new));
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &a, &b) {
            match op {
                similar::DiffOp::Equal { new_index, len, .. } => {
                    for item in &new[new_index..new_index + len] {
                        self.list_item(x, num, item, rels)?;
                    }
                }
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } if old_len == new_len => {
                    for (o, n) in old[old_index..old_index + old_len]
                        .iter()
                        .zip(&new[new_index..new_index + new_len])
                    {
                        self.used.styles.insert("ListParagraph".into());
                        let props = |level: u8| ParaProps {
                            style: Some("ListParagraph"),
                            num: Some((num, level)),
                            ..ParaProps::default()
                        };
                        let (old_props, new_props) = (props(o.level), props(n.level));
                        let (old_runs, new_runs) = (item_runs(o), item_runs(n));
                        let pair = Pair {
                            old: (&old_props, &old_runs),
                            new: (&new_props, &new_runs),
                        };
                        self.changed_paragraph(x, pair, &[], marks, rels)?;
                    }
                }
                op => self.replaced(
                    x,
                    &marks.text,
                    rels,
                    |body, x, rels| {
                        for item in &old[op.old_range()] {
                            body.list_item(x, num, item, rels)?;
                        }
                        Ok(())
                    },
                    |body, x, rels| {
                        for item in &new[op.new_range()] {
                            body.list_item(x, num, item, rels)?;
                        }
                        Ok(())
                    },
                )?,
            }
        }
        Ok(())
    }

    /// A changed table: identical rows kept, a changed row cell by cell (in pairs, where
    /// as many rows changed on both sides with as many cells), the others deleted and
    /// inserted; B's grid and properties.
    fn changed_table<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        old: &domain::Table,
        new: &domain::Table,
        marks: &Marks,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut rows: Vec<RowPlan<'_>> = Vec::new();
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &old.rows, &new.rows) {
            match op {
                similar::DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    // The same texts; their runs, blocks or formats may still differ.
                    rows.extend((0..len).map(|k| {
                        let (o, n) = (old_index + k, new_index + k);
                        if same_row(old, o, new, n) {
                            RowPlan::Kept(new, n)
                        } else {
                            RowPlan::Changed(o, n)
                        }
                    }));
                }
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } if old_len == new_len
                    && (0..old_len).all(|k| {
                        old.rows[old_index + k].len() == new.rows[new_index + k].len()
                    }) =>
                {
                    rows.extend(
                        (0..old_len).map(|k| RowPlan::Changed(old_index + k, new_index + k)),
                    );
                }
                op => {
                    rows.extend(op.old_range().map(|r| RowPlan::Marked(old, r, Op::Delete)));
                    rows.extend(op.new_range().map(|r| RowPlan::Marked(new, r, Op::Insert)));
                }
            }
        }
        self.table_rows(x, new, Some(old), &rows, Some(marks), width, rels)
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

    /// One block of the body (a section break is written by [`Body::document`]); `at`:
    /// its index in the document, for the bookmark a table of contents links to.
    pub(crate) fn block<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        at: Option<usize>,
        block: &Block,
        text_width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match block {
            Block::Paragraph(_) | Block::Heading(_) => {
                let mut style = String::new();
                let (props, bookmarks) = self.props(block, at, &mut style);
                self.paragraph(x, &props, block.runs(), &bookmarks, rels)
            }
            Block::Table(t) => {
                let rows: Vec<RowPlan<'_>> = (0..t.rows.len())
                    .map(|r| match &self.whole {
                        Some((op, _)) => RowPlan::Marked(t, r, *op),
                        None => RowPlan::Kept(t, r),
                    })
                    .collect();
                let marks = self.whole.as_ref().map(|(_, m)| Marks {
                    text: m.clone(),
                    format: m.clone(),
                });
                self.table_rows(x, t, None, &rows, marks.as_ref(), text_width, rels)
            }
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
                    self.text_paragraph(x, &ParaProps::default(), &o.text, RunExtra::default())
                }
            }
            Block::PageBreak(_) => {
                x.start("w:p", &[])?;
                let props = self.marked(&ParaProps::default());
                props.write(x, |_| Ok(()), false)?;
                let wrap = self.open_whole(x)?;
                x.start("w:r", &[])?;
                x.empty("w:br", &[("w:type", "page")])?;
                x.end("w:r")?;
                close(x, wrap)?;
                x.end("w:p")
            }
            Block::TableOfContents(t) => self.table_of_contents(x, t, text_width),
            Block::SectionBreak(_) => Ok(()),
        }
    }

    /// `props` with the paragraph mark inserted or deleted, while a whole block is (and
    /// not inside a table row that is, whose mark says so).
    fn marked<'p>(&mut self, props: &ParaProps<'p>) -> ParaProps<'p> {
        let mut props = props.clone();
        if let Some((op, mark)) = &self.whole
            && !self.row_marked
        {
            props.mark = Some((*op, Stamp::new(self.ids, mark)));
        }
        props
    }

    /// Opens the `w:ins`/`w:del` of a whole block's runs, if one is being written.
    fn open_whole<W: Write>(&mut self, x: &mut Xml<W>) -> io::Result<Option<Op>> {
        match &self.whole {
            Some((op, mark)) => {
                let stamp = Stamp::new(self.ids, mark);
                x.start(op.tag(), &stamp.attrs())?;
                Ok(Some(*op))
            }
            None => Ok(None),
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
            None => self.text_paragraph(x, &props, &item.text, RunExtra::default()),
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
        self.paragraph_with(x, props, runs, None, bookmarks, rels)
    }

    /// A paragraph whose runs a redline marks one by one (`revs`, beside `runs`).
    fn paragraph_with<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
        runs: &[Run],
        revs: Option<&[RunRev<'_>]>,
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if let Some(style) = props.style {
            self.used.styles.insert(style.to_string());
        }
        x.start("w:p", &[])?;
        let props = self.marked(props);
        props.write(x, |_| Ok(()), false)?;
        self.runs(x, runs, revs, bookmarks, rels)?;
        x.end("w:p")
    }

    /// The content of a paragraph: its runs, links and bookmarks.
    pub(crate) fn runs<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        runs: &[Run],
        revs: Option<&[RunRev<'_>]>,
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut whole = Vec::with_capacity(bookmarks.len());
        for name in bookmarks {
            whole.push(self.bookmark_start(x, name)?);
        }
        let rev = |i: usize| revs.and_then(|r| r.get(i));
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
                None => self.run(x, &runs[i], RunExtra::default(), rels, rev(i))?,
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
                    for (k, run) in runs[i..j].iter().enumerate() {
                        // A link looks like one, unless its run has a style of its own.
                        let extra = RunExtra {
                            style: Some(HYPERLINK_STYLE),
                            bold: false,
                        };
                        self.run(x, run, extra, rels, rev(i + k))?;
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

    /// One run: a field's runs, a picture, opaque inline content, or text; inside a
    /// `w:ins`/`w:del` when a redline marks it (`rev`, or the whole block being written).
    pub(crate) fn run<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        run: &Run,
        extra: RunExtra<'_>,
        rels: &mut PartRels,
        rev: Option<&RunRev<'_>>,
    ) -> io::Result<()> {
        let f = &run.format;
        if f.image.is_none() && f.field.is_none() && f.opaque.is_none() && run.text.is_empty() {
            return Ok(());
        }
        let wrap = match rev {
            Some(RunRev {
                op: Some(op), mark, ..
            }) => {
                let stamp = Stamp::new(self.ids, mark);
                x.start(op.tag(), &stamp.attrs())?;
                Some(*op)
            }
            Some(_) => None,
            None => self.open_whole(x)?,
        };
        let deleted = wrap == Some(Op::Delete);
        // A's formatting of a kept run, where it differs.
        let old = rev.and_then(|r| r.old.map(|f| (f, r.mark)));
        let change = |ids: &mut Ids| old.map(|(f, mark)| (f, Stamp::new(ids, mark)));
        if let Some(opaque) = &f.opaque {
            let fits = !deleted && opaque.element == "w:r" || wrap.is_none();
            if fits && !opaque.rels.iter().any(refused) && well_formed(&opaque.xml) {
                add_opaque_rels(rels, &opaque.rels);
                x.raw(&opaque.xml)?;
            } else {
                // Written as its text.
                x.start("w:r", &[])?;
                text_content(x, &run.text, deleted)?;
                x.end("w:r")?;
            }
            return close(x, wrap);
        }
        if let Some(field) = f.field {
            let instr = if deleted {
                "w:delInstrText"
            } else {
                "w:instrText"
            };
            let fld = |x: &mut Xml<W>, body: &mut Self, kind: &str, dirty: &str| {
                x.start("w:r", &[])?;
                let change = change(body.ids);
                rpr(x, f, extra, &mut body.used, change)?;
                x.empty("w:fldChar", &[("w:fldCharType", kind), ("w:dirty", dirty)])?;
                x.end("w:r")
            };
            fld(x, self, "begin", "true")?;
            x.start("w:r", &[])?;
            rpr(x, f, extra, &mut self.used, change(self.ids))?;
            x.element(
                instr,
                &[("xml:space", "preserve")],
                field_instruction(field),
            )?;
            x.end("w:r")?;
            fld(x, self, "separate", "false")?;
            if !run.text.is_empty() {
                x.start("w:r", &[])?;
                rpr(x, f, extra, &mut self.used, change(self.ids))?;
                text_content(x, &run.text, deleted)?;
                x.end("w:r")?;
            }
            fld(x, self, "end", "false")?;
            return close(x, wrap);
        }
        x.start("w:r", &[])?;
        rpr(x, f, extra, &mut self.used, change(self.ids))?;
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
                    text_content(x, &format!("[{alt}]"), deleted)?;
                }
            },
            None => text_content(x, &run.text, deleted)?,
        }
        x.end("w:r")?;
        close(x, wrap)
    }

    /// A paragraph of one run of `text` (none when it is empty).
    fn text_paragraph<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
        text: &str,
        extra: RunExtra<'_>,
    ) -> io::Result<()> {
        if let Some(style) = props.style {
            self.used.styles.insert(style.to_string());
        }
        x.start("w:p", &[])?;
        let props = self.marked(props);
        props.write(x, |_| Ok(()), false)?;
        if !text.is_empty() {
            let wrap = self.open_whole(x)?;
            x.start("w:r", &[])?;
            rpr(x, &RunFormat::default(), extra, &mut self.used, None)?;
            text_content(x, text, wrap == Some(Op::Delete))?;
            x.end("w:r")?;
            close(x, wrap)?;
        }
        x.end("w:p")
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
            self.text_paragraph(x, &props, title, RunExtra::default())?;
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

    /// A table: `t`'s properties and grid, then `rows` — kept, inserted or deleted whole
    /// (a row of `t` or of `old`, A's version of it), or changed cell by cell.
    #[allow(clippy::too_many_arguments)]
    fn table_rows<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        t: &domain::Table,
        old: Option<&domain::Table>,
        rows: &[RowPlan<'_>],
        marks: Option<&Marks>,
        text_width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if let Some(style) = &t.style {
            self.used.styles.insert(style.clone());
        }
        let t_grid = grid(t, text_width);
        table_start(x, t.style.as_deref(), &t_grid)?;
        let (whole, row_marked) = (self.whole.take(), self.row_marked);
        let t_layout = slots(t);
        let old_layout = old.map(|o| (slots(o), grid(o, text_width)));
        for plan in rows {
            let (table, r, op) = match *plan {
                RowPlan::Kept(table, r) => (table, r, None),
                RowPlan::Marked(table, r, op) => (table, r, Some(op)),
                RowPlan::Changed(o, n) => {
                    match (old, &old_layout, marks) {
                        (Some(old), Some((layout, grid)), Some(marks))
                            if layout[o] == t_layout[n] =>
                        {
                            self.row(
                                x,
                                t,
                                n,
                                None,
                                &t_layout,
                                &t_grid,
                                rels,
                                |body, x, after, c, width, rels| {
                                    let before = Cell::of(old, layout, o, c);
                                    body.changed_cell(x, before, after, width, marks, rels)
                                },
                            )?;
                        }
                        // Rows merged differently: A's deleted, B's inserted.
                        (Some(old), Some((layout, grid)), Some(marks)) => {
                            let deleted = Some((Op::Delete, &marks.text));
                            self.row(x, old, o, deleted, layout, grid, rels, as_it_is)?;
                            let inserted = Some((Op::Insert, &marks.text));
                            self.row(x, t, n, inserted, &t_layout, &t_grid, rels, as_it_is)?;
                        }
                        // Only a redline plans changed rows; without one, B's row.
                        _ => self.row(x, t, n, None, &t_layout, &t_grid, rels, as_it_is)?,
                    }
                    continue;
                }
            };
            let (layout, grid): (&[Vec<Slot>], &[usize]) =
                match (&old_layout, std::ptr::eq(table, t)) {
                    (Some((layout, grid)), false) => (layout, grid),
                    _ => (&t_layout, &t_grid),
                };
            let marked = op.zip(marks.map(|m| &m.text));
            self.row(x, table, r, marked, layout, grid, rels, as_it_is)?;
        }
        self.whole = whole;
        self.row_marked = row_marked;
        x.end("w:tbl")
    }

    /// One row of `table`: inserted or deleted whole (`marked`: which, and whose change)
    /// or not; each cell's content written by `content` (given its column and width).
    #[allow(clippy::too_many_arguments)]
    fn row<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        table: &domain::Table,
        r: usize,
        marked: Option<(Op, &crate::Mark)>,
        layout: &[Vec<Slot>],
        grid: &[usize],
        rels: &mut PartRels,
        mut content: impl FnMut(
            &mut Self,
            &mut Xml<W>,
            Cell<'_>,
            usize,
            usize,
            &mut PartRels,
        ) -> io::Result<()>,
    ) -> io::Result<()> {
        let header = table.header_row && r == 0;
        x.start("w:tr", &[])?;
        let stamp = marked.map(|(op, mark)| (op, Stamp::new(self.ids, mark)));
        if header || stamp.is_some() {
            x.start("w:trPr", &[])?;
            if header {
                x.empty("w:cantSplit", &[])?;
                x.empty("w:tblHeader", &[])?;
            } else {
                // The schema wants a row property before the mark: `cantSplit` off is the
                // default, so it changes nothing.
                x.val("w:cantSplit", "off")?;
            }
            if let Some((op, stamp)) = &stamp {
                x.empty(op.tag(), &stamp.attrs())?;
            }
            x.end("w:trPr")?;
        }
        self.whole = marked.map(|(op, mark)| (op, mark.clone()));
        self.row_marked = marked.is_some();
        for c in 0..table.rows[r].len() {
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
            let origin = table.merge_at(r, c).map_or((r, c), |m| (m.row, m.col));
            cell_properties(x, width, span, slot, table.cell_format(origin.0, origin.1))?;
            content(self, x, Cell::of(table, layout, r, c), c, width, rels)?;
            x.end("w:tc")?;
        }
        self.whole = None;
        self.row_marked = false;
        x.end("w:tr")
    }

    /// A cell's content as it is.
    fn cell<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        cell: Cell<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match cell.content {
            CellContent::Below => x.empty("w:p", &[]),
            CellContent::Blocks(blocks) => self.cell_blocks(x, blocks, width, rels),
            CellContent::Runs(runs) => self.paragraph(x, &ParaProps::default(), runs, &[], rels),
            CellContent::Text(text) => {
                let extra = RunExtra {
                    style: None,
                    bold: cell.header,
                };
                self.text_paragraph(x, &ParaProps::default(), text, extra)
            }
        }
    }

    /// A cell both versions have (`before`, A's): the same kept, a paragraph word by word,
    /// blocks one by one where both have the same kinds; else A's content deleted and
    /// B's inserted.
    fn changed_cell<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        before: Cell<'_>,
        after: Cell<'_>,
        width: usize,
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if before.content == after.content && before.header == after.header {
            return self.cell(x, after, width, rels);
        }
        let plain = ParaProps::default();
        if let (Some(old_runs), Some(new_runs)) = (before.runs(), after.runs()) {
            let pair = Pair {
                old: (&plain, &old_runs),
                new: (&plain, &new_runs),
            };
            return self.changed_paragraph(x, pair, &[], marks, rels);
        }
        if let (CellContent::Blocks(a), CellContent::Blocks(b)) = (before.content, after.content)
            && a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| std::mem::discriminant(a) == std::mem::discriminant(b))
        {
            for (a, b) in a.iter().zip(b) {
                match (a, b) {
                    (
                        CellBlock::Paragraph {
                            runs: ra,
                            style: sa,
                            alignment: aa,
                        },
                        CellBlock::Paragraph {
                            runs: rb,
                            style: sb,
                            alignment: ab,
                        },
                    ) => {
                        let old_props = ParaProps {
                            style: sa.as_deref(),
                            alignment: *aa,
                            ..ParaProps::default()
                        };
                        let new_props = ParaProps {
                            style: sb.as_deref(),
                            alignment: *ab,
                            ..ParaProps::default()
                        };
                        let pair = Pair {
                            old: (&old_props, ra),
                            new: (&new_props, rb),
                        };
                        self.changed_paragraph(x, pair, &[], marks, rels)?;
                    }
                    (
                        CellBlock::List {
                            kind: ka,
                            items: ia,
                        },
                        CellBlock::List {
                            kind: kb,
                            items: ib,
                        },
                    ) if ka == kb => {
                        let num = self.used.numbering.cell_list(*kb);
                        self.changed_items(x, num, ia, ib, marks, rels)?;
                    }
                    (a, b) if a == b => {
                        self.cell_blocks(x, std::slice::from_ref(b), width, rels)?
                    }
                    (a, b) => self.replaced(
                        x,
                        &marks.text,
                        rels,
                        |body, x, rels| body.cell_blocks(x, std::slice::from_ref(a), width, rels),
                        |body, x, rels| body.cell_blocks(x, std::slice::from_ref(b), width, rels),
                    )?,
                }
            }
            return Ok(());
        }
        self.replaced(
            x,
            &marks.text,
            rels,
            |body, x, rels| body.cell(x, before, width, rels),
            |body, x, rels| body.cell(x, after, width, rels),
        )
    }

    /// A's content (written by `old`) deleted and B's (by `new`) inserted, as `mark`'s
    /// change.
    fn replaced<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        mark: &crate::Mark,
        rels: &mut PartRels,
        old: impl FnOnce(&mut Self, &mut Xml<W>, &mut PartRels) -> io::Result<()>,
        new: impl FnOnce(&mut Self, &mut Xml<W>, &mut PartRels) -> io::Result<()>,
    ) -> io::Result<()> {
        self.whole = Some((Op::Delete, mark.clone()));
        old(self, x, rels)?;
        self.whole = Some((Op::Insert, mark.clone()));
        new(self, x, rels)?;
        self.whole = None;
        Ok(())
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
                            self.text_paragraph(
                                x,
                                &ParaProps::default(),
                                text,
                                RunExtra::default(),
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

/// A table's column widths (twips): the widths set, else equal shares of the text width
/// (one `w:gridCol` per column: pandoc drops a table with an empty grid).
fn grid(t: &domain::Table, text_width: usize) -> Vec<usize> {
    let cols = t.cols().max(1);
    match &t.widths_mm {
        Some(widths) if widths.len() == cols => widths
            .iter()
            .map(|w| mm_twips(*w).max(1) as usize)
            .collect(),
        _ => vec![text_width / cols; cols],
    }
}

/// Writes a table cell's content as it is (the column is not needed).
fn as_it_is<W: Write>(
    body: &mut Body<'_, '_>,
    x: &mut Xml<W>,
    cell: Cell<'_>,
    _column: usize,
    width: usize,
    rels: &mut PartRels,
) -> io::Result<()> {
    body.cell(x, cell, width, rels)
}

/// Closes the `w:ins`/`w:del` a run was opened in.
fn close<W: Write>(x: &mut Xml<W>, wrap: Option<Op>) -> io::Result<()> {
    match wrap {
        Some(op) => x.end(op.tag()),
        None => Ok(()),
    }
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
