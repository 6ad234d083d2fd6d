//! Given/when/then: suggestions made, moved by edits, accepted, rejected, stale.

use proptest::prelude::*;

use crate::command::*;
use crate::decide::tests::{create, given, para, when};
use crate::error::DocumentError;
use crate::features::review::tests::by;
use crate::model::{Document, SuggestionStatus};

fn suggest(command: DocumentCommand, actor: &str) -> DocumentCommand {
    DocumentCommand::Suggest(Suggest {
        command: Box::new(command),
        by: by(actor, false),
    })
}

fn insert(index: usize, offset: usize, text: &str) -> DocumentCommand {
    DocumentCommand::InsertText(InsertText {
        block_id: None,
        block_index: Some(index),
        offset,
        text: text.into(),
    })
}

fn delete(index: usize, offset: usize, length: usize) -> DocumentCommand {
    DocumentCommand::DeleteText(DeleteText {
        block_id: None,
        block_index: Some(index),
        offset,
        length,
    })
}

fn accept(id: &str) -> DocumentCommand {
    DocumentCommand::AcceptSuggestion(AcceptSuggestion {
        suggestion_id: id.into(),
        by: by("user:editor", false),
    })
}

fn reject(id: &str) -> DocumentCommand {
    DocumentCommand::RejectSuggestion(RejectSuggestion {
        suggestion_id: id.into(),
        by: by("user:editor", false),
    })
}

fn text(doc: &Document, index: usize) -> String {
    doc.blocks[index].text()
}

#[test]
fn a_suggestion_changes_nothing_until_accepted_where_its_text_went() {
    let doc = given(&[create(), para("Pay within thirty days.")]);
    let doc = when(&doc, suggest(insert(0, 22, " of delivery"), "user:agent")).unwrap();
    assert_eq!(text(&doc, 0), "Pay within thirty days.");
    let s = doc.suggestion("s1").unwrap();
    assert_eq!(
        (s.kind.as_str(), s.status),
        ("insert_text", SuggestionStatus::Open)
    );
    assert_eq!(s.author.actor, "user:agent");
    // An edit before it moves its anchor.
    let doc = when(&doc, insert(0, 0, "Please ")).unwrap();
    let doc = when(&doc, accept("s1")).unwrap();
    assert_eq!(text(&doc, 0), "Please Pay within thirty days of delivery.");
    let s = doc.suggestion("s1").unwrap();
    assert_eq!(s.status, SuggestionStatus::Accepted);
    assert_eq!(s.decided_by.as_ref().unwrap().actor, "user:editor");
    assert!(
        doc.blocks[0]
            .runs()
            .iter()
            .all(|r| r.format.suggestions.is_empty())
    );
    // Decided once.
    let err = when(&doc, accept("s1")).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("suggestion_id"));
}

#[test]
fn a_deletion_suggested_then_rejected_leaves_the_text() {
    let doc = given(&[create(), para("Keep this and that.")]);
    let doc = when(&doc, suggest(delete(0, 9, 9), "user:agent")).unwrap();
    assert_eq!(
        doc.suggestion_texts(doc.suggestion("s1").unwrap()).0,
        " and that"
    );
    let doc = when(&doc, reject("s1")).unwrap();
    assert_eq!(text(&doc, 0), "Keep this and that.");
    assert_eq!(
        doc.suggestion("s1").unwrap().status,
        SuggestionStatus::Rejected
    );
    assert!(
        doc.blocks[0]
            .runs()
            .iter()
            .all(|r| r.format.suggestions.is_empty())
    );
}

#[test]
fn a_suggestion_whose_text_went_is_stale_and_refused() {
    let doc = given(&[create(), para("abc def ghi")]);
    let doc = when(&doc, suggest(delete(0, 4, 3), "user:agent")).unwrap();
    let doc = when(&doc, delete(0, 3, 5)).unwrap();
    let s = doc.suggestion("s1").unwrap().clone();
    assert!(doc.suggestion_stale(&s).is_some());
    let err = when(&doc, accept("s1")).unwrap_err();
    assert!(
        matches!(err, DocumentError::SuggestionStale { .. }),
        "{err:?}"
    );
    // Rejecting a stale one is fine.
    when(&doc, reject("s1")).unwrap();
}

