//! Given/when/then tests of the rules, and properties over random command sequences.
//!
//! About 1,000 lines of tests, with the given/when/then helpers every feature's tests use.

use proptest::prelude::*;

use super::*;
use crate::command::*;
use crate::event::{Occurrence, Within};
use crate::ids::DocumentId;
use crate::model::{Alignment, Heading, ListItem, ListKind, Paragraph, Run};

pub(crate) fn limits() -> Limits {
    Limits::default()
}

/// Given these commands applied in order (each must succeed).
pub(crate) fn given(commands: &[DocumentCommand]) -> Document {
    let mut doc = Document::default();
    for c in commands {
        for e in doc.decide(c, &limits()).expect("given commands apply") {
            doc.apply(&e);
        }
    }
    doc
}

pub(crate) fn create() -> DocumentCommand {
    DocumentCommand::CreateDocument(CreateDocument {
        document_id: DocumentId::new("d1"),
        title: "Doc".into(),
    })
}

pub(crate) fn para(text: &str) -> DocumentCommand {
    DocumentCommand::AddParagraph(AddParagraph {
        text: Some(text.into()),
        ..AddParagraph::default()
    })
}

pub(crate) fn when(doc: &Document, c: DocumentCommand) -> Result<Document, DocumentError> {
    let (_, state) = doc.decide_batch(&[c], &limits()).map_err(|(_, e)| e)?;
    Ok(state)
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
pub(crate) struct Seed {
    op: u8,
    a: usize,
    b: usize,
    text: String,
    /// Use `a` and `b` as they are instead of mapping them onto the document.
    raw: bool,
}

impl Seed {
    /// `v` mapped into `0..m`, or as it is for a raw seed.
    fn n(&self, v: usize, m: usize) -> usize {
        if self.raw { v } else { v % m }
    }
}

pub(crate) fn seed() -> impl Strategy<Value = Seed> {
    (0u8..62, 0usize..12, 0usize..12, "[a-cA-C é]{0,6}").prop_map(|(op, a, b, text)| Seed {
        op,
        a,
        b,
        text,
        raw: false,
    })
}

/// Numbers a careless or hostile client sends: the edges of the text and of the integer
/// types.
fn extreme() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..8,
        Just(usize::MAX),
        Just(usize::MAX - 1),
        Just(1usize << 31),
        Just(1usize << 32),
        Just(1usize << 63),
        Just((1usize << 63) - 1),
        Just(u32::MAX as usize),
    ]
}

/// Seeds whose numbers are used raw and often extreme.
fn extreme_seed() -> impl Strategy<Value = Seed> {
    (0u8..62, extreme(), extreme(), "[a-c ]{0,4}", any::<bool>()).prop_map(
        |(op, a, b, text, raw)| Seed {
            op,
            a,
            b,
            text,
            raw,
        },
    )
}

/// `t` as plain text for odd `n`, as one bold run for even `n`: the two ways a client can
/// give content.
fn text_or_runs(n: usize, t: &str) -> (Option<String>, Option<Vec<RunInput>>) {
    if n.is_multiple_of(2) {
        (
            None,
            Some(vec![RunInput {
                text: t.into(),
                bold: true,
                ..RunInput::default()
            }]),
        )
    } else {
        (Some(t.into()), None)
    }
}

