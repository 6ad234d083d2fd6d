//! Comments and notes: `comments.xml` (threads and resolved state from
//! `commentsExtended.xml`), `footnotes.xml` and `endnotes.xml`, read before the body so
//! its marks (`w:commentRangeStart`/`End`, `w:commentReference`, `w:footnoteReference`,
//! `w:endnoteReference`) become folio's: anchors on runs and atomic note references.
//!
//! Word's ids are kept in folio's (comment 11 becomes `c12`, footnote 3 `f3`, endnote 2
//! `e2`), so content kept as it was in the file (an opaque paragraph or table holding a
//! mark) still points at its comment or note in the parts folio writes.

use domain::{Author, Comment, Mark, Note, NoteKind, Suggestion, SuggestionStatus};

use super::*;

const REL_COMMENTS: &str = "/comments";
const REL_COMMENTS_EXTENDED: &str = "/commentsExtended";
const REL_FOOTNOTES: &str = "/footnotes";
const REL_ENDNOTES: &str = "/endnotes";

/// Highest Word id folio keeps as its own (larger ones are not modelled).
const MAX_WORD_ID: u64 = 1_000_000;

/// What the importer learnt of the file's comments and notes.
#[derive(Debug, Default)]
pub(super) struct Review {
    /// Comments in file order, with folio ids.
    pub(super) comments: Vec<Comment>,
    /// Word's comment id → folio's id, for thread roots only (replies share their root's
    /// range in the body, which folio marks once).
    pub(super) roots: HashMap<String, String>,
    /// Roots that got an anchor in the body.
    pub(super) anchored: HashSet<String>,
    /// Notes, with folio ids.
    pub(super) notes: Vec<Note>,
    /// Tracked changes, as suggestions.
    pub(super) suggestions: Vec<Suggestion>,
}

impl Review {
    /// Folio's id of note `word_id` of `kind`, if the file has it.
    pub(super) fn note(&self, kind: NoteKind, word_id: &str) -> Option<String> {
        let id = format!("{}{}", kind.prefix(), word_id);
        self.notes.iter().any(|n| n.id == id).then_some(id)
    }
}

