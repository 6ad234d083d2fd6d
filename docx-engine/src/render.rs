//! Model → docx-rs → bytes.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, BuildXML, DocumentChild, Docx, FieldCharType,
    Footer, Header, Hyperlink, HyperlinkData, HyperlinkType, IndentLevel, InstrNUMPAGES, InstrPAGE,
    InstrText, Level, LevelJc, LevelOverride, LevelText, LineSpacing, LineSpacingType,
    NumberFormat, Numbering, NumberingId, PageMargin, PageOrientationType, PageSize, Paragraph,
    Run, RunFonts, SectionProperty, SectionType, Shading, ShdType, SpecialIndentType, Start, Style,
    StyleType, Tab, TabLeaderType, TabValueType, Table, TableCell, TableRow, VAlignType,
    VMergeType, VertAlignType, WidthType,
};
use domain::{Alignment, Block, Document, ListKind, NumberStyle};

use crate::RenderError;
use crate::package::{self, CoreProperties};
use crate::xml_safe;

/// Facts about the document that are not in the model: its timestamps and last editor
/// (from event metadata, so a rebuild from events gives identical bytes), and the bytes of
/// its images (from the media store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Image bytes by media id (SHA-256 hex), for every image the document shows. An image
    /// whose bytes are missing is written as its alternative text in brackets.
    pub media: std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
    /// Creation time, RFC 3339 (`dcterms:created`).
    pub created_at: Option<String>,
    /// Last modification time, RFC 3339 (`dcterms:modified`).
    pub modified_at: Option<String>,
    /// Who made the last change (`cp:lastModifiedBy`).
    pub last_modified_by: Option<String>,
    /// The file an imported document came from (its `source`): the parts folio does not
    /// regenerate are written back from it, and its style sheet is the base of the
    /// document's.
    pub source: Option<std::sync::Arc<[u8]>>,
}

/// Whether any section shows even-page headers or footers.
fn has_even_headers(doc: &Document) -> bool {
    doc.section_margins()
        .any(|(_, header, footer)| header.even.is_some() || footer.even.is_some())
}

// docx-rs always writes an abstract numbering 1 and a numbering 1 of its own.
const BULLET_ABSTRACT: usize = 10;
const NUMBERED_ABSTRACT: usize = 11;
/// The one numbering instance all bullet lists share (bullets need no restart).
const BULLET_NUM: usize = 10;

/// Renders a document as .docx bytes.
///
/// # Errors
/// [`RenderError`] when packing fails (never for valid documents in practice).
pub fn render_docx(doc: &Document, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let doc = xml_safe::document(doc);
    let doc = doc.as_ref();
    let mut docx = with_own_styles(with_styles(Docx::new()), &doc.styles);
    docx = docx
        .add_abstract_numbering(bullet_numbering())
        .add_abstract_numbering(decimal_numbering())
        .add_numbering(Numbering::new(BULLET_NUM, BULLET_ABSTRACT));
    let mut lists = Lists::default();
    let mut header_rows = false;
    let mut ids = Ids::default();
    // Headings a table of contents lists carry a `_Toc` bookmark its entries link to.
    let toc_level = doc.toc_level();

    // The page of the section being written, and how it started.
    let mut page = doc.section.page;
    let mut start: Option<domain::SectionStart> = None;
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => {
                let mut para = runs_paragraph(Paragraph::new(), &p.runs, &p.bookmarks, &mut ids);
                if let Some(style) = &p.style {
                    para = para.style(style);
                }
                docx = docx.add_paragraph(formatted(aligned(para, p.alignment), &p.format));
            }
            Block::Heading(h) => {
                let mut bookmarks = h.bookmarks.clone();
                if h.level <= toc_level {
                    bookmarks.push(toc_bookmark(index));
                }
                let para = runs_paragraph(Paragraph::new(), &h.runs, &bookmarks, &mut ids)
                    .style(&format!("Heading{}", h.level));
                docx = docx.add_paragraph(formatted(aligned(para, h.alignment), &h.format));
            }
            Block::Table(t) => {
                header_rows |= t.header_row;
                docx = docx.add_table(table(t, text_width_twips(&page), &mut ids));
            }
            Block::List(l) => {
                let numbering = &l.numbering;
                let num = match (l.kind, &numbering.bullet) {
                    // Each list its own instance, so two lists side by side stay two.
                    (ListKind::Bullet, None) => {
                        let id = lists.next_num();
                        docx = docx.add_numbering(Numbering::new(id, BULLET_ABSTRACT));
                        id
                    }
                    (ListKind::Bullet, Some(bullet)) => {
                        // A bullet of its own: an abstract numbering and an instance.
                        let (abstract_id, new) = lists.abstract_for(ListLook::Bullet(bullet));
                        if new {
                            docx = docx
                                .add_abstract_numbering(bullet_numbering_with(abstract_id, bullet));
                        }
                        let id = lists.next_num();
                        docx = docx.add_numbering(Numbering::new(id, abstract_id));
                        id
                    }
                    (ListKind::Numbered, _) => match lists.previous_numbered {
                        // Going on from the previous numbered list: its instance.
                        Some(previous) if numbering.continue_previous => previous,
                        _ => {
                            let format = numbering.format.unwrap_or(NumberStyle::Decimal);
                            let abstract_id = if format == NumberStyle::Decimal {
                                NUMBERED_ABSTRACT
                            } else {
                                let (id, new) = lists.abstract_for(ListLook::Numbered(format));
                                if new {
                                    docx = docx.add_abstract_numbering(numbering_with(id, format));
                                }
                                id
                            };
                            // An instance per list, restarting at its first number (1
                            // unless set), so each list counts as the user expects.
                            let id = lists.next_num();
                            let first = numbering.start.unwrap_or(1).min(32_767) as usize;
                            docx = docx.add_numbering(restarted(id, abstract_id, first));
                            id
                        }
                    },
                };
                if l.kind == ListKind::Numbered {
                    lists.previous_numbered = Some(num);
                }
                for item in &l.items {
                    let para = match &item.runs {
                        Some(runs) => runs_paragraph(Paragraph::new(), runs, &[], &mut ids),
                        None => text_paragraph(&item.text, Run::new),
                    };
                    let para = para
                        .style("ListParagraph")
                        .numbering(NumberingId::new(num), IndentLevel::new(item.level.into()));
                    docx = docx.add_paragraph(para);
                }
            }
            Block::Opaque(o) => {
                // A marker paragraph the re-pack replaces with the block's own XML.
                let marker = ids.opaque.marker(o);
                docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text(marker)));
            }
            Block::PageBreak(_) => {
                docx = docx
                    .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
            }
            Block::TableOfContents(t) => {
                for para in table_of_contents(doc, t, text_width_twips(&page)) {
                    docx = docx.add_paragraph(para);
                }
            }
            Block::SectionBreak(b) => {
                // The section that ends here keeps its properties in this paragraph's
                // w:sectPr; the next one starts with the break's.
                docx = docx.add_paragraph(
                    Paragraph::new().section_property(section_property(&page, start)),
                );
                page = b.page;
                start = Some(b.kind);
            }
        }
    }
    for n in 1..=ids.cell_lists {
        docx = docx.add_numbering(restarted(CELL_LIST_NUMS + n, NUMBERED_ABSTRACT, 1));
    }
    // The last section's properties are the body's; the headers and footers go on every
    // section.
    docx.document.section_property = section_property(&page, start);
    docx = with_headers(docx, doc, &mut ids);
    let mut raw = Cursor::new(Vec::new());
    docx.pack(&mut raw)
        .map_err(|e| RenderError::Pack(e.to_string()))?;
    let core = CoreProperties {
        title: &doc.title,
        metadata: &doc.metadata,
        options,
        revision: doc.version.get(),
    };
    let marks = package::Marks {
        header_rows,
        // Word is asked to refresh fields when a table of contents has entries without
        // their page numbers (a new one, or one whose headings changed since the import).
        update_fields: doc
            .blocks
            .iter()
            .any(|b| matches!(b, Block::TableOfContents(t) if !toc_is_cached(doc, t))),
        normal_style: doc.styles.iter().find(|s| s.style_id == "Normal").map(|s| {
            let normal = Style::new("Normal", StyleType::Paragraph)
                .name("Normal")
                .q_format(true);
            let xml = String::from_utf8_lossy(&defined(normal, s).build()).into_owned();
            // The element alone, without a declaration.
            xml.find("<w:style")
                .map_or(xml.clone(), |at| xml[at..].to_string())
        }),
    };
    let written = package::Written {
        images: &ids.images,
        parts: &ids.parts,
        opaque: &ids.opaque,
        styles: &doc.styles,
        even_headers: has_even_headers(doc),
    };
    package::repack(&raw.into_inner(), &core, marks, &written)
}

