use domain::command::*;
use domain::{Document, DocumentCommand, DocumentId, Limits, ListKind};

use super::*;

pub(crate) fn sample() -> Document {
    let mut doc = Document::default();
    let commands = vec![
        DocumentCommand::CreateDocument(CreateDocument {
            document_id: DocumentId::new("d"),
            title: "Q3 <Report>".into(),
        }),
        DocumentCommand::AddHeading(AddHeading {
            text: "Intro & goals".into(),
            level: 1,
            position: None,
        }),
        DocumentCommand::AddParagraph(AddParagraph {
            runs: Some(vec![
                RunInput {
                    text: "Bold".into(),
                    bold: true,
                    italic: false,
                    underline: false,
                    strike: false,
                    font: None,
                    size_pt: None,
                    color: None,
                    highlight: None,
                },
                RunInput {
                    text: " and <script>alert(1)</script>".into(),
                    bold: false,
                    italic: false,
                    underline: false,
                    strike: false,
                    font: Some("Arial';x".into()),
                    size_pt: None,
                    color: Some("00FF00".into()),
                    highlight: None,
                },
            ]),
            ..AddParagraph::default()
        }),
        DocumentCommand::AddTable(AddTable {
            data: Some(vec![
                vec!["Name".into(), "Qty".into()],
                vec!["a|b".into(), "2".into()],
            ]),
            header_row: true,
            ..AddTable::default()
        }),
        DocumentCommand::AddList(AddList {
            kind: ListKind::Numbered,
            items: vec![
                ListItemInput::Text("one".into()),
                ListItemInput::Item {
                    text: "one.a".into(),
                    level: 1,
                },
                ListItemInput::Text("two".into()),
            ],
            position: None,
        }),
        DocumentCommand::AddPageBreak(AddPageBreak::default()),
        DocumentCommand::AddParagraph(AddParagraph {
            text: Some("1. not a list *really*".into()),
            ..AddParagraph::default()
        }),
    ];
    for c in &commands {
        for e in doc.decide(c, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    doc
}

#[test]
fn html_escapes_every_text() {
    let out = export(&sample(), ExportFormat::Html);
    assert!(out.contains("<title>Q3 &lt;Report&gt;</title>"));
    assert!(out.contains("<h1>Intro &amp; goals</h1>"));
    assert!(out.contains("&lt;script&gt;"));
    assert!(!out.contains("<script>"));
    assert!(out.contains("font-family:'Arialx'"));
    assert!(out.contains("<th>Name</th>"));
    assert!(out.contains("<ol><li>one<ol><li>one.a</li></ol></li><li>two</li></ol>"));
}

#[test]
fn markdown_has_headings_tables_lists_and_escapes() {
    let out = export(&sample(), ExportFormat::Markdown);
    assert!(out.starts_with("# Intro \\& goals\n\n**Bold** and \\<script\\>"));
    assert!(out.contains("| Name | Qty |\n| --- | --- |\n| a\\|b | 2 |"));
    assert!(out.contains("1. one\n   1. one.a\n2. two"));
    assert!(out.contains("1\\. not a list \\*really\\*"));
}

#[test]
fn text_lists_items_with_markers() {
    let out = export(&sample(), ExportFormat::Text);
    assert!(out.starts_with("Intro & goals\nBold and <script>"));
    assert!(out.contains("Name\tQty\na|b\t2\n"));
    assert!(out.contains("1. one\n  a. one.a\n2. two\n"));
}

#[test]
fn list_numbers_follow_the_level_format() {
    assert_eq!(number(0, 12), "12");
    assert_eq!(number(1, 2), "b");
    assert_eq!(number(1, 27), "aa");
    assert_eq!(number(2, 4), "iv");
    assert_eq!(number(5, 1994), "mcmxciv");
}

// See: issue 9: `&amp;` came through as an entity, a heading with a line break became a
// heading and a paragraph, and a lone `\r` survived.
#[test]
fn markdown_escapes_ampersands_and_keeps_a_broken_heading_one_heading() {
    let doc = Document {
        blocks: vec![
            Block::Heading(domain::Heading {
                id: domain::BlockId::new("h"),
                level: 2,
                runs: vec![Run::plain("Top\r\nline & more")],
                alignment: None,
                format: domain::ParagraphFormat::default(),
            }),
            Block::Paragraph(domain::Paragraph {
                id: domain::BlockId::new("p"),
                runs: vec![Run::plain("&amp; a\rb")],
                style: None,
                alignment: None,
                format: domain::ParagraphFormat::default(),
            }),
        ],
        ..Document::default()
    };
    let out = export(&doc, ExportFormat::Markdown);
    assert_eq!(out, "## Top<br>line \\& more\n\n\\&amp; a  \nb\n");
    let html = export(&doc, ExportFormat::Html);
    assert!(html.contains("a<br>b"), "{html}");
    assert!(!html.contains('\r'));
}

/// The HTML of a document with one bulleted list of `levels`.
fn list_html(levels: &[u8]) -> String {
    let mut doc = Document::default();
    let commands = [
        DocumentCommand::CreateDocument(CreateDocument {
            document_id: DocumentId::new("d"),
            title: "L".into(),
        }),
        DocumentCommand::AddList(AddList {
            kind: ListKind::Bullet,
            items: levels
                .iter()
                .enumerate()
                .map(|(i, level)| ListItemInput::Item {
                    text: format!("i{i}"),
                    level: *level,
                })
                .collect(),
            position: None,
        }),
    ];
    for c in &commands {
        for e in doc.decide(c, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    export(&doc, ExportFormat::Html)
}

// See: issue 11: a list that jumps levels (0 → 2) was written `<ul><ul>`, a list directly
// inside a list, which is not valid HTML.
#[test]
fn html_lists_that_jump_levels_nest_through_items() {
    for levels in [&[0, 2, 0][..], &[0, 3, 1, 0], &[2, 0], &[0, 1, 2, 0, 2]] {
        let html = list_html(levels);
        assert!(!html.contains("<ul><ul>"), "{levels:?}: {html}");
        assert!(!html.contains("</ul></ul>"), "{levels:?}: {html}");
        // Balanced: every list and item that opens, closes.
        assert_eq!(
            html.matches("<ul>").count(),
            html.matches("</ul>").count(),
            "{html}"
        );
        assert_eq!(
            html.matches("<li>").count(),
            html.matches("</li>").count(),
            "{html}"
        );
        // A <ul> only ever follows <li>, text, or the start of the list.
        for (i, _) in html.match_indices("<ul>").skip(1) {
            assert!(!html[..i].ends_with("</li>"), "{levels:?}: {html}");
        }
    }
}