impl Importer<'_> {
    /// Reads the comment and note parts the main part names.
    pub(super) fn read_review(&mut self, doc_rels: &[Relationship]) -> Result<(), ImportError> {
        let target = |suffix: &str| {
            doc_rels
                .iter()
                .find(|r| !r.external && r.kind.ends_with(suffix))
                .map(|r| r.target.clone())
        };
        // A part folio cannot read (malformed, a DOCTYPE…) leaves its comments or notes
        // as they were in the file, with a warning; the package gate judges that part as
        // any other kept one.
        if let Some(name) = target(REL_COMMENTS) {
            let threads = match target(REL_COMMENTS_EXTENDED) {
                Some(extended) => self.threads(&extended).unwrap_or_default(),
                None => HashMap::new(),
            };
            if let Err(e) = self.comments(&name, &threads) {
                self.review.comments.clear();
                self.review.roots.clear();
                self.unreadable(&name, &e);
            }
        }
        for (suffix, kind) in [
            (REL_FOOTNOTES, NoteKind::Footnote),
            (REL_ENDNOTES, NoteKind::Endnote),
        ] {
            if let Some(name) = target(suffix)
                && let Err(e) = self.notes(&name, kind)
            {
                self.review.notes.clear();
                self.unreadable(&name, &e);
            }
        }
        Ok(())
    }

    fn unreadable(&mut self, part: &str, error: &ImportError) {
        let why = error.to_string();
        self.warnings.add(
            "review_part_unreadable",
            || format!("comments or notes folio cannot read were not made editable: {why}"),
            part,
        );
    }

    /// `commentsExtended.xml`: by paragraph id, the parent's paragraph id and whether the
    /// thread is done.
    fn threads(&self, part: &str) -> Result<HashMap<String, (Option<String>, bool)>, ImportError> {
        let mut out = HashMap::new();
        let Some(tree) = self.parse_part(part)? else {
            return Ok(out);
        };
        for ex in tree.root.elements().filter(|n| n.local == "commentEx") {
            let attr = |local: &str| {
                ex.attrs
                    .iter()
                    .find(|a| a.local == local)
                    .map(|a| a.value.to_string())
            };
            if let Some(para) = attr("paraId") {
                let done = matches!(attr("done").as_deref(), Some("1" | "true"));
                out.insert(para, (attr("paraIdParent"), done));
            }
        }
        Ok(out)
    }

    /// The paragraphs of a comment or note as runs (what the model cannot hold inside
    /// them kept as text, as in headers).
    fn review_paragraphs(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<(Vec<Vec<Run>>, Option<String>), ImportError> {
        let mut paragraphs = Vec::new();
        let mut last_para = None;
        for p in node.elements().filter(|n| n.is(Ns::W, "p")) {
            last_para = p
                .attrs
                .iter()
                .find(|a| a.local == "paraId")
                .map(|a| a.value.to_string());
            let Some(mut runs) = self.lenient_runs(p, ctx, place)? else {
                continue;
            };
            domain::text::normalize(&mut runs);
            paragraphs.push(runs);
        }
        // The space Word puts after a note's own mark.
        if let Some(first) = paragraphs.first_mut().and_then(|p| p.first_mut())
            && first.text.starts_with(' ')
        {
            first.text = first.text.trim_start().to_string();
        }
        if let Some(first) = paragraphs.first_mut() {
            domain::text::normalize(first);
        }
        Ok((paragraphs, last_para))
    }

    /// `comments.xml`, threaded by `threads`.
    fn comments(
        &mut self,
        part: &str,
        threads: &HashMap<String, (Option<String>, bool)>,
    ) -> Result<(), ImportError> {
        let Some(tree) = self.parse_part(part)? else {
            return Ok(());
        };
        let text = std::str::from_utf8(self.package.part(part).unwrap_or_default()).unwrap_or("");
        let ctx = self.lenient_context(part, text, tree.root_declarations.clone())?;
        // Each comment with its last paragraph's id (what threads name).
        let mut read: Vec<(String, Comment, Option<String>)> = Vec::new();
        for node in tree.root.elements().filter(|n| n.is(Ns::W, "comment")) {
            let Some(word_id) = node
                .attr(Ns::W, "id")
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|v| *v < MAX_WORD_ID)
            else {
                self.warnings.add(
                    "comment_dropped",
                    || "comments with ids folio cannot keep were dropped".into(),
                    part,
                );
                continue;
            };
            if read.len() >= domain::MAX_COMMENTS {
                self.warnings.add(
                    "comments_over_limit",
                    || format!("comments beyond {} were dropped", domain::MAX_COMMENTS),
                    part,
                );
                break;
            }
            let (paragraphs, last_para) = self.review_paragraphs(node, &ctx, part)?;
            let name = clipped(node.attr(Ns::W, "author"), 255);
            let mut author = Author::named(&name, "");
            if let Some(initials) = node.attr(Ns::W, "initials") {
                author.initials = clipped(Some(initials), 16);
            }
            let comment = Comment {
                id: format!("c{}", word_id + 1),
                parent: None,
                author,
                date: clipped(node.attr(Ns::W, "date"), 64),
                paragraphs,
                resolved: false,
                ranged: true,
            };
            if paragraphs_chars(&comment.paragraphs) > domain::MAX_REVIEW_TEXT_CHARS
                || read.iter().any(|(_, c, _)| c.id == comment.id)
            {
                self.warnings.add(
                    "comment_dropped",
                    || {
                        format!(
                            "comments longer than {} characters or with a repeated id were dropped",
                            domain::MAX_REVIEW_TEXT_CHARS
                        )
                    },
                    part,
                );
                continue;
            }
            read.push((word_id.to_string(), comment, last_para));
        }
        // Threads: a reply names its parent's last paragraph; folio's threads are flat, so
        // a reply to a reply joins its root's.
        let by_para: HashMap<&str, usize> = read
            .iter()
            .enumerate()
            .filter_map(|(i, (_, _, para))| Some((para.as_deref()?, i)))
            .collect();
        let parent_of = |i: usize| -> Option<usize> {
            let para = read.get(i)?.2.as_deref()?;
            let parent = threads.get(para)?.0.as_deref()?;
            by_para.get(parent).copied().filter(|p| *p != i)
        };
        let root_of = |i: usize| -> usize {
            let mut at = i;
            for _ in 0..read.len() {
                match parent_of(at) {
                    Some(p) => at = p,
                    None => break,
                }
            }
            at
        };
        let done = |i: usize| {
            read.get(i)
                .and_then(|(_, _, para)| threads.get(para.as_deref()?))
                .is_some_and(|(_, done)| *done)
        };
        let roots: Vec<usize> = (0..read.len()).map(root_of).collect();
        let mut comments: Vec<Comment> = Vec::with_capacity(read.len());
        let mut replies: Vec<Comment> = Vec::new();
        for (i, (word_id, comment, _)) in read.iter().enumerate() {
            let root = roots.get(i).copied().unwrap_or(i);
            let mut comment = comment.clone();
            if root == i {
                comment.resolved = done(i);
                self.review
                    .roots
                    .insert(word_id.clone(), comment.id.clone());
                comments.push(comment);
            } else if let Some((_, parent, _)) = read.get(root) {
                comment.parent = Some(parent.id.clone());
                comment.ranged = false;
                replies.push(comment);
            }
        }
        comments.extend(replies);
        self.review.comments = comments;
        Ok(())
    }

    /// `footnotes.xml` or `endnotes.xml`: every note but the separators.
    fn notes(&mut self, part: &str, kind: NoteKind) -> Result<(), ImportError> {
        let Some(tree) = self.parse_part(part)? else {
            return Ok(());
        };
        let text = std::str::from_utf8(self.package.part(part).unwrap_or_default()).unwrap_or("");
        let ctx = self.lenient_context(part, text, tree.root_declarations.clone())?;
        for node in tree.root.elements().filter(|n| n.local == kind.as_str()) {
            if node.attr(Ns::W, "type").is_some_and(|t| t != "normal") {
                continue;
            }
            let Some(word_id) = node
                .attr(Ns::W, "id")
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|v| (1..MAX_WORD_ID).contains(v))
            else {
                continue;
            };
            if self.review.notes.len() >= domain::MAX_NOTES {
                self.warnings.add(
                    "notes_over_limit",
                    || format!("notes beyond {} were dropped", domain::MAX_NOTES),
                    part,
                );
                break;
            }
            let (paragraphs, _) = self.review_paragraphs(node, &ctx, part)?;
            let id = format!("{}{word_id}", kind.prefix());
            if paragraphs_chars(&paragraphs) > domain::MAX_REVIEW_TEXT_CHARS
                || self.review.notes.iter().any(|n| n.id == id)
            {
                self.warnings.add(
                    "note_dropped",
                    || {
                        format!(
                            "notes longer than {} characters or with a repeated id were dropped",
                            domain::MAX_REVIEW_TEXT_CHARS
                        )
                    },
                    part,
                );
                continue;
            }
            self.review.notes.push(Note {
                id,
                kind,
                paragraphs,
            });
        }
        Ok(())
    }

    /// At the end of a paragraph: the comments it marked are anchored; one whose range
    /// opened here over no text (at its very end) is anchored to that point.
    pub(super) fn close_comments(&mut self, st: &mut Inline) {
        for id in std::mem::take(&mut st.open_comments) {
            if !self.review.anchored.contains(&id) && !marked(st, &id, Mark::Comment) {
                point_anchor(st, id, Mark::Comment);
            }
        }
        for run in st.pieces.iter().flatten() {
            for id in &run.format.comments {
                if !self.review.anchored.contains(id) {
                    self.review.anchored.insert(id.clone());
                }
            }
        }
    }

    /// A `w:commentRangeStart`, `w:commentRangeEnd` or `w:commentReference` of a comment
    /// the file has: `Some` (its root's folio id, `None` inside for a reply's mark, which
    /// folio writes with its root's).
    pub(super) fn comment_mark(&self, node: &Node) -> Option<Option<String>> {
        let word_id = node.attr(Ns::W, "id")?;
        if let Some(root) = self.review.roots.get(word_id) {
            return Some(Some(root.clone()));
        }
        let folio = format!("c{}", word_id.parse::<u64>().ok()? + 1);
        self.review
            .comments
            .iter()
            .any(|c| c.id == folio)
            .then_some(None)
    }

    /// Folio's id of the note a `w:footnoteReference` or `w:endnoteReference` names, if the
    /// file has it.
    pub(super) fn note_mark(&self, node: &Node) -> Option<String> {
        let kind = match node.local {
            "footnoteReference" => NoteKind::Footnote,
            "endnoteReference" => NoteKind::Endnote,
            _ => return None,
        };
        self.review.note(kind, node.attr(Ns::W, "id")?)
    }

    /// A comment's range ends (or its reference is met): a root not anchored yet gets the
    /// point where it is.
    pub(super) fn end_comment(&mut self, st: &mut Inline, id: &str) {
        st.open_comments.retain(|c| c != id);
        if !self.review.anchored.contains(id) && !marked(st, id, Mark::Comment) {
            point_anchor(st, id.to_string(), Mark::Comment);
        }
    }

    /// A paragraph deleted whole: a `delete_block` suggestion of its deletion's author,
    /// anchored on its (deleted) text, or at its start when it has none.
    pub(super) fn block_deletion(
        &mut self,
        st: &mut Inline,
        id: String,
        author: Option<&str>,
        date: Option<&str>,
    ) {
        if !marked(st, &id, Mark::Suggestion)
            && let Some(piece) = st.pieces.first_mut()
        {
            piece.insert(0, anchor_run(id.clone(), Mark::Suggestion));
        }
        self.review.suggestions.push(Suggestion {
            id,
            kind: "delete_block".into(),
            author: Author::named(&clipped(author, 255), ""),
            date: clipped(date, 64),
            reason: None,
            command: serde_json::json!({"type": "delete_block"}),
            status: SuggestionStatus::Open,
            decided_by: None,
        });
    }

    /// The comments and notes, once the body is read: a comment that got no anchor in
    /// the paragraphs folio models (one on a table cell's or an opaque block's text) is
    /// kept and written back, but not listed by `get_comments`.
    pub(super) fn finish_review(&mut self) -> (Vec<Comment>, Vec<Note>, Vec<Suggestion>) {
        let review = std::mem::take(&mut self.review);
        let unanchored = review
            .comments
            .iter()
            .filter(|c| c.parent.is_none() && !review.anchored.contains(&c.id))
            .count();
        if unanchored > 0 {
            self.warnings.add(
                "comment_not_anchored",
                || "comments on content folio keeps as it is (a table cell, a list item, an opaque block) are written back but not listed".into(),
                &format!("{unanchored} comments"),
            );
        }
        (review.comments, review.notes, review.suggestions)
    }

    /// A tracked insertion or deletion (`w:ins`/`w:moveTo`, `w:del`/`w:moveFrom`) inside
    /// a paragraph as a suggestion of its author's: an insertion's text is proposed at
    /// this point (it is not in the accepted content), a deletion's text is in the
    /// accepted content, marked as proposed for deletion. `Err` when its content is more
    /// than plain text (a picture, a field, a page break…): the caller keeps it opaque.
    pub(super) fn revision(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        let insertion = matches!(node.local, "ins" | "moveTo");
        let refuse = || unmodelled("tracked_change", "tracked changes of more than text");
        // Deleted text of a paragraph deleted whole: part of that deletion.
        if let Some(block) = st.block_deletion.clone() {
            if insertion {
                return Ok(Err(refuse()));
            }
            st.deleting = Some(block);
            let walked = self.inlines(node, ctx, base, st, place);
            st.deleting = None;
            return walked;
        }
        if st.deleting.is_some() || self.review.suggestions.len() >= domain::MAX_SUGGESTIONS {
            return Ok(Err(refuse()));
        }
        let id = format!("s{}", self.review.suggestions.len() + 1);
        let mut inner = Inline {
            pieces: vec![Vec::new()],
            deleting: (!insertion).then(|| id.clone()),
            revisions: true,
            ..Inline::default()
        };
        if let Err(why) = self.inlines(node, ctx, base, &mut inner, place)? {
            return Ok(Err(why));
        }
        let plain = inner.pieces.len() == 1
            && matches!(inner.field, FieldState::None)
            && inner
                .pieces
                .iter()
                .flatten()
                .all(|r| !r.format.is_atomic() && r.format.bookmarks.is_empty());
        if !plain {
            return Ok(Err(refuse()));
        }
        let runs: Vec<Run> = inner.pieces.into_iter().flatten().collect();
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        if text.is_empty() {
            return Ok(Ok(()));
        }
        let kind = if insertion {
            "insert_text"
        } else {
            "delete_text"
        };
        let command = if insertion {
            serde_json::json!({"type": kind, "text": text})
        } else {
            serde_json::json!({"type": kind})
        };
        self.review.suggestions.push(Suggestion {
            id: id.clone(),
            kind: kind.into(),
            author: Author::named(&clipped(node.attr(Ns::W, "author"), 255), ""),
            date: clipped(node.attr(Ns::W, "date"), 64),
            reason: None,
            command,
            status: SuggestionStatus::Open,
            decided_by: None,
        });
        if insertion {
            // Proposed here: a point anchor.
            point_anchor(st, id, Mark::Suggestion);
        } else {
            // The deleted text stays, marked.
            for run in runs {
                push_run(st, run.text, run.format);
            }
        }
        Ok(Ok(()))
    }
}

/// Whether a run of the paragraph so far carries the comment or suggestion `id`.
fn marked(st: &Inline, id: &str, mark: Mark) -> bool {
    st.pieces
        .iter()
        .flatten()
        .any(|r| mark.of(&r.format).iter().any(|c| c == id))
}

/// An empty run anchoring the comment or suggestion `id` to a point.
fn anchor_run(id: String, mark: Mark) -> Run {
    let mut format = RunFormat::default();
    mark.of_mut(&mut format).push(id);
    Run {
        text: String::new(),
        format,
    }
}

/// An empty run anchoring `id` to the current point.
fn point_anchor(st: &mut Inline, id: String, mark: Mark) {
    if let Some(piece) = st.pieces.last_mut() {
        piece.push(anchor_run(id, mark));
    }
}

/// An attribute's text, cleaned and cut to `max` characters (empty when absent).
fn clipped(value: Option<&str>, max: usize) -> String {
    clean_text(value.unwrap_or("")).chars().take(max).collect()
}

fn paragraphs_chars(paragraphs: &[Vec<Run>]) -> usize {
    paragraphs
        .iter()
        .flatten()
        .map(|r| r.text.chars().count())
        .sum::<usize>()
        + paragraphs.len()
}
