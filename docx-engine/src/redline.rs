//! Redlines: version B of a document in which every change from version A is a tracked
//! change (Word's `w:ins`, `w:del`, `w:rPrChange`, inserted and deleted paragraph marks and
//! table rows), attributed to whoever made it; and the same as HTML (`<ins>`, `<del>`).
//!
//! Blocks are aligned by their stable ids. A block added since A is inserted; one removed
//! is deleted where it stood in A; one moved is deleted there and inserted where it is
//! now. A changed paragraph or heading is compared word by word (Unicode words, bounded in
//! time): kept words carry B's formatting (with A's in a `w:rPrChange` where it differs),
//! inserted words are `w:ins`, deleted ones `w:del`. A changed table keeps its identical
//! rows and replaces the others (the old row deleted, the new one inserted); any other
//! changed block is deleted as it was and inserted as it is. So accepting every change
//! gives B's text and rejecting every change gives A's.
//!
//! The marks are written by folio itself, with one id sequence for the whole file (docx-rs
//! cannot write `w:rPrChange` and its revision ids collide): changed blocks become opaque
//! blocks holding that XML, and the rest of B renders as usual.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Duration;

use domain::{Block, BlockId, Document, OpaqueBlock, Run, RunFormat};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use crate::xml_safe::escape as esc;

/// How long one block's word comparison may take before it settles for a coarser one.
pub const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(50);

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Which change of a block a mark is for: its text (insertions and deletions, added,
/// removed and moved blocks) or its formatting (`w:rPrChange`, `w:pPrChange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Text, or the block itself.
    Text,
    /// Formatting.
    Format,
}

/// Who made a change and when, as a tracked change records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Author (the actor).
    pub author: String,
    /// Time, RFC 3339.
    pub date: String,
}

impl Mark {
    /// `w:date` wants an `xsd:dateTime`; Word reads it best without fractions.
    fn date(&self) -> String {
        match (self.date.find('.'), self.date.ends_with('Z')) {
            (Some(dot), true) => format!("{}Z", &self.date[..dot]),
            _ => self.date.clone(),
        }
    }
}

