//! Comments and notes as Word keeps them: the marks in the body (`w:commentRangeStart`,
//! `w:commentRangeEnd`, the reference runs, `w:footnoteReference`/`w:endnoteReference`)
//! and their parts — `comments.xml` with the text, author, initials and date of every
//! comment, `commentsExtended.xml` with the threads and their resolved state,
//! `commentsIds.xml`, and `footnotes.xml`/`endnotes.xml` with the separator notes Word
//! expects first.
//!
//! Ids come from folio's own, which keep an imported file's (Word's comment 11 is folio's
//! `c12`, its footnote 3 `f3`, its endnote 2 `e2`), so the same version always writes the
//! same ids and content kept as it was in the file still points at its comment or note;
//! paragraph ids (`w14:paraId`) are made from them.

use std::io::{self, Write};

use domain::{Comment, Document, NoteKind, Run};

use super::body::{BODY_NS, Body};
use super::runs::RunExtra;
use super::xml::Xml;
use super::{PartRels, Zip, part};
use crate::RenderError;

const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const W15: &str = "http://schemas.microsoft.com/office/word/2012/wordml";
const W16CID: &str = "http://schemas.microsoft.com/office/word/2016/wordml/cid";

/// The number in a folio id (`c12` → 12; 0 for an id the domain would not make).
pub(crate) fn number(id: &str) -> u64 {
    id.chars()
        .next()
        .and_then(|prefix| domain::model::review_number(id, prefix))
        .unwrap_or(0)
}

/// The `w:id` of comment `id` (Word counts comments from 0: `c1` is 0).
pub(crate) fn comment_word_id(id: &str) -> String {
    number(id).saturating_sub(1).to_string()
}

/// The `w14:paraId` of paragraph `k` of comment `number`: eight hex digits below
/// 0x80000000, from a range of their own.
fn para_id(number: u64, k: usize) -> String {
    let value = 0x4000_0000u64 + (number % 0x0100_0000) * 16 + (k as u64 % 16);
    format!("{value:08X}")
}

/// The paragraph id Word threads a comment by: its last paragraph's.
fn last_para_id(comment: &Comment) -> String {
    para_id(
        number(&comment.id),
        comment.paragraphs.len().saturating_sub(1),
    )
}

/// A comment's thread: the root's replies (its own id first).
fn thread<'d>(doc: &'d Document, root: &'d str) -> impl Iterator<Item = &'d Comment> + 'd {
    doc.comment(root).into_iter().chain(doc.replies(root))
}

/// The review parts of a document: which ones folio writes, and whether its comments and
/// notes are folio's (then an imported file's own parts are never written back, even when
/// none is left).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReviewParts {
    pub(crate) comments: bool,
    pub(crate) footnotes: bool,
    pub(crate) endnotes: bool,
    pub(crate) owns_comments: bool,
    pub(crate) owns_notes: bool,
}

impl ReviewParts {
    pub(crate) fn of(doc: &Document) -> Self {
        // Both note parts once the notes are folio's: an imported file's settings may name
        // the separators of either.
        let notes = !doc.notes.is_empty() || doc.review_ids.notes > 0;
        Self {
            comments: !doc.comments.is_empty(),
            footnotes: notes,
            endnotes: notes,
            owns_comments: doc.review_ids.comments > 0,
            owns_notes: doc.review_ids.notes > 0,
        }
    }

    /// Whether an imported file's part `name` (`word/comments.xml`…) is folio's to write,
    /// or to leave out: the source's is not copied.
    pub(crate) fn owns(&self, name: &str) -> bool {
        let local = name
            .trim_start_matches("word/")
            .trim_start_matches("_rels/");
        let base = local.trim_end_matches(".rels");
        match base {
            "comments.xml"
            | "commentsExtended.xml"
            | "commentsIds.xml"
            | "commentsExtensible.xml" => self.comments || self.owns_comments,
            "footnotes.xml" | "endnotes.xml" => self.footnotes || self.endnotes || self.owns_notes,
            _ => false,
        }
    }
}

