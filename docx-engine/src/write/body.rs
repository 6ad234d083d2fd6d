//! The body of the document and of its header and footer parts: the blocks in order (or
//! a redline's entries), paragraphs and headings, lists, tables of contents, opaque
//! blocks. Runs, tables, sections and pictures are in their own modules.

use std::io::{self, Write};

use domain::{Block, Document, ListKind, Run, RunFormat};

use super::changes::*;
use super::paragraphs::*;
use super::revision::{Op, RunRev, Stamp};
use super::runs::*;
use super::sections::*;
use super::styles::{ListLook, Numbering};
use super::tables::*;
use super::xml::Xml;
use super::{Ids, MarginPart, Media, PartRels, Shown, Used};

/// Namespaces declared on the root of the parts folio writes paragraphs into: the ones
/// folio's own markup uses (`w`, `r`, `wp`; pictures declare `a` and `pic` where they
/// use them, as Word does), and Word's usual set, so opaque content (which declares what
/// it uses on its own root) also reads in tools that look namespaces up on the part's
/// root only (pandoc does, for VML objects).
pub(crate) const BODY_NS: [(&str, &str); 13] = [
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
pub(crate) fn refused(rel: &domain::OpaqueRel) -> bool {
    crate::import::package::refused_kind(&rel.kind, &rel.target, rel.external).is_some()
}

/// One element, well-formed, no DOCTYPE, nesting within the import's limit: opaque XML
/// is checked where it is written (a stored event is still input).
pub(crate) fn well_formed(xml: &str) -> bool {
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

/// Who made the changes of a redline: `by` names the author and time of a block's change
/// of text or of formatting.
pub(crate) struct Revisions<'a> {
    pub(crate) by: &'a dyn Fn(&domain::BlockId, crate::MarkKind) -> crate::Mark,
}

/// Writes the body of the document and its header and footer parts.
pub(crate) struct Body<'a, 'b> {
    pub(crate) doc: &'a Document,
    pub(crate) media: Media<'b>,
    pub(crate) ids: &'b mut Ids,
    pub(crate) used: Used,
    /// Headings a table of contents lists carry a `_Toc` bookmark its entries link to.
    pub(crate) toc_level: u8,
    /// While a whole block is inserted or deleted: which, and whose change.
    pub(crate) whole: Option<(Op, crate::Mark)>,
    /// The table row being written is inserted or deleted whole (its cells' paragraph
    /// marks are not marked: the row is).
    pub(crate) row_marked: bool,
    /// Each open suggestion's author and time, for its tracked change.
    pub(crate) marks: std::collections::HashMap<String, crate::Mark>,
}

impl<'a, 'b> Body<'a, 'b> {
    pub(crate) fn new(
        doc: &'a Document,
        media: Media<'b>,
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
            marks: doc
                .suggestions
                .iter()
                .filter(|s| s.status == domain::SuggestionStatus::Open)
                .map(|s| {
                    let mark = crate::Mark {
                        author: s.author.name.clone(),
                        date: s.date.clone(),
                    };
                    (s.id.clone(), mark)
                })
                .collect(),
            whole: None,
            row_marked: false,
        }
    }

    /// What the parts used, and the media files their pictures show.
    pub(crate) fn finish(self) -> (Used, Media<'b>) {
        (self.used, self.media)
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

    /// A paragraph's or heading's properties and bookmarks (with its `_Toc` bookmark when
    /// a table of contents lists it); `style` holds a heading's style name.
    pub(crate) fn props<'p>(
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
    pub(crate) fn marked<'p>(&mut self, props: &ParaProps<'p>) -> ParaProps<'p> {
        let mut props = props.clone();
        if let Some((op, mark)) = &self.whole
            && !self.row_marked
        {
            props.mark = Some((*op, Stamp::new(self.ids, mark)));
        }
        props
    }

    /// Opens the `w:ins`/`w:del` of a whole block's runs, if one is being written.
    pub(crate) fn open_whole<W: Write>(&mut self, x: &mut Xml<W>) -> io::Result<Option<Op>> {
        match &self.whole {
            Some((op, mark)) => {
                let stamp = Stamp::new(self.ids, mark);
                x.start(op.tag(), &stamp.attrs())?;
                Ok(Some(*op))
            }
            None => Ok(None),
        }
    }

    pub(crate) fn list_item<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        num: u64,
        item: &domain::ListItem,
        rels: &mut PartRels,
    ) -> io::Result<()> {
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
    pub(crate) fn paragraph_with<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
        runs: &[Run],
        revs: Option<&[RunRev<'_>]>,
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        self.paragraph_start(x, props)?;
        self.runs(x, runs, revs, bookmarks, rels)?;
        x.end("w:p")
    }

    /// Opens a paragraph and writes its properties (its mark inserted or deleted while a
    /// whole block is); notes the style it uses.
    fn paragraph_start<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
    ) -> io::Result<()> {
        if let Some(style) = props.style {
            self.used.style(style);
        }
        x.start("w:p", &[])?;
        self.marked(props).write(x, |_| Ok(()), false)
    }

    /// A paragraph of one run of `text` (none when it is empty).
    pub(crate) fn text_paragraph<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        props: &ParaProps<'_>,
        text: &str,
        extra: RunExtra<'_>,
    ) -> io::Result<()> {
        self.paragraph_start(x, props)?;
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
    pub(crate) fn table_of_contents<W: Write>(
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
            self.used.style(&style);
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
}

pub(crate) fn add_opaque_rels(rels: &mut PartRels, opaque: &[domain::OpaqueRel]) {
    for rel in opaque {
        if !rels.opaque.iter().any(|r| r.id == rel.id) {
            rels.opaque.push(rel.clone());
        }
    }
}

/// Closes the `w:ins`/`w:del` a run was opened in.
pub(crate) fn close<W: Write>(x: &mut Xml<W>, wrap: Option<Op>) -> io::Result<()> {
    match wrap {
        Some(op) => x.end(op.tag()),
        None => Ok(()),
    }
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
