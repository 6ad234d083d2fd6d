//! Given/when/then: comments and notes.

use crate::command::*;
use crate::decide::tests::{create, given, para, when};
use crate::error::DocumentError;
use crate::model::{Author, Document, NoteKind};

pub(crate) fn by(actor: &str, admin: bool) -> Option<Stamp> {
    Some(Stamp {
        author: Author::named(&format!("User {actor}"), actor),
        date: "2026-12-07T10:00:00Z".into(),
        admin,
        reason: None,
    })
}

fn comment(start: Option<usize>, end: Option<usize>, text: &str, actor: &str) -> DocumentCommand {
    DocumentCommand::AddComment(AddComment {
        block_index: Some(0),
        start,
        end,
        text: Some(text.into()),
        by: by(actor, false),
        ..AddComment::default()
    })
}

fn anchor(doc: &Document, id: &str) -> (usize, usize, String) {
    let a = doc.comment_anchor(id).expect("anchored");
    let text: String = a
        .block
        .text()
        .chars()
        .skip(a.start)
        .take(a.end - a.start)
        .collect();
    (a.start, a.end, text)
}

fn delete_text(start: usize, end: usize) -> DocumentCommand {
    DocumentCommand::DeleteText(DeleteText {
        block_id: None,
        block_index: Some(0),
        offset: start,
        length: end - start,
    })
}

#[test]
fn a_comment_anchors_to_a_range_that_moves_with_edits() {
    let doc = given(&[create(), para("Pay within thirty days.")]);
    let doc = when(&doc, comment(Some(11), Some(22), "Too short?", "user:ada")).unwrap();
    assert_eq!(anchor(&doc, "c1"), (11, 22, "thirty days".into()));
    let c = doc.comment("c1").unwrap();
    assert_eq!(c.author.name, "User user:ada");
    assert_eq!(c.author.initials, "UU");
    assert_eq!(c.date, "2026-12-07T10:00:00Z");
    // Typed before it moves it; typed inside grows it; typed at its end stays outside.
    let insert = |offset, text: &str| {
        DocumentCommand::InsertText(InsertText {
            block_id: None,
            block_index: Some(0),
            offset,
            text: text.into(),
        })
    };
    let doc = when(&doc, insert(0, "Please ")).unwrap();
    let doc = when(&doc, insert(24, " (30)")).unwrap();
    let doc = when(&doc, insert(34, "!")).unwrap();
    assert_eq!(anchor(&doc, "c1"), (18, 34, "thirty (30) days".into()));
    assert_eq!(doc.blocks[0].text(), "Please Pay within thirty (30) days!.");
}

#[test]
fn deleting_the_anchored_text_leaves_the_comment_at_that_point() {
    let doc = given(&[create(), para("abc XYZ def")]);
    let doc = when(&doc, comment(Some(4), Some(7), "why?", "user:ada")).unwrap();
    let doc = when(&doc, delete_text(2, 9)).unwrap();
    assert_eq!(doc.blocks[0].text(), "abef");
    assert_eq!(anchor(&doc, "c1"), (2, 2, String::new()));
    assert!(doc.comment("c1").unwrap().ranged);
    // Text typed at the point does not join it; deleting around it keeps it.
    let doc = when(
        &doc,
        DocumentCommand::InsertText(InsertText {
            block_id: None,
            block_index: Some(0),
            offset: 2,
            text: "--".into(),
        }),
    )
    .unwrap();
    assert_eq!(anchor(&doc, "c1").2, "");
    let doc = when(&doc, delete_text(0, 6)).unwrap();
    assert_eq!(doc.blocks[0].text(), "");
    assert_eq!(anchor(&doc, "c1"), (0, 0, String::new()));
    // Deleting the paragraph takes its comments with it.
    let doc = when(
        &doc,
        DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(0),
        }),
    )
    .unwrap();
    assert!(doc.comments.is_empty());
}