/// Millimetres in twentieths of a point, within Word's page limits (22 inches); a value
/// stored by anything but folio's checks is brought into range, never trusted.
fn mm_twips(mm: f32) -> u32 {
    let twips = (f64::from(mm) * 1440.0 / 25.4).round();
    if twips.is_finite() {
        twips.clamp(0.0, 31_680.0) as u32
    } else {
        0
    }
}

/// The page setup, headers and footers of the document's section.
/// A section's properties: page size and orientation, margins, columns, and how it starts
/// (`None`: the first section, which starts the document).
fn section_property(
    page: &domain::PageSetup,
    start: Option<domain::SectionStart>,
) -> SectionProperty {
    let page = page.resolved();
    let (width, height) = (
        mm_twips(page.width_mm).max(144),
        mm_twips(page.height_mm).max(144),
    );
    let mut size = PageSize::new().size(width, height);
    if width > height {
        size = size.orient(PageOrientationType::Landscape);
    }
    let mut property = SectionProperty::new().page_size(size).page_margin(
        PageMargin::new()
            .top(mm_twips(page.margin_top_mm) as i32)
            .bottom(mm_twips(page.margin_bottom_mm) as i32)
            .left(mm_twips(page.margin_left_mm) as i32)
            .right(mm_twips(page.margin_right_mm) as i32)
            .header(HEADER_DISTANCE_TWIPS)
            .footer(HEADER_DISTANCE_TWIPS)
            .gutter(0),
    );
    property.columns = usize::from(page.columns.clamp(1, 45));
    property.section_type = start.map(|s| match s {
        domain::SectionStart::NextPage => SectionType::NextPage,
        domain::SectionStart::Continuous => SectionType::Continuous,
    });
    property
}

/// The headers and footers. folio writes every header and footer part itself
/// (`package::Parts`, each with the relationships its links and pictures need: docx-rs
/// keeps none for them), and every section's properties reference what it shows — its
/// own of each kind, else the previous section's (Word's "link to previous", made
/// explicit so every reader shows the same).
fn with_headers(mut docx: Docx, doc: &Document, ids: &mut Ids) -> Docx {
    // What each section shows, in order.
    let mut shown = SectionProperty::new();
    let mut references = Vec::new();
    for (_, header, footer) in doc.section_margins() {
        for (kind, runs) in [
            ("default", &header.default),
            ("first", &header.first),
            ("even", &header.even),
        ] {
            if let Some(runs) = runs {
                let (xml, links) =
                    margin_part(runs, ids, |p| Header::new().add_paragraph(p).build());
                let reference = Some(docx_rs::HeaderReference::new(
                    kind,
                    ids.parts.header(xml, links),
                ));
                match kind {
                    "default" => shown.header_reference = reference,
                    "first" => shown.first_header_reference = reference,
                    _ => shown.even_header_reference = reference,
                }
            }
        }
        for (kind, runs) in [
            ("default", &footer.default),
            ("first", &footer.first),
            ("even", &footer.even),
        ] {
            if let Some(runs) = runs {
                let (xml, links) =
                    margin_part(runs, ids, |p| Footer::new().add_paragraph(p).build());
                let reference = Some(docx_rs::FooterReference::new(
                    kind,
                    ids.parts.footer(xml, links),
                ));
                match kind {
                    "default" => shown.footer_reference = reference,
                    "first" => shown.first_footer_reference = reference,
                    _ => shown.even_footer_reference = reference,
                }
            }
        }
        if header.even.is_some() || footer.even.is_some() {
            docx.settings = docx.settings.even_and_odd_headers();
        }
        references.push(shown.clone());
    }
    let mut sections = references.into_iter();
    let mut put = |property: &mut SectionProperty| {
        if let Some(shown) = sections.next() {
            property.header_reference = shown.header_reference;
            property.first_header_reference = shown.first_header_reference;
            property.even_header_reference = shown.even_header_reference;
            property.footer_reference = shown.footer_reference;
            property.first_footer_reference = shown.first_footer_reference;
            property.even_footer_reference = shown.even_footer_reference;
            property.title_pg = property.first_header_reference.is_some()
                || property.first_footer_reference.is_some();
        }
    };
    for child in &mut docx.document.children {
        if let DocumentChild::Paragraph(p) = child
            && let Some(property) = &mut p.property.section_property
        {
            put(property);
        }
    }
    put(&mut docx.document.section_property);
    docx
}

/// A header or footer part's XML (made by `build` from its paragraph) and the external
/// links it holds (relationship id, target) for its relationships.
fn margin_part(
    runs: &[domain::Run],
    ids: &mut Ids,
    build: impl FnOnce(Paragraph) -> Vec<u8>,
) -> (Vec<u8>, Vec<(String, String)>) {
    let from = ids.link_targets.len();
    let paragraph = runs_paragraph(Paragraph::new(), runs, &[], ids);
    (build(paragraph), ids.link_targets.split_off(from))
}

/// Distance of the header and footer from the page edge: Word's 12.7 mm.
const HEADER_DISTANCE_TWIPS: i32 = 720;

/// The width between the margins, in twips (tables share it among their columns).
fn text_width_twips(page: &domain::PageSetup) -> usize {
    let page = page.resolved();
    let width = mm_twips(page.width_mm);
    let margins = mm_twips(page.margin_left_mm) + mm_twips(page.margin_right_mm);
    width.saturating_sub(margins).max(1440) as usize
}

fn aligned(para: Paragraph, alignment: Option<Alignment>) -> Paragraph {
    match alignment {
        None => para,
        Some(a) => para.align(alignment_type(a)),
    }
}

/// Word's name for an alignment (justified is `both`).
fn alignment_type(alignment: Alignment) -> AlignmentType {
    match alignment {
        Alignment::Left => AlignmentType::Left,
        Alignment::Center => AlignmentType::Center,
        Alignment::Right => AlignmentType::Right,
        Alignment::Justify => AlignmentType::Both,
    }
}

/// One font for every script (Latin, East Asian, complex).
fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
}

/// `w:spacing` from space before/after in points and line spacing as a multiple, when any
/// is set.
fn spacing(before: Option<f32>, after: Option<f32>, line: Option<f32>) -> Option<LineSpacing> {
    if before.is_none() && after.is_none() && line.is_none() {
        return None;
    }
    let mut spacing = LineSpacing::new();
    if let Some(before) = before {
        spacing = spacing.before(twips(before).max(0) as u32);
    }
    if let Some(after) = after {
        spacing = spacing.after(twips(after).max(0) as u32);
    }
    if let Some(line) = line {
        // 240 = single spacing, in 240ths of a line.
        spacing = spacing
            .line((line * 240.0).round() as i32)
            .line_rule(LineSpacingType::Auto);
    }
    Some(spacing)
}

/// Points in twentieths of a point (Word's unit for spacing and indents).
fn twips(points: f32) -> i32 {
    (points * 20.0).round() as i32
}

/// A paragraph's spacing (`w:spacing`), indents (`w:ind`) and pagination
/// (`w:keepNext`, `w:pageBreakBefore`), where set.
fn formatted(mut para: Paragraph, f: &domain::ParagraphFormat) -> Paragraph {
    if let Some(spacing) = spacing(f.spacing_before, f.spacing_after, f.line_spacing) {
        para = para.line_spacing(spacing);
    }
    let special = match (f.first_line, f.hanging) {
        (Some(first), _) => Some(SpecialIndentType::FirstLine(twips(first))),
        (None, Some(hanging)) => Some(SpecialIndentType::Hanging(twips(hanging))),
        (None, None) => None,
    };
    if f.indent_left.is_some() || f.indent_right.is_some() || special.is_some() {
        para = para.indent(
            f.indent_left.map(twips),
            special,
            f.indent_right.map(twips),
            None,
        );
    }
    if f.keep_with_next == Some(true) {
        para = para.keep_next(true);
    }
    if f.page_break_before == Some(true) {
        para = para.page_break_before(true);
    }
    para
}

