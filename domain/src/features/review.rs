//! Review content: comment threads (add, reply, edit, resolve, reopen, delete) anchored to
//! a paragraph's text, and footnotes and endnotes whose reference is one atomic character
//! of it.
//!
//! Who wrote a comment and when is not the client's to say: the write path fills
//! [`Stamp`] from the authenticated principal and the time of the request.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::{Limits, RunInput, check_text, runs_from, text_runs, too_large};
use crate::model::{Author, Comment, Document, Note, NoteKind, Run, runs_text};
use crate::text;

/// Most comments (roots and replies) in one document.
pub const MAX_COMMENTS: usize = 10_000;
/// Most replies in one thread.
pub const MAX_REPLIES: usize = 500;
/// Most footnotes and endnotes in one document.
pub const MAX_NOTES: usize = 10_000;
/// Longest comment or note text, in characters.
pub const MAX_REVIEW_TEXT_CHARS: usize = 20_000;

/// Who makes a comment command, and when: filled by the write path, never sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamp {
    /// The author (name, initials, principal).
    pub author: Author,
    /// The time of the request (RFC 3339, UTC, whole seconds).
    pub date: String,
    /// The principal may edit anyone's comment.
    pub admin: bool,
    /// Why, as the request said (`X-Folio-Reason`): a suggestion keeps it.
    pub reason: Option<String>,
}

/// `add_comment`: comments on characters `start..end` of a paragraph or heading (default:
/// all of it; `start == end` comments on a point).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddComment {
    /// Target block id (a paragraph or heading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// First character of the range (inclusive; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Character after the range (exclusive; default the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// The comment as plain text (or `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub text: Option<String>,
    /// The comment as formatted runs (or `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
    /// Filled by the write path.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `reply_to_comment`: answers a comment (a reply to a reply joins the same thread).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyToComment {
    /// The comment answered (`c1`).
    pub comment_id: String,
    /// The reply as plain text (or `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub text: Option<String>,
    /// The reply as formatted runs (or `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
    /// Filled by the write path.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `edit_comment`: changes a comment's text (only its author, or an admin).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EditComment {
    /// The comment (root or reply).
    pub comment_id: String,
    /// The new text (or `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub text: Option<String>,
    /// The new text as formatted runs (or `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
    /// Filled by the write path.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `resolve_comment`: marks a thread resolved (any comment of it may be named).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveComment {
    /// A comment of the thread.
    pub comment_id: String,
}

/// `reopen_comment`: opens a resolved thread again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReopenComment {
    /// A comment of the thread.
    pub comment_id: String,
}

/// `delete_comment`: deletes a comment; a thread's root takes its replies with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteComment {
    /// The comment (root or reply).
    pub comment_id: String,
}

/// Declares the command adding a note of one kind: the two have the same fields.
macro_rules! add_note_command {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Target block id (a paragraph or heading).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub block_id: Option<BlockId>,
            /// Target block index.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub block_index: Option<usize>,
            /// Where the reference mark goes, as a character offset (default: the end).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub offset: Option<usize>,
            /// The note as plain text (or `runs`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
            pub text: Option<String>,
            /// The note as formatted runs (or `text`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub runs: Option<Vec<RunInput>>,
        }

        impl $name {
            fn as_note(&self) -> NoteInput<'_> {
                NoteInput {
                    block_id: self.block_id.as_ref(),
                    block_index: self.block_index,
                    offset: self.offset,
                    text: self.text.as_deref(),
                    runs: self.runs.as_deref(),
                }
            }
        }
    };
}

add_note_command! {
    /// `add_footnote`: inserts a footnote's reference mark at `offset` of a paragraph or
    /// heading (default: the end) and gives the note its text.
    AddFootnote
}

add_note_command! {
    /// `add_endnote`: inserts an endnote's reference mark at `offset` of a paragraph or
    /// heading (default: the end) and gives the note its text.
    AddEndnote
}

/// What both note commands give.
struct NoteInput<'a> {
    block_id: Option<&'a BlockId>,
    block_index: Option<usize>,
    offset: Option<usize>,
    text: Option<&'a str>,
    runs: Option<&'a [RunInput]>,
}

/// `edit_note`: changes a footnote's or endnote's text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EditNote {
    /// The note (`f1` for a footnote, `e1` for an endnote).
    pub note_id: String,
    /// The new text (or `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub text: Option<String>,
    /// The new text as formatted runs (or `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
}