#[test]
fn threads_reply_resolve_reopen_and_delete() {
    let doc = given(&[create(), para("Clause one.")]);
    let doc = when(&doc, comment(None, None, "Root", "user:ada")).unwrap();
    let reply = |id: &str, text: &str, actor: &str| {
        DocumentCommand::ReplyToComment(ReplyToComment {
            comment_id: id.into(),
            text: Some(text.into()),
            by: by(actor, false),
            ..ReplyToComment::default()
        })
    };
    let doc = when(&doc, reply("c1", "Agreed", "user:bob")).unwrap();
    // A reply to a reply joins the thread.
    let doc = when(&doc, reply("c2", "Thanks", "user:ada")).unwrap();
    let parents: Vec<Option<&str>> = doc.comments.iter().map(|c| c.parent.as_deref()).collect();
    assert_eq!(parents, [None, Some("c1"), Some("c1")]);
    let resolve = |id: &str| {
        DocumentCommand::ResolveComment(ResolveComment {
            comment_id: id.into(),
        })
    };
    let doc = when(&doc, resolve("c3")).unwrap();
    assert!(doc.comment("c1").unwrap().resolved);
    // Resolving a resolved thread changes nothing.
    assert!(
        doc.decide(&resolve("c1"), &crate::decide::Limits::default())
            .unwrap()
            .is_empty()
    );
    let doc = when(
        &doc,
        DocumentCommand::ReopenComment(ReopenComment {
            comment_id: "c1".into(),
        }),
    )
    .unwrap();
    assert!(!doc.comment("c1").unwrap().resolved);
    // Deleting a reply keeps the thread; deleting the root takes its replies.
    let delete = |id: &str| {
        DocumentCommand::DeleteComment(DeleteComment {
            comment_id: id.into(),
        })
    };
    let doc = when(&doc, delete("c2")).unwrap();
    assert_eq!(doc.comments.len(), 2);
    let doc = when(&doc, delete("c1")).unwrap();
    assert!(doc.comments.is_empty());
    assert!(
        doc.blocks[0]
            .runs()
            .iter()
            .all(|r| r.format.comments.is_empty())
    );
    // Ids are never reused.
    let doc = when(&doc, comment(None, None, "Again", "user:ada")).unwrap();
    assert_eq!(doc.comments[0].id, "c4");
    let err = when(&doc, delete("c1")).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("comment_id"));
}

#[test]
fn only_the_author_or_an_admin_edits_a_comment() {
    let doc = given(&[create(), para("Text")]);
    let doc = when(&doc, comment(None, None, "Mine", "user:ada")).unwrap();
    let edit = |actor: &str, admin: bool| {
        DocumentCommand::EditComment(EditComment {
            comment_id: "c1".into(),
            text: Some(format!("edited by {actor}")),
            by: by(actor, admin),
            ..EditComment::default()
        })
    };
    assert!(matches!(
        when(&doc, edit("user:bob", false)).unwrap_err(),
        DocumentError::NotCommentAuthor { .. }
    ));
    let doc = when(&doc, edit("user:ada", false)).unwrap();
    let doc = when(&doc, edit("user:root", true)).unwrap();
    assert_eq!(
        crate::model::paragraphs_text(&doc.comment("c1").unwrap().paragraphs),
        "edited by user:root"
    );
}

#[test]
fn bad_comment_input_names_the_field() {
    let doc = given(&[
        create(),
        para("Text"),
        DocumentCommand::AddPageBreak(AddPageBreak::default()),
    ]);
    let cases = [
        (comment(Some(3), Some(9), "x", "user:a"), "end"),
        (comment(Some(3), Some(2), "x", "user:a"), "start"),
        (comment(None, None, "  ", "user:a"), "text"),
        (comment(None, None, "a\u{1}b", "user:a"), "text"),
        (
            comment(
                None,
                None,
                &"x".repeat(super::MAX_REVIEW_TEXT_CHARS + 1),
                "user:a",
            ),
            "text",
        ),
    ];
    for (command, field) in cases {
        let err = when(&doc, command).unwrap_err();
        assert_eq!(err.field().as_deref(), Some(field), "{err:?}");
    }
    let on_table = DocumentCommand::AddComment(AddComment {
        block_index: Some(1),
        text: Some("x".into()),
        by: by("user:a", false),
        ..AddComment::default()
    });
    assert_eq!(
        when(&doc, on_table).unwrap_err().field().as_deref(),
        Some("block_id")
    );
    let unstamped = DocumentCommand::AddComment(AddComment {
        block_index: Some(0),
        text: Some("x".into()),
        ..AddComment::default()
    });
    assert!(when(&doc, unstamped).is_err());
}

