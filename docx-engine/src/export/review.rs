//! Comments and notes in the exports: notes' labels (`1`, `i`), the notes listed after the
//! content, the comment threads as text and as HTML annotations.

use std::fmt::Write as _;

use domain::{Document, NoteKind, NumberStyle};

use super::{esc, esc_attr, html_runs};

/// The label a note's reference shows: footnotes `1`, `2`…, endnotes `i`, `ii`… (Word's
/// defaults), each counted in the order of their references.
fn note_label(kind: NoteKind, number: u32) -> String {
    match kind {
        NoteKind::Footnote => number.to_string(),
        NoteKind::Endnote => domain::format_number(NumberStyle::LowerRoman, u64::from(number)),
    }
}

/// `doc` with each note reference's text its label (the document itself when it has no
/// notes).
pub(super) fn labelled(doc: &Document) -> std::borrow::Cow<'_, Document> {
    if doc.notes.is_empty() {
        return std::borrow::Cow::Borrowed(doc);
    }
    let mut copy = doc.clone();
    let labels: std::collections::HashMap<&str, String> = notes_in_order(doc)
        .into_iter()
        .map(|n| (n.note.id.as_str(), n.label))
        .collect();
    for block in &mut copy.blocks {
        for run in block.runs_mut().into_iter().flatten() {
            if let Some(label) = run.format.note.as_deref().and_then(|id| labels.get(id)) {
                run.text.clone_from(label);
            }
        }
    }
    std::borrow::Cow::Owned(copy)
}

/// A referenced note as exports list it.
pub(super) struct ListedNote<'d> {
    pub(super) note: &'d domain::Note,
    /// Its number among the notes of its kind.
    pub(super) number: u32,
    /// What its reference shows (`3`, `iii`).
    pub(super) label: String,
}

/// The referenced notes, footnotes then endnotes, each in the order of its references.
pub(super) fn notes_in_order(doc: &Document) -> Vec<ListedNote<'_>> {
    let numbers = doc.note_numbers();
    let mut notes: Vec<ListedNote<'_>> = doc
        .notes
        .iter()
        .filter_map(|note| {
            let number = *numbers.get(&note.id)?;
            Some(ListedNote {
                note,
                number,
                label: note_label(note.kind, number),
            })
        })
        .collect();
    notes.sort_by_key(|n| (n.note.kind == NoteKind::Endnote, n.number));
    notes
}

/// The comment threads as plain text: each with its author, time, state, the text it is
/// on, and its replies.
pub(super) fn text_comments(doc: &Document, out: &mut String) {
    let threads: Vec<_> = doc.comments.iter().filter(|c| c.parent.is_none()).collect();
    if threads.is_empty() {
        return;
    }
    out.push_str("\nComments\n");
    let anchors = doc.comment_anchors();
    for root in threads {
        let on = anchors
            .get(root.id.as_str())
            .map(|a| {
                a.block
                    .text()
                    .chars()
                    .skip(a.start)
                    .take(a.end - a.start)
                    .collect::<String>()
            })
            .unwrap_or_default();
        let state = if root.resolved { " (resolved)" } else { "" };
        let _ = writeln!(
            out,
            "[{}] {} ({}){state} on \"{on}\": {}",
            root.id,
            root.author.name,
            root.date,
            domain::paragraphs_text(&root.paragraphs)
        );
        for reply in doc.replies(&root.id) {
            let _ = writeln!(
                out,
                "    {} ({}): {}",
                reply.author.name,
                reply.date,
                domain::paragraphs_text(&reply.paragraphs)
            );
        }
    }
}

/// The notes and the comment threads of an HTML export: footnotes and endnotes linked
/// both ways with their references, comments as annotations the marked text points to.
pub(super) fn html_review(doc: &Document, out: &mut String) {
    let notes = notes_in_order(doc);
    for (class, kind) in [
        ("footnotes", NoteKind::Footnote),
        ("endnotes", NoteKind::Endnote),
    ] {
        let these: Vec<_> = notes.iter().filter(|n| n.note.kind == kind).collect();
        if these.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<section class=\"{class}\">\n<hr>\n<ol>");
        for n in these {
            let body: Vec<String> = n.note.paragraphs.iter().map(|p| html_runs(p)).collect();
            let _ = writeln!(
                out,
                "<li id=\"note-{id}\" value=\"{}\" data-label=\"{}\"><p>{} <a href=\"#note-ref-{id}\" aria-label=\"Back to the text\">\u{21a9}</a></p></li>",
                n.number,
                esc_attr(&n.label),
                body.join("<br>"),
                id = esc_attr(&n.note.id)
            );
        }
        out.push_str("</ol>\n</section>\n");
    }
    let threads: Vec<_> = doc.comments.iter().filter(|c| c.parent.is_none()).collect();
    if threads.is_empty() {
        return;
    }
    out.push_str("<aside class=\"comments\">\n");
    for root in threads {
        let state = if root.resolved { " resolved" } else { "" };
        let _ = writeln!(
            out,
            "<article class=\"comment{state}\" id=\"comment-{}\">",
            esc_attr(&root.id)
        );
        for c in std::iter::once(root).chain(doc.replies(&root.id)) {
            let body: Vec<String> = c.paragraphs.iter().map(|p| html_runs(p)).collect();
            let _ = writeln!(
                out,
                "<p><strong>{}</strong> <time datetime=\"{}\">{}</time></p>\n<p>{}</p>",
                esc(&c.author.name),
                esc_attr(&c.date),
                esc(&c.date),
                body.join("<br>")
            );
        }
        out.push_str("</article>\n");
    }
    out.push_str("</aside>\n");
}
