//! The life of a document, checked by independent .docx readers.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_valid_ooxml, libreoffice_convert, python_docx, spawn_app, spawn_distributed,
};

#[tokio::test]
async fn a_document_built_over_http_is_a_real_word_file() {
    a_document_built_over_http_is_a_real_word_file_on(&spawn_app().await).await;
}

#[tokio::test]
async fn a_document_built_over_http_is_a_real_word_file_distributed() {
    a_document_built_over_http_is_a_real_word_file_on(&spawn_distributed().await).await;
}

async fn a_document_built_over_http_is_a_real_word_file_on(app: &TestApp) {
    // Arrange
    let id = app.create_document("Quarterly report").await;

    // Act
    let result = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "set_metadata", "author": "Ada Lovelace", "subject": "Q3", "keywords": "finance, q3"},
                {"type": "add_heading", "text": "Summary", "level": 1},
                {"type": "add_paragraph", "runs": [
                    {"text": "Revenue grew ", "bold": false},
                    {"text": "12%", "bold": true, "color": "C00000"},
                    {"text": " this quarter."}
                ]},
                {"type": "add_heading", "text": "Details", "level": 2},
                {"type": "add_table", "data": [["Region", "Revenue"], ["North", "10"], ["South", "12"]], "header_row": true},
                {"type": "add_list", "kind": "bullet", "items": ["Hire", {"text": "Two engineers", "level": 1}, "Ship"]},
                {"type": "add_list", "kind": "numbered", "items": ["First", "Second"]},
                {"type": "add_page_break"},
                {"type": "add_paragraph", "text": "Appendix & notes <draft>"}
            ]}),
        )
        .await;
    let version = result["version"].as_u64().unwrap();
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;

    // Assert: python-docx sees the same document we sent
    let read = python_docx(&docx);
    let paragraphs: Vec<(String, String)> = read["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["style"].as_str().unwrap().to_string(),
                p["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |style: &str, text: &str| (style.to_string(), text.to_string());
    assert_eq!(
        paragraphs,
        vec![
            expect("Heading 1", "Summary"),
            expect("Normal", "Revenue grew 12% this quarter."),
            expect("Heading 2", "Details"),
            expect("List Paragraph", "Hire"),
            expect("List Paragraph", "Two engineers"),
            expect("List Paragraph", "Ship"),
            expect("List Paragraph", "First"),
            expect("List Paragraph", "Second"),
            expect("Normal", ""),
            expect("Normal", "Appendix & notes <draft>"),
        ]
    );
    let lists: Vec<Value> = read["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["list"].is_null())
        .map(|p| p["list"].clone())
        .collect();
    assert_eq!(lists.len(), 5, "every list item is a numbered paragraph");
    assert_eq!(lists[1]["level"], 1);
    assert_eq!(lists[0]["num"], lists[2]["num"], "one list, one numbering");
    assert_ne!(
        lists[0]["num"], lists[3]["num"],
        "bullets and numbers differ"
    );
    assert_eq!(
        read["tables"],
        json!([[["Region", "Revenue"], ["North", "10"], ["South", "12"]]])
    );
    assert_eq!(read["core"]["title"], "Quarterly report");
    assert_eq!(read["core"]["author"], "Ada Lovelace");
    assert_eq!(read["core"]["subject"], "Q3");
    assert_eq!(read["core"]["keywords"], "finance, q3");
    assert_valid_ooxml(&docx);
    // pandoc sees the table (it dropped every table of a .docx whose w:tblGrid was empty).
    if let Some(ast) = crate::helpers::pandoc_json(&docx) {
        let tables: Vec<&Value> = ast["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["t"] == "Table")
            .collect();
        assert_eq!(tables.len(), 1, "pandoc reads one table");
        let text = tables[0].to_string();
        for cell in ["Region", "Revenue", "North", "South", "12"] {
            assert!(text.contains(&format!("\"{cell}\"")), "{cell} in {text}");
        }
    }
    if let Some(text) = libreoffice_convert(&docx, "txt:Text", "txt") {
        assert!(text.contains("Revenue grew 12% this quarter."));
        assert!(text.contains("Appendix & notes <draft>"));
    }
    // LibreOffice sees the headings as headings (outline levels), not as big bold text.
    if let Some(html) = libreoffice_convert(&docx, "html", "html") {
        let squashed: String = html.split_whitespace().collect::<Vec<_>>().join(" ");
        let heading = |level: u8, text: &str| {
            squashed.split(&format!("<h{level}")).skip(1).any(|rest| {
                rest.split(&format!("</h{level}>"))
                    .next()
                    .is_some_and(|h| h.contains(text))
            })
        };
        assert!(heading(1, "Summary"), "{squashed}");
        assert!(heading(2, "Details"), "{squashed}");
    }
}

#[tokio::test]
async fn every_past_version_is_a_valid_docx_and_matches_its_content() {
    every_past_version_is_a_valid_docx_and_matches_its_content_on(&spawn_app().await).await;
}

#[tokio::test]
async fn every_past_version_is_a_valid_docx_and_matches_its_content_distributed() {
    every_past_version_is_a_valid_docx_and_matches_its_content_on(&spawn_distributed().await).await;
}

async fn every_past_version_is_a_valid_docx_and_matches_its_content_on(app: &TestApp) {
    // Arrange
    let id = app.create_document("Versions").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "first"}))
        .await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "second"}))
        .await;
    app.ok(
        &id,
        json!({"type": "update_paragraph", "block_index": 0, "text": "first, edited"}),
    )
    .await;
    app.ok(&id, json!({"type": "delete_block", "block_index": 1}))
        .await;

    // Act + Assert
    let expected = [
        vec![],
        vec!["first"],
        vec!["first", "second"],
        vec!["first, edited", "second"],
        vec!["first, edited"],
    ];
    for (i, texts) in expected.iter().enumerate() {
        let version = i + 1;
        let content = app
            .get_json(&format!("/v1/documents/{id}/content?version={version}"))
            .await;
        assert_eq!(content["version"], version);
        let got: Vec<&str> = content["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["text"].as_str().unwrap())
            .collect();
        assert_eq!(&got, texts, "content at version {version}");
        let docx = app
            .get_bytes(&format!("/v1/documents/{id}/docx?version={version}"))
            .await;
        let read = python_docx(&docx);
        let paragraphs: Vec<&str> = read["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert_eq!(&paragraphs, texts, "docx at version {version}");
        assert_valid_ooxml(&docx);
    }
}

#[tokio::test]
async fn the_latest_docx_is_identical_to_the_same_version_rebuilt_from_events() {
    the_latest_docx_is_identical_to_the_same_version_rebuilt_from_events_on(&spawn_app().await)
        .await;
}

#[tokio::test]
async fn the_latest_docx_is_identical_to_the_same_version_rebuilt_from_events_distributed() {
    the_latest_docx_is_identical_to_the_same_version_rebuilt_from_events_on(
        &spawn_distributed().await,
    )
    .await;
}

async fn the_latest_docx_is_identical_to_the_same_version_rebuilt_from_events_on(app: &TestApp) {
    // Arrange
    let id = app.create_document("Same bytes").await;
    let v = app
        .ok(
            &id,
            json!({"type": "add_heading", "text": "Title", "level": 1}),
        )
        .await["version"]
        .as_u64()
        .unwrap();

    // Act: the materialised blob (eventually) and a rebuild from events
    let latest = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={v}"))
        .await;
    let rebuilt = app
        .get_bytes(&format!("/v1/documents/{id}/docx?version={v}"))
        .await;

    // Assert
    assert_eq!(latest, rebuilt);
    assert_valid_ooxml(&latest);
}