pub(crate) fn command_from(seed: &Seed, doc: &Document) -> DocumentCommand {
    let n = doc.blocks.len().max(1);
    let id = doc.blocks.get(seed.a % n).map(|b| b.id().clone());
    let t = seed.text.clone();
    match seed.op {
        0 => para(&t),
        1 => DocumentCommand::AddHeading(AddHeading {
            text: t,
            level: seed.n(seed.b, 10) as u8,
            position: Some(Position {
                index: Some(seed.n(seed.a, n + 1)),
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
            offset: seed.n(seed.b, 4),
            length: seed.n(seed.a, 4),
        }),
        5 => DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(seed.a),
        }),
        6 => DocumentCommand::MoveBlock(MoveBlock {
            block_id: id,
            block_index: None,
            position: Position {
                index: Some(seed.n(seed.b, n + 1)),
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
            start: seed.n(seed.b, 3),
            end: Some(seed.n(seed.b, 3).saturating_add(seed.n(seed.a, 4))),
            bold: Some(seed.a.is_multiple_of(2)),
            italic: Some(seed.b.is_multiple_of(2)),
            underline: None,
            strike: None,
            font: None,
            size_pt: Some(10.0 + seed.a as f32),
            color: None,
            highlight: None,
            superscript: seed.a.is_multiple_of(3).then_some(true),
            subscript: seed.b.is_multiple_of(5).then_some(seed.a.is_multiple_of(2)),
            small_caps: None,
        }),
        9 => DocumentCommand::SetAlignment(SetAlignment {
            block_id: id,
            block_index: None,
            alignment: Alignment::Center,
        }),
        10 => DocumentCommand::AddTable(AddTable {
            rows: Some(seed.n(seed.a, 3)),
            cols: Some(seed.n(seed.b, 3).saturating_add(1)),
            data: Some(vec![vec![t]]),
            ..AddTable::default()
        }),
        // A cell of several blocks on every third seed, else text or runs.
        11 if seed.a.is_multiple_of(3) => DocumentCommand::SetTableCell(SetTableCell {
            block_id: id,
            block_index: None,
            row: seed.n(seed.b, 3),
            col: seed.n(seed.a, 3),
            text: None,
            runs: None,
            blocks: Some(vec![
                CellBlockInput::Paragraph {
                    text: text_or_runs(seed.b, &t).0,
                    runs: text_or_runs(seed.b, &t).1,
                    style: None,
                    alignment: None,
                },
                CellBlockInput::List {
                    kind: crate::model::ListKind::Numbered,
                    items: vec![crate::features::list::ListItemInput::Text(t.clone())],
                },
                CellBlockInput::Table {
                    data: vec![vec![t.clone(), "x".into()], vec![t]],
                },
            ]),
        }),
        11 => DocumentCommand::SetTableCell(SetTableCell {
            block_id: id,
            block_index: None,
            row: seed.n(seed.b, 3),
            col: seed.n(seed.a, 3),
            runs: text_or_runs(seed.a, &t).1,
            text: text_or_runs(seed.a, &t).0,
            blocks: None,
        }),
        12 => DocumentCommand::AddTableRow(AddTableRow {
            block_id: id,
            row: Some(seed.n(seed.b, 4)),
            ..AddTableRow::default()
        }),
        13 => DocumentCommand::AddTableColumn(AddTableColumn {
            block_id: id,
            col: Some(seed.n(seed.b, 4)),
            data: Some(vec![t]),
            ..AddTableColumn::default()
        }),
        14 => DocumentCommand::DeleteTableRow(DeleteTableRow {
            block_id: id,
            block_index: None,
            row: seed.n(seed.b, 4),
        }),
        15 => DocumentCommand::DeleteTableColumn(DeleteTableColumn {
            block_id: id,
            block_index: None,
            col: seed.n(seed.b, 4),
        }),
        16 => DocumentCommand::AddList(AddList {
            kind: if seed.a.is_multiple_of(2) {
                ListKind::Bullet
            } else {
                ListKind::Numbered
            },
            items: vec![ListItemInput::Item {
                runs: text_or_runs(seed.a, &t).1,
                text: text_or_runs(seed.a, &t).0,
                level: seed.n(seed.b, 10) as u8,
            }],
            position: None,
        }),
        17 => DocumentCommand::AddListItem(AddListItem {
            block_id: id,
            block_index: None,
            runs: seed.b.is_multiple_of(2).then(|| {
                vec![RunInput {
                    text: t.clone(),
                    italic: true,
                    ..RunInput::default()
                }]
            }),
            text: (!seed.b.is_multiple_of(2)).then_some(t),
            level: seed.n(seed.b, 3) as u8,
            item: Some(seed.n(seed.b, 3)),
        }),
        18 => DocumentCommand::SetListItemLevel(SetListItemLevel {
            block_id: id,
            block_index: None,
            item: seed.n(seed.b, 3),
            level: seed.n(seed.a, 10) as u8,
        }),
        19 => DocumentCommand::AddPageBreak(AddPageBreak::default()),
        20 => DocumentCommand::SetTitle(SetTitle { title: t }),
        22 => DocumentCommand::SetParagraphFormat(SetParagraphFormat {
            block_id: id,
            spacing_before: Some(seed.n(seed.a, 2000) as f32),
            line_spacing: seed
                .b
                .is_multiple_of(2)
                .then_some(1.0 + seed.b as f32 / 4.0),
            first_line: seed.a.is_multiple_of(3).then_some(seed.b as f32),
            hanging: (seed.a % 3 == 1).then_some(seed.a as f32),
            keep_with_next: Some(seed.b % 2 == 1),
            ..SetParagraphFormat::default()
        }),
        23 => DocumentCommand::AddHyperlink(AddHyperlink {
            block_id: id,
            url: Some(format!("https://example.com/{}", seed.a)),
            start: Some(seed.n(seed.b, 3)),
            end: seed.a.is_multiple_of(2).then_some(seed.n(seed.a, 5)),
            ..AddHyperlink::default()
        }),
        24 => DocumentCommand::AddHyperlink(AddHyperlink {
            block_id: id,
            bookmark: Some(format!("b{}", seed.b % 3)),
            text: Some(if t.is_empty() { "x".into() } else { t }),
            offset: Some(seed.n(seed.a, 4)),
            ..AddHyperlink::default()
        }),
        25 => DocumentCommand::RemoveHyperlink(RemoveHyperlink {
            block_id: id,
            start: Some(seed.n(seed.b, 3)),
            ..RemoveHyperlink::default()
        }),
        // A whole block, or a range of its text.
        26 => DocumentCommand::AddBookmark(AddBookmark {
            block_id: id,
            name: format!("b{}", seed.b % 3),
            start: seed.raw.then_some(seed.a),
            end: seed.raw.then_some(seed.b),
            ..AddBookmark::default()
        }),
        28 => DocumentCommand::SetPageSetup(SetPageSetup {
            section: seed.raw.then_some(seed.a),
            orientation: Some(if seed.b.is_multiple_of(2) {
                crate::model::Orientation::Landscape
            } else {
                crate::model::Orientation::Portrait
            }),
            margin_left_mm: Some(seed.a as f32),
            columns: Some(seed.n(seed.b, 12) as u8),
            ..SetPageSetup::default()
        }),
        29 => DocumentCommand::SetFooter(SetFooter {
            section: seed.raw.then_some(seed.b),
            kind: [HeaderKind::Default, HeaderKind::First, HeaderKind::Even][seed.a % 3],
            text: Some(format!("{t} {{PAGE}} of {{NUMPAGES}}")),
            ..SetFooter::default()
        }),
        30 => DocumentCommand::SetHeader(SetHeader {
            kind: [HeaderKind::Default, HeaderKind::First, HeaderKind::Even][seed.b % 3],
            runs: Some(vec![RunInput {
                text: t,
                field: seed
                    .a
                    .is_multiple_of(2)
                    .then_some(crate::model::Field::Date),
                ..RunInput::default()
            }]),
            ..SetHeader::default()
        }),
        31 => DocumentCommand::AddTableOfContents(AddTableOfContents {
            position: Some(Position {
                index: Some(seed.n(seed.b, n + 1)),
                ..Position::default()
            }),
            max_level: Some(seed.n(seed.a, 11) as u8),
            title: (!t.is_empty()).then_some(t),
        }),
        32 => DocumentCommand::CreateStyle(CreateStyle {
            name: format!("S{}", seed.a % 3),
            kind: [
                crate::model::StyleKind::Paragraph,
                crate::model::StyleKind::Character,
                crate::model::StyleKind::Table,
            ][seed.b % 3],
            based_on: seed.raw.then(|| format!("S{}", seed.b % 3)),
            bold: Some(true),
            ..CreateStyle::default()
        }),
        33 => DocumentCommand::UpdateStyle(UpdateStyle {
            style_id: format!("S{}", seed.a % 3),
            based_on: Some(format!("S{}", seed.b % 3)),
            size_pt: Some(seed.b as f32),
            ..UpdateStyle::default()
        }),
        34 => DocumentCommand::ApplyStyle(ApplyStyle {
            block_id: id,
            style_id: format!("S{}", seed.b % 3),
            start: seed.raw.then_some(seed.a),
            ..ApplyStyle::default()
        }),
        35 => DocumentCommand::DeleteStyle(DeleteStyle {
            style_id: format!("S{}", seed.a % 3),
        }),
        36 => DocumentCommand::SetListNumbering(SetListNumbering {
            block_id: id,
            format: seed.raw.then_some(crate::model::NumberStyle::UpperLetter),
            bullet: seed.a.is_multiple_of(2).then(|| "–".into()),
            start: seed.b.is_multiple_of(3).then_some(seed.a as u32),
            continue_previous: (seed.b % 3 == 1).then_some(true),
            ..SetListNumbering::default()
        }),
        37 => DocumentCommand::MergeTableCells(MergeTableCells {
            block_id: id,
            from_row: seed.n(seed.a, 3),
            from_col: seed.n(seed.b, 3),
            to_row: seed.n(seed.a, 3).saturating_add(seed.n(seed.b, 2)),
            to_col: seed.n(seed.b, 3).saturating_add(seed.n(seed.a, 2)),
            ..MergeTableCells::default()
        }),
        38 => DocumentCommand::SplitTableCells(SplitTableCells {
            block_id: id,
            row: seed.n(seed.a, 3),
            col: seed.n(seed.b, 3),
            ..SplitTableCells::default()
        }),
        39 => DocumentCommand::SetTableColumnWidths(SetTableColumnWidths {
            block_id: id,
            widths_mm: seed
                .raw
                .then(|| vec![10.0 + (seed.a % 100) as f32; seed.b % 4]),
            ..SetTableColumnWidths::default()
        }),
        40 => DocumentCommand::SetTableCellFormat(SetTableCellFormat {
            block_id: id,
            row: seed.n(seed.a, 3),
            col: seed.n(seed.b, 3),
            to_row: seed.raw.then_some(seed.a),
            shading: Some(if seed.b.is_multiple_of(2) {
                "auto".into()
            } else {
                "#00ff00".into()
            }),
            vertical_align: Some(crate::model::VerticalAlign::Bottom),
            ..SetTableCellFormat::default()
        }),
        41 => DocumentCommand::AddSectionBreak(AddSectionBreak {
            position: Some(Position {
                index: Some(seed.n(seed.b, n + 1)),
                ..Position::default()
            }),
            kind: if seed.raw {
                crate::model::SectionStart::Continuous
            } else {
                crate::model::SectionStart::NextPage
            },
            orientation: seed
                .a
                .is_multiple_of(2)
                .then_some(crate::model::Orientation::Landscape),
        }),
        27 => DocumentCommand::RemoveBookmark(RemoveBookmark {
            name: format!("B{}", seed.a % 3),
        }),
        // An image in a paragraph of its own, or inside an existing block at an offset.
        // An image in a header or footer of a section.
        42 if seed.a % 3 == 1 => DocumentCommand::AddImage(AddImage {
            data_base64: crate::features::image::tests::PNG_3X2.into(),
            header: seed
                .raw
                .then_some(crate::features::section::HeaderKind::Default),
            footer: (!seed.raw).then_some(crate::features::section::HeaderKind::First),
            section: Some(seed.n(seed.b, 3)),
            offset: seed.raw.then_some(seed.b),
            ..AddImage::default()
        }),
        // An image in a cell or item of a table or list, when the block is one.
        42 if seed.a.is_multiple_of(3) => DocumentCommand::AddImage(AddImage {
            data_base64: crate::features::image::tests::PNG_3X2.into(),
            block_id: id,
            row: seed.b.is_multiple_of(2).then_some(seed.n(seed.b, 3)),
            col: seed.b.is_multiple_of(2).then_some(seed.n(seed.a, 3)),
            item: (!seed.b.is_multiple_of(2)).then_some(seed.n(seed.b, 3)),
            offset: Some(seed.n(seed.a, 4)),
            ..AddImage::default()
        }),
        42 => DocumentCommand::AddImage(if seed.raw {
            AddImage {
                data_base64: crate::features::image::tests::PNG_3X2.into(),
                alt_text: Some(t),
                block_id: id,
                offset: Some(seed.b),
                ..AddImage::default()
            }
        } else {
            AddImage {
                data_base64: crate::features::image::tests::PNG_3X2.into(),
                width_px: Some((seed.n(seed.b, 2_000) as u32).saturating_add(1)),
                position: Some(Position {
                    index: Some(seed.n(seed.a, n + 1)),
                    ..Position::default()
                }),
                ..AddImage::default()
            }
        }),
        43 => DocumentCommand::ResizeImage(ResizeImage {
            block_id: id,
            offset: seed.raw.then_some(seed.b),
            height_mm: Some(seed.b as f32 + 0.5),
            ..ResizeImage::default()
        }),
        44 => DocumentCommand::SetImageAltText(SetImageAltText {
            block_id: id,
            offset: seed.raw.then_some(seed.b),
            alt_text: t,
            ..SetImageAltText::default()
        }),
        45 => DocumentCommand::LabelVersion(crate::command::LabelVersion {
            version: seed.raw.then_some(seed.a as u64),
            name: format!(
                "v{}{}",
                seed.b,
                seed.text.replace(|c: char| !c.is_ascii_alphanumeric(), "")
            ),
        }),
        46 => {
            // Back to a state made of some of the blocks, in another order, retitled.
            let mut past = doc.clone();
            past.blocks.truncate(seed.b % (doc.blocks.len() + 1));
            past.blocks.reverse();
            past.title = format!("t{}", seed.a);
            DocumentCommand::RevertToVersion(crate::command::RevertToVersion {
                version: crate::VersionRef::Number(seed.a as u64),
                target: Some(Box::new(crate::RevertTarget {
                    version: (seed.a as u64) % (doc.version.get() + 1),
                    document: past,
                })),
            })
        }
        47 => DocumentCommand::AddComment(AddComment {
            block_id: id,
            start: Some(seed.n(seed.b, 4)),
            end: (!seed.raw || seed.a.is_multiple_of(2)).then_some(seed.n(seed.a, 6)),
            text: Some(format!("c{t}")),
            by: crate::features::review::tests::by("user:a", false),
            ..AddComment::default()
        }),
        48 => DocumentCommand::ReplyToComment(ReplyToComment {
            comment_id: format!("c{}", seed.n(seed.a, 4)),
            text: Some(format!("r{t}")),
            by: crate::features::review::tests::by("user:b", false),
            ..ReplyToComment::default()
        }),
        49 => DocumentCommand::EditComment(EditComment {
            comment_id: format!("c{}", seed.n(seed.a, 4)),
            text: Some(format!("e{t}")),
            by: crate::features::review::tests::by("user:a", seed.b.is_multiple_of(2)),
            ..EditComment::default()
        }),
        50 => DocumentCommand::ResolveComment(ResolveComment {
            comment_id: format!("c{}", seed.n(seed.a, 4)),
        }),
        51 => DocumentCommand::ReopenComment(ReopenComment {
            comment_id: format!("c{}", seed.n(seed.a, 4)),
        }),
        52 => DocumentCommand::DeleteComment(DeleteComment {
            comment_id: format!("c{}", seed.n(seed.a, 4)),
        }),
        53 => DocumentCommand::AddFootnote(AddFootnote {
            block_id: id,
            offset: Some(seed.n(seed.b, 5)),
            text: Some(format!("n{t}")),
            ..AddFootnote::default()
        }),
        54 => DocumentCommand::AddEndnote(AddEndnote {
            block_id: id,
            offset: Some(seed.n(seed.b, 5)),
            text: Some(format!("n{t}")),
            ..AddEndnote::default()
        }),
        55 => DocumentCommand::EditNote(EditNote {
            note_id: format!("{}{}", ["f", "e"][seed.b % 2], seed.n(seed.a, 4)),
            text: Some(format!("m{t}")),
            ..EditNote::default()
        }),
        57 => DocumentCommand::Suggest(Suggest {
            command: Box::new(command_from(
                &Seed {
                    op: [2u8, 3, 4, 5, 7, 8, 0][seed.b % 7],
                    ..seed.clone()
                },
                doc,
            )),
            by: crate::features::review::tests::by("user:s", false),
        }),
        58 => DocumentCommand::AcceptSuggestion(AcceptSuggestion {
            suggestion_id: format!("s{}", seed.n(seed.a, 4)),
            by: crate::features::review::tests::by("user:e", false),
        }),
        59 => DocumentCommand::RejectSuggestion(RejectSuggestion {
            suggestion_id: format!("s{}", seed.n(seed.a, 4)),
            by: crate::features::review::tests::by("user:e", false),
        }),
        60 => DocumentCommand::AcceptAllSuggestions(AcceptAllSuggestions {
            author: seed.raw.then(|| "User user:s".into()),
            by: crate::features::review::tests::by("user:e", false),
        }),
        61 => DocumentCommand::RejectAllSuggestions(RejectAllSuggestions {
            author: None,
            by: crate::features::review::tests::by("user:e", false),
        }),
        56 => DocumentCommand::DeleteNote(DeleteNote {
            note_id: format!("{}{}", ["f", "e"][seed.b % 2], seed.n(seed.a, 4)),
        }),
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
                    prop_assert_eq!(doc.try_apply(&e), Ok(()), "decided events fit");
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
                // Only a comment anchored to a point is an empty run.
                prop_assert!(runs.iter().all(|r| !r.text.is_empty() || r.format.is_anchor()));
            }
        }
    }

    /// Commands with extreme numbers (0, 1, the text length ± 1, 2^31, 2^32, 2^63,
    /// 2^64 − 1…): decide refuses them or the events it returns fit and apply, and the
    /// events replay to the same state.
    #[test]
    fn extreme_numbers_are_refused_or_apply(
        setup in prop::collection::vec(seed(), 0..12),
        seeds in prop::collection::vec(extreme_seed(), 1..40),
    ) {
        let mut doc = given(&[create(), para("hello world")]);
        let mut log = Vec::new();
        for s in setup.iter().chain(&seeds) {
            let command = command_from(s, &doc);
            if let Ok(events) = doc.decide(&command, &limits()) {
                for e in events {
                    prop_assert_eq!(doc.try_apply(&e), Ok(()), "decided events fit");
                    log.push(e);
                }
            }
        }
        let mut replayed = given(&[create(), para("hello world")]);
        for e in &log {
            replayed.apply(e);
        }
        prop_assert_eq!(replayed, doc);
    }

    /// Any event a store may hold, however its numbers were made, applies without a panic,
    /// and the same events always give the same state.
    #[test]
    fn any_stored_event_applies_without_panic(
        setup in prop::collection::vec(seed(), 0..20),
        events in prop::collection::vec((0u8..55, extreme(), extreme(), any::<bool>()), 1..30),
    ) {
        let mut doc = given(&[create(), para("hello world")]);
        for s in &setup {
            if let Ok(new) = doc.decide(&command_from(s, &doc), &limits()) {
                for e in new { doc.apply(&e); }
            }
        }
        let start = doc.clone();
        let made: Vec<DocumentEvent> = events
            .iter()
            .map(|(op, x, y, pick)| hostile_event(&doc, *op, *x, *y, *pick))
            .collect();
        let mut once = start.clone();
        for e in &made { once.apply(e); }
        let mut twice = start;
        for e in &made { twice.apply(e); }
        prop_assert_eq!(once.version.get(), doc.version.get() + made.len() as u64);
        prop_assert_eq!(once, twice);
    }
}