/// `delete_note`: deletes a footnote or endnote and its reference mark.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteNote {
    /// The note.
    pub note_id: String,
}

/// The paragraphs of a comment's or note's text, checked.
fn review_text(
    text: Option<&str>,
    runs: Option<&[RunInput]>,
    doc: &Document,
) -> Result<Vec<Vec<Run>>, DocumentError> {
    let limits = Limits {
        max_text_chars: MAX_REVIEW_TEXT_CHARS,
        ..Limits::DEFAULT
    };
    if let Some(t) = text {
        check_text("text", t, MAX_REVIEW_TEXT_CHARS)?;
    }
    let runs = runs_from("text", text, runs, &limits)?
        .ok_or_else(|| DocumentError::invalid("text", "give text or runs"))?;
    if runs_text(&runs).trim().is_empty() {
        return Err(DocumentError::invalid("text", "must not be empty"));
    }
    doc.check_run_references(&runs, "runs")?;
    Ok(vec![runs])
}

/// The write path's stamp of a command that records its author, or a 422: a command that
/// reached the domain without one.
pub(crate) fn stamp(by: Option<&Stamp>) -> Result<&Stamp, DocumentError> {
    by.ok_or_else(|| DocumentError::invalid("author", "the request names no author"))
}

impl Document {
    /// Comment `id`, or a 422 naming `comment_id`.
    fn existing_comment(&self, id: &str) -> Result<&Comment, DocumentError> {
        self.comment(id).ok_or_else(|| {
            DocumentError::invalid("comment_id", format!("the document has no comment {id}"))
        })
    }

    /// The root of the thread comment `id` is in.
    fn thread_root(&self, id: &str) -> Result<&Comment, DocumentError> {
        let comment = self.existing_comment(id)?;
        match &comment.parent {
            Some(parent) => self.existing_comment(parent),
            None => Ok(comment),
        }
    }

    fn next_comment_id(&self) -> Result<String, DocumentError> {
        if self.comments.len() >= MAX_COMMENTS {
            return Err(too_large("comments", MAX_COMMENTS));
        }
        Ok(format!("c{}", self.review_ids.comments.saturating_add(1)))
    }