/// Numbers of the things a render names, counted per document so the same version always
/// gives the same bytes (docx-rs's own counters are process-wide).
#[derive(Default)]
struct Ids {
    links: usize,
    bookmarks: usize,
    /// Images in the order they are written; each is a marker run until the re-pack.
    images: package::Images,
    /// Header and footer parts of later sections, written by folio.
    parts: package::Parts,
    /// Opaque blocks, in the order their marker paragraphs were written.
    opaque: package::Opaques,
    /// Numbered lists inside table cells (each its own numbering instance).
    cell_lists: usize,
    /// External links written since the last header or footer part (relationship id,
    /// target): a part takes the ones made while building it.
    link_targets: Vec<(String, String)>,
}

/// A paragraph's runs: neighbouring runs with the same link target in one `w:hyperlink`,
/// the paragraph's bookmarks spanning all of it.
fn runs_paragraph(
    mut para: Paragraph,
    runs: &[domain::Run],
    bookmarks: &[String],
    ids: &mut Ids,
) -> Paragraph {
    let first_bookmark = ids.bookmarks;
    for name in bookmarks {
        para = para.add_bookmark_start(ids.bookmarks, name);
        ids.bookmarks += 1;
    }
    let whole = ids.bookmarks;
    // Range bookmarks open now, with their ids.
    let mut open: Vec<(&str, usize)> = Vec::new();
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
                    para = para.add_bookmark_start(ids.bookmarks, name);
                    open.push((name, ids.bookmarks));
                    ids.bookmarks += 1;
                }
            }
        }
        match link {
            None => {
                if let Some(field) = runs[i].format.field {
                    for run in field_runs(field, &runs[i]) {
                        para = para.add_run(run);
                    }
                } else if let Some(run) = inline_run(&runs[i], || styled_run(&runs[i].format), ids)
                {
                    para = para.add_run(run);
                }
            }
            Some(target) => {
                let mut hyperlink = match target.strip_prefix('#') {
                    Some(anchor) => Hyperlink::new(anchor, HyperlinkType::Anchor),
                    None => {
                        ids.links += 1;
                        let id = format!("rIdLink{}", ids.links);
                        ids.link_targets.push((id.clone(), target.to_string()));
                        let mut link = Hyperlink::new(target, HyperlinkType::External);
                        if let HyperlinkData::External { rid, .. } = &mut link.link {
                            *rid = id;
                        }
                        link
                    }
                };
                for run in &runs[i..j] {
                    // A field inside a link is the field (its runs inside the link).
                    if let Some(field) = run.format.field {
                        for r in field_runs(field, run) {
                            hyperlink = hyperlink.add_run(r);
                        }
                        continue;
                    }
                    if let Some(run) = inline_run(
                        run,
                        || {
                            // A link looks like one, unless its run has a style of its own.
                            let r = styled_run(&run.format);
                            if run.format.style.is_some() {
                                r
                            } else {
                                r.style(HYPERLINK_STYLE)
                            }
                        },
                        ids,
                    ) {
                        hyperlink = hyperlink.add_run(run);
                    }
                }
                para = para.add_hyperlink(hyperlink);
            }
        }
        // Range bookmarks the next run is not in end after this span.
        let next = runs
            .get(j)
            .map_or(&[][..], |r| r.format.bookmarks.as_slice());
        open.retain(|(name, id)| {
            let goes_on = next.iter().any(|n| n == name);
            if !goes_on {
                para = std::mem::take(&mut para).add_bookmark_end(*id);
            }
            goes_on
        });
        i = j;
    }
    for (_, id) in open {
        para = para.add_bookmark_end(id);
    }
    for id in first_bookmark..whole {
        para = para.add_bookmark_end(id);
    }
    para
}

/// A run's text as [`text_run`] writes it; an image as a marker the re-pack replaces with
/// its drawing.
fn inline_run(run: &domain::Run, make: impl Fn() -> Run, ids: &mut Ids) -> Option<Run> {
    if let Some(opaque) = &run.format.opaque {
        // A marker run the re-pack replaces with the content's own XML.
        return Some(Run::new().add_text(ids.opaque.inline_marker(opaque, &run.text)));
    }
    match &run.format.image {
        Some(image) => Some(make().add_text(ids.images.marker(image))),
        None => text_run(&run.text, make),
    }
}

