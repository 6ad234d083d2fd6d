//! Given/when/then tests of the rules, and properties over random command sequences.

use proptest::prelude::*;

use super::*;
use crate::command::*;
use crate::ids::DocumentId;
use crate::model::{Alignment, ListKind};

fn limits() -> Limits {
    Limits::default()
}

/// Given these commands applied in order (each must succeed).
fn given(commands: &[DocumentCommand]) -> Document {
    let mut doc = Document::default();
    for c in commands {
        for e in doc.decide(c, &limits()).expect("given commands apply") {
            doc.apply(&e);
        }
    }
    doc
}

fn create() -> DocumentCommand {
    DocumentCommand::CreateDocument(CreateDocument {
        document_id: DocumentId::new("d1"),
        title: "Doc".into(),
    })
}

fn para(text: &str) -> DocumentCommand {
    DocumentCommand::AddParagraph(AddParagraph {
        text: Some(text.into()),
        ..AddParagraph::default()
    })
}

fn when(doc: &Document, c: DocumentCommand) -> Result<Document, DocumentError> {
    let (_, state) = doc.decide_batch(&[c], &limits()).map_err(|(_, e)| e)?;
    Ok(state)
}

#[test]
fn creation_is_version_one_and_block_ids_follow_the_sequence() {
    let doc = given(&[create(), para("a"), para("b")]);
    assert_eq!(doc.version.get(), 3);
    let ids: Vec<_> = doc.blocks.iter().map(|b| b.id().to_string()).collect();
    assert_eq!(ids, vec!["b2", "b3"]);
}

#[test]
fn commands_on_a_missing_document_are_not_found() {
    let err = when(&Document::default(), para("x")).unwrap_err();
    assert_eq!(err, DocumentError::DocumentNotFound);
}

#[test]
fn creating_twice_is_refused() {
    let doc = given(&[create()]);
    assert_eq!(
        when(&doc, create()).unwrap_err(),
        DocumentError::DocumentAlreadyExists
    );
}

#[test]
fn an_archived_document_accepts_no_commands() {
    let doc = given(&[
        create(),
        DocumentCommand::ArchiveDocument(ArchiveDocument {}),
    ]);
    assert_eq!(
        when(&doc, para("x")).unwrap_err(),
        DocumentError::DocumentArchived
    );
}

#[test]
fn positions_place_blocks() {
    let doc = given(&[create(), para("a"), para("c")]);
    let doc = when(
        &doc,
        DocumentCommand::AddParagraph(AddParagraph {
            text: Some("b".into()),
            position: Some(Position {
                after: Some(BlockId::new("b2")),
                ..Position::default()
            }),
            ..AddParagraph::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::AddHeading(AddHeading {
            text: "T".into(),
            level: 1,
            position: Some(Position {
                at: Some(PositionAt::Start),
                ..Position::default()
            }),
        }),
    )
    .unwrap();
    let texts: Vec<_> = doc.blocks.iter().map(Block::text).collect();
    assert_eq!(texts, vec!["T", "a", "b", "c"]);
}

#[test]
fn two_position_fields_are_refused() {
    let doc = given(&[create(), para("a")]);
    let err = when(
        &doc,
        DocumentCommand::AddPageBreak(AddPageBreak {
            position: Some(Position {
                index: Some(0),
                at: Some(PositionAt::End),
                ..Position::default()
            }),
        }),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("position"));
}

#[test]
fn unknown_block_is_a_typed_error() {
    let doc = given(&[create(), para("a")]);
    let err = when(
        &doc,
        DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: Some(BlockId::new("nope")),
            block_index: None,
        }),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DocumentError::BlockNotFound {
            block_id: BlockId::new("nope"),
            field: "block_id"
        }
    );
}

#[test]
fn block_index_resolves_at_the_current_version() {
    let doc = given(&[create(), para("a"), para("b")]);
    let doc = when(
        &doc,
        DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(0),
        }),
    )
    .unwrap();
    assert_eq!(doc.plain_text(), "b\n");
    let err = when(
        &doc,
        DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(5),
        }),
    )
    .unwrap_err();
    assert_eq!(
        err,
        DocumentError::BlockIndexOutOfRange { index: 5, len: 1 }
    );
}