impl Body<'_, '_> {
    /// Opens the ranges of the comments `runs` carry that are not open yet (a thread's
    /// replies share its root's range).
    pub(crate) fn comment_starts<'r, W: Write>(
        &self,
        x: &mut Xml<W>,
        runs: &'r [Run],
        open: &mut Vec<&'r str>,
    ) -> io::Result<()> {
        for run in runs {
            for id in &run.format.comments {
                if open.contains(&id.as_str()) || self.doc.comment(id).is_none() {
                    continue;
                }
                for c in thread(self.doc, id) {
                    x.empty("w:commentRangeStart", &[("w:id", &comment_word_id(&c.id))])?;
                }
                open.push(id);
            }
        }
        Ok(())
    }

    /// Closes the open ranges `next` (the run after them) is not in, each followed by its
    /// reference run.
    pub(crate) fn comment_ends<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        next: Option<&Run>,
        open: &mut Vec<&str>,
    ) -> io::Result<()> {
        let still = |id: &str| next.is_some_and(|r| r.format.comments.iter().any(|c| c == id));
        let mut k = 0;
        while k < open.len() {
            if still(open[k]) {
                k += 1;
                continue;
            }
            let root = open.remove(k);
            let ids: Vec<String> = thread(self.doc, root)
                .map(|c| comment_word_id(&c.id))
                .collect();
            for id in &ids {
                x.empty("w:commentRangeEnd", &[("w:id", id)])?;
            }
            for id in ids {
                x.start("w:r", &[])?;
                self.reference_props(x, "CommentReference", false)?;
                x.empty("w:commentReference", &[("w:id", &id)])?;
                x.end("w:r")?;
            }
        }
        Ok(())
    }

    /// A run's properties for a reference mark: Word's character style when the style
    /// sheet has it (an imported file's), superscript for a note's mark.
    fn reference_props<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        style: &str,
        superscript: bool,
    ) -> io::Result<()> {
        let format = domain::RunFormat {
            superscript,
            ..domain::RunFormat::default()
        };
        let extra = RunExtra {
            style: self.has_style(style).then_some(style),
            bold: false,
        };
        super::runs::rpr(x, &format, extra, &mut self.used, None)
    }

    fn has_style(&self, id: &str) -> bool {
        self.doc.styles.iter().any(|s| s.style_id == id)
    }

    /// The reference mark of note `id` (nothing when the document has no such note).
    pub(crate) fn note_reference<W: Write>(&mut self, x: &mut Xml<W>, id: &str) -> io::Result<()> {
        let Some(note) = self.doc.note(id) else {
            return Ok(());
        };
        let (style, element) = match note.kind {
            NoteKind::Footnote => ("FootnoteReference", "w:footnoteReference"),
            NoteKind::Endnote => ("EndnoteReference", "w:endnoteReference"),
        };
        x.start("w:r", &[])?;
        self.reference_props(x, style, true)?;
        x.empty(element, &[("w:id", &number(id).to_string())])?;
        x.end("w:r")
    }

    /// `word/comments.xml`.
    fn comments_part<W: Write>(&mut self, x: &mut Xml<W>) -> io::Result<PartRels> {
        let mut rels = PartRels::default();
        // The body's namespaces: comments hold what paragraphs hold (pictures too).
        x.start("w:comments", &BODY_NS)?;
        let doc = self.doc;
        for comment in &doc.comments {
            let id = comment_word_id(&comment.id);
            x.start(
                "w:comment",
                &[
                    ("w:id", &id),
                    ("w:author", &comment.author.name),
                    ("w:date", &comment.date),
                    ("w:initials", &comment.author.initials),
                ],
            )?;
            let empty = [Vec::new()];
            let paragraphs = if comment.paragraphs.is_empty() {
                &empty[..]
            } else {
                &comment.paragraphs[..]
            };
            for (k, runs) in paragraphs.iter().enumerate() {
                let para = para_id(number(&comment.id), k);
                x.start("w:p", &[("w14:paraId", &para), ("w14:textId", "77777777")])?;
                if self.has_style("CommentText") {
                    x.start("w:pPr", &[])?;
                    x.val("w:pStyle", "CommentText")?;
                    x.end("w:pPr")?;
                }
                if k == 0 {
                    x.start("w:r", &[])?;
                    self.reference_props(x, "CommentReference", false)?;
                    x.empty("w:annotationRef", &[])?;
                    x.end("w:r")?;
                }
                self.runs(x, runs, None, &[], &mut rels)?;
                x.end("w:p")?;
            }
            x.end("w:comment")?;
        }
        x.end("w:comments")?;
        Ok(rels)
    }

    /// `word/footnotes.xml` or `word/endnotes.xml`: the separators, then the notes.
    fn notes_part<W: Write>(&mut self, x: &mut Xml<W>, kind: NoteKind) -> io::Result<PartRels> {
        let (root, element, reference, style) = match kind {
            NoteKind::Footnote => ("w:footnotes", "w:footnote", "w:footnoteRef", "FootnoteText"),
            NoteKind::Endnote => ("w:endnotes", "w:endnote", "w:endnoteRef", "EndnoteText"),
        };
        let mut rels = PartRels::default();
        x.start(root, &BODY_NS)?;
        for (id, kind, mark) in [
            ("-1", "separator", "w:separator"),
            ("0", "continuationSeparator", "w:continuationSeparator"),
        ] {
            x.start(element, &[("w:type", kind), ("w:id", id)])?;
            x.start("w:p", &[])?;
            x.start("w:pPr", &[])?;
            x.empty(
                "w:spacing",
                &[("w:after", "0"), ("w:line", "240"), ("w:lineRule", "auto")],
            )?;
            x.end("w:pPr")?;
            x.start("w:r", &[])?;
            x.empty(mark, &[])?;
            x.end("w:r")?;
            x.end("w:p")?;
            x.end(element)?;
        }
        let doc = self.doc;
        for note in doc.notes.iter().filter(|n| n.kind == kind) {
            x.start(element, &[("w:id", &number(&note.id).to_string())])?;
            let empty = [Vec::new()];
            let paragraphs = if note.paragraphs.is_empty() {
                &empty[..]
            } else {
                &note.paragraphs[..]
            };
            for (k, runs) in paragraphs.iter().enumerate() {
                x.start("w:p", &[])?;
                if self.has_style(style) {
                    x.start("w:pPr", &[])?;
                    x.val("w:pStyle", style)?;
                    x.end("w:pPr")?;
                }
                if k == 0 {
                    x.start("w:r", &[])?;
                    let mark_style = match kind {
                        NoteKind::Footnote => "FootnoteReference",
                        NoteKind::Endnote => "EndnoteReference",
                    };
                    self.reference_props(x, mark_style, true)?;
                    x.empty(reference, &[])?;
                    x.end("w:r")?;
                    x.start("w:r", &[])?;
                    x.element("w:t", &[("xml:space", "preserve")], " ")?;
                    x.end("w:r")?;
                }
                self.runs(x, runs, None, &[], &mut rels)?;
                x.end("w:p")?;
            }
            x.end(element)?;
        }
        x.end(root)?;
        Ok(rels)
    }

    /// Writes the review parts the document has; their relationships' content (links,
    /// pictures), by part name.
    pub(crate) fn review_parts(
        &mut self,
        zip: &mut Zip,
        parts: ReviewParts,
    ) -> Result<Vec<(&'static str, PartRels)>, RenderError> {
        let mut written = Vec::new();
        if parts.comments {
            let rels = part(zip, "word/comments.xml", |x| self.comments_part(x))?;
            written.push(("comments.xml", rels));
            let doc = self.doc;
            part(zip, "word/commentsExtended.xml", |x| {
                comments_extended(x, doc)
            })?;
            part(zip, "word/commentsIds.xml", |x| comments_ids(x, doc))?;
        }
        if parts.footnotes {
            let rels = part(zip, "word/footnotes.xml", |x| {
                self.notes_part(x, NoteKind::Footnote)
            })?;
            written.push(("footnotes.xml", rels));
        }
        if parts.endnotes {
            let rels = part(zip, "word/endnotes.xml", |x| {
                self.notes_part(x, NoteKind::Endnote)
            })?;
            written.push(("endnotes.xml", rels));
        }
        Ok(written)
    }
}