/// A field as Word writes it: begin, instruction, separator, the value shown until Word
/// computes it (the run's text), end — each a run with the run's formatting.
fn field_runs(field: domain::Field, run: &domain::Run) -> Vec<Run> {
    let instruction = match field {
        domain::Field::Page => InstrText::PAGE(InstrPAGE::new()),
        domain::Field::NumPages => InstrText::NUMPAGES(InstrNUMPAGES::new()),
        domain::Field::Date => InstrText::Unsupported(r#"DATE \@ "d MMMM yyyy""#.into()),
    };
    let styled = || styled_run(&run.format);
    let mut runs = vec![
        styled().add_field_char(FieldCharType::Begin, true),
        styled().add_instr_text(instruction),
        styled().add_field_char(FieldCharType::Separate, false),
    ];
    runs.extend(text_run(&run.text, styled));
    runs.push(styled().add_field_char(FieldCharType::End, false));
    runs
}

/// The bookmark a table of contents entry links to: named after the heading's position,
/// so the same version always names it the same way (Word's own are `_Toc` + digits). The
/// HTML export uses it as the heading's id.
pub(crate) fn toc_bookmark(index: usize) -> String {
    format!("_Toc{index:08}")
}

/// The level and text of each heading a table of contents lists, and whether its cached
/// page numbers (an imported file's) still hold for them.
fn toc_is_cached(doc: &Document, toc: &domain::TableOfContents) -> bool {
    let entries: Vec<(u8, String)> = doc
        .toc_entries(toc.max_level)
        .map(|(_, level, text)| (level, text))
        .collect();
    toc.cached_pages(&entries).is_some()
}

/// A table of contents as Word writes one: an optional title, then a `TOC` field whose
/// current result is one paragraph per heading (style `TOC1`…`TOC9`, linked to the
/// heading). While an imported table's entries are still the document's headings, each
/// entry keeps its page number (a right tab with a dot leader, then a `PAGEREF` field
/// whose result is the number Word computed); otherwise Word refreshes the entries, page
/// numbers included, when it opens the document (`w:updateFields`).
fn table_of_contents(
    doc: &Document,
    toc: &domain::TableOfContents,
    text_width: usize,
) -> Vec<Paragraph> {
    let entries: Vec<(usize, u8, String)> = doc.toc_entries(toc.max_level).collect();
    let levels: Vec<(u8, String)> = entries
        .iter()
        .map(|(_, level, text)| (*level, text.clone()))
        .collect();
    let mut pages = toc
        .cached_pages(&levels)
        .map(|p| p.collect::<Vec<_>>().into_iter());
    let mut paragraphs = Vec::new();
    if let Some(title) = &toc.title {
        paragraphs.push(text_paragraph(title, Run::new).style("TOCHeading"));
    }
    let instruction = format!(r#"TOC \o "1-{}" \h \z \u"#, toc.max_level);
    let begin = [
        Run::new().add_field_char(FieldCharType::Begin, true),
        Run::new().add_instr_text(InstrText::Unsupported(instruction)),
        Run::new().add_field_char(FieldCharType::Separate, false),
    ];
    let mut begin = Some(begin);
    let entry = |mut para: Paragraph, begin: &mut Option<[Run; 3]>| {
        if let Some(runs) = begin.take() {
            for run in runs {
                para = para.add_run(run);
            }
        }
        para
    };
    for (index, level, text) in entries {
        let link = Hyperlink::new(toc_bookmark(index), HyperlinkType::Anchor);
        let mut link = match text_run(&text, Run::new) {
            Some(run) => link.add_run(run),
            None => link,
        };
        let mut para = Paragraph::new().style(&format!("TOC{level}"));
        if let Some(page) = pages.as_mut().and_then(Iterator::next) {
            link = link.add_run(Run::new().add_tab());
            for run in page_ref(&toc_bookmark(index), page) {
                link = link.add_run(run);
            }
            para = para.add_tab(
                Tab::new()
                    .val(TabValueType::Right)
                    .leader(TabLeaderType::Dot)
                    .pos(text_width),
            );
        }
        paragraphs.push(entry(para, &mut begin).add_hyperlink(link));
    }
    if begin.is_some() {
        // No headings yet: the field still exists, with a note as its result.
        let para = entry(Paragraph::new(), &mut begin)
            .add_run(Run::new().add_text("No headings yet: add headings, then update the table."));
        paragraphs.push(para);
    }
    paragraphs.push(Paragraph::new().add_run(Run::new().add_field_char(FieldCharType::End, false)));
    paragraphs
}

/// A `PAGEREF` field to `bookmark` whose current result is `page`.
fn page_ref(bookmark: &str, page: &str) -> Vec<Run> {
    let mut runs = vec![
        Run::new().add_field_char(FieldCharType::Begin, false),
        Run::new().add_instr_text(InstrText::Unsupported(format!(" PAGEREF {bookmark} \\h "))),
        Run::new().add_field_char(FieldCharType::Separate, false),
    ];
    runs.extend(text_run(page, Run::new));
    runs.push(Run::new().add_field_char(FieldCharType::End, false));
    runs
}

/// Word's built-in character style for links (blue, underlined).
const HYPERLINK_STYLE: &str = "Hyperlink";

/// An empty run with a run's formatting.
fn styled_run(f: &domain::RunFormat) -> Run {
    let mut r = Run::new();
    if f.bold {
        r = r.bold();
    }
    if f.italic {
        r = r.italic();
    }
    if f.underline {
        r = r.underline("single");
    }
    if f.strike {
        r = r.strike();
    }
    if let Some(font) = &f.font {
        r = r.fonts(fonts(font));
    }
    if let Some(size) = f.size_pt {
        // half points; sizes are validated to 1..=1638 in half-point steps
        r = r.size((size * 2.0).round() as usize);
    }
    if let Some(color) = &f.color {
        r = r.color(color);
    }
    if let Some(highlight) = &f.highlight {
        r = r.highlight(highlight);
    }
    if f.superscript {
        r.run_property = r.run_property.vert_align(VertAlignType::SuperScript);
    } else if f.subscript {
        r.run_property = r.run_property.vert_align(VertAlignType::SubScript);
    }
    if let Some(style) = &f.style {
        r = r.style(style);
    }
    if f.small_caps {
        // docx-rs has no w:smallCaps; folio writes no w:caps of its own, so the packager
        // turns this one into w:smallCaps (package::small_caps).
        r.run_property = r.run_property.caps();
    }
    r
}

/// `text` as one run made by `make`, tabs as `w:tab` and line breaks as `w:br` (Word
/// shows a raw newline inside `w:t` as a space); `None` for empty text.
fn text_run(text: &str, make: impl Fn() -> Run) -> Option<Run> {
    if text.is_empty() {
        return None;
    }
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut run = make();
    let mut chunk = String::new();
    for c in normalized.chars() {
        match c {
            '\t' | '\n' => {
                if !chunk.is_empty() {
                    run = run.add_text(std::mem::take(&mut chunk));
                }
                run = if c == '\t' {
                    run.add_tab()
                } else {
                    run.add_break(BreakType::TextWrapping)
                };
            }
            _ => chunk.push(c),
        }
    }
    if !chunk.is_empty() {
        run = run.add_text(chunk);
    }
    Some(run)
}

/// A paragraph of one run of `text` made by `make`.
fn text_paragraph(text: &str, make: impl Fn() -> Run) -> Paragraph {
    match text_run(text, make) {
        Some(run) => Paragraph::new().add_run(run),
        None => Paragraph::new(),
    }
}

/// Where each cell of a table stands in its merges: the merges laid on a grid (clamped to
/// the table; of two that overlap — which folio never stores — the first wins).
#[derive(Clone, Copy, PartialEq)]
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
    let (nrows, ncols) = (t.rows.len(), t.cols());
    let mut grid = vec![vec![Slot::Single; ncols]; nrows];
    for m in &t.merges {
        let rows = m.rows.min(nrows.saturating_sub(m.row));
        let cols = m.cols.min(ncols.saturating_sub(m.col));
        if rows == 0 || cols == 0 || rows * cols < 2 {
            continue;
        }
        let area = m.row..m.row + rows;
        let free = grid[area.clone()]
            .iter()
            .all(|row| row[m.col..m.col + cols].iter().all(|s| *s == Slot::Single));
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

fn table(t: &domain::Table, text_width: usize, ids: &mut Ids) -> Table {
    let cols = t.cols().max(1);
    // One w:gridCol per column (docx-rs writes an empty w:tblGrid otherwise, and pandoc
    // then drops the table): the widths set, else equal shares of the text width.
    let grid: Vec<usize> = match &t.widths_mm {
        Some(widths) if widths.len() == cols => widths
            .iter()
            .map(|w| mm_twips(*w).max(1) as usize)
            .collect(),
        _ => vec![text_width / cols; cols],
    };
    let layout = slots(t);
    let mut rows = Vec::with_capacity(t.rows.len());
    for (r, texts) in t.rows.iter().enumerate() {
        let header = t.header_row && r == 0;
        let mut cells = Vec::with_capacity(texts.len());
        for (c, text) in texts.iter().enumerate() {
            let make = || {
                if header {
                    Run::new().bold()
                } else {
                    Run::new()
                }
            };
            let slot = layout[r][c];
            let span = match slot {
                Slot::Start { cols, .. } | Slot::Below { cols } => cols,
                _ => 1,
            };
            let width: usize = grid.iter().skip(c).take(span).sum();
            let mut cell = match (slot, t.cell_runs_at(r, c), t.cell_blocks_at(r, c)) {
                (Slot::Covered, _, _) => continue,
                (Slot::Below { .. }, _, _) => TableCell::new().add_paragraph(Paragraph::new()),
                (_, _, Some(blocks)) => cell_with_blocks(blocks, width, ids),
                (_, Some(runs), None) => {
                    TableCell::new().add_paragraph(runs_paragraph(Paragraph::new(), runs, &[], ids))
                }
                (_, None, None) => TableCell::new().add_paragraph(text_paragraph(text, make)),
            };
            if span > 1 {
                cell = cell.grid_span(span);
            }
            match slot {
                Slot::Start { rows, .. } if rows > 1 => {
                    cell = cell.vertical_merge(VMergeType::Restart);
                }
                Slot::Below { .. } => cell = cell.vertical_merge(VMergeType::Continue),
                _ => {}
            }
            cell = cell.width(width, WidthType::Dxa);
            // The format of a merged cell is its top-left cell's.
            let origin = t.merge_at(r, c).map_or((r, c), |m| (m.row, m.col));
            if let Some(format) = t.cell_format(origin.0, origin.1) {
                if let Some(fill) = &format.shading {
                    cell = cell.shading(
                        Shading::new()
                            .shd_type(ShdType::Clear)
                            .color("auto")
                            .fill(fill),
                    );
                }
                if let Some(align) = format.vertical_align {
                    cell = cell.vertical_align(match align {
                        domain::VerticalAlign::Top => VAlignType::Top,
                        domain::VerticalAlign::Center => VAlignType::Center,
                        domain::VerticalAlign::Bottom => VAlignType::Bottom,
                    });
                }
            }
            cells.push(cell);
        }
        let row = TableRow::new(cells);
        // docx-rs cannot write w:tblHeader; the packager adds it next to the w:cantSplit
        // that only header rows carry.
        rows.push(if header { row.cant_split() } else { row });
    }
    let table = Table::new(rows).set_grid(grid);
    match &t.style {
        Some(style) => table.style(style),
        None => table,
    }
}

/// A cell holding several blocks: its paragraphs, its lists (numbered ones restart at 1),
/// its nested tables (equal columns over the cell's `width`, in twips), and a closing
/// paragraph after a table (Word needs a cell to end with one).
fn cell_with_blocks(blocks: &[domain::CellBlock], width: usize, ids: &mut Ids) -> TableCell {
    let mut cell = TableCell::new();
    let mut ends_with_table = false;
    for block in blocks {
        ends_with_table = false;
        match block {
            domain::CellBlock::Paragraph {
                runs,
                style,
                alignment,
            } => {
                let mut para =
                    aligned(runs_paragraph(Paragraph::new(), runs, &[], ids), *alignment);
                if let Some(style) = style {
                    para = para.style(style);
                }
                cell = cell.add_paragraph(para);
            }
            domain::CellBlock::List { kind, items } => {
                let num = match kind {
                    ListKind::Bullet => BULLET_NUM,
                    ListKind::Numbered => {
                        ids.cell_lists += 1;
                        CELL_LIST_NUMS + ids.cell_lists
                    }
                };
                for item in items {
                    let para = match &item.runs {
                        Some(runs) => runs_paragraph(Paragraph::new(), runs, &[], ids),
                        None => text_paragraph(&item.text, Run::new),
                    };
                    cell = cell.add_paragraph(para.style("ListParagraph").numbering(
                        NumberingId::new(num),
                        IndentLevel::new(item.level.min(8).into()),
                    ));
                }
            }
            domain::CellBlock::Table { rows } => {
                let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
                let each = (width / cols).max(1);
                let rows = rows
                    .iter()
                    .map(|row| {
                        TableRow::new(
                            (0..cols)
                                .map(|c| {
                                    let text = row.get(c).map_or("", String::as_str);
                                    TableCell::new()
                                        .add_paragraph(text_paragraph(text, Run::new))
                                        .width(each, WidthType::Dxa)
                                })
                                .collect(),
                        )
                    })
                    .collect();
                cell = cell.add_table(
                    Table::new(rows)
                        .set_grid(vec![each; cols])
                        .style("TableGrid"),
                );
                ends_with_table = true;
            }
        }
    }
    if ends_with_table {
        cell = cell.add_paragraph(Paragraph::new());
    }
    cell
}

/// Numbering instances of numbered lists inside table cells start here (folio's other
/// lists count up from `BULLET_NUM`).
const CELL_LIST_NUMS: usize = 1_000_000;

/// A numbering instance of `abstract_id` that starts at `first` (deeper levels at 1).
fn restarted(id: usize, abstract_id: usize, first: usize) -> Numbering {
    (0..=8).fold(Numbering::new(id, abstract_id), |n, level| {
        let start = if level == 0 { first } else { 1 };
        n.add_override(LevelOverride::new(level).start(start))
    })
}

/// The document's own styles, after the built-in ones.
fn with_own_styles(mut docx: Docx, styles: &[domain::StyleDef]) -> Docx {
    for s in styles {
        // docx-rs writes a `Normal` of its own whatever it is given: a redefined one
        // replaces it in the re-pack (`package::Marks::normal_style`).
        if s.style_id == "Normal" {
            continue;
        }
        // A redefined built-in style: Word's definition (written by `with_styles`) with
        // the document's changes on top.
        if let Some(at) = docx
            .styles
            .styles
            .iter()
            .position(|existing| existing.style_id == s.style_id)
        {
            let builtin = docx.styles.styles.remove(at);
            docx = docx.add_style(defined(builtin, s));
            continue;
        }
        let kind = match s.kind {
            domain::StyleKind::Paragraph => StyleType::Paragraph,
            domain::StyleKind::Character => StyleType::Character,
            domain::StyleKind::Table => StyleType::Table,
        };
        let mut style = Style::new(&s.style_id, kind).name(&s.name).q_format(true);
        match (&s.based_on, s.kind) {
            (Some(base), _) => style = style.based_on(base),
            (None, domain::StyleKind::Paragraph) => style = style.based_on("Normal"),
            (None, _) => {}
        }
        docx = docx.add_style(defined(style, s));
    }
    docx
}

/// A style with the formatting a definition sets (an explicit `false` turns bold or
/// italic off, for a built-in style that has it).
fn defined(mut style: Style, s: &domain::StyleDef) -> Style {
    if let Some(next) = &s.next {
        style = style.next(next);
    }
    if let Some(font) = &s.font {
        style = style.fonts(fonts(font));
    }
    if let Some(size) = s.size_pt.filter(|v| v.is_finite()) {
        style = style.size((size.clamp(1.0, 1638.0) * 2.0).round() as usize);
    }
    match s.bold {
        Some(true) => style = style.bold(),
        Some(false) => style.run_property = style.run_property.disable_bold(),
        None => {}
    }
    match s.italic {
        Some(true) => style = style.italic(),
        Some(false) => style.run_property = style.run_property.disable_italic(),
        None => {}
    }
    if s.underline == Some(true) {
        style = style.underline("single");
    }
    if let Some(color) = &s.color {
        style = style.color(color);
    }
    if let Some(spacing) = spacing(s.spacing_before, s.spacing_after, None) {
        style = style.line_spacing(spacing);
    }
    if let Some(alignment) = s.alignment {
        style = style.align(alignment_type(alignment));
    }
    style
}

fn with_styles(mut docx: Docx) -> Docx {
    // Built-in style ids and names, so Word and LibreOffice treat them as their own
    // (a "heading 1" is a heading in the navigation pane and the outline).
    let heading_sizes = [32, 26, 24, 22, 22, 22, 22, 22, 22];
    for (i, size) in heading_sizes.iter().enumerate() {
        let level = i + 1;
        let mut style = Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .ui_priority(9)
            .outline_lvl(i)
            .size(*size)
            .bold();
        if level >= 4 {
            style = style.italic();
        }
        docx = docx.add_style(style);
    }
    let simple = [
        ("Title", "Title", 56, false, false),
        ("Subtitle", "Subtitle", 30, false, true),
        ("Quote", "Quote", 22, false, true),
        ("IntenseQuote", "Intense Quote", 22, true, true),
        ("Caption", "caption", 18, false, true),
        ("NoSpacing", "No Spacing", 22, false, false),
    ];
    for (id, name, size, bold, italic) in simple {
        let mut style = Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .q_format(true)
            .size(size);
        if bold {
            style = style.bold();
        }
        if italic {
            style = style.italic();
        }
        docx = docx.add_style(style);
    }
    docx = docx.add_style(
        Style::new("TOCHeading", StyleType::Paragraph)
            .name("TOC Heading")
            .based_on("Heading1")
            .next("Normal")
            .ui_priority(39)
            .q_format(true),
    );
    for level in 1..=9 {
        docx = docx.add_style(
            Style::new(format!("TOC{level}"), StyleType::Paragraph)
                .name(format!("toc {level}"))
                .based_on("Normal")
                .next("Normal")
                .ui_priority(39)
                .indent(Some(220 * (level - 1)), None, None, None),
        );
    }
    docx.add_style(
        Style::new("ListParagraph", StyleType::Paragraph)
            .name("List Paragraph")
            .based_on("Normal")
            .q_format(true)
            .ui_priority(34),
    )
    .add_style(
        Style::new(HYPERLINK_STYLE, StyleType::Character)
            .name("Hyperlink")
            .ui_priority(99)
            .color("0563C1")
            .underline("single"),
    )
    .add_style(
        Style::new("TableGrid", StyleType::Table)
            .name("Table Grid")
            .ui_priority(39),
    )
}

/// Nine levels indented 0.5" apiece, with the format and text `level` gives for each.
fn numbering(id: usize, level: impl Fn(usize) -> (&'static str, String)) -> AbstractNumbering {
    (0..9).fold(AbstractNumbering::new(id), |n, i| {
        let (format, text) = level(i);
        n.add_level(
            Level::new(
                i,
                Start::new(1),
                NumberFormat::new(format),
                LevelText::new(text),
                LevelJc::new("left"),
            )
            .indent(
                Some(720 * (i as i32 + 1)),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        )
    })
}

/// What distinguishes a list's numbering definition.
#[derive(PartialEq)]
enum ListLook<'a> {
    Bullet(&'a str),
    Numbered(NumberStyle),
}

/// Numbering definitions and instances handed out in document order (so the same version
/// always numbers them the same way).
#[derive(Default)]
struct Lists {
    /// Abstract numberings made so far: what they look like, as an owned key, and their id.
    abstracts: Vec<(String, usize)>,
    nums: usize,
    previous_numbered: Option<usize>,
}

impl Lists {
    /// The abstract numbering for a look, and whether it is new (to be added).
    fn abstract_for(&mut self, look: ListLook<'_>) -> (usize, bool) {
        let key = match look {
            ListLook::Bullet(b) => format!("bullet:{b}"),
            ListLook::Numbered(f) => format!("numbered:{f:?}"),
        };
        if let Some((_, id)) = self.abstracts.iter().find(|(k, _)| *k == key) {
            return (*id, false);
        }
        let id = NUMBERED_ABSTRACT + 1 + self.abstracts.len();
        self.abstracts.push((key, id));
        (id, true)
    }

    fn next_num(&mut self) -> usize {
        self.nums += 1;
        BULLET_NUM + self.nums
    }
}

/// Word's name of a number format.
fn word_format(format: NumberStyle) -> &'static str {
    match format {
        NumberStyle::Decimal => "decimal",
        NumberStyle::LowerLetter => "lowerLetter",
        NumberStyle::UpperLetter => "upperLetter",
        NumberStyle::LowerRoman => "lowerRoman",
        NumberStyle::UpperRoman => "upperRoman",
    }
}

/// A numbered list definition whose top level uses `format` (deeper levels as usual).
fn numbering_with(id: usize, format: NumberStyle) -> AbstractNumbering {
    let formats = ["decimal", "lowerLetter", "lowerRoman"];
    numbering(id, |level| {
        let f = if level == 0 {
            word_format(format)
        } else {
            formats[level % 3]
        };
        (f, format!("%{}.", level + 1))
    })
}

/// A bulleted list definition whose top level uses `bullet`.
fn bullet_numbering_with(id: usize, bullet: &str) -> AbstractNumbering {
    let bullets = ["\u{2022}", "\u{25E6}", "\u{25AA}"];
    numbering(id, |level| {
        let b = if level == 0 {
            bullet.to_string()
        } else {
            bullets[level % 3].to_string()
        };
        ("bullet", b)
    })
}

fn bullet_numbering() -> AbstractNumbering {
    let bullets = ["\u{2022}", "\u{25E6}", "\u{25AA}"];
    numbering(BULLET_ABSTRACT, |level| {
        ("bullet", bullets[level % 3].to_string())
    })
}

fn decimal_numbering() -> AbstractNumbering {
    // 1. a. i. — the same sequence the text export prints.
    let formats = ["decimal", "lowerLetter", "lowerRoman"];
    numbering(NUMBERED_ABSTRACT, |level| {
        (formats[level % 3], format!("%{}.", level + 1))
    })
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn entry(bytes: &[u8], name: &str) -> (String, zip::CompressionMethod) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = zip.by_name(name).unwrap();
        let method = file.compression();
        let mut s = String::new();
        file.read_to_string(&mut s).unwrap();
        (s, method)
    }

    fn rendered() -> Vec<u8> {
        let mut doc = crate::export::tests::sample();
        doc.metadata.author = Some("Ada & Co".into());
        doc.metadata.keywords = Some("q3, report".into());
        let options = RenderOptions {
            created_at: Some("2026-01-02T03:04:05Z".into()),
            modified_at: Some("2026-01-03T03:04:05Z".into()),
            last_modified_by: Some("editor".into()),
            ..RenderOptions::default()
        };
        render_docx(&doc, &options).unwrap()
    }

    #[test]
    fn core_properties_are_ours() {
        let (core, _) = entry(&rendered(), "docProps/core.xml");
        assert!(core.contains("<dc:title>Q3 &lt;Report&gt;</dc:title>"));
        assert!(core.contains("<dc:creator>Ada &amp; Co</dc:creator>"));
        assert!(core.contains("<cp:keywords>q3, report</cp:keywords>"));
        assert!(core.contains("2026-01-02T03:04:05Z"));
        assert!(!core.contains("unknown"));
    }

    #[test]
    fn the_package_is_deflated() {
        let bytes = rendered();
        let (_, method) = entry(&bytes, "word/document.xml");
        assert_eq!(method, zip::CompressionMethod::Deflated);
    }

    #[test]
    fn headings_lists_and_header_rows_are_real() {
        let (xml, _) = entry(&rendered(), "word/document.xml");
        assert!(xml.contains(r#"<w:pStyle w:val="Heading1" />"#), "{xml}");
        assert!(xml.contains("<w:numPr>"));
        assert!(xml.contains("<w:tblHeader />"));
        assert!(xml.contains(r#"<w:br w:type="page" />"#));
        let (styles, _) = entry(&rendered(), "word/styles.xml");
        assert!(styles.contains(r#"<w:name w:val="heading 1" />"#));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(rendered(), rendered());
    }

    /// A 3×2 PNG.
    pub(crate) const PNG_3X2: &str = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";

    fn decided(commands: &[String]) -> domain::Document {
        let mut doc = domain::Document::default();
        for c in commands {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        doc
    }

    // See: issue 11: inline images, their media stored once, alt text as the description.
    #[test]
    fn images_are_inline_drawings_of_their_own_media_files() {
        use base64::Engine as _;
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"before after"}"#.into(),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","alt_text":"Red <dot> & co","width_mm":20}}"#
            ),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","block_index":0,"offset":7}}"#
            ),
        ]);
        let (_, _, _, image) = doc.images().next().unwrap();
        let bytes: std::sync::Arc<[u8]> = base64::engine::general_purpose::STANDARD
            .decode(PNG_3X2)
            .unwrap()
            .into();
        let mut options = RenderOptions::default();
        options.media.insert(image.media.clone(), bytes.clone());
        let docx = render_docx(&doc, &options).unwrap();
        assert!(
            docx == render_docx(&doc, &options).unwrap(),
            "deterministic"
        );
        let (xml, _) = entry(&docx, "word/document.xml");
        assert_eq!(xml.matches("<w:drawing>").count(), 2, "{xml}");
        assert!(!xml.contains('\u{FFFF}'), "no marker left");
        assert!(
            xml.contains(r#"<wp:docPr id="1" name="Picture 1" descr="" />"#),
            "{xml}"
        );
        assert!(xml.contains(r#"descr="Red &lt;dot&gt; &amp; co""#), "{xml}");
        assert!(
            xml.contains(r#"<wp:extent cx="720000" cy="480000" />"#),
            "{xml}"
        );
        assert!(
            xml.contains("before <"),
            "text before the inline image stays: {xml}"
        );
        assert_eq!(
            xml.matches(r#"r:embed="rIdImage1""#).count(),
            2,
            "one media file"
        );
        let (rels, _) = entry(&docx, "word/_rels/document.xml.rels");
        assert!(rels.contains(r#"Id="rIdImage1""#) && rels.contains("media/image1.png"));
        let (types, _) = entry(&docx, "[Content_Types].xml");
        assert!(types.contains(r#"Extension="png""#), "{types}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
        let mut media = Vec::new();
        std::io::Read::read_to_end(
            &mut zip.by_name("word/media/image1.png").unwrap(),
            &mut media,
        )
        .unwrap();
        assert_eq!(&media[..], &bytes[..], "the bytes as uploaded");
        assert!(zip.by_name("word/media/image2.png").is_err());

        // Without its bytes, an image is its alternative text.
        let docx = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&docx, "word/document.xml");
        assert!(!xml.contains("<w:drawing>"));
        assert!(xml.contains("[Red &lt;dot&gt; &amp; co]"), "{xml}");
        assert!(xml.contains("[image]"), "{xml}");
    }

    // See: issue 11: a picture in a header: its part has its own relationship to the
    // shared media file.
    #[test]
    fn a_header_picture_has_its_parts_own_relationship() {
        use base64::Engine as _;
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            format!(r#"{{"type":"add_image","data_base64":"{PNG_3X2}"}}"#),
            r#"{"type":"set_header","text":" ACME"}"#.into(),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","header":"default","offset":0,"alt_text":"Logo"}}"#
            ),
        ]);
        let mut options = RenderOptions::default();
        let (_, _, _, image) = doc.images().next().unwrap();
        let bytes: std::sync::Arc<[u8]> = base64::engine::general_purpose::STANDARD
            .decode(PNG_3X2)
            .unwrap()
            .into();
        options.media.insert(image.media.clone(), bytes);
        let docx = render_docx(&doc, &options).unwrap();
        assert!(docx == render_docx(&doc, &options).unwrap());
        let (header, _) = entry(&docx, "word/folioheader1.xml");
        assert!(header.contains(r#"descr="Logo""#), "{header}");
        assert!(
            header.contains(r#"<wp:docPr id="2""#),
            "ids go on from the body's: {header}"
        );
        assert!(header.contains(r#"r:embed="rIdImage1""#), "{header}");
        let (rels, _) = entry(&docx, "word/_rels/folioheader1.xml.rels");
        assert!(
            rels.contains(r#"Id="rIdImage1""#) && rels.contains("media/image1.png"),
            "{rels}"
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
        assert!(
            zip.by_name("word/media/image2.png").is_err(),
            "one file for both"
        );
    }

    // See: issue 11: a redefined built-in style replaces Word's, keeping what it does not
    // change.
    #[test]
    fn redefined_built_in_styles_replace_words() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"update_style","style_id":"Normal","font":"Georgia","size_pt":12}"#.into(),
            r#"{"type":"update_style","style_id":"Heading1","color":"1F4E79","bold":false}"#.into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (styles, _) = entry(&bytes, "word/styles.xml");
        assert_eq!(
            styles.matches(r#"w:styleId="Normal""#).count(),
            1,
            "{styles}"
        );
        assert_eq!(
            styles.matches(r#"w:styleId="Heading1""#).count(),
            1,
            "{styles}"
        );
        let normal = &styles[styles.find(r#"w:styleId="Normal""#).unwrap()..];
        let normal = &normal[..normal.find("</w:style>").unwrap()];
        assert!(normal.contains(r#"w:ascii="Georgia""#), "{normal}");
        assert!(normal.contains(r#"<w:sz w:val="24" />"#), "{normal}");
        let heading = &styles[styles.find(r#"w:styleId="Heading1""#).unwrap()..];
        let heading = &heading[..heading.find("</w:style>").unwrap()];
        assert!(heading.contains("1F4E79"), "{heading}");
        assert!(
            heading.contains(r#"<w:outlineLvl w:val="0" />"#),
            "Word's definition stays: {heading}"
        );
        assert!(heading.contains(r#"<w:b w:val="false" />"#), "{heading}");
    }

    // See: issue 11: a bookmark over a range of a paragraph, around a link.
    #[test]
    fn range_bookmarks_start_and_end_around_their_runs() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"Pay within thirty days."}"#.into(),
            r#"{"type":"add_bookmark","block_index":0,"name":"Whole"}"#.into(),
            r#"{"type":"add_bookmark","block_index":0,"name":"Term","start":11,"end":22}"#.into(),
            r#"{"type":"add_hyperlink","block_index":0,"bookmark":"Term","start":18,"end":22}"#
                .into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        let start = xml.find(r#"w:name="Term""#).expect("a start");
        let text = xml.find("thirty").expect("the text");
        let end = xml.find(r#"<w:bookmarkEnd w:id="1""#).expect("an end");
        let link = xml.find("days").expect("the link");
        assert!(start < text && text < link && link < end, "{xml}");
        assert!(xml.find("within").unwrap() < start, "{xml}");
        assert!(
            end < xml.find(r#"<w:bookmarkEnd w:id="0""#).unwrap(),
            "{xml}"
        );
        let html = crate::export(&doc, crate::ExportFormat::Html);
        assert!(
            html.contains(r##"Pay within <a id="Term"></a>thirty <a href="#Term">days</a>."##),
            "{html}"
        );
    }

    // See: issue 11: a table cell holding paragraphs, a numbered list and a nested table.
    #[test]
    fn cells_hold_paragraphs_lists_and_nested_tables() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_table","data":[["a","b"]]}"#.into(),
            r#"{"type":"set_table_cell","block_index":0,"row":0,"col":1,"blocks":[
                {"type":"paragraph","text":"Terms"},
                {"type":"list","kind":"numbered","items":["one","two"]},
                {"type":"table","data":[["k","v"]]}]}"#
                .into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(xml.matches("<w:tbl>").count(), 2, "{xml}");
        assert_eq!(
            xml.matches(r#"<w:numId w:val="1000001" />"#).count(),
            2,
            "{xml}"
        );
        assert!(
            xml.contains("</w:tbl><w:p"),
            "a paragraph closes the cell: {xml}"
        );
        let (numbering, _) = entry(&bytes, "word/numbering.xml");
        assert!(
            numbering.contains(r#"<w:num w:numId="1000001">"#),
            "{numbering}"
        );
    }

    // See: issue 11: headers and footers per section, inherited where a section sets none.
    #[test]
    fn a_later_section_shows_its_own_footer_and_inherits_the_rest() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"one"}"#.into(),
            r#"{"type":"add_section_break"}"#.into(),
            r#"{"type":"add_paragraph","text":"two"}"#.into(),
            r#"{"type":"add_section_break"}"#.into(),
            r#"{"type":"add_paragraph","text":"three"}"#.into(),
            r#"{"type":"set_header","text":"Report"}"#.into(),
            r#"{"type":"set_footer","text":"Page {PAGE}"}"#.into(),
            r#"{"type":"set_footer","section":1,"text":"Annex {PAGE}"}"#.into(),
            r#"{"type":"set_header","section":2,"kind":"first","text":"Last part"}"#.into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        let sections: Vec<&str> = xml.split("<w:sectPr>").skip(1).collect();
        assert_eq!(sections.len(), 3, "{xml}");
        assert!(
            sections[0].contains(r#"r:id="rIdFolioFooter1""#)
                && sections[0].contains(r#"r:id="rIdFolioHeader1""#),
            "section 0 shows the document's: {}",
            sections[0]
        );
        assert!(
            sections[1].contains(r#"r:id="rIdFolioFooter2""#),
            "{}",
            sections[1]
        );
        assert!(
            sections[2].contains(r#"r:id="rIdFolioFooter2""#),
            "inherited: {}",
            sections[2]
        );
        assert!(
            sections[2].contains(r#"r:id="rIdFolioHeader2""#),
            "{}",
            sections[2]
        );
        assert!(sections[2].contains("<w:titlePg"), "{}", sections[2]);
        assert!(!sections[1].contains("<w:titlePg"), "{}", sections[1]);
        assert_eq!(
            sections
                .iter()
                .filter(|s| s.contains("w:type=\"default\" r:id=\"rIdFolioHeader1"))
                .count(),
            3
        );
        let (footer, _) = entry(&bytes, "word/foliofooter2.xml");
        assert!(
            footer.contains("Annex") && footer.contains("PAGE"),
            "{footer}"
        );
        let (rels, _) = entry(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains(r#"Target="foliofooter2.xml""#), "{rels}");
        let (types, _) = entry(&bytes, "[Content_Types].xml");
        assert!(
            types.contains(r#"PartName="/word/folioheader2.xml""#),
            "{types}"
        );
    }

    // See: issue 11: section breaks, each section with its page, all with the headers.
    #[test]
    fn section_breaks_write_a_sect_pr_per_section() {
        let mut doc = domain::Document::default();
        for c in [
            r#"{"type":"create_document","document_id":"d","title":"T"}"#,
            r#"{"type":"add_paragraph","text":"portrait"}"#,
            r#"{"type":"add_section_break","orientation":"landscape"}"#,
            r#"{"type":"add_paragraph","text":"landscape"}"#,
            r#"{"type":"add_section_break","kind":"continuous","orientation":"portrait"}"#,
            r#"{"type":"add_paragraph","text":"portrait again"}"#,
            r#"{"type":"set_footer","text":"Page {PAGE}"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(xml.matches("<w:sectPr>").count(), 3, "{xml}");
        assert_eq!(xml.matches("w:orient=\"landscape\"").count(), 1, "{xml}");
        assert_eq!(xml.matches("<w:footerReference").count(), 3, "{xml}");
        assert!(xml.contains(r#"<w:type w:val="nextPage" />"#), "{xml}");
        assert!(xml.contains(r#"<w:type w:val="continuous" />"#), "{xml}");
    }

    // See: issue 11: merged cells, widths, shading and vertical alignment.
    #[test]
    fn merged_cells_are_grid_spans_and_vertical_merges() {
        let mut doc = domain::Document::default();
        for c in [
            r#"{"type":"create_document","document_id":"d","title":"T"}"#,
            r#"{"type":"add_table","data":[["a","b","c"],["d","e","f"],["g","h","i"]]}"#,
            r#"{"type":"merge_table_cells","block_index":0,"from_row":0,"from_col":0,"to_row":1,"to_col":1}"#,
            r#"{"type":"set_table_column_widths","block_index":0,"widths_mm":[50,30,20]}"#,
            r#"{"type":"set_table_cell_format","block_index":0,"row":2,"col":2,"shading":"FFEEDD","vertical_align":"bottom"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(
            xml.matches(r#"<w:gridSpan w:val="2" />"#).count(),
            2,
            "{xml}"
        );
        assert!(xml.contains(r#"<w:vMerge w:val="restart" />"#), "{xml}");
        assert!(xml.contains(r#"<w:vMerge w:val="continue" />"#), "{xml}");
        assert!(xml.contains(r#"<w:gridCol w:w="2835"/>"#), "{xml}");
        assert!(xml.contains(r#"w:fill="FFEEDD""#), "{xml}");
        assert!(xml.contains(r#"<w:vAlign w:val="bottom" />"#), "{xml}");
    }

    // A link stored in a header (the domain refuses them) would point at a relationship the
    // header part does not have: it is written as text.
    #[test]
    fn a_link_in_a_header_has_the_header_parts_own_relationship() {
        let mut doc = crate::export::tests::linked_sample();
        doc.section.header.default = Some(vec![domain::Run {
            text: "site".into(),
            format: domain::RunFormat {
                link: Some("https://example.com/?a=1&b=2".into()),
                ..domain::RunFormat::default()
            },
        }]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (header, _) = entry(&bytes, "word/folioheader1.xml");
        let id = header
            .split("<w:hyperlink r:id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no link: {header}"));
        let (rels, _) = entry(&bytes, "word/_rels/folioheader1.xml.rels");
        assert!(
            rels.contains(&format!(
                r#"Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.com/?a=1&amp;b=2" TargetMode="External""#
            )),
            "{rels}"
        );
        let (document_rels, _) = entry(&bytes, "word/_rels/document.xml.rels");
        assert!(
            !document_rels.contains(&format!(r#"Id="{id}""#)),
            "{document_rels}"
        );
    }

    // See: issue 11: a real TOC field whose current result lists the headings.
    #[test]
    fn a_table_of_contents_is_a_toc_field_listing_the_headings() {
        let mut doc = crate::export::tests::linked_sample();
        let command: domain::DocumentCommand = serde_json::from_str(
            r#"{"type":"add_table_of_contents","title":"Contents","position":{"index":0}}"#,
        )
        .unwrap();
        for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
            doc.apply(&e);
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert!(xml.contains(r#"TOC \o "1-3" \h \z \u"#), "{xml}");
        assert!(xml.contains(r#"<w:pStyle w:val="TOC1" />"#), "{xml}");
        assert!(
            xml.contains(r#"<w:hyperlink w:anchor="_Toc00000001""#),
            "{xml}"
        );
        assert!(xml.contains(r#"w:name="_Toc00000001""#), "{xml}");
        let (settings, _) = entry(&bytes, "word/settings.xml");
        assert!(
            settings.contains(r#"<w:updateFields w:val="true" />"#),
            "{settings}"
        );
    }

    // See: issue 11: page setup, headers and footers with page-number fields.
    #[test]
    fn page_setup_headers_and_footers_are_written() {
        let mut doc = crate::export::tests::linked_sample();
        let limits = domain::Limits::default();
        for c in [
            r#"{"type":"set_page_setup","orientation":"landscape","margin_left_mm":20,"columns":2}"#,
            r#"{"type":"set_footer","text":"Page {PAGE} of {NUMPAGES}"}"#,
            r#"{"type":"set_header","kind":"first","runs":[{"text":"Cover","small_caps":true}]}"#,
            r#"{"type":"set_header","kind":"even","text":"Even {DATE}"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &limits).unwrap() {
                doc.apply(&e);
            }
        }
        let first = render_docx(&doc, &RenderOptions::default()).unwrap();
        let second = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(first == second, "the same bytes every time");
        let (xml, _) = entry(&first, "word/document.xml");
        assert!(
            xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#),
            "{xml}"
        );
        assert!(xml.contains(r#"w:left="1134""#), "{xml}");
        assert!(xml.contains(r#"w:num="2""#), "{xml}");
        assert!(xml.contains("<w:titlePg />"), "{xml}");
        let footer = (1..=3)
            .map(|i| format!("word/foliofooter{i}.xml"))
            .find_map(|name| {
                let mut zip = zip::ZipArchive::new(Cursor::new(&first)).unwrap();
                let mut text = String::new();
                zip.by_name(&name).ok()?.read_to_string(&mut text).ok()?;
                Some(text)
            })
            .expect("a footer part");
        assert!(footer.contains("PAGE"), "{footer}");
        assert!(footer.contains("NUMPAGES"), "{footer}");
        assert!(footer.contains(r#"w:fldCharType="begin""#), "{footer}");
        let (settings, _) = entry(&first, "word/settings.xml");
        assert!(settings.contains("evenAndOddHeaders"), "{settings}");
    }

    // See: issue 11: docx-rs numbers hyperlink relationships from a process-wide counter.
    #[test]
    fn links_and_bookmarks_render_to_the_same_bytes_every_time() {
        let doc = crate::export::tests::linked_sample();
        let first = render_docx(&doc, &RenderOptions::default()).unwrap();
        let _other = rendered();
        let second = render_docx(&doc, &RenderOptions::default()).unwrap();
        for name in ["word/document.xml", "word/_rels/document.xml.rels"] {
            assert_eq!(entry(&first, name).0, entry(&second, name).0, "{name}");
        }
        assert!(first == second, "the packages differ");
        let (xml, _) = entry(&first, "word/document.xml");
        let (rels, _) = entry(&first, "word/_rels/document.xml.rels");
        assert!(xml.contains(r#"<w:hyperlink r:id="rIdLink1""#), "{xml}");
        assert!(xml.contains(r#"<w:hyperlink w:anchor="Terms""#), "{xml}");
        assert!(
            xml.contains(r#"<w:bookmarkStart w:id="0" w:name="Terms" />"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<w:bookmarkEnd w:id="1" />"#), "{xml}");
        assert!(
            xml.contains(r#"<w:vertAlign w:val="superscript" />"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<w:vertAlign w:val="subscript" />"#),
            "{xml}"
        );
        assert!(xml.contains("<w:smallCaps w:val=\"true\" />"), "{xml}");
        assert!(!xml.contains("<w:caps"), "{xml}");
        assert!(
            rels.contains(r#"Id="rIdLink1""#)
                && rels.contains("https://example.com/a?b=1&amp;c=(2)")
                && rels.contains(r#"TargetMode="External""#),
            "{rels}"
        );
    }

    /// Every XML part of the package parses as XML.
    fn assert_well_formed(bytes: &[u8]) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let name = file.name().to_string();
            if !name.ends_with(".xml") && !name.ends_with(".rels") {
                continue;
            }
            let mut s = String::new();
            file.read_to_string(&mut s).unwrap();
            let mut reader = quick_xml::Reader::from_str(&s);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(quick_xml::events::Event::Text(t)) => {
                        t.decode().unwrap();
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed: {e}"),
                }
            }
            assert!(
                s.chars().all(domain::text::is_xml_char),
                "{name} holds a character XML cannot"
            );
        }
    }

    // See: issue 9: a custom property value went into docProps/custom.xml unescaped, and a
    // font name with U+0001 (stored before fonts were checked) broke word/document.xml.
    #[test]
    fn custom_properties_and_stored_bad_strings_stay_well_formed() {
        let mut doc = crate::export::tests::sample();
        doc.metadata.custom.insert("k".into(), "<w:p>".into());
        doc.metadata.custom.insert(
            "forge".into(),
            r#"x</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="9" name="evil"><vt:lpwstr>y"#.into(),
        );
        if let Block::Paragraph(p) = &mut doc.blocks[1] {
            p.runs[0].format.font = Some("A\u{1}\u{b}\u{fffe}".into());
            p.runs[0].text.push('\u{0}');
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert_well_formed(&bytes);
        let (custom, _) = entry(&bytes, "docProps/custom.xml");
        assert_eq!(custom.matches("<property ").count(), 2, "{custom}");
        assert!(custom.contains("<vt:lpwstr>&lt;w:p&gt;</vt:lpwstr>"));
        assert!(!custom.contains(r#"name="evil""#));
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert!(xml.contains(r#"w:ascii="A""#), "{xml}");
    }
}