#[test]
fn block_suggestions_and_replace_apply_as_they_stand() {
    let doc = given(&[create(), para("one fee"), para("two fee"), para("gone")]);
    let doc = when(
        &doc,
        suggest(
            DocumentCommand::AddParagraph(AddParagraph {
                text: Some("inserted".into()),
                position: Some(Position {
                    index: Some(1),
                    ..Position::default()
                }),
                ..AddParagraph::default()
            }),
            "user:a",
        ),
    )
    .unwrap();
    let doc = when(
        &doc,
        suggest(
            DocumentCommand::DeleteBlock(DeleteBlock {
                block_id: None,
                block_index: Some(2),
            }),
            "user:b",
        ),
    )
    .unwrap();
    let doc = when(
        &doc,
        suggest(
            DocumentCommand::ReplaceText(ReplaceText {
                find: "fee".into(),
                replace: "charge".into(),
                match_case: false,
                whole_word: true,
            }),
            "user:a",
        ),
    )
    .unwrap();
    assert_eq!(doc.blocks.len(), 3, "nothing changed yet");
    // A paragraph added before "two fee" meanwhile: the suggestion still goes before it.
    let doc = when(
        &doc,
        DocumentCommand::AddParagraph(AddParagraph {
            text: Some("first".into()),
            position: Some(Position {
                index: Some(0),
                ..Position::default()
            }),
            ..AddParagraph::default()
        }),
    )
    .unwrap();
    let all = DocumentCommand::AcceptAllSuggestions(AcceptAllSuggestions {
        author: Some("User user:a".into()),
        by: by("user:editor", false),
    });
    let doc = when(&doc, all).unwrap();
    let texts: Vec<String> = doc.blocks.iter().map(|b| b.text()).collect();
    assert_eq!(
        texts,
        ["first", "one charge", "inserted", "two charge", "gone"]
    );
    assert_eq!(doc.suggestion("s2").unwrap().status, SuggestionStatus::Open);
    let doc = when(
        &doc,
        DocumentCommand::RejectAllSuggestions(RejectAllSuggestions {
            author: None,
            by: by("user:editor", false),
        }),
    )
    .unwrap();
    assert_eq!(
        doc.suggestion("s2").unwrap().status,
        SuggestionStatus::Rejected
    );
    assert_eq!(doc.blocks.len(), 5);
}

#[test]
fn what_cannot_be_suggested_is_refused_and_a_bad_suggestion_as_the_command_would_be() {
    let doc = given(&[create(), para("x")]);
    let err = when(
        &doc,
        suggest(
            DocumentCommand::SetTitle(SetTitle { title: "t".into() }),
            "user:a",
        ),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("suggest"));
    let err = when(&doc, suggest(delete(0, 0, 9), "user:a")).unwrap_err();
    assert!(
        matches!(err, DocumentError::TextRangeOutOfBounds { .. }),
        "{err:?}"
    );
    let err = when(&doc, accept("s7")).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("suggestion_id"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Edits of different paragraphs suggested then all accepted give the document the
    /// same edits made directly give (the ids of new blocks aside).
    #[test]
    fn accepting_everything_equals_the_edits(edits in prop::collection::vec((0usize..4, 0usize..6, "[a-z ]{1,5}", any::<bool>()), 1..4)) {
        let base = given(&[create(), para("alpha beta"), para("gamma delta"), para("epsilon"), para("zeta eta")]);
        // One edit per paragraph, so none overlaps another.
        let mut seen = std::collections::HashSet::new();
        let commands: Vec<DocumentCommand> = edits
            .into_iter()
            .filter(|(block, ..)| seen.insert(*block))
            .map(|(block, at, t, is_insert)| {
                let len = base.blocks[block].text().chars().count();
                if is_insert {
                    insert(block, at.min(len), &t)
                } else {
                    delete(block, at.min(len - 1), 1)
                }
            })
            .collect();
        let mut direct = base.clone();
        for c in &commands {
            direct = when(&direct, c.clone()).unwrap();
        }
        let mut suggested = base.clone();
        for c in &commands {
            suggested = when(&suggested, suggest(c.clone(), "user:agent")).unwrap();
        }
        let (viewed, _) = suggested.with_suggestions_accepted(&|_| true);
        let accepted = when(&suggested, DocumentCommand::AcceptAllSuggestions(AcceptAllSuggestions {
            author: None,
            by: by("user:editor", false),
        })).unwrap();
        let texts = |d: &Document| d.blocks.iter().map(|b| b.text()).collect::<Vec<_>>();
        prop_assert_eq!(texts(&accepted), texts(&direct));
        prop_assert_eq!(texts(&viewed), texts(&direct));
    }
}