#[test]
fn notes_are_atomic_marks_numbered_in_document_order() {
    let doc = given(&[create(), para("First."), para("Second.")]);
    let note = |index: usize, offset: Option<usize>, text: &str, endnote: bool| {
        if endnote {
            DocumentCommand::AddEndnote(AddEndnote {
                block_index: Some(index),
                offset,
                text: Some(text.into()),
                ..AddEndnote::default()
            })
        } else {
            DocumentCommand::AddFootnote(AddFootnote {
                block_index: Some(index),
                offset,
                text: Some(text.into()),
                ..AddFootnote::default()
            })
        }
    };
    let doc = when(&doc, note(1, None, "later", false)).unwrap();
    let doc = when(&doc, note(0, Some(5), "earlier", false)).unwrap();
    let doc = when(&doc, note(0, None, "an endnote", true)).unwrap();
    assert_eq!(doc.blocks[0].text(), "First\u{FFFC}.\u{FFFC}");
    let numbers = doc.note_numbers();
    assert_eq!(numbers["f2"], 1);
    assert_eq!(numbers["f1"], 2);
    assert_eq!(numbers["e3"], 1);
    assert_eq!(doc.note("e3").unwrap().kind, NoteKind::Endnote);
    // Text typed after a mark is plain text, not part of it.
    let doc = when(
        &doc,
        DocumentCommand::InsertText(InsertText {
            block_id: None,
            block_index: Some(0),
            offset: 6,
            text: "x".into(),
        }),
    )
    .unwrap();
    assert_eq!(doc.blocks[0].text(), "First\u{FFFC}x.\u{FFFC}");
    // Deleting the mark deletes the note; edit_note changes the text; delete_note both.
    let doc = when(&doc, delete_text(5, 6)).unwrap();
    assert!(doc.note("f2").is_none());
    let doc = when(
        &doc,
        DocumentCommand::EditNote(EditNote {
            note_id: "f1".into(),
            text: Some("changed".into()),
            ..EditNote::default()
        }),
    )
    .unwrap();
    assert_eq!(
        crate::model::paragraphs_text(&doc.note("f1").unwrap().paragraphs),
        "changed"
    );
    let doc = when(
        &doc,
        DocumentCommand::DeleteNote(DeleteNote {
            note_id: "f1".into(),
        }),
    )
    .unwrap();
    assert_eq!(doc.blocks[1].text(), "Second.");
    assert_eq!(doc.notes.len(), 1);
    let err = when(&doc, note(0, Some(99), "x", false)).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("offset"));
}

#[test]
fn update_paragraph_keeps_marks_where_the_text_did_not_change() {
    let doc = given(&[create(), para("Pay in 30 days. Interest applies.")]);
    let doc = when(&doc, comment(Some(16), Some(33), "which rate?", "user:ada")).unwrap();
    let doc = when(&doc, comment(Some(7), Some(9), "number", "user:ada")).unwrap();
    let doc = when(
        &doc,
        DocumentCommand::AddFootnote(AddFootnote {
            block_index: Some(0),
            offset: Some(15),
            text: Some("See the schedule.".into()),
            ..AddFootnote::default()
        }),
    )
    .unwrap();
    let text = doc.blocks[0].text();
    let update = |text: String| {
        DocumentCommand::UpdateParagraph(UpdateParagraph {
            block_index: Some(0),
            text: Some(text),
            ..UpdateParagraph::default()
        })
    };
    let doc = when(&doc, update(text.replace("30", "45"))).unwrap();
    assert_eq!(anchor(&doc, "c2").2, "45");
    assert_eq!(anchor(&doc, "c1").2, "Interest applies.");
    assert_eq!(doc.note_references().len(), 1);
    // Dropping the mark's character drops the note.
    let doc = when(&doc, update("Pay in 45 days. Interest applies.".into())).unwrap();
    assert!(doc.notes.is_empty());
    assert_eq!(anchor(&doc, "c1").2, "Interest applies.");
}