/// An event with arbitrary numbers aimed at a block of `doc` (or at none).
fn hostile_event(doc: &Document, op: u8, x: usize, y: usize, pick: bool) -> DocumentEvent {
    let block_id = if pick && !doc.blocks.is_empty() {
        doc.blocks[x % doc.blocks.len()].id().clone()
    } else {
        BlockId::new("b2")
    };
    let text = "xy".to_string();
    match op {
        0 => DocumentEvent::TextDeleted {
            block_id,
            offset: x,
            length: y,
        },
        1 => DocumentEvent::TextInserted {
            block_id,
            offset: x,
            text,
        },
        2 => DocumentEvent::TextFormatted {
            block_id,
            start: x,
            end: y,
            format: FormatPatch {
                bold: Some(true),
                ..FormatPatch::default()
            },
        },
        3 => DocumentEvent::TextReplaced {
            find: "l".into(),
            replace: text,
            occurrences: vec![
                Occurrence {
                    block_id: block_id.clone(),
                    within: Within::Text,
                    offset: x,
                    length: y,
                },
                Occurrence {
                    block_id,
                    within: Within::Cell { row: x, col: y },
                    offset: y,
                    length: x,
                },
            ],
        },
        4 => DocumentEvent::BlockMoved {
            block_id,
            to_index: x,
        },
        5 => DocumentEvent::TableCellSet {
            block_id,
            row: x,
            col: y,
            text: text.clone(),
            runs: pick.then(|| vec![Run::plain(format!("{text}?"))]),
        },
        6 => DocumentEvent::TableRowAdded {
            block_id,
            row: x,
            cells: vec![text; y % 4],
        },
        7 => DocumentEvent::TableColumnAdded {
            block_id,
            col: x,
            cells: vec![text; y % 4],
        },
        8 => DocumentEvent::TableRowDeleted { block_id, row: x },
        9 => DocumentEvent::TableColumnDeleted { block_id, col: y },
        10 => DocumentEvent::ListItemAdded {
            block_id,
            item: x,
            text: text.clone(),
            level: y as u8,
            // hostile: runs whose text disagrees with `text`
            runs: pick.then(|| vec![Run::plain(format!("{text}!"))]),
        },
        11 => DocumentEvent::ListItemLevelSet {
            block_id,
            item: x,
            level: y as u8,
        },
        12 => DocumentEvent::TableAdded {
            block_id: BlockId::new(format!("t{x}")),
            index: y,
            // ragged rows, as no build ever decided but a store could hold
            rows: vec![vec![text.clone(); x % 3], vec![text; y % 5]],
            header_row: pick,
            style: None,
        },
        13 => DocumentEvent::HeadingAdded {
            block_id: BlockId::new(format!("h{x}")),
            index: x,
            level: y as u8,
            runs: vec![Run::plain("h")],
        },
        14 => DocumentEvent::ListAdded {
            block_id: BlockId::new(format!("l{y}")),
            index: y,
            kind: ListKind::Bullet,
            items: vec![ListItem {
                text,
                level: x as u8,
                runs: None,
            }],
        },
        15 => DocumentEvent::ParagraphFormatSet {
            block_id,
            format: crate::model::ParagraphFormat {
                spacing_before: Some(x as f32),
                hanging: Some(y as f32),
                ..Default::default()
            },
        },
        16 => DocumentEvent::HyperlinkInserted {
            block_id,
            offset: x,
            text,
            target: "https://x.org".into(),
        },
        17 => DocumentEvent::HyperlinkSet {
            block_id,
            start: x,
            end: y,
            target: pick.then(|| "#b".into()),
        },
        18 => DocumentEvent::BookmarkAdded {
            block_id,
            name: format!("b{}", x % 2),
            range: pick.then_some((x, y)),
        },
        20 => DocumentEvent::PageSetupSet {
            section: x,
            page: crate::model::PageSetup {
                width_mm: Some(y as f32),
                columns: Some(x as u8),
                ..Default::default()
            },
        },
        21 => DocumentEvent::HeaderSet {
            section: y,
            kind: crate::command::HeaderKind::Even,
            runs: pick.then(|| vec![Run::plain(text)]),
        },
        22 => DocumentEvent::FooterSet {
            section: x % 2,
            kind: crate::command::HeaderKind::First,
            runs: Some(Vec::new()),
        },
        23 => DocumentEvent::TableOfContentsAdded {
            block_id: BlockId::new(format!("c{x}")),
            index: y,
            max_level: x as u8,
            title: pick.then_some(text),
        },
        24 => DocumentEvent::CharacterStyleSet {
            block_id,
            start: x,
            end: y,
            style: pick.then(|| "S".into()),
        },
        25 => DocumentEvent::StyleDeleted {
            style_id: format!("S{}", x % 2),
        },
        26 => DocumentEvent::TableStyleSet {
            block_id,
            style: Some(text),
        },
        27 => DocumentEvent::ParagraphStyleSet {
            block_id,
            style: pick.then_some(text),
        },
        28 => DocumentEvent::ListNumberingSet {
            block_id,
            numbering: crate::model::ListNumbering {
                bullet: pick.then_some(text),
                start: Some(x as u32),
                continue_previous: !pick,
                ..Default::default()
            },
        },
        29 => DocumentEvent::TableCellsMerged {
            block_id,
            span: crate::model::CellSpan {
                row: x,
                col: y,
                rows: y,
                cols: x,
            },
        },
        30 => DocumentEvent::TableCellsSplit {
            block_id,
            row: x,
            col: y,
        },
        31 => DocumentEvent::TableColumnWidthsSet {
            block_id,
            widths_mm: pick.then(|| vec![x as f32; y % 5]),
        },
        32 => DocumentEvent::TableCellsFormatted {
            block_id,
            span: crate::model::CellSpan {
                row: x,
                col: y,
                rows: x,
                cols: y,
            },
            shading: pick.then_some(text),
            vertical_align: None,
        },
        33 => DocumentEvent::SectionBreakAdded {
            block_id: BlockId::new(format!("s{x}")),
            index: y,
            kind: crate::model::SectionStart::Continuous,
            page: crate::model::PageSetup {
                width_mm: Some(x as f32),
                margin_left_mm: Some(-(y as f32)),
                ..Default::default()
            },
        },
        34 => DocumentEvent::SectionPageSet {
            block_id,
            page: crate::model::PageSetup {
                height_mm: Some(y as f32),
                ..Default::default()
            },
        },
        19 => DocumentEvent::BookmarkRemoved {
            block_id,
            name: format!("b{}", y % 2),
        },
        35 => DocumentEvent::ImageInserted {
            block_id: (!x.is_multiple_of(3)).then_some(block_id),
            within: match y % 4 {
                0 => Within::Cell { row: x, col: y },
                1 => Within::Item { item: y },
                2 => Within::Header {
                    pages: crate::features::section::HeaderKind::First,
                },
                _ => Within::Text,
            },
            offset: x,
            image: crate::model::InlineImage {
                media: "0".repeat(y % 70),
                format: crate::model::ImageFormat::Gif,
                width_px: x as u32,
                height_px: 0,
                width_emu: y as u32,
                height_emu: u32::MAX,
                bytes: x as u64,
                alt_text: text,
            },
        },
        36 => DocumentEvent::ImageResized {
            block_id: pick.then_some(block_id),
            within: if pick {
                Within::Cell { row: y, col: x }
            } else {
                Within::Footer {
                    pages: crate::features::section::HeaderKind::Default,
                }
            },
            offset: x,
            width_emu: y as u32,
            height_emu: 0,
        },
        38 => DocumentEvent::SectionFooterSet {
            block_id,
            kind: crate::features::section::HeaderKind::Even,
            runs: pick.then(|| vec![Run::plain(text.clone())]),
        },
        37 => DocumentEvent::ImageAltTextSet {
            block_id: Some(block_id),
            within: Within::Item { item: x },
            offset: y,
            alt_text: text,
        },
        39 => DocumentEvent::BlocksImported {
            blocks: vec![Block::Table(crate::model::Table {
                id: block_id,
                rows: vec![vec![text.clone(); x % 5]; y % 5],
                header_row: pick,
                style: None,
                merges: vec![crate::model::CellSpan {
                    row: x,
                    col: y,
                    rows: x,
                    cols: y,
                }],
                widths_mm: None,
                cell_formats: Vec::new(),
                cell_runs: Vec::new(),
            })],
        },
        40 => DocumentEvent::DocumentImported {
            document_id: crate::ids::DocumentId::new("d"),
            title: text,
            source: crate::model::ImportSource {
                media: "0".repeat(64),
                bytes: x as u64,
            },
            metadata: Box::default(),
            section: Box::default(),
            styles: Vec::new(),
            warnings: Vec::new(),
        },
        41 => DocumentEvent::VersionLabeled {
            version: x as u64,
            name: text,
        },
        42 => DocumentEvent::BlocksReverted {
            version: x as u64,
            changed: doc.blocks.iter().take(x % 3).cloned().collect(),
            restored: doc.blocks.iter().skip(y % 3).take(1).cloned().collect(),
        },
        43 => DocumentEvent::DocumentReverted {
            version: y as u64,
            removed: if pick {
                vec![block_id.clone()]
            } else {
                Vec::new()
            },
            order: x.is_multiple_of(2).then(|| {
                doc.blocks
                    .iter()
                    .map(|b| b.id().clone())
                    .chain(std::iter::once(block_id))
                    .skip(y % 3)
                    .collect()
            }),
            title: pick.then(|| "t".into()),
            metadata: None,
            section: None,
            styles: None,
            comments: pick.then(|| doc.comments.iter().skip(x % 3).cloned().collect()),
            notes: (!pick).then(|| doc.notes.iter().skip(y % 3).cloned().collect()),
        },
        44 => DocumentEvent::CommentAdded {
            comment_id: format!("c{}", x % 5),
            block_id,
            start: x,
            end: y,
            author: crate::model::Author::named("A", "user:a"),
            date: String::new(),
            paragraphs: vec![vec![Run::plain(text)]],
        },
        45 => DocumentEvent::CommentReplied {
            comment_id: format!("c{}", y % 7),
            parent_id: format!("c{}", x % 5),
            author: crate::model::Author::default(),
            date: "x".into(),
            paragraphs: Vec::new(),
        },
        46 => DocumentEvent::CommentEdited {
            comment_id: format!("c{}", x % 5),
            paragraphs: vec![Vec::new(); y % 3],
        },
        47 => DocumentEvent::CommentResolved {
            comment_id: format!("c{}", x % 5),
            resolved: pick,
        },
        48 => DocumentEvent::CommentDeleted {
            comment_id: format!("c{}", x % 5),
            block_id: pick.then_some(block_id),
        },
        49 => DocumentEvent::NoteAdded {
            note_id: if pick { format!("e{x}") } else { "e01".into() },
            kind: crate::model::NoteKind::Endnote,
            block_id,
            offset: y,
            paragraphs: Vec::new(),
        },
        50 => DocumentEvent::NoteEdited {
            note_id: format!("f{}", x % 5),
            paragraphs: vec![vec![Run::plain(text)]],
        },
        52 => DocumentEvent::SuggestionMade {
            suggestion_id: format!("s{}", x % 4),
            kind: ["insert_text", "delete_block", "nope"][y % 3].into(),
            author: crate::model::Author::default(),
            date: String::new(),
            reason: None,
            command: serde_json::json!({"type": "insert_text", "block_id": block_id.as_str(), "offset": x, "text": "q"}),
            ranges: vec![(block_id, x, y)],
        },
        53 => DocumentEvent::SuggestionAccepted {
            suggestion_id: format!("s{}", x % 4),
            by: crate::model::Author::default(),
            blocks: vec![block_id],
        },
        54 => DocumentEvent::SuggestionRejected {
            suggestion_id: format!("s{}", y % 4),
            by: crate::model::Author::default(),
            blocks: Vec::new(),
        },
        51 => DocumentEvent::NoteDeleted {
            note_id: format!("e{}", y % 5),
            block_id: None,
        },
        _ => DocumentEvent::BlockDeleted { block_id },
    }
}
