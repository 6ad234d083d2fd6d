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
//! The .docx is written by the one writer (`write`) with a revision overlay: a changed
//! block keeps everything a normal render writes — links, fields, pictures, spacing,
//! indents, list numbering, table layout, cell blocks — with one id sequence for every
//! mark of the file.

use std::collections::HashMap;
use std::fmt::Write as _;

use domain::{Block, BlockId, Document};
/// Which change of a block a mark is for: its text (insertions and deletions, added,
/// removed and moved blocks) or its formatting (`w:rPrChange`, `w:pPrChange`).
pub use history::ChangeKind as MarkKind;
use history::{Alignment, align, word_diff};
use similar::ChangeTag;

use crate::write::body::Entry as Item;
use crate::xml_safe::escape as esc;

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
    pub(crate) fn word_date(&self) -> String {
        match (self.date.find('.'), self.date.ends_with('Z')) {
            (Some(dot), true) => format!("{}Z", &self.date[..dot]),
            _ => self.date.clone(),
        }
    }
}

/// The redline's blocks: B's order, with A's removed (and moved-away) blocks where they
/// stood in A.
pub(crate) fn plan<'a>(from: &'a Document, to: &'a Document) -> Vec<Item<'a>> {
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

/// The redline as a .docx: version B in which every change since A is a tracked change
/// (`by` says who made each block's change of text and of formatting), written by the one
/// writer with everything a normal render of B writes; `options` as for B's render (its
/// pictures, and A's, by media id).
///
/// # Errors
/// [`crate::RenderError`] when writing the package fails.
pub fn redline_docx(
    from: &Document,
    to: &Document,
    by: &dyn Fn(&BlockId, MarkKind) -> Mark,
    options: &crate::RenderOptions,
) -> Result<Vec<u8>, crate::RenderError> {
    crate::write::package(to, options, Some(&crate::write::Redline { from, by }))
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