#[test]
fn a_revert_brings_comments_and_notes_back() {
    let doc = given(&[create(), para("Text")]);
    let doc = when(&doc, comment(None, None, "keep", "user:ada")).unwrap();
    let at = doc.version.get();
    let past = doc.clone();
    let doc = when(
        &doc,
        DocumentCommand::DeleteComment(DeleteComment {
            comment_id: "c1".into(),
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::RevertToVersion(RevertToVersion {
            version: VersionRef::Number(at),
            target: Some(Box::new(RevertTarget {
                version: at,
                document: past.clone(),
            })),
        }),
    )
    .unwrap();
    assert_eq!(doc.comments, past.comments);
    assert_eq!(anchor(&doc, "c1").2, "Text");
}

#[test]
fn comments_replies_and_notes_have_limits() {
    let doc = given(&[create(), para("Text")]);
    let mut doc = when(&doc, comment(None, None, "Root", "user:ada")).unwrap();
    let reply = |n: usize| crate::model::Comment {
        id: format!("c{}", n + 2),
        parent: Some("c1".into()),
        ..doc.comments[0].clone()
    };
    let replies: Vec<_> = (0..super::MAX_REPLIES).map(reply).collect();
    doc.comments.extend(replies);
    let err = when(
        &doc,
        DocumentCommand::ReplyToComment(ReplyToComment {
            comment_id: "c1".into(),
            text: Some("one more".into()),
            by: by("user:bob", false),
            ..ReplyToComment::default()
        }),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::TooLarge {
                what: "replies",
                ..
            }
        ),
        "{err:?}"
    );
    let root = doc.comments[0].clone();
    doc.comments = (0..super::MAX_COMMENTS)
        .map(|n| crate::model::Comment {
            id: format!("c{}", n + 1),
            ..root.clone()
        })
        .collect();
    let err = when(&doc, comment(None, None, "too many", "user:ada")).unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::TooLarge {
                what: "comments",
                ..
            }
        ),
        "{err:?}"
    );
    doc.notes = (0..super::MAX_NOTES)
        .map(|n| crate::model::Note {
            id: format!("f{}", n + 1),
            kind: NoteKind::Footnote,
            paragraphs: Vec::new(),
        })
        .collect();
    let err = when(
        &doc,
        DocumentCommand::AddFootnote(AddFootnote {
            block_index: Some(0),
            text: Some("x".into()),
            ..AddFootnote::default()
        }),
    )
    .unwrap_err();
    assert!(
        matches!(err, DocumentError::TooLarge { what: "notes", .. }),
        "{err:?}"
    );
}

#[test]
fn a_stale_comment_is_rebased_with_its_author() {
    let old = given(&[create(), para("First."), para("Second.")]);
    let mut now = old.clone();
    let since = now
        .decide(
            &DocumentCommand::InsertText(InsertText {
                block_id: None,
                block_index: Some(1),
                offset: 0,
                text: "The ".into(),
            }),
            &crate::decide::Limits::default(),
        )
        .unwrap();
    for e in &since {
        now.apply(e);
    }
    let rebased = crate::rebase::rebase(
        &old,
        &since,
        &now,
        &[comment(Some(0), Some(5), "On the first.", "user:ada")],
        &crate::decide::Limits::default(),
    )
    .expect("an edit of another block commutes");
    assert_eq!(rebased[0].stamp().cloned().flatten(), by("user:ada", false));
    let doc = when(&now, rebased[0].clone()).unwrap();
    assert_eq!(anchor(&doc, "c1").2, "First");
}