/// One block of the redline, in reading order.
#[derive(Debug)]
enum Item<'a> {
    /// The same in both versions.
    Kept(&'a Block),
    /// Only in B (or moved here).
    Added(&'a Block),
    /// Only in A (or moved away from here).
    Removed(&'a Block),
    /// In both, different.
    Changed(&'a Block, &'a Block),
}

/// Two versions' blocks aligned by their stable ids: where each block stands in either
/// version, and which blocks both have in the same relative order (the others of those
/// they share moved). Ids are unique, so patience alignment is exact and fast. The diff
/// and the redline align blocks with this one piece.
#[derive(Debug)]
pub struct Alignment<'a> {
    /// Each block of the older state, by id: its index there.
    pub from_at: HashMap<&'a BlockId, usize>,
    /// Each block of the newer state, by id: its index there.
    pub to_at: HashMap<&'a BlockId, usize>,
    /// Blocks both have in the same relative order.
    pub in_place: HashSet<&'a BlockId>,
}

/// Aligns the blocks of two states of a document (see [`Alignment`]).
pub fn align<'a>(from: &'a Document, to: &'a Document) -> Alignment<'a> {
    let from_ids: Vec<&BlockId> = from.blocks.iter().map(Block::id).collect();
    let to_ids: Vec<&BlockId> = to.blocks.iter().map(Block::id).collect();
    let index = |ids: &[&'a BlockId]| ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut in_place = HashSet::new();
    for op in similar::capture_diff_slices(Algorithm::Patience, &from_ids, &to_ids) {
        if let DiffOp::Equal { new_index, len, .. } = op {
            in_place.extend(to_ids[new_index..new_index + len].iter().copied());
        }
    }
    Alignment {
        from_at: index(&from_ids),
        to_at: index(&to_ids),
        in_place,
    }
}

/// A word-level diff of two texts: Unicode words, patience, bounded in time (past
/// [`WORD_DIFF_TIMEOUT`] it settles for a coarser answer). The diff, the redline and the
/// blame read model all compare texts with it.
pub fn word_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, str> {
    TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_unicode_words(old, new)
}

/// The redline's blocks: B's order, with A's removed (and moved-away) blocks where they
/// stood in A.
fn plan<'a>(from: &'a Document, to: &'a Document) -> Vec<Item<'a>> {
    let Alignment {
        from_at, in_place, ..
    } = align(from, to);
    // Each block of A that is not kept in place goes after the nearest block before it
    // in A that is (None: at the start).
    let mut after: HashMap<Option<&'a BlockId>, Vec<&'a Block>> = HashMap::new();
    let mut anchor: Option<&'a BlockId> = None;
    for block in &from.blocks {
        let id = block.id();
        if in_place.contains(id) {
            anchor = Some(id);
        } else {
            after.entry(anchor).or_default().push(block);
        }
    }
    let mut items: Vec<Item<'a>> = Vec::new();
    let mut flush = |items: &mut Vec<Item<'a>>, key: Option<&'a BlockId>| {
        for block in after.remove(&key).unwrap_or_default() {
            items.push(Item::Removed(block));
        }
    };
    flush(&mut items, None);
    for block in &to.blocks {
        let id = block.id();
        match from_at.get(id) {
            Some(&i) if in_place.contains(id) => {
                let old = &from.blocks[i];
                items.push(if old == block {
                    Item::Kept(block)
                } else {
                    Item::Changed(old, block)
                });
                flush(&mut items, Some(id));
            }
            _ => items.push(Item::Added(block)),
        }
    }
    items
}

/// Writes tracked changes with one id sequence.
struct Writer<'a> {
    next_id: u64,
    by: &'a dyn Fn(&BlockId, MarkKind) -> Mark,
}

impl Writer<'_> {
    fn attrs(&mut self, mark: &Mark) -> String {
        self.next_id += 1;
        format!(
            r#"w:id="{}" w:author="{}" w:date="{}""#,
            self.next_id,
            esc(&mark.author),
            esc(&mark.date())
        )
    }

    /// A run of `text` with `format`, inside `w:ins`/`w:del` when `op` says so, with A's
    /// formatting as a `w:rPrChange` when given.
    fn run(
        &mut self,
        out: &mut String,
        text: &str,
        format: &RunFormat,
        op: ChangeTag,
        old_format: Option<&RunFormat>,
        mark: &Mark,
    ) {
        if text.is_empty() {
            return;
        }
        let mut props = rpr_inner(format);
        if let Some(old) = old_format {
            let attrs = self.attrs(mark);
            let _ = write!(
                props,
                r#"<w:rPrChange {attrs}><w:rPr>{}</w:rPr></w:rPrChange>"#,
                rpr_inner(old)
            );
        }
        let rpr = if props.is_empty() {
            String::new()
        } else {
            format!("<w:rPr>{props}</w:rPr>")
        };
        let body = text_xml(text, op == ChangeTag::Delete);
        match op {
            ChangeTag::Equal => {
                let _ = write!(out, "<w:r>{rpr}{body}</w:r>");
            }
            ChangeTag::Insert => {
                let attrs = self.attrs(mark);
                let _ = write!(out, "<w:ins {attrs}><w:r>{rpr}{body}</w:r></w:ins>");
            }
            ChangeTag::Delete => {
                let attrs = self.attrs(mark);
                let _ = write!(out, "<w:del {attrs}><w:r>{rpr}{body}</w:r></w:del>");
            }
        }
    }

    /// A paragraph: its properties (and its mark's `w:ins`/`w:del`), then `body`.
    fn paragraph(&mut self, ppr: &str, op: ChangeTag, mark: &Mark, body: &str) -> String {
        let mark_change = match op {
            ChangeTag::Equal => String::new(),
            ChangeTag::Insert => format!("<w:rPr><w:ins {}/></w:rPr>", self.attrs(mark)),
            ChangeTag::Delete => format!("<w:rPr><w:del {}/></w:rPr>", self.attrs(mark)),
        };
        let props = format!("{ppr}{mark_change}");
        if props.is_empty() {
            format!("<w:p>{body}</w:p>")
        } else {
            format!("<w:p><w:pPr>{props}</w:pPr>{body}</w:p>")
        }
    }

    /// A whole block inserted or deleted: its XML (one or more elements).
    fn whole(&mut self, block: &Block, op: ChangeTag) -> String {
        let mark = (self.by)(block.id(), MarkKind::Text);
        match block {
            Block::Paragraph(_) | Block::Heading(_) => {
                let mut body = String::new();
                for run in block.runs() {
                    self.run(&mut body, &shown(run), &run.format, op, None, &mark);
                }
                self.paragraph(&ppr(block), op, &mark, &body)
            }
            Block::Table(t) => {
                let cols = t.rows.first().map_or(0, Vec::len);
                let rows: Vec<String> = t.rows.iter().map(|row| self.row(row, op, &mark)).collect();
                table_xml(cols, &rows.concat())
            }
            Block::List(l) => {
                let mut out = String::new();
                for item in &l.items {
                    let mut body = String::new();
                    match &item.runs {
                        Some(runs) => {
                            for run in runs {
                                self.run(&mut body, &shown(run), &run.format, op, None, &mark);
                            }
                        }
                        None => self.run(
                            &mut body,
                            &item.text,
                            &RunFormat::default(),
                            op,
                            None,
                            &mark,
                        ),
                    }
                    let ppr = format!(
                        r#"<w:pStyle w:val="ListParagraph"/><w:ind w:left="{}"/>"#,
                        360 * (u32::from(item.level) + 1)
                    );
                    out.push_str(&self.paragraph(&ppr, op, &mark, &body));
                }
                out
            }
            Block::PageBreak(_) => {
                let attrs = self.attrs(&mark);
                let tag = if op == ChangeTag::Delete {
                    "w:del"
                } else {
                    "w:ins"
                };
                let body = format!(r#"<{tag} {attrs}><w:r><w:br w:type="page"/></w:r></{tag}>"#);
                self.paragraph("", op, &mark, &body)
            }
            // Its text, as the change (its own structure cannot be wrapped).
            Block::TableOfContents(_) | Block::SectionBreak(_) | Block::Opaque(_) => {
                let mut body = String::new();
                self.run(
                    &mut body,
                    &block.text(),
                    &RunFormat::default(),
                    op,
                    None,
                    &mark,
                );
                self.paragraph("", op, &mark, &body)
            }
        }
    }

    /// A table row of plain cells, inserted or deleted (or kept).
    fn row(&mut self, cells: &[String], op: ChangeTag, mark: &Mark) -> String {
        let trpr = match op {
            ChangeTag::Equal => String::new(),
            // The schema wants a row property before the mark: `cantSplit` off is the
            // default, so it changes nothing.
            ChangeTag::Insert => format!(
                r#"<w:trPr><w:cantSplit w:val="off"/><w:ins {}/></w:trPr>"#,
                self.attrs(mark)
            ),
            ChangeTag::Delete => format!(
                r#"<w:trPr><w:cantSplit w:val="off"/><w:del {}/></w:trPr>"#,
                self.attrs(mark)
            ),
        };
        let mut out = format!("<w:tr>{trpr}");
        for cell in cells {
            let mut body = String::new();
            self.run(&mut body, cell, &RunFormat::default(), op, None, mark);
            let _ = write!(out, "<w:tc><w:p>{body}</w:p></w:tc>");
        }
        out.push_str("</w:tr>");
        out
    }

    /// A changed paragraph or heading, word by word.
    fn changed_text(&mut self, old: &Block, new: &Block) -> String {
        let mark = (self.by)(new.id(), MarkKind::Text);
        let format_mark = (self.by)(new.id(), MarkKind::Format);
        let (old_chars, old_text) = chars_of(old.runs());
        let (new_chars, new_text) = chars_of(new.runs());
        let diff = word_diff(&old_text, &new_text);
        let (mut i, mut j) = (0usize, 0usize);
        let mut body = String::new();
        for change in diff.iter_all_changes() {
            let n = change.value().chars().count();
            match change.tag() {
                ChangeTag::Equal => {
                    // Runs of equal formatting on both sides.
                    let mut k = 0;
                    while k < n {
                        let (a, b) = (old_chars[i + k].1, new_chars[j + k].1);
                        let mut end = k + 1;
                        while end < n && old_chars[i + end].1 == a && new_chars[j + end].1 == b {
                            end += 1;
                        }
                        let text: String = new_chars[j + k..j + end].iter().map(|c| c.0).collect();
                        let old_format = (!same_format(a, b)).then_some(a);
                        self.run(
                            &mut body,
                            &text,
                            b,
                            ChangeTag::Equal,
                            old_format,
                            &format_mark,
                        );
                        k = end;
                    }
                    i += n;
                    j += n;
                }
                ChangeTag::Delete => {
                    self.spans(&mut body, &old_chars[i..i + n], ChangeTag::Delete, &mark);
                    i += n;
                }
                ChangeTag::Insert => {
                    self.spans(&mut body, &new_chars[j..j + n], ChangeTag::Insert, &mark);
                    j += n;
                }
            }
        }
        let (old_ppr, new_ppr) = (ppr(old), ppr(new));
        if old_ppr == new_ppr {
            return self.paragraph(&new_ppr, ChangeTag::Equal, &mark, &body);
        }
        // Its style or alignment changed: B's properties, A's kept in a `w:pPrChange`
        // (the last child of `w:pPr`).
        let attrs = self.attrs(&format_mark);
        format!(
            r#"<w:p><w:pPr>{new_ppr}<w:pPrChange {attrs}><w:pPr>{old_ppr}</w:pPr></w:pPrChange></w:pPr>{body}</w:p>"#
        )
    }

    /// Characters of one side as runs of equal formatting.
    fn spans(
        &mut self,
        out: &mut String,
        chars: &[(char, &RunFormat)],
        op: ChangeTag,
        mark: &Mark,
    ) {
        let mut k = 0;
        while k < chars.len() {
            let format = chars[k].1;
            let mut end = k + 1;
            while end < chars.len() && std::ptr::eq(chars[end].1, format) {
                end += 1;
            }
            let text: String = chars[k..end].iter().map(|c| c.0).collect();
            self.run(out, &text, format, op, None, mark);
            k = end;
        }
    }

    /// A changed table: identical rows kept, the others replaced (old deleted, new
    /// inserted). Tables whose column counts differ are replaced whole.
    fn changed_table(
        &mut self,
        old: &domain::Table,
        new: &domain::Table,
        new_block: &Block,
    ) -> String {
        let mark = (self.by)(new_block.id(), MarkKind::Text);
        let cols = |t: &domain::Table| t.rows.first().map_or(0, Vec::len);
        if cols(old) != cols(new) {
            let removed = self.whole(&Block::Table(old.clone()), ChangeTag::Delete);
            return format!("{removed}{}", self.whole(new_block, ChangeTag::Insert));
        }
        let mut rows = String::new();
        for op in similar::capture_diff_slices(Algorithm::Patience, &old.rows, &new.rows) {
            if let DiffOp::Equal { new_index, len, .. } = op {
                for row in &new.rows[new_index..new_index + len] {
                    rows.push_str(&self.row(row, ChangeTag::Equal, &mark));
                }
                continue;
            }
            for row in &old.rows[op.old_range()] {
                rows.push_str(&self.row(row, ChangeTag::Delete, &mark));
            }
            for row in &new.rows[op.new_range()] {
                rows.push_str(&self.row(row, ChangeTag::Insert, &mark));
            }
        }
        table_xml(cols(new), &rows)
    }
}

/// A run's text as the redline shows it: a picture as its alternative text in brackets,
/// anything else as its text.
fn shown(run: &Run) -> String {
    match &run.format.image {
        Some(image) => format!(
            "[{}]",
            if image.alt_text.is_empty() {
                "image"
            } else {
                &image.alt_text
            }
        ),
        None => run.text.clone(),
    }
}

/// Every character of some runs with its run's formatting, and the text.
fn chars_of(runs: &[Run]) -> (Vec<(char, &RunFormat)>, String) {
    let mut chars = Vec::new();
    let mut text = String::new();
    for run in runs {
        let shown = shown(run);
        for c in shown.chars() {
            chars.push((c, &run.format));
        }
        text.push_str(&shown);
    }
    (chars, text)
}

/// Whether two formats write the same `w:rPr`.
fn same_format(a: &RunFormat, b: &RunFormat) -> bool {
    rpr_inner(a) == rpr_inner(b)
}

/// The children of a `w:rPr` for a format (in the schema's order).
fn rpr_inner(f: &RunFormat) -> String {
    let mut out = String::new();
    if let Some(style) = &f.style {
        let _ = write!(out, r#"<w:rStyle w:val="{}"/>"#, esc(style));
    }
    if let Some(font) = &f.font {
        let font = esc(font);
        let _ = write!(
            out,
            r#"<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}"/>"#
        );
    }
    for (on, tag) in [
        (f.bold, "w:b"),
        (f.italic, "w:i"),
        (f.small_caps, "w:smallCaps"),
        (f.strike, "w:strike"),
    ] {
        if on {
            let _ = write!(out, "<{tag}/>");
        }
    }
    if let Some(color) = &f.color {
        let _ = write!(out, r#"<w:color w:val="{}"/>"#, esc(color));
    }
    if let Some(size) = f.size_pt {
        let _ = write!(out, r#"<w:sz w:val="{}"/>"#, (size * 2.0).round() as i64);
    }
    if let Some(h) = &f.highlight {
        let _ = write!(out, r#"<w:highlight w:val="{}"/>"#, esc(h));
    }
    if f.underline {
        out.push_str(r#"<w:u w:val="single"/>"#);
    }
    if f.superscript {
        out.push_str(r#"<w:vertAlign w:val="superscript"/>"#);
    } else if f.subscript {
        out.push_str(r#"<w:vertAlign w:val="subscript"/>"#);
    }
    out
}

/// Text as `w:t` (or `w:delText`), tabs and line breaks as their elements.
fn text_xml(text: &str, deleted: bool) -> String {
    let tag = if deleted { "w:delText" } else { "w:t" };
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (k, piece) in line.split('\t').enumerate() {
            if k > 0 {
                out.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                let _ = write!(out, r#"<{tag} xml:space="preserve">{}</{tag}>"#, esc(piece));
            }
        }
    }
    out
}

/// The paragraph properties of a paragraph or heading: style and alignment.
fn ppr(block: &Block) -> String {
    let (style, alignment) = match block {
        Block::Paragraph(p) => (p.style.clone(), p.alignment),
        Block::Heading(h) => (Some(format!("Heading{}", h.level)), h.alignment),
        _ => (None, None),
    };
    let mut out = String::new();
    if let Some(style) = style {
        let _ = write!(out, r#"<w:pStyle w:val="{}"/>"#, esc(&style));
    }
    if let Some(alignment) = alignment {
        let value = match alignment {
            domain::Alignment::Left => "left",
            domain::Alignment::Center => "center",
            domain::Alignment::Right => "right",
            domain::Alignment::Justify => "both",
        };
        let _ = write!(out, r#"<w:jc w:val="{value}"/>"#);
    }
    out
}

fn table_xml(cols: usize, rows: &str) -> String {
    let grid = r#"<w:gridCol w:w="2000"/>"#.repeat(cols.max(1));
    format!(
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"#
    )
}

/// The redline as a document: B's blocks, those that changed since A replaced by opaque
/// blocks holding their tracked changes (`by` says who made each block's change of text
/// and of formatting). Render
/// it with [`crate::render_docx`] as B.
pub fn redline_document(
    from: &Document,
    to: &Document,
    by: &dyn Fn(&BlockId, MarkKind) -> Mark,
) -> Document {
    let mut writer = Writer { next_id: 0, by };
    let mut blocks = Vec::new();
    let mut n = 0usize;
    let mut opaque = |xml: String, text: String| {
        n += 1;
        // One element per opaque block: several are split at their top-level elements.
        split_elements(&xml)
            .into_iter()
            .enumerate()
            .map(|(k, element)| {
                let element = with_namespace(element);
                Block::Opaque(OpaqueBlock {
                    id: BlockId::new(format!("redline-{n}-{k}")),
                    element: if element.starts_with("<w:tbl") {
                        "w:tbl"
                    } else {
                        "w:p"
                    }
                    .into(),
                    reason: "tracked change".into(),
                    text: text.clone(),
                    xml: element,
                    rels: Vec::new(),
                })
            })
            .collect::<Vec<_>>()
    };
    for item in plan(from, to) {
        match item {
            Item::Kept(block) => blocks.push(block.clone()),
            Item::Added(block) if !trackable(block) => blocks.push(block.clone()),
            Item::Removed(block) if !trackable(block) => {}
            Item::Added(block) => {
                let xml = writer.whole(block, ChangeTag::Insert);
                blocks.extend(opaque(xml, block.text()));
            }
            Item::Removed(block) => {
                let xml = writer.whole(block, ChangeTag::Delete);
                blocks.extend(opaque(xml, block.text()));
            }
            Item::Changed(old, new) => {
                let xml = match (old, new) {
                    (
                        Block::Paragraph(_) | Block::Heading(_),
                        Block::Paragraph(_) | Block::Heading(_),
                    ) => writer.changed_text(old, new),
                    (Block::Table(a), Block::Table(b)) => writer.changed_table(a, b, new),
                    _ if !trackable(new) => {
                        blocks.push(new.clone());
                        continue;
                    }
                    _ => {
                        let removed = writer.whole(old, ChangeTag::Delete);
                        format!("{removed}{}", writer.whole(new, ChangeTag::Insert))
                    }
                };
                blocks.extend(opaque(xml, new.text()));
            }
        }
    }
    Document {
        blocks,
        ..to.clone()
    }
}

/// Whether a block's change can be written as tracked changes (section breaks carry the
/// section's properties and opaque blocks their own XML: they show as they are in B).
fn trackable(block: &Block) -> bool {
    !matches!(block, Block::SectionBreak(_) | Block::Opaque(_))
}

/// The top-level elements of a sequence of elements (`<w:p>…</w:p><w:tbl>…</w:tbl>`).
fn split_elements(xml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let bytes = xml.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let close = xml[i..].find('>').map_or(bytes.len(), |e| i + e);
            let tag = &xml[i..=close.min(bytes.len() - 1)];
            if tag.starts_with("</") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(&xml[start..=close]);
                    start = close + 1;
                }
            } else if !tag.ends_with("/>") {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            } else if depth == 0 {
                out.push(tag);
                start = close + 1;
            }
            i = close + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Declares the `w` namespace on an element's root (so it stands alone).
fn with_namespace(element: &str) -> String {
    let name_end = element.find([' ', '>', '/']).unwrap_or(element.len());
    format!(
        r#"{} xmlns:w="{W_NS}"{}"#,
        &element[..name_end],
        &element[name_end..]
    )
}

/// The redline as an HTML page: B's blocks, insertions in `<ins>` and deletions in
/// `<del>`, each with who made it and when in its `title`.
pub fn redline_html(
    from: &Document,
    to: &Document,
    by: &dyn Fn(&BlockId, MarkKind) -> Mark,
) -> String {
    let mut body = String::new();
    let note = |mark: &Mark| esc(&format!("{} at {}", mark.author, mark.date));
    let words = |old: &str, new: &str, mark: &Mark| {
        let diff = word_diff(old, new);
        let mut out = String::new();
        let mut open: Option<ChangeTag> = None;
        for change in diff.iter_all_changes() {
            if open != Some(change.tag()) {
                match open {
                    Some(ChangeTag::Insert) => out.push_str("</ins>"),
                    Some(ChangeTag::Delete) => out.push_str("</del>"),
                    _ => {}
                }
                match change.tag() {
                    ChangeTag::Insert => {
                        let _ = write!(out, r#"<ins title="{}">"#, note(mark));
                    }
                    ChangeTag::Delete => {
                        let _ = write!(out, r#"<del title="{}">"#, note(mark));
                    }
                    ChangeTag::Equal => {}
                }
                open = Some(change.tag());
            }
            out.push_str(&esc(change.value()));
        }
        match open {
            Some(ChangeTag::Insert) => out.push_str("</ins>"),
            Some(ChangeTag::Delete) => out.push_str("</del>"),
            _ => {}
        }
        out
    };
    let tag_of = |block: &Block| match block {
        Block::Heading(h) => format!("h{}", h.level.clamp(1, 6)),
        _ => "p".to_string(),
    };
    let whole = |block: &Block, wrap: &str, mark: &Mark| -> String {
        let title = note(mark);
        match block {
            Block::Table(t) => table_html(t, Some((wrap, &title))),
            _ => {
                let tag = tag_of(block);
                block
                    .text()
                    .split('\n')
                    .map(|line| {
                        format!(
                            r#"<{tag} class="{wrap}"><{wrap} title="{title}">{}</{wrap}></{tag}>"#,
                            esc(line)
                        )
                    })
                    .collect()
            }
        }
    };
    for item in plan(from, to) {
        match item {
            Item::Kept(block) => match block {
                Block::Table(t) => body.push_str(&table_html(t, None)),
                _ => {
                    let tag = tag_of(block);
                    let _ = write!(body, "<{tag}>{}</{tag}>", esc(&block.text()));
                }
            },
            Item::Added(block) => {
                body.push_str(&whole(block, "ins", &by(block.id(), MarkKind::Text)));
            }
            Item::Removed(block) => {
                body.push_str(&whole(block, "del", &by(block.id(), MarkKind::Text)));
            }
            Item::Changed(old, new) => {
                let mark = by(new.id(), MarkKind::Text);
                match (old, new) {
                    (Block::Table(a), Block::Table(b))
                        if a.rows.len() == b.rows.len()
                            && a.rows.first().map(Vec::len) == b.rows.first().map(Vec::len) =>
                    {
                        body.push_str("<table>");
                        for (ra, rb) in a.rows.iter().zip(&b.rows) {
                            body.push_str("<tr>");
                            for (ca, cb) in ra.iter().zip(rb) {
                                let _ = write!(body, "<td>{}</td>", words(ca, cb, &mark));
                            }
                            body.push_str("</tr>");
                        }
                        body.push_str("</table>");
                    }
                    (Block::Table(_), _) | (_, Block::Table(_)) => {
                        body.push_str(&whole(old, "del", &mark));
                        body.push_str(&whole(new, "ins", &mark));
                    }
                    _ => {
                        let tag = tag_of(new);
                        let _ = write!(
                            body,
                            r#"<{tag} class="changed">{}</{tag}>"#,
                            words(&old.text(), &new.text(), &mark)
                        );
                    }
                }
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>ins{{background:#d4f8d4;text-decoration:none}}del{{background:#fbd4d4}}table{{border-collapse:collapse}}td{{border:1px solid #999;padding:2px 6px}}</style></head><body>{body}</body></html>\n",
        esc(&to.title)
    )
}

fn table_html(t: &domain::Table, wrap: Option<(&str, &str)>) -> String {
    let mut out = String::from("<table>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            match wrap {
                Some((tag, title)) => {
                    let _ = write!(
                        out,
                        r#"<td><{tag} title="{title}">{}</{tag}></td>"#,
                        esc(cell)
                    );
                }
                None => {
                    let _ = write!(out, "<td>{}</td>", esc(cell));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

#[cfg(test)]
mod tests;
