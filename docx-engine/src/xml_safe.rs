//! The one place where strings from the document model are made fit for XML.
//!
//! The domain refuses text XML 1.0 cannot hold, but a store written by an earlier build may
//! still hold some (font names were not checked before). Every string the renderer passes
//! on goes through [`document`] first; strings we write into XML ourselves are escaped by
//! [`escape`]. docx-rs escapes the attribute values and text it writes, but not the values
//! of custom properties, which is why those parts are written here.

use std::borrow::Cow;

use domain::text::is_xml_char;
use domain::{Block, Document, Run};

/// `s` with every character XML 1.0 cannot hold removed, borrowed when there is none.
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| is_xml_char(*c)).collect())
    }
}

/// `s` cleaned and escaped for XML text or a double-quoted attribute value.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(clean(s).as_ref()).into_owned()
}

fn clean_in_place(s: &mut String) {
    if let Cow::Owned(cleaned) = clean(s) {
        *s = cleaned;
    }
}

fn clean_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        clean_in_place(s);
    }
}

fn clean_runs(runs: &mut [Run]) {
    for run in runs {
        clean_in_place(&mut run.text);
        clean_opt(&mut run.format.font);
        clean_opt(&mut run.format.color);
        clean_opt(&mut run.format.highlight);
        clean_opt(&mut run.format.link);
        clean_opt(&mut run.format.style);
    }
}

/// Whether every string of the document can be written as XML as it is.
fn is_clean(doc: &Document) -> bool {
    let ok = |s: &str| s.chars().all(is_xml_char);
    let ok_opt = |s: &Option<String>| s.as_deref().is_none_or(ok);
    let runs_ok = |runs: &[Run]| {
        runs.iter().all(|r| {
            ok(&r.text)
                && ok_opt(&r.format.font)
                && ok_opt(&r.format.color)
                && ok_opt(&r.format.highlight)
                && ok_opt(&r.format.link)
                && ok_opt(&r.format.style)
        })
    };
    let m = &doc.metadata;
    let style_ok = |s: &domain::StyleDef| {
        ok(&s.style_id)
            && ok(&s.name)
            && ok_opt(&s.based_on)
            && ok_opt(&s.next)
            && ok_opt(&s.font)
            && ok_opt(&s.color)
    };
    let hf_ok = |set: &domain::HeaderFooter| {
        [&set.default, &set.first, &set.even]
            .into_iter()
            .flatten()
            .all(|runs| runs_ok(runs))
    };
    ok(&doc.title)
        && doc.styles.iter().all(style_ok)
        && hf_ok(&doc.section.header)
        && hf_ok(&doc.section.footer)
        && [
            &m.author,
            &m.subject,
            &m.keywords,
            &m.description,
            &m.category,
        ]
        .into_iter()
        .all(ok_opt)
        && m.custom.iter().all(|(k, v)| ok(k) && ok(v))
        && doc.blocks.iter().all(|b| match b {
            Block::Paragraph(p) => {
                runs_ok(&p.runs) && ok_opt(&p.style) && p.bookmarks.iter().all(|n| ok(n))
            }
            Block::Heading(h) => runs_ok(&h.runs) && h.bookmarks.iter().all(|n| ok(n)),
            Block::Table(t) => {
                t.rows.iter().flatten().all(|c| ok(c))
                    && ok_opt(&t.style)
                    && t.cell_runs.iter().all(|c| {
                        runs_ok(&c.runs)
                            && c.blocks.iter().all(|b| match b {
                                domain::CellBlock::Paragraph { runs, style, .. } => {
                                    runs_ok(runs) && ok_opt(style)
                                }
                                domain::CellBlock::List { items, .. } => items
                                    .iter()
                                    .all(|i| ok(&i.text) && i.runs.as_deref().is_none_or(runs_ok)),
                                domain::CellBlock::Table { rows } => {
                                    rows.iter().flatten().all(|c| ok(c))
                                }
                            })
                    })
            }
            Block::List(l) => {
                l.items
                    .iter()
                    .all(|i| ok(&i.text) && i.runs.as_deref().is_none_or(runs_ok))
                    && ok_opt(&l.numbering.bullet)
            }
            Block::SectionBreak(b) => hf_ok(&b.header) && hf_ok(&b.footer),
            Block::PageBreak(_) => true,
            Block::TableOfContents(t) => ok_opt(&t.title),
            // Its XML is parsed where it is spliced into the file.
            Block::Opaque(o) => ok(&o.text) && ok(&o.element) && ok(&o.reason),
        })
}