/// `word/commentsExtended.xml`: each comment's thread (a reply's parent, by paragraph id)
/// and whether it is done (resolved).
fn comments_extended<W: Write>(x: &mut Xml<W>, doc: &Document) -> io::Result<()> {
    x.start(
        "w15:commentsEx",
        &[
            ("xmlns:mc", MC),
            ("xmlns:w15", W15),
            ("mc:Ignorable", "w15"),
        ],
    )?;
    for comment in &doc.comments {
        let para = last_para_id(comment);
        let root = comment.parent.as_deref().and_then(|p| doc.comment(p));
        let done = if root.unwrap_or(comment).resolved {
            "1"
        } else {
            "0"
        };
        match root {
            Some(root) => x.empty(
                "w15:commentEx",
                &[
                    ("w15:paraId", &para),
                    ("w15:paraIdParent", &last_para_id(root)),
                    ("w15:done", done),
                ],
            )?,
            None => x.empty(
                "w15:commentEx",
                &[("w15:paraId", &para), ("w15:done", done)],
            )?,
        }
    }
    x.end("w15:commentsEx")
}

/// `word/commentsIds.xml`: a durable id for each comment, by paragraph id.
fn comments_ids<W: Write>(x: &mut Xml<W>, doc: &Document) -> io::Result<()> {
    x.start(
        "w16cid:commentsIds",
        &[
            ("xmlns:mc", MC),
            ("xmlns:w16cid", W16CID),
            ("mc:Ignorable", "w16cid"),
        ],
    )?;
    for comment in &doc.comments {
        let durable = format!("{:08X}", 0x1000_0000u64 + number(&comment.id) % 0x1000_0000);
        x.empty(
            "w16cid:commentId",
            &[
                ("w16cid:paraId", &last_para_id(comment)),
                ("w16cid:durableId", &durable),
            ],
        )?;
    }
    x.end("w16cid:commentsIds")
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use domain::command::*;
    use domain::{Author, DocumentCommand, DocumentId, Limits};

    use super::*;

    fn by(name: &str) -> Option<Stamp> {
        Some(Stamp {
            author: Author::named(name, &format!("user:{name}")),
            date: "2026-12-07T10:00:00Z".into(),
            admin: false,
            reason: None,
        })
    }

    /// A document with a resolved thread (root and reply), a footnote and an endnote.
    fn reviewed() -> Document {
        let mut doc = Document::default();
        let commands = [
            DocumentCommand::CreateDocument(CreateDocument {
                document_id: DocumentId::new("d1"),
                title: "T".into(),
            }),
            DocumentCommand::AddParagraph(AddParagraph {
                text: Some("Pay within thirty days.".into()),
                ..AddParagraph::default()
            }),
            DocumentCommand::AddComment(AddComment {
                block_index: Some(0),
                start: Some(11),
                end: Some(22),
                text: Some("Too short?".into()),
                by: by("Ada Lovelace"),
                ..AddComment::default()
            }),
            DocumentCommand::ReplyToComment(ReplyToComment {
                comment_id: "c1".into(),
                text: Some("No.".into()),
                by: by("Bob"),
                ..ReplyToComment::default()
            }),
            DocumentCommand::ResolveComment(ResolveComment {
                comment_id: "c1".into(),
            }),
            DocumentCommand::AddFootnote(AddFootnote {
                block_index: Some(0),
                offset: Some(22),
                text: Some("Calendar days.".into()),
                ..AddFootnote::default()
            }),
            DocumentCommand::AddEndnote(AddEndnote {
                block_index: Some(0),
                text: Some("Schedule A.".into()),
                ..AddEndnote::default()
            }),
        ];
        for command in commands {
            for event in doc.decide(&command, &Limits::DEFAULT).unwrap() {
                doc.try_apply(&event).unwrap();
            }
        }
        doc
    }

    fn entry(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn threads_and_notes_are_written_as_word_keeps_them() {
        let doc = reviewed();
        let options = crate::RenderOptions::default();
        let bytes = crate::render_docx(&doc, &options).unwrap();
        assert_eq!(
            bytes,
            crate::render_docx(&doc, &options).unwrap(),
            "deterministic"
        );

        let body = entry(&bytes, "word/document.xml");
        // Both comments' ranges around the anchored text, then their reference runs.
        let start = body.find(r#"<w:commentRangeStart w:id="0"/>"#).unwrap();
        assert!(
            body[start..]
                .starts_with(r#"<w:commentRangeStart w:id="0"/><w:commentRangeStart w:id="1"/>"#)
        );
        assert!(body.contains(r#"<w:commentReference w:id="1"/>"#));
        assert!(
            body.contains(r#"<w:footnoteReference w:id="1"/>"#),
            "{body}"
        );
        assert!(body.contains(r#"<w:endnoteReference w:id="2"/>"#), "{body}");

        let comments = entry(&bytes, "word/comments.xml");
        assert!(comments.contains(
            r#"<w:comment w:id="0" w:author="Ada Lovelace" w:date="2026-12-07T10:00:00Z" w:initials="AL">"#
        ));
        assert!(comments.contains("<w:annotationRef/>"));
        let extended = entry(&bytes, "word/commentsExtended.xml");
        assert!(
            extended.contains(r#"w15:paraIdParent="40000010""#),
            "{extended}"
        );
        assert_eq!(extended.matches(r#"w15:done="1""#).count(), 2, "{extended}");
        assert!(entry(&bytes, "word/commentsIds.xml").contains("w16cid:durableId"));

        let footnotes = entry(&bytes, "word/footnotes.xml");
        assert!(footnotes.contains(r#"<w:footnote w:type="separator" w:id="-1">"#));
        assert!(footnotes.contains(r#"<w:footnote w:type="continuationSeparator" w:id="0">"#));
        assert!(footnotes.contains(r#"<w:footnote w:id="1">"#));
        assert!(footnotes.contains("Calendar days."));
        assert!(entry(&bytes, "word/endnotes.xml").contains("Schedule A."));
        let settings = entry(&bytes, "word/settings.xml");
        assert!(
            settings.contains(r#"<w:footnotePr><w:footnote w:id="-1"/>"#),
            "{settings}"
        );
        let types = entry(&bytes, "[Content_Types].xml");
        for part in [
            "comments",
            "commentsExtended",
            "commentsIds",
            "footnotes",
            "endnotes",
        ] {
            assert!(types.contains(&format!("/word/{part}.xml")), "{part}");
        }
    }

    #[test]
    fn a_document_without_review_has_no_review_parts() {
        let mut doc = reviewed();
        doc.comments.clear();
        doc.notes.clear();
        doc.review_ids = domain::ReviewCounters::default();
        let bytes = crate::render_docx(&doc, &crate::RenderOptions::default()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
        for part in [
            "word/comments.xml",
            "word/footnotes.xml",
            "word/endnotes.xml",
        ] {
            assert!(zip.by_name(part).is_err(), "{part}");
        }
    }
}
