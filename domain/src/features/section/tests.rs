//! Given/when/then: this feature's rules.

use super::*;
use crate::command::*;
use crate::decide::tests::{create, given, when};
use crate::model::runs_text;

fn setup(c: SetPageSetup) -> DocumentCommand {
    DocumentCommand::SetPageSetup(c)
}

#[test]
fn landscape_swaps_width_and_height_and_a_size_keeps_the_orientation() {
    let doc = given(&[create()]);
    let doc = when(
        &doc,
        setup(SetPageSetup {
            orientation: Some(Orientation::Landscape),
            margin_left_mm: Some(20.0),
            columns: Some(2),
            ..SetPageSetup::default()
        }),
    )
    .unwrap();
    let page = doc.section.page.resolved();
    assert_eq!((page.width_mm, page.height_mm), (297.0, 210.0));
    assert_eq!(page.orientation, Orientation::Landscape);
    assert_eq!((page.margin_left_mm, page.columns), (20.0, 2));
    let doc = when(
        &doc,
        setup(SetPageSetup {
            size: Some("letter".into()),
            ..SetPageSetup::default()
        }),
    )
    .unwrap();
    let page = doc.section.page.resolved();
    assert_eq!((page.width_mm, page.height_mm), (279.4, 215.9));
    assert_eq!(page.margin_left_mm, 20.0, "other fields stay");
}

#[test]
fn section_breaks_start_sections_with_their_own_page() {
    let doc = given(&[
        create(),
        crate::decide::tests::para("portrait"),
        DocumentCommand::AddSectionBreak(AddSectionBreak {
            orientation: Some(Orientation::Landscape),
            ..AddSectionBreak::default()
        }),
        crate::decide::tests::para("landscape"),
    ]);
    assert_eq!(doc.section_count(), 2);
    assert_eq!(doc.section_of(2), 1);
    let wide = doc.section_page(1).unwrap().resolved();
    assert_eq!((wide.width_mm, wide.height_mm), (297.0, 210.0));
    assert_eq!(
        doc.section.page.resolved().orientation,
        Orientation::Portrait
    );
    let doc = when(
        &doc,
        setup(SetPageSetup {
            section: Some(1),
            columns: Some(2),
            ..SetPageSetup::default()
        }),
    )
    .unwrap();
    assert_eq!(doc.section_page(1).unwrap().columns, Some(2));
    assert_eq!(doc.section.page.columns, None, "section 0 untouched");
    // Section 1 sets its own default footer; its first-page header is section 0's.
    let doc = when(
        &doc,
        DocumentCommand::SetHeader(SetHeader {
            kind: HeaderKind::First,
            text: Some("Cover".into()),
            ..SetHeader::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::SetFooter(SetFooter {
            section: Some(1),
            text: Some("Annex {PAGE}".into()),
            ..SetFooter::default()
        }),
    )
    .unwrap();
    let (header, footer) = doc.shown_margins()[1].clone();
    assert_eq!(
        header.first.as_deref().map(runs_text).as_deref(),
        Some("Cover")
    );
    assert_eq!(
        footer.default.as_deref().map(runs_text).as_deref(),
        Some("Annex 1")
    );
    assert!(doc.shown_margins()[0].1.default.is_none());
    let too_far = DocumentCommand::SetFooter(SetFooter {
        section: Some(2),
        text: Some("x".into()),
        ..SetFooter::default()
    });
    assert!(when(&doc, too_far).is_err(), "no section 2");
    let doc = when(
        &doc,
        DocumentCommand::DeleteBlock(DeleteBlock {
            block_id: None,
            block_index: Some(1),
        }),
    )
    .unwrap();
    assert_eq!(doc.section_count(), 1);
}

#[test]
fn bad_page_setups_are_refused() {
    let doc = given(&[create()]);
    let bad = [
        SetPageSetup::default(),
        SetPageSetup {
            size: Some("B5".into()),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            size: Some("A4".into()),
            width_mm: Some(100.0),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            width_mm: Some(f32::INFINITY),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            width_mm: Some(1000.0),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            margin_left_mm: Some(100.0),
            margin_right_mm: Some(105.0),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            columns: Some(0),
            ..SetPageSetup::default()
        },
        SetPageSetup {
            section: Some(1),
            columns: Some(2),
            ..SetPageSetup::default()
        },
    ];
    for c in bad {
        assert!(when(&doc, setup(c.clone())).is_err(), "{c:?}");
    }
}

#[test]
fn placeholders_become_fields_and_text_edits_never_join_a_field() {
    let runs = placeholder_runs("Page {PAGE} of {NUMPAGES}{PAGE} {x}");
    let fields: Vec<(&str, Option<Field>)> = runs
        .iter()
        .map(|r| (r.text.as_str(), r.format.field))
        .collect();
    assert_eq!(
        fields,
        [
            ("Page ", None),
            ("1", Some(Field::Page)),
            (" of ", None),
            ("1", Some(Field::NumPages)),
            ("1", Some(Field::Page)),
            (" {x}", None),
        ]
    );
    let mut normal = runs.clone();
    text::normalize(&mut normal);
    assert_eq!(normal, runs, "two fields side by side stay two");
    let mut edited = runs;
    text::insert(&mut edited, 6, "X");
    assert_eq!(edited[1].text, "1");
    assert_eq!(edited[2].text, "X of ");
}

#[test]
fn headers_and_footers_are_set_replaced_and_removed() {
    let doc = given(&[create()]);
    let footer = |text: &str, kind: HeaderKind| {
        DocumentCommand::SetFooter(SetFooter {
            kind,
            text: Some(text.into()),
            ..SetFooter::default()
        })
    };
    let doc = when(
        &doc,
        footer("Page {PAGE} of {NUMPAGES}", HeaderKind::Default),
    )
    .unwrap();
    let doc = when(&doc, footer("Cover", HeaderKind::First)).unwrap();
    let doc = when(
        &doc,
        DocumentCommand::SetHeader(SetHeader {
            runs: Some(vec![RunInput {
                text: "ACME".into(),
                bold: true,
                ..RunInput::default()
            }]),
            ..SetHeader::default()
        }),
    )
    .unwrap();
    assert_eq!(
        doc.section.footer.texts().collect::<Vec<_>>(),
        ["Page 1 of 1", "Cover"]
    );
    assert!(doc.section.header.default.as_ref().unwrap()[0].format.bold);
    let doc = when(&doc, footer("", HeaderKind::First)).unwrap();
    assert_eq!(doc.section.footer.first, None);
    let again = doc
        .decide(
            &footer("Page {PAGE} of {NUMPAGES}", HeaderKind::Default),
            &Limits::default(),
        )
        .unwrap();
    assert!(again.is_empty(), "the same content again changes nothing");
    // Links in headers are links (the header part gets its own relationships); one to
    // a bookmark the document does not have is refused.
    let link = |target: &str| {
        DocumentCommand::SetHeader(SetHeader {
            runs: Some(vec![RunInput {
                text: "x".into(),
                link: Some(target.into()),
                ..RunInput::default()
            }]),
            ..SetHeader::default()
        })
    };
    let doc = when(&doc, link("https://x.org")).unwrap();
    assert_eq!(
        doc.section.header.default.as_ref().unwrap()[0]
            .format
            .link
            .as_deref(),
        Some("https://x.org")
    );
    assert!(when(&doc, link("#Nowhere")).is_err());
}
