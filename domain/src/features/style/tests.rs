//! Given/when/then: this feature's rules.

use crate::command::*;
use crate::decide::tests::{create, given, para, when};
use crate::model::{Block, StyleKind};

fn create_style(name: &str, kind: StyleKind) -> DocumentCommand {
    DocumentCommand::CreateStyle(CreateStyle {
        name: name.into(),
        kind,
        bold: Some(true),
        ..CreateStyle::default()
    })
}

fn apply(index: usize, style: &str) -> DocumentCommand {
    DocumentCommand::ApplyStyle(ApplyStyle {
        block_index: Some(index),
        style_id: style.into(),
        ..ApplyStyle::default()
    })
}

#[test]
fn styles_are_created_applied_and_only_deleted_when_unused() {
    let doc = given(&[
        create(),
        para("clause"),
        create_style("Legal Clause", StyleKind::Paragraph),
        create_style("Defined Term", StyleKind::Character),
    ]);
    assert_eq!(doc.styles[0].style_id, "LegalClause");
    let doc = when(&doc, apply(0, "LegalClause")).unwrap();
    let doc = when(
        &doc,
        DocumentCommand::ApplyStyle(ApplyStyle {
            block_index: Some(0),
            style_id: "DefinedTerm".into(),
            start: Some(0),
            end: Some(3),
            ..ApplyStyle::default()
        }),
    )
    .unwrap();
    let Block::Paragraph(p) = &doc.blocks[0] else {
        panic!()
    };
    assert_eq!(p.style.as_deref(), Some("LegalClause"));
    assert_eq!(p.runs[0].format.style.as_deref(), Some("DefinedTerm"));
    assert_eq!(p.runs[0].text, "cla");
    let delete = |id: &str| {
        DocumentCommand::DeleteStyle(DeleteStyle {
            style_id: id.into(),
        })
    };
    assert!(when(&doc, delete("LegalClause")).is_err(), "in use");
    let styled_run = |style: &str| {
        DocumentCommand::AddParagraph(AddParagraph {
            runs: Some(vec![RunInput {
                text: "x".into(),
                style: Some(style.into()),
                ..RunInput::default()
            }]),
            ..AddParagraph::default()
        })
    };
    assert!(when(&doc, styled_run("DefinedTerm")).is_ok());
    for bad in ["Missing", "LegalClause", "Hyperlink"] {
        let err = when(&doc, styled_run(bad)).unwrap_err();
        assert_eq!(err.field().as_deref(), Some("runs.0.style"), "{bad}");
    }
    assert!(when(&doc, delete("Quote")).is_err(), "built-in");
    let doc = when(&doc, apply(0, "Normal")).unwrap();
    let doc = when(&doc, delete("LegalClause")).unwrap();
    assert_eq!(doc.styles.len(), 1);
}

#[test]
fn a_document_holds_at_most_five_hundred_styles_of_its_own() {
    let mut doc = given(&[create()]);
    let first = given(&[create(), create_style("S", StyleKind::Paragraph)]).styles[0].clone();
    doc.styles = (0..super::MAX_STYLES)
        .map(|i| crate::model::StyleDef {
            style_id: format!("S{i}"),
            name: format!("S {i}"),
            ..first.clone()
        })
        .collect();
    let err = when(&doc, create_style("One more", StyleKind::Paragraph)).unwrap_err();
    assert!(
        matches!(
            err,
            crate::error::DocumentError::TooLarge { what: "styles", .. }
        ),
        "{err:?}"
    );
}

#[test]
fn based_on_must_exist_match_the_kind_and_never_loop() {
    let doc = given(&[
        create(),
        create_style("A", StyleKind::Paragraph),
        DocumentCommand::CreateStyle(CreateStyle {
            name: "B".into(),
            kind: StyleKind::Paragraph,
            based_on: Some("A".into()),
            ..CreateStyle::default()
        }),
    ]);
    let update = |based_on: &str| {
        DocumentCommand::UpdateStyle(UpdateStyle {
            style_id: "A".into(),
            based_on: Some(based_on.into()),
            ..UpdateStyle::default()
        })
    };
    assert!(when(&doc, update("B")).is_err(), "A → B → A");
    assert!(when(&doc, update("A")).is_err(), "A → A");
    assert!(
        when(&doc, update("Hyperlink")).is_err(),
        "a character style"
    );
    assert!(when(&doc, update("Missing")).is_err());
    let doc = when(&doc, update("Quote")).unwrap();
    assert_eq!(doc.styles[0].based_on.as_deref(), Some("Quote"));
}

#[test]
fn names_ids_and_kinds_are_checked() {
    let doc = given(&[create(), para("p")]);
    for bad in [
        create_style("", StyleKind::Paragraph),
        create_style("Quote", StyleKind::Paragraph),
        create_style("heading 1", StyleKind::Paragraph),
        create_style("!!!", StyleKind::Paragraph),
        DocumentCommand::CreateStyle(CreateStyle {
            style_id: Some("a b".into()),
            name: "x".into(),
            kind: StyleKind::Paragraph,
            ..CreateStyle::default()
        }),
        DocumentCommand::CreateStyle(CreateStyle {
            name: "x".into(),
            kind: StyleKind::Character,
            spacing_before: Some(3.0),
            ..CreateStyle::default()
        }),
        apply(0, "TableGrid"),
        apply(0, "Heading1"),
        apply(0, "Missing"),
    ] {
        assert!(when(&doc, bad.clone()).is_err(), "{bad:?}");
    }
}

// See: issue 11: a built-in style is redefined over Word's definition; deleting the
// redefinition brings Word's back.
#[test]
fn built_in_styles_can_be_redefined_and_reset() {
    let doc = given(&[create(), para("Body text")]);
    let update =
        |json: serde_json::Value| -> DocumentCommand { serde_json::from_value(json).unwrap() };
    let doc = when(
        &doc,
        update(
            serde_json::json!({"type": "update_style", "style_id": "Normal",
            "font": "Georgia", "size_pt": 12}),
        ),
    )
    .unwrap();
    let normal = doc.styles.iter().find(|s| s.style_id == "Normal").unwrap();
    assert_eq!(normal.font.as_deref(), Some("Georgia"));
    assert_eq!(normal.name, "Normal");
    let doc = when(
        &doc,
        update(
            serde_json::json!({"type": "update_style", "style_id": "Heading1", "color": "1F4E79"}),
        ),
    )
    .unwrap();
    assert_eq!(doc.styles.len(), 2);
    for refused in [
        serde_json::json!({"type": "update_style", "style_id": "Normal", "name": "Body"}),
        serde_json::json!({"type": "update_style", "style_id": "Quote", "based_on": "Title"}),
    ] {
        assert!(when(&doc, update(refused)).is_err());
    }
    let doc = when(
        &doc,
        update(serde_json::json!({"type": "delete_style", "style_id": "Normal"})),
    )
    .unwrap();
    assert_eq!(doc.styles.len(), 1, "Word's Normal is back");
    assert!(
        when(
            &doc,
            update(serde_json::json!({"type": "delete_style", "style_id": "Title"}))
        )
        .is_err(),
        "an unchanged built-in cannot be deleted"
    );
}
