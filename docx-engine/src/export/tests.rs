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
                    ..RunInput::default()
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
                    ..RunInput::default()
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
                    text: Some("one.a".into()),
                    runs: None,
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
                bookmarks: Vec::new(),
            }),
            Block::Paragraph(domain::Paragraph {
                id: domain::BlockId::new("p"),
                runs: vec![Run::plain("&amp; a\rb")],
                style: None,
                alignment: None,
                format: domain::ParagraphFormat::default(),
                bookmarks: Vec::new(),
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
                    text: Some(format!("i{i}")),
                    runs: None,
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

/// A document with the inline content of issue 11: links (external, mail, internal),
/// bookmarks, superscript, subscript and small capitals.
pub(crate) fn linked_sample() -> Document {
    let mut doc = Document::default();
    let run = |text: &str| RunInput {
        text: text.into(),
        ..RunInput::default()
    };
    let commands = vec![
        DocumentCommand::CreateDocument(CreateDocument {
            document_id: DocumentId::new("d"),
            title: "Links".into(),
        }),
        DocumentCommand::AddHeading(AddHeading {
            text: "Terms".into(),
            level: 1,
            position: None,
        }),
        DocumentCommand::AddBookmark(AddBookmark {
            block_index: Some(0),
            name: "Terms".into(),
            ..AddBookmark::default()
        }),
        DocumentCommand::AddBookmark(AddBookmark {
            block_index: Some(0),
            name: "Start".into(),
            ..AddBookmark::default()
        }),
        DocumentCommand::AddParagraph(AddParagraph {
            runs: Some(vec![
                run("E = mc"),
                RunInput {
                    superscript: true,
                    ..run("2")
                },
                run(", H"),
                RunInput {
                    subscript: true,
                    ..run("2")
                },
                run("O, "),
                RunInput {
                    small_caps: true,
                    ..run("Acme")
                },
                run(" at "),
                RunInput {
                    link: Some("https://example.com/a?b=1&c=(2)".into()),
                    ..run("our site")
                },
                run(", "),
                RunInput {
                    link: Some("mailto:ada@example.com".into()),
                    bold: true,
                    ..run("mail")
                },
                run(" or "),
                RunInput {
                    link: Some("#Terms".into()),
                    ..run("the terms")
                },
                run("."),
            ]),
            ..AddParagraph::default()
        }),
        DocumentCommand::AddHyperlink(AddHyperlink {
            block_index: Some(1),
            url: Some("https://example.org".into()),
            text: Some(" Second link.".into()),
            ..AddHyperlink::default()
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
fn links_bookmarks_and_scripts_in_html() {
    let html = export(&linked_sample(), ExportFormat::Html);
    assert!(
        html.contains(r#"<h1 id="Terms"><a id="Start"></a>Terms</h1>"#),
        "{html}"
    );
    assert!(html.contains("mc<sup>2</sup>, H<sub>2</sub>O"), "{html}");
    assert!(html.contains("font-variant:small-caps"), "{html}");
    assert!(
        html.contains(r#"<a href="https://example.com/a?b=1&amp;c=(2)">our site</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="mailto:ada@example.com"><strong>mail</strong></a>"#),
        "{html}"
    );
    assert!(
        html.contains(r##"<a href="#Terms">the terms</a>"##),
        "{html}"
    );
}

#[test]
fn links_in_markdown_and_text() {
    let doc = linked_sample();
    let md = export(&doc, ExportFormat::Markdown);
    assert!(
        md.contains(r"[our site](https://example.com/a?b=1&c=\(2\))"),
        "{md}"
    );
    assert!(md.contains("[**mail**](mailto:ada@example.com)"), "{md}");
    assert!(md.contains("[the terms](#Terms)"), "{md}");
    assert!(md.contains("mc<sup>2</sup>"), "{md}");
    let text = export(&doc, ExportFormat::Text);
    assert!(text.contains("E = mc2, H2O, Acme at our site, mail or the terms. Second link."));
}

#[test]
fn a_stored_link_with_another_scheme_is_exported_as_text() {
    let mut doc = linked_sample();
    if let domain::Block::Paragraph(p) = &mut doc.blocks[1] {
        for run in &mut p.runs {
            if run.format.link.is_some() {
                run.format.link = Some("javascript:alert(1)".into());
            }
        }
    }
    let html = export(&doc, ExportFormat::Html);
    let md = export(&doc, ExportFormat::Markdown);
    assert!(!html.contains("javascript"), "{html}");
    assert!(!md.contains("javascript"), "{md}");
}

#[test]
fn a_table_of_contents_lists_the_headings_in_every_export() {
    let mut doc = linked_sample();
    for c in [
        r#"{"type":"add_table_of_contents","title":"Contents","max_level":2,"position":{"index":0}}"#,
        r#"{"type":"add_heading","text":"Scope","level":2}"#,
        r#"{"type":"add_heading","text":"Too deep","level":3}"#,
    ] {
        let command: DocumentCommand = serde_json::from_str(c).unwrap();
        for e in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    let html = export(&doc, ExportFormat::Html);
    assert!(
        html.contains(r##"<li style="margin-left:0em"><a href="#Terms">Terms</a></li>"##),
        "{html}"
    );
    assert!(
        html.contains(r##"<a href="#_Toc00000003">Scope</a>"##),
        "{html}"
    );
    assert!(
        html.contains(r#"<h2 id="_Toc00000003">Scope</h2>"#),
        "{html}"
    );
    assert!(!html.contains(">Too deep</a>"), "{html}");
    let md = export(&doc, ExportFormat::Markdown);
    assert!(
        md.starts_with("**Contents**\n\n- Terms\n  - Scope\n\n"),
        "{md}"
    );
    let text = export(&doc, ExportFormat::Text);
    assert!(text.starts_with("Contents\nTerms\n  Scope\n"), "{text}");
}

#[test]
fn list_formats_starts_and_continuations_in_every_export() {
    let mut doc = Document::default();
    for c in [
        r#"{"type":"create_document","document_id":"d","title":"Lists"}"#,
        r#"{"type":"add_list","kind":"numbered","items":["a","b"]}"#,
        r#"{"type":"set_list_numbering","block_index":0,"format":"upper_roman","start":4}"#,
        r#"{"type":"add_paragraph","text":"between"}"#,
        r#"{"type":"add_list","kind":"numbered","items":["c"]}"#,
        r#"{"type":"set_list_numbering","block_index":2,"continue_previous":true}"#,
        r#"{"type":"add_list","kind":"bullet","items":["x"]}"#,
        r#"{"type":"set_list_numbering","block_index":3,"bullet":"'"}"#,
    ] {
        let command: DocumentCommand = serde_json::from_str(c).unwrap();
        for e in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    let text = export(&doc, ExportFormat::Text);
    assert!(
        text.starts_with("IV. a\nV. b\nbetween\nVI. c\n' x\n"),
        "{text}"
    );
    let md = export(&doc, ExportFormat::Markdown);
    assert!(md.contains("4. a\n5. b"), "{md}");
    assert!(md.contains("6. c"), "{md}");
    let html = export(&doc, ExportFormat::Html);
    assert!(html.contains(r#"<ol type="I" start="4">"#), "{html}");
    assert!(html.contains(r#"<ol type="I" start="6">"#), "{html}");
    assert!(
        html.contains(r#"<ul style="list-style-type:'\27 '">"#),
        "{html}"
    );
}

#[test]
fn merged_and_formatted_cells_in_html() {
    let mut doc = Document::default();
    for c in [
        r#"{"type":"create_document","document_id":"d","title":"T"}"#,
        r#"{"type":"add_table","data":[["a","b","c"],["d","e","f"]]}"#,
        r#"{"type":"merge_table_cells","block_index":0,"from_row":0,"from_col":0,"to_row":1,"to_col":1}"#,
        r#"{"type":"set_table_cell_format","block_index":0,"row":0,"col":0,"shading":"D9E2F3","vertical_align":"center"}"#,
    ] {
        let command: DocumentCommand = serde_json::from_str(c).unwrap();
        for e in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    let html = export(&doc, ExportFormat::Html);
    assert!(
        html.contains(r#"<tr><td rowspan="2" colspan="2" style="background-color:#D9E2F3;vertical-align:middle">a<br>b<br>d<br>e</td><td>c</td></tr>"#),
        "{html}"
    );
    assert!(html.contains("<tr><td>f</td></tr>"), "{html}");
}

// See: issue 11: images in every export, with their alternative text, escaped.
#[test]
fn images_appear_in_the_exports_with_their_alt_text() {
    let mut doc = Document::default();
    let png = crate::render::tests::PNG_3X2;
    for c in [
        r#"{"type":"create_document","document_id":"d","title":"T"}"#.to_string(),
        r#"{"type":"add_paragraph","text":"see "}"#.to_string(),
        format!(
            r#"{{"type":"add_image","data_base64":"{png}","alt_text":"a <b> ] \"q\"","block_index":0,"width_px":30}}"#
        ),
        format!(r#"{{"type":"add_image","data_base64":"{png}"}}"#),
    ] {
        let command: DocumentCommand = serde_json::from_str(&c).unwrap();
        for e in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    let media = doc.images().next().unwrap().3.media.clone();
    let html = export(&doc, ExportFormat::Html);
    assert!(
        html.contains(&format!(
            r#"see <img src="media/{media}" alt="a &lt;b&gt; ] &quot;q&quot;" width="30" height="20">"#
        )),
        "{html}"
    );
    assert!(html.contains(r#"alt="" width="3" height="2">"#), "{html}");
    let markdown = export(&doc, ExportFormat::Markdown);
    assert!(
        markdown.contains(&format!(r#"see ![a \<b\> \] "q"](media/{media})"#)),
        "{markdown}"
    );
    let text = export(&doc, ExportFormat::Text);
    assert_eq!(text, "see [image: a <b> ] \"q\"]\n[image]\n");
}

// See: issue 11: cells of several blocks in the exports.
#[test]
fn cells_of_several_blocks_in_html() {
    let mut doc = Document::default();
    for c in [
        r#"{"type":"create_document","document_id":"d","title":"T"}"#,
        r#"{"type":"add_table","data":[["a","b"]]}"#,
        r#"{"type":"set_table_cell","block_index":0,"row":0,"col":1,"blocks":[
            {"type":"paragraph","runs":[{"text":"<Terms>","bold":true}],"alignment":"center"},
            {"type":"list","kind":"numbered","items":["one",{"text":"deep","level":2},"two"]},
            {"type":"table","data":[["k","v"]]}]}"#,
    ] {
        let command: DocumentCommand = serde_json::from_str(c).unwrap();
        for e in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&e);
        }
    }
    let html = export(&doc, ExportFormat::Html);
    assert!(
        html.contains(concat!(
            r#"<td><p style="text-align:center"><strong>&lt;Terms&gt;</strong></p>"#,
            "<ol><li>one<ol><li><ol><li>deep</li></ol></li></ol></li><li>two</li></ol>",
            "<table><tr><td>k</td><td>v</td></tr></table></td>"
        )),
        "{html}"
    );
    let text = export(&doc, ExportFormat::Text);
    assert!(text.contains("a\t<Terms>\none\ndeep\ntwo\nk\tv"), "{text}");
}