#[test]
fn insert_and_delete_text_check_their_ranges() {
    let doc = given(&[create(), para("hello")]);
    let target = Some(BlockId::new("b2"));
    let doc2 = when(
        &doc,
        DocumentCommand::InsertText(InsertText {
            block_id: target.clone(),
            block_index: None,
            offset: 5,
            text: " world".into(),
        }),
    )
    .unwrap();
    assert_eq!(doc2.blocks[0].text(), "hello world");
    let err = when(
        &doc,
        DocumentCommand::DeleteText(DeleteText {
            block_id: target,
            block_index: None,
            offset: 3,
            length: 3,
        }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "range_out_of_bounds");
}

#[test]
fn replace_text_reaches_tables_and_lists() {
    let doc = given(&[
        create(),
        para("the cat"),
        DocumentCommand::AddTable(AddTable {
            data: Some(vec![vec!["cat".into(), "dog".into()]]),
            ..AddTable::default()
        }),
        DocumentCommand::AddList(AddList {
            kind: ListKind::Bullet,
            items: vec![ListItemInput::Text("a Cat".into())],
            position: None,
        }),
    ]);
    let doc = when(
        &doc,
        DocumentCommand::ReplaceText(ReplaceText {
            find: "cat".into(),
            replace: "lion".into(),
            match_case: false,
            whole_word: true,
        }),
    )
    .unwrap();
    assert_eq!(doc.plain_text(), "the lion\nlion\tdog\na lion\n");
}

#[test]
fn replace_without_matches_produces_no_event() {
    let doc = given(&[create(), para("x")]);
    let events = doc
        .decide(
            &DocumentCommand::ReplaceText(ReplaceText {
                find: "zzz".into(),
                replace: "y".into(),
                match_case: true,
                whole_word: false,
            }),
            &limits(),
        )
        .unwrap();
    assert!(events.is_empty());
}

#[test]
fn format_text_splits_runs_and_validates_colour() {
    let doc = given(&[create(), para("hello world")]);
    let fmt = |color: &str| {
        DocumentCommand::FormatText(FormatText {
            block_id: Some(BlockId::new("b2")),
            block_index: None,
            start: 0,
            end: Some(5),
            bold: Some(true),
            italic: None,
            underline: None,
            strike: None,
            font: None,
            size_pt: None,
            color: Some(color.into()),
            highlight: None,
        })
    };
    let doc2 = when(&doc, fmt("#ff0000")).unwrap();
    let Block::Paragraph(p) = &doc2.blocks[0] else {
        panic!("paragraph expected")
    };
    assert_eq!(p.runs.len(), 2);
    assert!(p.runs[0].format.bold);
    assert_eq!(p.runs[0].format.color.as_deref(), Some("FF0000"));
    assert_eq!(
        when(&doc, fmt("red")).unwrap_err().field().as_deref(),
        Some("color")
    );
}

#[test]
fn tables_grow_and_shrink() {
    let doc = given(&[
        create(),
        DocumentCommand::AddTable(AddTable {
            rows: Some(2),
            cols: Some(2),
            ..AddTable::default()
        }),
    ]);
    let id = Some(BlockId::new("b2"));
    let doc = when(
        &doc,
        DocumentCommand::AddTableRow(AddTableRow {
            block_id: id.clone(),
            row: Some(0),
            data: Some(vec!["h1".into(), "h2".into()]),
            ..AddTableRow::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::AddTableColumn(AddTableColumn {
            block_id: id.clone(),
            ..AddTableColumn::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::DeleteTableRow(DeleteTableRow {
            block_id: id.clone(),
            block_index: None,
            row: 2,
        }),
    )
    .unwrap();
    let Block::Table(t) = &doc.blocks[0] else {
        panic!("table expected")
    };
    assert_eq!(t.rows, vec![vec!["h1", "h2", ""], vec!["", "", ""]]);
    let err = when(
        &doc,
        DocumentCommand::SetTableCell(SetTableCell {
            block_id: id,
            block_index: None,
            row: 9,
            col: 0,
            text: "x".into(),
        }),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("row"));
}

#[test]
fn list_levels_are_bounded() {
    let doc = given(&[
        create(),
        DocumentCommand::AddList(AddList {
            kind: ListKind::Numbered,
            items: vec![ListItemInput::Text("one".into())],
            position: None,
        }),
    ]);
    let err = when(
        &doc,
        DocumentCommand::SetListItemLevel(SetListItemLevel {
            block_id: Some(BlockId::new("b2")),
            block_index: None,
            item: 0,
            level: 9,
        }),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("level"));
}

#[test]
fn heading_levels_are_one_to_nine() {
    let doc = given(&[create()]);
    let err = when(
        &doc,
        DocumentCommand::AddHeading(AddHeading {
            text: "x".into(),
            level: 10,
            position: None,
        }),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("level"));
}

#[test]
fn control_characters_are_refused() {
    let doc = given(&[create()]);
    let err = when(&doc, para("bad\u{1}")).unwrap_err();
    assert_eq!(err.field().as_deref(), Some("text"));
}

#[test]
fn the_block_limit_is_enforced() {
    let small = Limits {
        max_blocks: 1,
        ..Limits::default()
    };
    let doc = given(&[create(), para("a")]);
    let err = doc.decide(&para("b"), &small).unwrap_err();
    assert_eq!(
        err,
        DocumentError::TooLarge {
            what: "blocks",
            limit: 1
        }
    );
}

#[test]
fn a_failing_batch_reports_the_index_and_changes_nothing() {
    let doc = given(&[create()]);
    let bad = DocumentCommand::DeleteBlock(DeleteBlock {
        block_id: Some(BlockId::new("zz")),
        block_index: None,
    });
    let (i, _) = doc.decide_batch(&[para("a"), bad], &limits()).unwrap_err();
    assert_eq!(i, 1);
    assert_eq!(doc.blocks.len(), 0);
}

#[test]
fn move_block_to_the_end() {
    let doc = given(&[create(), para("a"), para("b"), para("c")]);
    let doc = when(
        &doc,
        DocumentCommand::MoveBlock(MoveBlock {
            block_id: Some(BlockId::new("b2")),
            block_index: None,
            position: Position {
                at: Some(PositionAt::End),
                ..Position::default()
            },
        }),
    )
    .unwrap();
    assert_eq!(doc.plain_text(), "b\nc\na\n");
}

#[test]
fn commands_parse_from_wire_json_and_refuse_unknown_fields() {
    let c: DocumentCommand =
        serde_json::from_str(r#"{"type":"add_heading","text":"Hi","level":2}"#).unwrap();
    assert_eq!(c.name(), "add_heading");
    let bad =
        serde_json::from_str::<DocumentCommand>(r#"{"type":"add_heading","text":"Hi","levle":2}"#);
    assert!(bad.is_err());
    let unknown = serde_json::from_str::<DocumentCommand>(r#"{"type":"explode"}"#);
    assert!(unknown.is_err());
}

// ---- properties ----

/// A command seed: an operation and numbers that are mapped onto the current document,
/// so most generated commands are valid and some are not.
#[derive(Debug, Clone)]
struct Seed {
    op: u8,
    a: usize,
    b: usize,
    text: String,
}

fn seed() -> impl Strategy<Value = Seed> {
    (0u8..22, 0usize..12, 0usize..12, "[a-cA-C é]{0,6}").prop_map(|(op, a, b, text)| Seed {
        op,
        a,
        b,
        text,
    })
}

fn command_from(seed: &Seed, doc: &Document) -> DocumentCommand {
    let n = doc.blocks.len().max(1);
    let id = doc.blocks.get(seed.a % n).map(|b| b.id().clone());
    let t = seed.text.clone();
    match seed.op {
        0 => para(&t),
        1 => DocumentCommand::AddHeading(AddHeading {
            text: t,
            level: (seed.b % 10) as u8,
            position: Some(Position {
                index: Some(seed.a % (n + 1)),
                ..Position::default()
            }),
        }),
        2 => DocumentCommand::UpdateParagraph(UpdateParagraph {
            block_id: id,
            text: Some(t),
            ..UpdateParagraph::default()
        }),
        3 => DocumentCommand::InsertText(InsertText {
            block_id: id,
            block_index: None,
            offset: seed.b,
            text: t,
        }),
        4 => DocumentCommand::DeleteText(DeleteText {
            block_id: id,
            block_index: None,
            offset: seed.b % 4,
            length: seed.a % 4,
        }),
        5 => DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(seed.a),
        }),
        6 => DocumentCommand::MoveBlock(MoveBlock {
            block_id: id,
            block_index: None,
            position: Position {
                index: Some(seed.b % (n + 1)),
                ..Position::default()
            },
        }),
        7 => DocumentCommand::ReplaceText(ReplaceText {
            find: t.chars().take(2).collect(),
            replace: "Zz".into(),
            match_case: seed.a.is_multiple_of(2),
            whole_word: seed.b.is_multiple_of(3),
        }),
        8 => DocumentCommand::FormatText(FormatText {
            block_id: id,
            block_index: None,
            start: seed.b % 3,
            end: Some(seed.b % 3 + seed.a % 4),
            bold: Some(seed.a.is_multiple_of(2)),
            italic: Some(seed.b.is_multiple_of(2)),
            underline: None,
            strike: None,
            font: None,
            size_pt: Some(10.0 + seed.a as f32),
            color: None,
            highlight: None,
        }),
        9 => DocumentCommand::SetAlignment(SetAlignment {
            block_id: id,
            block_index: None,
            alignment: Alignment::Center,
        }),
        10 => DocumentCommand::AddTable(AddTable {
            rows: Some(seed.a % 3),
            cols: Some(seed.b % 3 + 1),
            data: Some(vec![vec![t]]),
            ..AddTable::default()
        }),
        11 => DocumentCommand::SetTableCell(SetTableCell {
            block_id: id,
            block_index: None,
            row: seed.b % 3,
            col: seed.a % 3,
            text: t,
        }),
        12 => DocumentCommand::AddTableRow(AddTableRow {
            block_id: id,
            row: Some(seed.b % 4),
            ..AddTableRow::default()
        }),
        13 => DocumentCommand::AddTableColumn(AddTableColumn {
            block_id: id,
            col: Some(seed.b % 4),
            data: Some(vec![t]),
            ..AddTableColumn::default()
        }),
        14 => DocumentCommand::DeleteTableRow(DeleteTableRow {
            block_id: id,
            block_index: None,
            row: seed.b % 4,
        }),
        15 => DocumentCommand::DeleteTableColumn(DeleteTableColumn {
            block_id: id,
            block_index: None,
            col: seed.b % 4,
        }),
        16 => DocumentCommand::AddList(AddList {
            kind: if seed.a.is_multiple_of(2) {
                ListKind::Bullet
            } else {
                ListKind::Numbered
            },
            items: vec![ListItemInput::Item {
                text: t,
                level: (seed.b % 10) as u8,
            }],
            position: None,
        }),
        17 => DocumentCommand::AddListItem(AddListItem {
            block_id: id,
            block_index: None,
            text: t,
            level: (seed.b % 3) as u8,
            item: Some(seed.b % 3),
        }),
        18 => DocumentCommand::SetListItemLevel(SetListItemLevel {
            block_id: id,
            block_index: None,
            item: seed.b % 3,
            level: (seed.a % 10) as u8,
        }),
        19 => DocumentCommand::AddPageBreak(AddPageBreak::default()),
        20 => DocumentCommand::SetTitle(SetTitle { title: t }),
        _ => DocumentCommand::SetMetadata(SetMetadata {
            author: Some(t),
            ..SetMetadata::default()
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any sequence of commands, replayed from the events it produced (through their
    /// stored JSON form), gives the same state; and decide never panics.
    #[test]
    fn replaying_events_gives_the_same_state(seeds in prop::collection::vec(seed(), 0..60)) {
        let mut doc = given(&[create()]);
        let mut log = vec![DocumentEvent::DocumentCreated {
            document_id: DocumentId::new("d1"),
            title: "Doc".into(),
        }];
        for s in &seeds {
            let command = command_from(s, &doc);
            if let Ok(events) = doc.decide(&command, &limits()) {
                for e in events {
                    doc.apply(&e);
                    log.push(e);
                }
            }
        }
        let stored = serde_json::to_string(&log).unwrap();
        let replayed_log: Vec<DocumentEvent> = serde_json::from_str(&stored).unwrap();
        let mut replayed = Document::default();
        for e in &replayed_log {
            replayed.apply(e);
        }
        prop_assert_eq!(&replayed, &doc);
        prop_assert_eq!(replayed.version.get(), log.len() as u64);
        // the snapshot form (the aggregate as JSON) round-trips too
        let snapshot: Document = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        prop_assert_eq!(snapshot, doc);
    }

    /// Runs stay in normal form whatever is done to them.
    #[test]
    fn runs_stay_normalised(seeds in prop::collection::vec(seed(), 0..40)) {
        let mut doc = given(&[create()]);
        for s in &seeds {
            let command = command_from(s, &doc);
            if let Ok(events) = doc.decide(&command, &limits()) {
                for e in events { doc.apply(&e); }
            }
        }
        for block in &doc.blocks {
            if let Block::Paragraph(Paragraph { runs, .. }) | Block::Heading(Heading { runs, .. }) = block {
                for pair in runs.windows(2) {
                    prop_assert_ne!(&pair[0].format, &pair[1].format);
                }
                prop_assert!(runs.iter().all(|r| !r.text.is_empty()));
            }
        }
    }
}