fn clean_items(items: &mut [domain::ListItem]) {
    for item in items {
        clean_in_place(&mut item.text);
        if let Some(runs) = &mut item.runs {
            clean_runs(runs);
        }
    }
}

fn clean_margins(set: &mut domain::HeaderFooter) {
    for runs in [&mut set.default, &mut set.first, &mut set.even]
        .into_iter()
        .flatten()
    {
        clean_runs(runs);
    }
}

/// The document with every string fit for XML: borrowed when it already is (the usual
/// case: one linear scan, no copy).
pub(crate) fn document(doc: &Document) -> Cow<'_, Document> {
    if is_clean(doc) {
        return Cow::Borrowed(doc);
    }
    let mut doc = doc.clone();
    clean_in_place(&mut doc.title);
    let m = &mut doc.metadata;
    for value in [
        &mut m.author,
        &mut m.subject,
        &mut m.keywords,
        &mut m.description,
        &mut m.category,
    ] {
        clean_opt(value);
    }
    m.custom = std::mem::take(&mut m.custom)
        .into_iter()
        .map(|(k, v)| (clean(&k).into_owned(), clean(&v).into_owned()))
        .collect();
    for style in &mut doc.styles {
        clean_in_place(&mut style.style_id);
        clean_in_place(&mut style.name);
        for value in [
            &mut style.based_on,
            &mut style.next,
            &mut style.font,
            &mut style.color,
        ] {
            clean_opt(value);
        }
    }
    clean_margins(&mut doc.section.header);
    clean_margins(&mut doc.section.footer);
    for block in &mut doc.blocks {
        match block {
            Block::Paragraph(p) => {
                clean_runs(&mut p.runs);
                clean_opt(&mut p.style);
                p.bookmarks.iter_mut().for_each(clean_in_place);
            }
            Block::Heading(h) => {
                clean_runs(&mut h.runs);
                h.bookmarks.iter_mut().for_each(clean_in_place);
            }
            Block::Table(t) => {
                t.rows.iter_mut().flatten().for_each(clean_in_place);
                clean_opt(&mut t.style);
                for cell in &mut t.cell_runs {
                    clean_runs(&mut cell.runs);
                    for b in &mut cell.blocks {
                        match b {
                            domain::CellBlock::Paragraph { runs, style, .. } => {
                                clean_runs(runs);
                                clean_opt(style);
                            }
                            domain::CellBlock::List { items, .. } => clean_items(items),
                            domain::CellBlock::Table { rows } => {
                                rows.iter_mut().flatten().for_each(clean_in_place);
                            }
                        }
                    }
                }
            }
            Block::List(l) => {
                clean_items(&mut l.items);
                clean_opt(&mut l.numbering.bullet);
            }
            Block::SectionBreak(b) => {
                clean_margins(&mut b.header);
                clean_margins(&mut b.footer);
            }
            Block::PageBreak(_) => {}
            Block::TableOfContents(t) => clean_opt(&mut t.title),
            Block::Opaque(o) => {
                clean_in_place(&mut o.text);
                clean_in_place(&mut o.element);
                clean_in_place(&mut o.reason);
            }
        }
    }
    Cow::Owned(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold_are_dropped_and_markup_is_escaped() {
        assert_eq!(clean("A\u{1}B\u{fffe}\u{b}"), "AB");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("<w:p a=\"1\">&\u{0}"),
            "&lt;w:p a=&quot;1&quot;&gt;&amp;"
        );
    }
}