    /// Decides `add_comment`.
    pub(crate) fn decide_add_comment(
        &self,
        c: &AddComment,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let runs = text_runs(block)?;
        let len = text::char_len(runs);
        let (start, end) = match (c.start, c.end) {
            (None, None) => (0, len),
            (start, end) => {
                let (start, end) = (start.unwrap_or(0), end.unwrap_or(len));
                if end > len {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "end",
                        value: end,
                        len,
                    });
                }
                if start > end {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "start",
                        value: start,
                        len,
                    });
                }
                (start, end)
            }
        };
        let paragraphs = review_text(c.text.as_deref(), c.runs.as_deref(), self)?;
        let by = stamp(c.by.as_ref())?;
        Ok(Some(DocumentEvent::CommentAdded {
            comment_id: self.next_comment_id()?,
            block_id: block.id().clone(),
            start,
            end,
            author: by.author.clone(),
            date: by.date.clone(),
            paragraphs,
        }))
    }

    /// Decides `reply_to_comment`.
    pub(crate) fn decide_reply_to_comment(
        &self,
        c: &ReplyToComment,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let root = self.thread_root(&c.comment_id)?;
        let replies = self.replies(&root.id).count();
        if replies >= MAX_REPLIES {
            return Err(too_large("replies", MAX_REPLIES));
        }
        let paragraphs = review_text(c.text.as_deref(), c.runs.as_deref(), self)?;
        let by = stamp(c.by.as_ref())?;
        Ok(Some(DocumentEvent::CommentReplied {
            comment_id: self.next_comment_id()?,
            parent_id: root.id.clone(),
            author: by.author.clone(),
            date: by.date.clone(),
            paragraphs,
        }))
    }

    /// Decides `edit_comment`.
    pub(crate) fn decide_edit_comment(
        &self,
        c: &EditComment,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let comment = self.existing_comment(&c.comment_id)?;
        let by = stamp(c.by.as_ref())?;
        let own = !comment.author.actor.is_empty() && comment.author.actor == by.author.actor;
        if !own && !by.admin {
            return Err(DocumentError::NotCommentAuthor {
                comment_id: comment.id.clone(),
            });
        }
        let paragraphs = review_text(c.text.as_deref(), c.runs.as_deref(), self)?;
        if paragraphs == comment.paragraphs {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::CommentEdited {
            comment_id: comment.id.clone(),
            paragraphs,
        }))
    }

    /// Decides `resolve_comment` (`resolved`) and `reopen_comment`.
    pub(crate) fn decide_resolve_comment(
        &self,
        comment_id: &str,
        resolved: bool,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let root = self.thread_root(comment_id)?;
        if root.resolved == resolved {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::CommentResolved {
            comment_id: root.id.clone(),
            resolved,
        }))
    }

    /// Decides `delete_comment`.
    pub(crate) fn decide_delete_comment(
        &self,
        c: &DeleteComment,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let comment = self.existing_comment(&c.comment_id)?;
        let block_id = match comment.parent {
            Some(_) => None,
            None => self
                .comment_anchor(&comment.id)
                .map(|a| a.block.id().clone()),
        };
        Ok(Some(DocumentEvent::CommentDeleted {
            comment_id: comment.id.clone(),
            block_id,
        }))
    }

    /// Decides `add_footnote`.
    pub(crate) fn decide_add_footnote(
        &self,
        c: &AddFootnote,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        self.decide_add_note(&c.as_note(), NoteKind::Footnote, limits)
    }

    /// Decides `add_endnote`.
    pub(crate) fn decide_add_endnote(
        &self,
        c: &AddEndnote,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        self.decide_add_note(&c.as_note(), NoteKind::Endnote, limits)
    }

    fn decide_add_note(
        &self,
        c: &NoteInput<'_>,
        kind: NoteKind,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id, c.block_index)?;
        let len = text::char_len(text_runs(block)?);
        let offset = c.offset.unwrap_or(len);
        if offset > len {
            return Err(DocumentError::TextRangeOutOfBounds {
                field: "offset",
                value: offset,
                len,
            });
        }
        if len >= limits.max_text_chars {
            return Err(too_large("paragraph text", limits.max_text_chars));
        }
        if self.notes.len() >= MAX_NOTES {
            return Err(too_large("notes", MAX_NOTES));
        }
        let paragraphs = review_text(c.text, c.runs, self)?;
        Ok(Some(DocumentEvent::NoteAdded {
            note_id: format!(
                "{}{}",
                kind.prefix(),
                self.review_ids.notes.saturating_add(1)
            ),
            kind,
            block_id: block.id().clone(),
            offset,
            paragraphs,
        }))
    }

    /// Note `id`, or a 422 naming `note_id`.
    fn existing_note(&self, id: &str) -> Result<&Note, DocumentError> {
        self.note(id).ok_or_else(|| {
            DocumentError::invalid("note_id", format!("the document has no note {id}"))
        })
    }

    /// Decides `edit_note`.
    pub(crate) fn decide_edit_note(
        &self,
        c: &EditNote,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let note = self.existing_note(&c.note_id)?;
        let paragraphs = review_text(c.text.as_deref(), c.runs.as_deref(), self)?;
        if paragraphs == note.paragraphs {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::NoteEdited {
            note_id: note.id.clone(),
            paragraphs,
        }))
    }

    /// Decides `delete_note`.
    pub(crate) fn decide_delete_note(
        &self,
        c: &DeleteNote,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let note = self.existing_note(&c.note_id)?;
        let block_id = self
            .note_references()
            .into_iter()
            .find(|(id, _, _)| *id == note.id)
            .map(|(_, block, _)| block.id().clone());
        Ok(Some(DocumentEvent::NoteDeleted {
            note_id: note.id.clone(),
            block_id,
        }))
    }

    /// Folds a comment or note event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_review(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::CommentAdded {
                comment_id,
                block_id,
                start,
                end,
                author,
                date,
                paragraphs,
            } => {
                let number = crate::model::review_number(comment_id, 'c')
                    .ok_or(misfit("a malformed comment id"))?;
                if self.comment(comment_id).is_some() {
                    return Err(misfit("the comment exists"));
                }
                let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if start > end || *end > text::char_len(runs) {
                    return Err(misfit("range outside the text"));
                }
                text::add_comment(runs, *start, *end, comment_id);
                self.comments.push(Comment {
                    id: comment_id.clone(),
                    parent: None,
                    author: author.clone(),
                    date: date.clone(),
                    paragraphs: paragraphs.clone(),
                    resolved: false,
                    ranged: start < end,
                });
                self.review_ids.comments = self.review_ids.comments.max(number);
            }
            E::CommentReplied {
                comment_id,
                parent_id,
                author,
                date,
                paragraphs,
            } => {
                let number = crate::model::review_number(comment_id, 'c')
                    .ok_or(misfit("a malformed comment id"))?;
                if self.comment(comment_id).is_some() {
                    return Err(misfit("the comment exists"));
                }
                match self.comment(parent_id) {
                    Some(root) if root.parent.is_none() => {}
                    _ => return Err(misfit("no such thread")),
                }
                self.comments.push(Comment {
                    id: comment_id.clone(),
                    parent: Some(parent_id.clone()),
                    author: author.clone(),
                    date: date.clone(),
                    paragraphs: paragraphs.clone(),
                    resolved: false,
                    ranged: false,
                });
                self.review_ids.comments = self.review_ids.comments.max(number);
            }
            E::CommentEdited {
                comment_id,
                paragraphs,
            } => {
                let comment = self
                    .comments
                    .iter_mut()
                    .find(|c| &c.id == comment_id)
                    .ok_or(misfit("no such comment"))?;
                comment.paragraphs.clone_from(paragraphs);
            }
            E::CommentResolved {
                comment_id,
                resolved,
            } => {
                let comment = self
                    .comments
                    .iter_mut()
                    .find(|c| &c.id == comment_id && c.parent.is_none())
                    .ok_or(misfit("no such thread"))?;
                comment.resolved = *resolved;
            }
            E::CommentDeleted { comment_id, .. } => {
                let before = self.comments.len();
                self.comments
                    .retain(|c| &c.id != comment_id && c.parent.as_ref() != Some(comment_id));
                if self.comments.len() == before {
                    return Err(misfit("no such comment"));
                }
                for block in &mut self.blocks {
                    if let Some(runs) = block.runs_mut() {
                        text::remove_comment(runs, comment_id);
                    }
                }
            }
            E::NoteAdded {
                note_id,
                kind,
                block_id,
                offset,
                paragraphs,
            } => {
                let number = crate::model::review_number(note_id, kind.prefix())
                    .ok_or(misfit("a malformed note id"))?;
                if self.note(note_id).is_some() {
                    return Err(misfit("the note exists"));
                }
                let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if *offset > text::char_len(runs) {
                    return Err(misfit("offset outside the text"));
                }
                text::insert_note(runs, *offset, note_id);
                self.notes.push(Note {
                    id: note_id.clone(),
                    kind: *kind,
                    paragraphs: paragraphs.clone(),
                });
                self.review_ids.notes = self.review_ids.notes.max(number);
            }
            E::NoteEdited {
                note_id,
                paragraphs,
            } => {
                let note = self
                    .notes
                    .iter_mut()
                    .find(|n| &n.id == note_id)
                    .ok_or(misfit("no such note"))?;
                note.paragraphs.clone_from(paragraphs);
            }
            E::NoteDeleted { note_id, .. } => {
                let before = self.notes.len();
                self.notes.retain(|n| &n.id != note_id);
                if self.notes.len() == before {
                    return Err(misfit("no such note"));
                }
                for block in &mut self.blocks {
                    if let Some(runs) = block.runs_mut()
                        && text::remove_note(runs, note_id)
                    {
                        break;
                    }
                }
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }

    /// The comment and note ids anchored in these blocks.
    pub(crate) fn review_marks(&self, blocks: &[BlockId]) -> Vec<String> {
        let mut marks = Vec::new();
        for id in blocks {
            for run in self.block(id).map(|b| b.runs()).unwrap_or_default() {
                marks.extend(run.format.comments.iter().cloned());
                marks.extend(run.format.note.iter().cloned());
            }
        }
        marks
    }

    /// After an event changed these blocks' text: the notes whose reference mark went
    /// with it, and the comments whose anchor went with its block, go too.
    pub(crate) fn drop_unanchored(&mut self, before: &[String], blocks: &[BlockId]) {
        let after = self.review_marks(blocks);
        let gone: Vec<&String> = before.iter().filter(|m| !after.contains(m)).collect();
        if gone.is_empty() {
            return;
        }
        self.notes.retain(|n| !gone.contains(&&n.id));
        self.comments.retain(|c| {
            !gone.contains(&&c.id) && !c.parent.as_ref().is_some_and(|p| gone.contains(&p))
        });
    }
}

#[cfg(test)]
pub(crate) mod tests;
