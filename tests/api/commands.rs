//! Every command type, over HTTP, and what it does to the content.
//!
//! Over 800 lines: end-to-end tests of one area, each test self-contained (arrange, act,
//! assert) so a failure reads on its own.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn texts(content: &Value) -> Vec<String> {
    content["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_command_type_applies() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("All commands").await;
    let r = app
        .ok(&id, json!({"type": "add_paragraph", "text": "Hello world"}))
        .await;
    let p = r["created"]["block_ids"][0].as_str().unwrap().to_string();
    let h = app
        .ok(
            &id,
            json!({"type": "add_heading", "text": "Top", "level": 1, "position": {"at": "start"}}),
        )
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let t = app
        .ok(&id, json!({"type": "add_table", "rows": 2, "cols": 2}))
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let l = app
        .ok(
            &id,
            json!({"type": "add_list", "kind": "bullet", "items": ["a"]}),
        )
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();

    // Act
    let steps = vec![
        json!({"type": "set_title", "title": "Renamed"}),
        json!({"type": "set_metadata", "author": "Grace", "category": "test", "custom": {"project": "folio"}}),
        json!({"type": "insert_text", "block_id": p, "offset": 5, "text": ","}),
        json!({"type": "delete_text", "block_id": p, "offset": 0, "length": 1}),
        json!({"type": "insert_text", "block_id": p, "offset": 0, "text": "J"}),
        json!({"type": "format_text", "block_id": p, "start": 0, "end": 5, "bold": true, "italic": true, "underline": true, "strike": true, "font": "Arial", "size_pt": 14, "color": "#00ff00", "highlight": "yellow"}),
        json!({"type": "set_alignment", "block_id": p, "alignment": "center"}),
        json!({"type": "update_paragraph", "block_id": h, "runs": [{"text": "Top "}, {"text": "title", "italic": true}]}),
        json!({"type": "set_table_cell", "block_id": t, "row": 0, "col": 0, "text": "r0c0"}),
        json!({"type": "add_table_row", "block_id": t, "data": ["x", "y"]}),
        json!({"type": "add_table_column", "block_id": t, "col": 0}),
        json!({"type": "delete_table_row", "block_id": t, "row": 1}),
        json!({"type": "delete_table_column", "block_id": t, "col": 2}),
        json!({"type": "add_list_item", "block_id": l, "text": "b", "level": 1}),
        json!({"type": "set_list_item_level", "block_id": l, "item": 1, "level": 2}),
        json!({"type": "add_page_break", "position": {"after": h}}),
        json!({"type": "move_block", "block_id": l, "position": {"before": p}}),
        json!({"type": "replace_text", "find": "jello", "replace": "Hello", "match_case": false}),
    ];
    let mut version = 5;
    for step in steps {
        let r = app.ok(&id, step.clone()).await;
        version += 1;
        assert_eq!(r["version"], version, "{step}");
    }

    // Assert
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(
        texts(&content),
        vec!["Top title", "", "a\nb", "Hello, world", "\tr0c0\n\tx"]
    );
    let blocks = content["blocks"].as_array().unwrap();
    assert_eq!(blocks[1]["type"], "page_break");
    assert_eq!(blocks[2]["items"][1]["level"], 2);
    let para = &blocks[3];
    assert_eq!(para["alignment"], "center");
    let first_run = &para["runs"][0];
    assert_eq!(first_run["text"], "Hello");
    for flag in ["bold", "italic", "underline", "strike"] {
        assert_eq!(first_run[flag], true, "{flag}");
    }
    assert_eq!(first_run["font"], "Arial");
    assert_eq!(first_run["size_pt"], 14.0);
    assert_eq!(first_run["color"], "00FF00");
    assert_eq!(first_run["highlight"], "yellow");
    let summary = app.get_json(&format!("/v1/documents/{id}")).await;
    assert_eq!(summary["title"], "Renamed");
    assert_eq!(summary["metadata"]["author"], "Grace");
    assert_eq!(summary["metadata"]["custom"]["project"], "folio");

    // the .docx of all of it is valid and carries the text
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    assert_eq!(read["paragraphs"][4]["text"], "Hello, world");
    assert_eq!(read["tables"][0][1], serde_json::json!(["", "x"]));

    // and deleting the heading by index, then archiving
    app.ok(&id, json!({"type": "delete_block", "block_index": 0}))
        .await;
    let archived = app.archive(&id).await;
    assert_eq!(archived.status(), 200);
}

#[tokio::test]
async fn a_batch_is_all_or_nothing() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Batch").await;

    // Act
    let response = app
        .command(
            &id,
            json!({"commands": [
                {"type": "add_paragraph", "text": "kept?"},
                {"type": "delete_block", "block_id": "missing"}
            ]}),
        )
        .await;

    // Assert
    let problem = crate::helpers::problem(response, 422).await;
    assert_eq!(problem["command_index"], 1);
    assert_eq!(problem["code"], "block_not_found");
    let content = app.get_json(&format!("/v1/documents/{id}/content")).await;
    assert_eq!(content["version"], 1);
    assert!(content["blocks"].as_array().unwrap().is_empty());
}

async fn a_dry_run_appends_nothing(app: crate::helpers::TestApp) {
    // Arrange: a document with a paragraph.
    let id = app.create_document("Dry").await;
    let first = app
        .ok(
            &id,
            json!({"type": "add_paragraph", "text": "alpha beta alpha"}),
        )
        .await;
    let block = first["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let url = app.write_url(&format!("/v1/documents/{id}/commands?dry_run=true"));

    // Act: a replace and an insert, dry, with an idempotency key.
    let response = app
        .client
        .post(&url)
        .header("Idempotency-Key", "dry-1")
        .json(&json!({"commands": [
            {"type": "replace_text", "find": "alpha", "replace": "gamma"},
            {"type": "add_paragraph", "text": "new"},
        ]}))
        .send()
        .await
        .unwrap();

    // Assert: what would happen, with the events themselves; no ETag, nothing appended.
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("etag").is_none());
    let dry: Value = response.json().await.unwrap();
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["version"], 4, "{dry}");
    assert_eq!(dry["events"][0]["type"], "TextReplaced", "{dry}");
    assert_eq!(dry["events"][0]["payload"]["replace"], "gamma", "{dry}");
    assert_eq!(dry["changed"]["block_ids"], json!([block]), "{dry}");
    assert_eq!(
        dry["created"]["block_ids"].as_array().unwrap().len(),
        1,
        "{dry}"
    );
    assert_eq!(app.version(&id).await, 2);
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);

    // The key was not used: a real request with it appends.
    let real = app
        .client
        .post(app.write_url(&format!("/v1/documents/{id}/commands")))
        .header("Idempotency-Key", "dry-1")
        .json(&json!({"type": "add_paragraph", "text": "real"}))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 200);
    let real: Value = real.json().await.unwrap();
    assert_eq!(real["version"], 3);
    assert!(real.get("dry_run").is_none(), "{real}");

    // A refused command is refused the same way, dry or not.
    let refused = app
        .client
        .post(&url)
        .json(&json!({"type": "delete_text", "block_id": block, "offset": 0, "length": 999}))
        .send()
        .await
        .unwrap();
    let problem = crate::helpers::problem(refused, 422).await;
    assert_eq!(problem["code"], "range_out_of_bounds");
    // And create and archive take it too.
    let created = app
        .client
        .post(app.write_url("/v1/documents?dry_run=true"))
        .json(&json!({"title": "never"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let archived = app
        .client
        .delete(app.write_url(&format!("/v1/documents/{id}?dry_run=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    assert_eq!(app.version(&id).await, 3);
    // The list is a read model: wait for the real document to appear in it (distributed
    // mode projects asynchronously), then check the dry run added none.
    crate::helpers::eventually("the document in the list", || async {
        let list = app.get_json("/v1/documents").await;
        !list["items"].as_array().unwrap().is_empty()
    })
    .await;
    let list = app.get_json("/v1/documents").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

in_both_deployments!(a_dry_run_appends_nothing);

async fn paragraph_format_reaches_word(app: crate::helpers::TestApp) {
    // Arrange: a heading and two paragraphs.
    let id = app.create_document("Formats").await;
    let r = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_heading", "text": "Terms", "level": 1},
                {"type": "add_paragraph", "text": "Indented with a first line"},
                {"type": "add_paragraph", "text": "Hanging, on a new page"},
            ]}),
        )
        .await;
    let ids = crate::helpers::created_ids(&r);

    // Act
    app.ok(
        &id,
        json!({"type": "set_paragraph_format", "block_id": ids[0],
        "spacing_before": 18, "spacing_after": 6, "keep_with_next": true}),
    )
    .await;
    app.ok(
        &id,
        json!({"type": "set_paragraph_format", "block_id": ids[1],
        "indent_left": 36, "indent_right": 18, "first_line": 24, "line_spacing": 1.5}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "set_paragraph_format", "block_id": ids[2],
            "hanging": 18, "indent_left": 36, "page_break_before": true}),
        )
        .await;
    let refused = app
        .command(
            &id,
            json!({"type": "set_paragraph_format", "block_id": ids[2],
            "first_line": 1, "hanging": 1}),
        )
        .await;

    // Assert: refused without change; the content and the .docx carry the formats, as
    // python-docx, openxml-audit and LibreOffice read them.
    let problem = crate::helpers::problem(refused, 422).await;
    assert_eq!(problem["code"], "invalid_field");
    let version = last["version"].as_u64().unwrap();
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(
        content["blocks"][1]["format"]["first_line"], 24.0,
        "{content}"
    );
    assert_eq!(content["blocks"][2]["format"]["hanging"], 18.0, "{content}");
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let p = |i: usize| read["paragraphs"][i]["format"].clone();
    assert_eq!(p(0)["space_before"], 18.0, "{read}");
    assert_eq!(p(0)["space_after"], 6.0, "{read}");
    assert_eq!(p(0)["keep_with_next"], true, "{read}");
    assert_eq!(p(1)["left_indent"], 36.0, "{read}");
    assert_eq!(p(1)["right_indent"], 18.0, "{read}");
    assert_eq!(p(1)["first_line_indent"], 24.0, "{read}");
    assert_eq!(p(1)["line_spacing"], 1.5, "{read}");
    assert_eq!(p(2)["first_line_indent"], -18.0, "a hanging indent: {read}");
    assert_eq!(p(2)["page_break_before"], true, "{read}");
    assert_eq!(read["paragraphs"][0]["style"], "Heading 1");
    if let Some(html) = crate::helpers::libreoffice_convert(&docx, "html", "html") {
        let squashed: String = html.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squashed.contains("Indented with a first line"),
            "{squashed}"
        );
    }
    let html = app
        .get_text(&format!(
            "/v1/documents/{id}/export?format=html&version={version}"
        ))
        .await;
    assert!(html.contains("text-indent:24pt"), "{html}");
    assert!(html.contains("break-before:page"), "{html}");
}

in_both_deployments!(paragraph_format_reaches_word);

/// The pandoc AST nodes of one type, anywhere in `value`.
fn pandoc_nodes<'a>(value: &'a Value, kind: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.get("t").and_then(Value::as_str) == Some(kind) {
                out.push(value);
            }
            map.values().for_each(|v| pandoc_nodes(v, kind, out));
        }
        Value::Array(items) => items.iter().for_each(|v| pandoc_nodes(v, kind, out)),
        _ => {}
    }
}

async fn links_bookmarks_and_scripts_reach_word(app: crate::helpers::TestApp) {
    // Arrange: a heading to point at, and a paragraph with formatted runs.
    let id = app.create_document("Links").await;
    let r = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_heading", "text": "Definitions", "level": 1},
                {"type": "add_paragraph", "runs": [
                    {"text": "E = mc"}, {"text": "2", "superscript": true},
                    {"text": ", H"}, {"text": "2", "subscript": true},
                    {"text": "O and "}, {"text": "Acme", "small_caps": true},
                    {"text": ". See the site"}]},
                {"type": "add_list", "kind": "bullet", "items": [
                    {"runs": [{"text": "Bold item", "bold": true},
                              {"text": " and a link", "link": "https://example.org/list"}]},
                    "plain item"]},
            ]}),
        )
        .await;
    let ids = crate::helpers::created_ids(&r);

    // Act: a bookmark, links to it, to a URL and to a mail address.
    app.ok(
        &id,
        json!({"type": "add_bookmark", "block_id": ids[0], "name": "Definitions"}),
    )
    .await;
    app.ok(
        &id,
        json!({"type": "add_hyperlink", "block_id": ids[1], "url": "https://example.com/terms?a=1&b=2",
        "start": 31}),
    )
    .await;
    app.ok(
        &id,
        json!({"type": "add_hyperlink", "block_id": ids[1], "url": "mailto:legal@example.com",
        "text": ", write to us"}),
    )
    .await;
    // A bookmark over a range: "Acme".
    app.ok(
        &id,
        json!({"type": "add_bookmark", "block_id": ids[1], "name": "Company", "start": 17, "end": 21}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "add_hyperlink", "block_id": ids[1], "bookmark": "definitions",
            "text": " or read the definitions."}),
        )
        .await;
    let refused = [
        json!({"type": "add_hyperlink", "block_id": ids[1], "url": "javascript:alert(1)"}),
        json!({"type": "add_hyperlink", "block_id": ids[1], "bookmark": "Missing"}),
        json!({"type": "add_bookmark", "block_id": ids[1], "name": "_Toc1"}),
        json!({"type": "add_bookmark", "block_id": ids[1], "name": "DEFINITIONS"}),
    ];
    let mut codes = Vec::new();
    for body in refused {
        let problem = crate::helpers::problem(app.command(&id, body).await, 422).await;
        codes.push(problem["code"].as_str().unwrap().to_string());
    }

    // Assert: the refusals changed nothing; content, exports and the .docx carry the
    // links, as python-docx, pandoc, openxml-audit and LibreOffice read them.
    assert_eq!(codes, vec!["invalid_field"; 4]);
    let version = last["version"].as_u64().unwrap();
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(content["version"], version, "refusals appended nothing");
    assert_eq!(content["blocks"][0]["bookmarks"], json!(["Definitions"]));
    let marked: Vec<&str> = content["blocks"][1]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["bookmarks"] == json!(["Company"]))
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["Acme"], "{content}");
    let runs = content["blocks"][1]["runs"].as_array().unwrap();
    let linked: Vec<(&str, &str)> = runs
        .iter()
        .filter_map(|r| Some((r["text"].as_str()?, r["link"].as_str()?)))
        .collect();
    assert_eq!(
        linked,
        [
            ("site", "https://example.com/terms?a=1&b=2"),
            (", write to us", "mailto:legal@example.com"),
            (" or read the definitions.", "#Definitions"),
        ],
        "{content}"
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let p = &read["paragraphs"][1];
    assert_eq!(
        read["paragraphs"][0]["bookmarks"],
        json!(["Definitions"]),
        "{read}"
    );
    assert_eq!(p["bookmarks"], json!(["Company"]), "{read}");
    assert_eq!(
        p["links"],
        json!([
            {"text": "site", "address": "https://example.com/terms?a=1&b=2", "fragment": ""},
            {"text": ", write to us", "address": "mailto:legal@example.com", "fragment": ""},
            {"text": " or read the definitions.", "address": "", "fragment": "Definitions"},
        ]),
        "{read}"
    );
    let run = |text: &str| {
        p["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["text"] == text)
            .cloned()
            .unwrap_or_else(|| panic!("no run {text}: {read}"))
    };
    assert_eq!(run("Acme")["small_caps"], true, "{read}");
    let twos: Vec<(Value, Value)> = p["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["text"] == "2")
        .map(|r| (r["superscript"].clone(), r["subscript"].clone()))
        .collect();
    assert_eq!(
        twos,
        [(json!(true), json!(false)), (json!(false), json!(true))]
    );
    // A list item holds formatted runs and links too.
    let item = &read["paragraphs"][2];
    assert_eq!(item["text"], "Bold item and a link", "{read}");
    assert_eq!(item["runs"][0]["bold"], true, "{read}");
    assert_eq!(
        item["links"][0]["address"], "https://example.org/list",
        "{read}"
    );
    assert!(item["list"].is_object(), "a list paragraph: {read}");
    assert_eq!(
        content["blocks"][2]["items"][1],
        json!({"text": "plain item", "level": 0})
    );
    if let Some(ast) = crate::helpers::pandoc_json(&docx) {
        let mut links = Vec::new();
        pandoc_nodes(&ast, "Link", &mut links);
        let targets: Vec<&str> = links.iter().filter_map(|l| l["c"][2][0].as_str()).collect();
        assert_eq!(
            targets,
            [
                "https://example.com/terms?a=1&b=2",
                "mailto:legal@example.com",
                // pandoc points a link to a heading's bookmark at the heading's own id
                "#definitions",
                "https://example.org/list"
            ],
            "{ast}"
        );
        assert_eq!(ast["blocks"][0]["c"][1][0], "definitions", "{ast}");
        let mut sups = Vec::new();
        pandoc_nodes(&ast, "Superscript", &mut sups);
        let mut subs = Vec::new();
        pandoc_nodes(&ast, "Subscript", &mut subs);
        let mut caps = Vec::new();
        pandoc_nodes(&ast, "SmallCaps", &mut caps);
        assert_eq!((sups.len(), subs.len(), caps.len()), (1, 1, 1), "{ast}");
    }
    if let Some(html) = crate::helpers::libreoffice_convert(&docx, "html", "html") {
        assert!(
            html.contains("https://example.com/terms?a=1&amp;b=2"),
            "{html}"
        );
        assert!(html.contains("mailto:legal@example.com"), "{html}");
    }
    let export = app
        .get_text(&format!(
            "/v1/documents/{id}/export?format=html&version={version}"
        ))
        .await;
    assert!(
        export.contains(r#"<a href="https://example.com/terms?a=1&amp;b=2">site</a>"#),
        "{export}"
    );
    assert!(export.contains(r#"<h1 id="Definitions">"#), "{export}");
}

in_both_deployments!(links_bookmarks_and_scripts_reach_word);

async fn page_setup_headers_and_footers_reach_word(app: crate::helpers::TestApp) {
    // Arrange: three pages of text.
    let id = app.create_document("Pages").await;
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_heading", "text": "Cover", "level": 1},
            {"type": "add_page_break"},
            {"type": "add_paragraph", "text": "Second page"},
            {"type": "add_page_break"},
            {"type": "add_paragraph", "text": "Third page"},
        ]}),
    )
    .await;

    // Act: landscape Letter with 20 mm side margins, a page-numbered footer, a first-page
    // header.
    app.ok(
        &id,
        json!({"type": "set_page_setup", "size": "Letter", "orientation": "landscape",
        "margin_left_mm": 20, "margin_right_mm": 20}),
    )
    .await;
    app.ok(
        &id,
        json!({"type": "set_footer", "text": "Page {PAGE} of {NUMPAGES}"}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "set_header", "kind": "first", "runs": [{"text": "ACME Corp", "bold": true}]}),
        )
        .await;
    let refused = [
        json!({"type": "set_page_setup", "size": "B7"}),
        json!({"type": "set_page_setup", "margin_left_mm": 150, "margin_right_mm": 150}),
        json!({"type": "set_page_setup", "section": 1, "columns": 2}),
        json!({"type": "set_footer", "text": "x", "runs": [{"text": "y"}]}),
    ];
    let mut statuses = Vec::new();
    for body in refused {
        statuses.push(app.command(&id, body).await.status().as_u16());
    }

    // Assert: refusals change nothing; sections, the .docx (python-docx, openxml-audit) and
    // LibreOffice's PDF show the page setup and "Page 2 of 3" on page 2.
    assert_eq!(statuses, [422, 422, 422, 422]);
    let version = last["version"].as_u64().unwrap();
    let sections = app
        .get_json(&format!(
            "/v1/documents/{id}/sections?min_version={version}"
        ))
        .await;
    assert_eq!(sections["version"], version, "{sections}");
    let page = &sections["sections"][0]["page"];
    assert_eq!(page["width_mm"], 279.4, "{sections}");
    assert_eq!(page["height_mm"], 215.9, "{sections}");
    assert_eq!(page["orientation"], "landscape", "{sections}");
    assert_eq!(page["margin_left_mm"], 20.0, "{sections}");
    assert_eq!(
        sections["sections"][0]["footer"]["default"][1]["field"], "page",
        "{sections}"
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let section = &read["sections"][0];
    assert_eq!(section["orientation"], "LANDSCAPE (1)", "{read}");
    assert_eq!(section["page_width_mm"], 279.4, "{read}");
    assert_eq!(section["page_height_mm"], 215.9, "{read}");
    assert_eq!(section["left_margin_mm"], 20.0, "{read}");
    assert_eq!(
        section["footer"], "Page 1 of 1",
        "cached field values: {read}"
    );
    assert_eq!(section["first_page_header"], "ACME Corp", "{read}");
    assert_eq!(section["different_first_page"], true, "{read}");
    if let Some(pages) = crate::helpers::pdf_pages(&docx) {
        assert_eq!(pages.len(), 3, "{pages:?}");
        assert!(pages[0].contains("ACME Corp"), "{pages:?}");
        // A first-page header gives the first page its own header and footer (as in
        // Word): no first-page footer was set, so page 1 has none.
        assert!(!pages[0].contains("Page 1"), "{pages:?}");
        assert!(pages[1].contains("Page 2 of 3"), "{pages:?}");
        assert!(
            !pages[1].contains("ACME Corp"),
            "first page only: {pages:?}"
        );
        assert!(pages[2].contains("Page 3 of 3"), "{pages:?}");
    }
    let html = app
        .get_text(&format!(
            "/v1/documents/{id}/export?format=html&version={version}"
        ))
        .await;
    assert!(html.contains("<footer>Page 1 of 1</footer>"), "{html}");
}

in_both_deployments!(page_setup_headers_and_footers_reach_word);

async fn a_table_of_contents_reaches_word(app: crate::helpers::TestApp) {
    // Arrange: a document with headings on two levels and one too deep to list.
    let id = app.create_document("Contents").await;
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_heading", "text": "Introduction", "level": 1},
            {"type": "add_paragraph", "text": "Body"},
            {"type": "add_heading", "text": "Scope", "level": 2},
            {"type": "add_heading", "text": "Detail", "level": 3},
        ]}),
    )
    .await;

    // Act
    let last = app
        .ok(
            &id,
            json!({"type": "add_table_of_contents", "title": "Contents", "max_level": 2,
            "position": {"at": "start"}}),
        )
        .await;
    let refused = app
        .command(
            &id,
            json!({"type": "add_table_of_contents", "max_level": 12}),
        )
        .await;

    // Assert: a TOC block; its entries in the .docx (python-docx, pandoc, LibreOffice),
    // with updateFields set and no schema findings.
    crate::helpers::problem(refused, 422).await;
    let version = last["version"].as_u64().unwrap();
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(
        content["blocks"][0]["type"], "table_of_contents",
        "{content}"
    );
    assert_eq!(content["blocks"][0]["max_level"], 2, "{content}");
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    assert!(crate::helpers::zip_entry(&docx, "word/settings.xml").contains("w:updateFields"));
    let read = crate::helpers::python_docx(&docx);
    let entries: Vec<(&str, &str)> = read["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["style"].as_str().is_some_and(|s| s.starts_with("toc ")))
        .map(|p| (p["style"].as_str().unwrap(), p["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [("toc 1", "Introduction"), ("toc 2", "Scope")],
        "{read}"
    );
    if let Some(ast) = crate::helpers::pandoc_json(&docx) {
        // Each listed heading twice: its TOC entry and itself; the deep one once.
        let text = ast.to_string();
        assert_eq!(text.matches(r#""Scope""#).count(), 2, "{text}");
        assert_eq!(text.matches(r#""Introduction""#).count(), 2, "{text}");
        assert_eq!(text.matches(r#""Detail""#).count(), 1, "{text}");
    }
    if let Some(text) = crate::helpers::libreoffice_convert(&docx, "txt:Text", "txt") {
        let contents = text.find("Contents").expect("the title");
        let intro = text[contents..].find("Introduction").expect("an entry");
        assert!(text[contents + intro..].contains("Scope"), "{text}");
    }
}

in_both_deployments!(a_table_of_contents_reaches_word);

async fn styles_reach_word(app: crate::helpers::TestApp) {
    // Arrange: a paragraph and a table.
    let id = app.create_document("Styles").await;
    let r = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_paragraph", "text": "The Supplier shall deliver."},
                {"type": "add_table", "data": [["a", "b"]]},
            ]}),
        )
        .await;
    let ids = crate::helpers::created_ids(&r);

    // Act: a paragraph style based on Quote, a character style, a table style; applied.
    app.ok(
        &id,
        json!({"commands": [
            {"type": "create_style", "name": "Legal Clause", "kind": "paragraph", "based_on": "Quote",
             "font": "Georgia", "size_pt": 12, "bold": true, "spacing_after": 6},
            {"type": "create_style", "name": "Defined Term", "kind": "character", "italic": true,
             "color": "1F4E79"},
            {"type": "create_style", "style_id": "Plain", "name": "Plain Table", "kind": "table",
             "based_on": "TableGrid"},
            {"type": "apply_style", "block_id": ids[0], "style_id": "LegalClause"},
            {"type": "apply_style", "block_id": ids[0], "style_id": "DefinedTerm", "start": 4, "end": 12},
            {"type": "apply_style", "block_id": ids[1], "style_id": "Plain"},
        ]}),
    )
    .await;
    // Built-in styles redefined over Word's: the body font, the first heading's colour.
    app.ok(
        &id,
        json!({"commands": [
            {"type": "update_style", "style_id": "Normal", "font": "Cambria", "size_pt": 11},
            {"type": "update_style", "style_id": "Heading1", "color": "C00000"},
        ]}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "update_style", "style_id": "LegalClause", "size_pt": 13}),
        )
        .await;
    let refused = [
        json!({"type": "delete_style", "style_id": "LegalClause"}),
        json!({"type": "update_style", "style_id": "Quote", "name": "Citation"}),
        json!({"type": "apply_style", "block_id": ids[0], "style_id": "Plain"}),
        json!({"type": "create_style", "name": "legal clause", "kind": "paragraph"}),
    ];
    for body in refused {
        let problem = crate::helpers::problem(app.command(&id, body.clone()).await, 422).await;
        assert!(
            problem["code"] == "invalid_field" || problem["code"] == "wrong_block_type",
            "{body}: {problem}"
        );
    }

    // Assert: the style sheet lists them; python-docx and LibreOffice read them.
    let version = last["version"].as_u64().unwrap();
    let styles = app
        .get_json(&format!("/v1/documents/{id}/styles?min_version={version}"))
        .await;
    assert_eq!(styles["version"], version, "{styles}");
    let own: Vec<&Value> = styles["styles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["builtin"] == false)
        .collect();
    assert_eq!(own.len(), 3, "{styles}");
    assert_eq!(own[0]["definition"]["size_pt"], 13.0, "{styles}");
    let normal = styles["styles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["style_id"] == "Normal")
        .unwrap();
    assert_eq!(normal["builtin"], true, "{styles}");
    assert_eq!(normal["definition"]["font"], "Cambria", "{styles}");
    assert!(
        styles["styles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["style_id"] == "Heading1" && s["applicable"] == false)
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let style = |name: &str| {
        read["styles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no style {name}: {read}"))
    };
    let clause = style("Legal Clause");
    assert_eq!(clause["base"], "Quote", "{clause}");
    assert_eq!(clause["size"], 13.0, "{clause}");
    assert_eq!(clause["font"], "Georgia", "{clause}");
    assert_eq!(clause["bold"], true, "{clause}");
    assert_eq!(style("Defined Term")["color"], "1F4E79");
    assert_eq!(style("Plain Table")["base"], "Table Grid");
    assert_eq!(style("Normal")["font"], "Cambria", "{read}");
    assert_eq!(style("Normal")["size"], 11.0, "{read}");
    assert_eq!(style("Heading 1")["color"], "C00000", "{read}");
    assert_eq!(
        style("Heading 1")["bold"],
        true,
        "Word's definition stays: {read}"
    );
    let p = &read["paragraphs"][0];
    assert_eq!(p["style"], "Legal Clause", "{read}");
    let term = p["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"] == "Supplier")
        .unwrap_or_else(|| panic!("{read}"));
    assert_eq!(term["style"], "Defined Term", "{read}");
    assert_eq!(read["table_styles"][0], "Plain Table", "{read}");
    if let Some(html) = crate::helpers::libreoffice_convert(&docx, "html", "html") {
        assert!(html.contains("Supplier"), "{html}");
    }
}

in_both_deployments!(styles_reach_word);

async fn list_numbering_reaches_word(app: crate::helpers::TestApp) {
    // Arrange: two numbered lists around a paragraph, and a bulleted one.
    let id = app.create_document("Lists").await;
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_list", "kind": "numbered", "items": ["Alpha", "Beta"]},
            {"type": "add_paragraph", "text": "Between"},
            {"type": "add_list", "kind": "numbered", "items": ["Gamma"]},
            {"type": "add_list", "kind": "bullet", "items": ["Tick"]},
        ]}),
    )
    .await;

    // Act: upper roman from 4, the second list going on, a tick bullet.
    let last = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "set_list_numbering", "block_index": 0, "format": "upper_roman", "start": 4},
                {"type": "set_list_numbering", "block_index": 2, "continue_previous": true},
                {"type": "set_list_numbering", "block_index": 3, "bullet": "✓"},
            ]}),
        )
        .await;
    let refused = app
        .command(
            &id,
            json!({"type": "set_list_numbering", "block_index": 3, "format": "decimal"}),
        )
        .await;

    // Assert: pandoc and LibreOffice number them as Word would.
    crate::helpers::problem(refused, 422).await;
    let version = last["version"].as_u64().unwrap();
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let numbering = crate::helpers::zip_entry(&docx, "word/numbering.xml");
    assert!(numbering.contains(r#"w:val="upperRoman""#), "{numbering}");
    assert!(numbering.contains("✓"), "{numbering}");
    if let Some(ast) = crate::helpers::pandoc_json(&docx) {
        let mut lists = Vec::new();
        pandoc_nodes(&ast, "OrderedList", &mut lists);
        let attrs: Vec<(Value, Value)> = lists
            .iter()
            .map(|l| (l["c"][0][0].clone(), l["c"][0][1]["t"].clone()))
            .collect();
        assert_eq!(
            attrs,
            [
                (json!(4), json!("UpperRoman")),
                (json!(6), json!("UpperRoman"))
            ],
            "{ast}"
        );
    }
    if let Some(text) = crate::helpers::libreoffice_convert(&docx, "txt:Text", "txt") {
        // (LibreOffice's text filter writes every bullet as •; numbering.xml has the ✓.)
        assert!(
            text.contains("IV. Alpha") && text.contains("V. Beta"),
            "{text}"
        );
        assert!(
            text.contains("VI. Gamma"),
            "the second list goes on: {text}"
        );
    }
    let export = app
        .get_text(&format!(
            "/v1/documents/{id}/export?format=text&version={version}"
        ))
        .await;
    assert!(
        export.starts_with("IV. Alpha\nV. Beta\nBetween\nVI. Gamma\n✓ Tick\n"),
        "{export}"
    );
}

in_both_deployments!(list_numbering_reaches_word);

async fn merged_and_formatted_table_cells_reach_word(app: crate::helpers::TestApp) {
    // Arrange
    let id = app.create_document("Tables").await;
    let r = app
        .ok(
            &id,
            json!({"type": "add_table", "data": [["Region", "", "Total"], ["North", "South", "9"], ["1", "2", "3"]]}),
        )
        .await;
    let table = r["created"]["block_ids"][0].as_str().unwrap().to_string();

    // Act: a 2×2 merge at the top left, widths, a shaded, centred cell.
    let last = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "merge_table_cells", "block_id": table, "from_row": 0, "from_col": 0, "to_row": 1, "to_col": 1},
                {"type": "set_table_column_widths", "block_id": table, "widths_mm": [60, 40, 30]},
                {"type": "set_table_cell_format", "block_id": table, "row": 0, "col": 2, "to_row": 1,
                 "shading": "D9E2F3", "vertical_align": "center"},
                {"type": "set_table_cell", "block_id": table, "row": 2, "col": 2,
                 "runs": [{"text": "3", "bold": true}, {"text": " (see)", "link": "https://example.com/t"}]},
            ]}),
        )
        .await;
    let refused = [
        json!({"type": "merge_table_cells", "block_id": table, "from_row": 1, "from_col": 1, "to_row": 2, "to_col": 2}),
        json!({"type": "set_table_cell", "block_id": table, "row": 1, "col": 1, "text": "hidden"}),
        json!({"type": "set_table_column_widths", "block_id": table, "widths_mm": [60, 40]}),
    ];
    for body in refused {
        crate::helpers::problem(app.command(&id, body).await, 422).await;
    }

    // Assert
    let version = last["version"].as_u64().unwrap();
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(content["version"], version, "refusals appended nothing");
    let block = &content["blocks"][0];
    assert_eq!(block["rows"][0][0], "Region\nNorth\nSouth", "{block}");
    assert_eq!(
        block["merges"],
        json!([{"row": 0, "col": 0, "rows": 2, "cols": 2}])
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let layout = &read["table_layout"][0];
    assert_eq!(
        layout["same_as_first"],
        json!([
            [true, true, false],
            [true, true, false],
            [false, false, false]
        ]),
        "python-docx sees one merged cell: {read}"
    );
    assert_eq!(layout["widths_mm"], json!([60.0, 40.0, 30.0]), "{read}");
    assert_eq!(read["tables"][0][2], json!(["1", "2", "3 (see)"]), "{read}");
    assert_eq!(
        read["table_bold"][0][2],
        json!([false, false, true]),
        "{read}"
    );
    assert!(
        crate::helpers::zip_entry(&docx, "word/_rels/document.xml.rels")
            .contains("https://example.com/t"),
        "the cell's link"
    );
    if let Some(ast) = crate::helpers::pandoc_json(&docx) {
        let text = ast.to_string();
        assert!(
            text.contains(r#""Region""#) && text.contains(r#""Total""#),
            "{text}"
        );
    }
    if let Some(html) = crate::helpers::libreoffice_convert(&docx, "html", "html") {
        let squashed: String = html.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(squashed.contains("rowspan=\"2\""), "{squashed}");
        assert!(squashed.to_lowercase().contains("#d9e2f3"), "{squashed}");
    }
}

in_both_deployments!(merged_and_formatted_table_cells_reach_word);

async fn section_breaks_reach_word(app: crate::helpers::TestApp) {
    // Arrange: a portrait page, then a wide table that needs a landscape one.
    let id = app.create_document("Sections").await;
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_paragraph", "text": "Portrait page"},
            {"type": "add_section_break", "orientation": "landscape"},
            {"type": "add_paragraph", "text": "Landscape page"},
            {"type": "add_section_break", "orientation": "portrait"},
            {"type": "add_paragraph", "text": "Portrait again"},
            {"type": "set_footer", "text": "Page {PAGE} of {NUMPAGES}"},
        ]}),
    )
    .await;

    // Act: the landscape section gets its own margins and footer; the last one inherits.
    app.ok(
        &id,
        json!({"type": "set_page_setup", "section": 1, "margin_left_mm": 15, "margin_right_mm": 15}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "set_footer", "section": 1, "text": "Annex page {PAGE}"}),
        )
        .await;
    let refused = [
        json!({"type": "set_page_setup", "section": 3, "columns": 2}),
        json!({"type": "set_header", "section": 3, "text": "x"}),
    ];
    for body in refused {
        crate::helpers::problem(app.command(&id, body).await, 422).await;
    }

    // Assert: three sections; python-docx, openxml-audit and LibreOffice's PDF agree.
    let version = last["version"].as_u64().unwrap();
    let sections = app
        .get_json(&format!(
            "/v1/documents/{id}/sections?min_version={version}"
        ))
        .await;
    let list = sections["sections"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{sections}");
    assert_eq!(list[1]["page"]["orientation"], "landscape", "{sections}");
    assert_eq!(list[1]["page"]["margin_left_mm"], 15.0, "{sections}");
    assert_eq!(list[1]["first_block_index"], 1, "{sections}");
    assert_eq!(list[2]["page"]["orientation"], "portrait", "{sections}");
    assert_eq!(list[1]["own"], json!(["footer_default"]), "{sections}");
    assert_eq!(list[2]["own"], json!(null), "{sections}");
    assert_eq!(
        list[2]["footer"]["default"][0]["text"], "Annex page ",
        "inherited: {sections}"
    );
    assert_eq!(
        list[0]["footer"]["default"][0]["text"], "Page ",
        "{sections}"
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let of_each = |field: &str| -> Vec<String> {
        read["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s[field].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        of_each("orientation"),
        ["PORTRAIT (0)", "LANDSCAPE (1)", "PORTRAIT (0)"],
        "{read}"
    );
    assert_eq!(read["sections"][1]["left_margin_mm"], 15.0, "{read}");
    let footers = of_each("footer");
    assert_eq!(
        footers,
        ["Page 1 of 1", "Annex page 1", "Annex page 1"],
        "section 2 shows section 1's (cached field values): {read}"
    );
    if let Some(sizes) = crate::helpers::pdf_page_sizes(&docx) {
        assert_eq!(sizes.len(), 3, "{sizes:?}");
        assert!(sizes[0].0 < sizes[0].1, "page 1 portrait: {sizes:?}");
        assert!(sizes[1].0 > sizes[1].1, "page 2 landscape: {sizes:?}");
        assert!(sizes[2].0 < sizes[2].1, "page 3 portrait: {sizes:?}");
    }
    if let Some(pages) = crate::helpers::pdf_pages(&docx) {
        assert!(pages[0].contains("Page 1 of 3"), "{pages:?}");
        assert!(pages[1].contains("Annex page 2"), "{pages:?}");
        assert!(!pages[1].contains("of 3"), "{pages:?}");
        assert!(pages[2].contains("Annex page 3"), "{pages:?}");
    }
}

in_both_deployments!(section_breaks_reach_word);

/// A picture format, encoded by its own crate (`png`, `jpeg-encoder`, `gif`), not by folio.
#[derive(Clone, Copy)]
pub(crate) enum Format {
    Png,
    Jpeg,
    Gif,
}

/// A `width`×`height` gradient in `format`.
pub(crate) fn picture(format: Format, width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, format, |x, y| {
        [(x * 255 / width) as u8, (y * 255 / height) as u8, 128]
    })
}

/// RGB pixels made by `pixel` encoded in `format`.
fn encoded(
    width: u32,
    height: u32,
    format: Format,
    pixel: impl Fn(u32, u32) -> [u8; 3],
) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            rgb.extend(pixel(x, y));
        }
    }
    let mut out = Vec::new();
    match format {
        Format::Png => {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&rgb).unwrap();
        }
        Format::Jpeg => {
            jpeg_encoder::Encoder::new(&mut out, 90)
                .encode(
                    &rgb,
                    width as u16,
                    height as u16,
                    jpeg_encoder::ColorType::Rgb,
                )
                .unwrap();
        }
        Format::Gif => {
            let frame = gif::Frame::from_rgb(width as u16, height as u16, &rgb);
            let mut encoder =
                gif::Encoder::new(&mut out, width as u16, height as u16, &[]).unwrap();
            encoder.write_frame(&frame).unwrap();
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn images_reach_word(app: crate::helpers::TestApp) {
    // Arrange: a PNG, a JPEG and a GIF made by an independent encoder.
    let png = picture(Format::Png, 200, 100);
    let jpeg = picture(Format::Jpeg, 120, 80);
    let gif = picture(Format::Gif, 10, 10);
    let id = app.create_document("Pictures").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "Logo: here"}))
        .await;

    // Act: the PNG as a paragraph of its own (50 mm wide), the JPEG inside the first
    // paragraph, the GIF at its own size, and the PNG again (stored once).
    let first = app
        .ok(
            &id,
            json!({"type": "add_image", "data_base64": b64(&png), "alt_text": "Company <logo>",
                   "width_mm": 50}),
        )
        .await;
    let before_resize = first["version"].as_u64().unwrap();
    app.ok(
        &id,
        json!({"type": "add_image", "data_base64": b64(&jpeg), "block_index": 0, "offset": 6,
               "height_px": 40}),
    )
    .await;
    app.ok(&id, json!({"type": "add_image", "data_base64": b64(&gif)}))
        .await;
    app.ok(
        &id,
        json!({"type": "add_image", "data_base64": b64(&png), "position": {"at": "start"}}),
    )
    .await;
    app.ok(
        &id,
        json!({"type": "resize_image", "block_index": 2, "width_mm": 80}),
    )
    .await;
    // In a table cell and in a list item, as in a paragraph.
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_table", "data": [["", "ACME Corp"]]},
            {"type": "add_image", "data_base64": b64(&gif), "block_index": 4, "row": 0, "col": 0,
             "alt_text": "Cell logo"},
            {"type": "add_list", "kind": "bullet", "items": ["Signed: "]},
            {"type": "add_image", "data_base64": b64(&gif), "block_index": 5, "item": 0,
             "alt_text": "Signature"},
            // And in a header, beside a link.
            {"type": "set_header", "runs": [{"text": " ACME, "},
                {"text": "acme.example", "link": "https://acme.example/?a=1&b=2"}]},
            {"type": "add_image", "data_base64": b64(&png), "header": "default", "offset": 0,
             "width_mm": 10, "alt_text": "Header logo"},
        ]}),
    )
    .await;
    let last = app
        .ok(
            &id,
            json!({"type": "set_image_alt_text", "block_index": 1, "offset": 6,
                   "alt_text": "A photo"}),
        )
        .await;
    let refused = [
        (
            json!({"type": "add_image", "data_base64": "not base64!"}),
            422,
        ),
        (
            json!({"type": "add_image", "data_base64": b64(b"BM not a picture")}),
            422,
        ),
        (
            json!({"type": "add_image", "data_base64": b64(&png[..40])}),
            422,
        ),
        (
            json!({"type": "add_image", "data_base64": b64(&gif), "width_px": 1, "width_mm": 1}),
            422,
        ),
        (
            json!({"type": "add_image", "data_base64": b64(&gif), "width_mm": 1000}),
            422,
        ),
        (json!({"type": "resize_image", "block_index": 0}), 422),
        (
            json!({"type": "set_image_alt_text", "block_index": 1, "offset": 0, "alt_text": "x"}),
            422,
        ),
        (
            json!({"type": "add_image", "data_base64": b64(&gif), "block_index": 1, "offset": 99}),
            422,
        ),
    ];
    for (body, status) in refused {
        let response = app.command(&id, body.clone()).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
    }
    let version = last["version"].as_u64().unwrap();
    assert_eq!(app.version(&id).await, version, "refusals append nothing");

    // Assert: the images query, the media download, the history (hashes, not bytes).
    let images = app
        .get_json(&format!("/v1/documents/{id}/images?min_version={version}"))
        .await;
    let list = images["images"].as_array().unwrap();
    assert_eq!(list.len(), 7, "{images}");
    assert_eq!(list[6]["part"], "header_default", "{images}");
    assert_eq!(list[6]["section"], 0, "{images}");
    assert!(list[6].get("block_id").is_none(), "{images}");
    assert_eq!(
        (&list[4]["row"], &list[4]["col"]),
        (&json!(0), &json!(0)),
        "{images}"
    );
    assert_eq!(list[5]["item"], 0, "{images}");
    assert_eq!(list[5]["offset"], 8, "{images}");
    assert_eq!(list[1]["offset"], 6, "{images}");
    assert_eq!(list[1]["format"], "jpeg", "{images}");
    assert_eq!(list[1]["alt_text"], "A photo", "{images}");
    assert_eq!(
        (list[1]["width_px"].as_u64(), list[1]["height_px"].as_u64()),
        (Some(120), Some(80))
    );
    assert_eq!(list[2]["width_mm"], 80.0, "{images}");
    assert_eq!(list[2]["height_mm"], 40.0, "aspect kept: {images}");
    assert_eq!(list[2]["alt_text"], "Company <logo>", "{images}");
    assert_eq!(list[0]["media"], list[2]["media"], "{images}");
    assert_eq!(list[0]["media"], sha256_hex(&png), "{images}");
    for (image, bytes, mime) in [
        (&list[1], &jpeg, "image/jpeg"),
        (&list[3], &gif, "image/gif"),
    ] {
        let response = app
            .get(&format!(
                "/v1/documents/{id}/media/{}",
                image["media"].as_str().unwrap()
            ))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], mime);
        assert_eq!(
            &response.bytes().await.unwrap()[..],
            &bytes[..],
            "as uploaded"
        );
    }
    let other = app.create_document("Other").await;
    let foreign = app
        .get(&format!("/v1/documents/{other}/media/{}", sha256_hex(&png)))
        .await;
    let problem = crate::helpers::problem(foreign, 404).await;
    assert_eq!(problem["code"], "media_not_found", "{problem}");
    let gif_media = sha256_hex(&gif);
    let earlier = app
        .get(&format!(
            "/v1/documents/{id}/media/{gif_media}?version={before_resize}"
        ))
        .await;
    crate::helpers::problem(earlier, 404).await;
    let history = app.get_text(&format!("/v1/documents/{id}/history")).await;
    assert!(
        history.len() < 20_000,
        "events carry hashes, not pictures: {}",
        history.len()
    );

    // The .docx: python-docx's inline shapes (sizes, alt text, the original bytes and
    // content types), openxml-audit, pandoc's images, LibreOffice's PDF.
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let shapes = read["inline_shapes"].as_array().unwrap();
    assert_eq!(shapes.len(), 6, "{read}");
    assert_eq!(shapes[4]["descr"], "Cell logo", "{read}");
    assert_eq!(shapes[5]["descr"], "Signature", "{read}");
    assert!(
        read["sections"][0]["header"]
            .as_str()
            .unwrap()
            .contains("ACME, acme.example"),
        "{read}"
    );
    let header = crate::helpers::zip_entry(&docx, "word/folioheader1.xml");
    assert!(header.contains(r#"descr="Header logo""#), "{header}");
    let rels = crate::helpers::zip_entry(&docx, "word/_rels/folioheader1.xml.rels");
    assert!(rels.contains("media/image1.png"), "the body's file: {rels}");
    assert!(
        rels.contains(r#"Target="https://acme.example/?a=1&amp;b=2" TargetMode="External""#),
        "{rels}"
    );
    assert!(
        shapes
            .iter()
            .all(|s| s["type"].as_str().unwrap().contains("PICTURE")),
        "{read}"
    );
    assert_eq!(shapes[1]["content_type"], "image/jpeg", "{read}");
    assert_eq!(shapes[1]["sha256"], sha256_hex(&jpeg), "{read}");
    assert_eq!(shapes[1]["descr"], "A photo", "{read}");
    assert_eq!(shapes[3]["content_type"], "image/gif", "{read}");
    assert_eq!(shapes[2]["descr"], "Company <logo>", "{read}");
    assert_eq!(shapes[2]["width_mm"], 80.0, "{read}");
    assert_eq!(
        shapes[0]["partname"], shapes[2]["partname"],
        "one media part: {read}"
    );
    assert_eq!(read["paragraphs"][1]["text"], "Logo: here", "{read}");
    if let Some(pandoc) = crate::helpers::pandoc_json(&docx) {
        let text = pandoc.to_string();
        assert_eq!(text.matches(r#""t":"Image""#).count(), 6, "{pandoc}");
    }
    if let Some(images) = crate::helpers::pdf_images(&docx) {
        assert!(
            images.len() >= 3,
            "LibreOffice's PDF shows the pictures: {images:?}"
        );
        assert!(
            images.iter().any(|(_, w, h)| (*w, *h) == (120, 80)),
            "{images:?}"
        );
    }

    // Time travel: before the resize, the picture had its first size.
    let past = app
        .get_bytes(&format!("/v1/documents/{id}/docx?version={before_resize}"))
        .await;
    let read = crate::helpers::python_docx(&past);
    assert_eq!(read["inline_shapes"][0]["width_mm"], 50.0, "{read}");
    assert_eq!(
        read["inline_shapes"][0]["sha256"],
        sha256_hex(&png),
        "{read}"
    );

    // Exports: alt text everywhere, escaped.
    let path =
        |format: &str| format!("/v1/documents/{id}/export?format={format}&version={version}");
    let html = app.get_text(&path("html")).await;
    assert!(
        html.contains(&format!(
            r#"<img src="media/{}" alt="Company &lt;logo&gt;""#,
            sha256_hex(&png)
        )),
        "{html}"
    );
    let markdown = app.get_text(&path("markdown")).await;
    assert!(markdown.contains("![A photo](media/"), "{markdown}");
    let text = app.get_text(&path("text")).await;
    assert!(text.contains("Logo: [image: A photo]here"), "{text}");
    assert!(text.contains("[image: Cell logo]\tACME Corp"), "{text}");
    assert!(text.contains("Signed: [image: Signature]"), "{text}");
}

in_both_deployments!(images_reach_word);

// See: issue 11: the image limits are explicit (bytes 413, pixels 422, images per
// document 413), and a body too large for the server is 413 before any of them.
#[tokio::test]
async fn image_limits_are_explicit() {
    let app = crate::helpers::spawn_app_with(&[
        "--max-image-bytes",
        "2000",
        "--max-image-pixels",
        "10000",
        "--max-images",
        "2",
    ])
    .await;
    let id = app.create_document("Limits").await;
    let small = picture(Format::Png, 10, 10);
    // One colour compresses to a few hundred bytes: under the byte limit, over the pixels.
    let wide = encoded(200, 60, Format::Gif, |_, _| [9, 9, 9]);
    assert!(wide.len() < 2000, "{}", wide.len());
    let big = {
        // Noise does not compress: well over 2,000 bytes.
        encoded(60, 60, Format::Png, |x, y| {
            // A hash of the position per channel: no pattern a filter could predict.
            let h = |k: u32| {
                // splitmix64
                let mut z = u64::from((x * 60 + y) * 3 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as u8
            };
            [h(0), h(1), h(2)]
        })
    };
    assert!(big.len() > 2000, "{}", big.len());
    let add = |bytes: &[u8]| json!({"type": "add_image", "data_base64": b64(bytes)});
    let too_big = crate::helpers::problem(app.command(&id, add(&big)).await, 413).await;
    assert_eq!(too_big["code"], "document_too_large", "{too_big}");
    assert!(
        too_big["detail"].as_str().unwrap().contains("image"),
        "{too_big}"
    );
    let too_many_pixels = crate::helpers::problem(app.command(&id, add(&wide)).await, 422).await;
    assert!(
        too_many_pixels.to_string().contains("200×60"),
        "{too_many_pixels}"
    );
    app.ok(&id, add(&small)).await;
    app.ok(&id, add(&small)).await;
    let third = crate::helpers::problem(app.command(&id, add(&small)).await, 413).await;
    assert!(
        third["detail"].as_str().unwrap().contains("images"),
        "{third}"
    );
    assert_eq!(app.version(&id).await, 3);
}

async fn cells_of_several_blocks_reach_word(app: crate::helpers::TestApp) {
    // Arrange: a two-column table of terms.
    let id = app.create_document("Terms table").await;
    app.ok(
        &id,
        json!({"type": "add_table", "data": [["Term", "Meaning"], ["Goods", ""]], "header_row": true}),
    )
    .await;

    // Act: the meaning cell holds a paragraph, a numbered list and a nested table.
    let last = app
        .ok(
            &id,
            json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1, "blocks": [
                {"type": "paragraph", "runs": [{"text": "Everything ", "bold": true}, {"text": "delivered:"}]},
                {"type": "list", "kind": "numbered", "items": ["paper", {"text": "ink", "level": 1}]},
                {"type": "table", "data": [["Item", "Qty"], ["paper", "3"]]},
            ]}),
        )
        .await;
    for body in [
        json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1, "blocks": []}),
        json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1, "text": "x",
               "blocks": [{"type": "paragraph", "text": "y"}]}),
        json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1,
               "blocks": [{"type": "image", "data_base64": ""}]}),
    ] {
        crate::helpers::problem(app.command(&id, body).await, 422).await;
    }
    let version = last["version"].as_u64().unwrap();

    // Assert: the content, python-docx (paragraphs, numbering, the nested table),
    // openxml-audit, pandoc and LibreOffice.
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    let table = &content["blocks"][0];
    assert_eq!(
        table["rows"][1][1], "Everything delivered:\npaper\nink\nItem\tQty\npaper\t3",
        "{content}"
    );
    assert_eq!(
        table["cell_runs"][0]["blocks"][1]["type"], "list",
        "{content}"
    );
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    crate::helpers::assert_valid_ooxml(&docx);
    let read = crate::helpers::python_docx(&docx);
    let cell = &read["cells"][0][1][1];
    assert_eq!(
        cell["paragraphs"],
        json!(["Everything delivered:", "paper", "ink", ""]),
        "{read}"
    );
    assert_eq!(cell["numbered"][1]["level"], 0, "{read}");
    assert_eq!(cell["numbered"][2]["level"], 1, "{read}");
    assert_eq!(
        cell["tables"],
        json!([[["Item", "Qty"], ["paper", "3"]]]),
        "{read}"
    );
    if let Some(pandoc) = crate::helpers::pandoc_json(&docx) {
        let text = pandoc.to_string();
        assert!(
            text.contains(r#""OrderedList""#),
            "pandoc reads the list in the cell: {text}"
        );
        assert_eq!(
            text.matches(r#""t":"Table""#).count(),
            2,
            "and the nested table: {text}"
        );
    }
    if let Some(text) = crate::helpers::libreoffice_convert(&docx, "txt:Text", "txt") {
        assert!(text.contains("Everything delivered:"), "{text}");
        assert!(text.contains("Qty"), "{text}");
    }
    let html = app
        .get_text(&format!(
            "/v1/documents/{id}/export?format=html&version={version}"
        ))
        .await;
    assert!(
        html.contains("<ol><li>paper<ol><li>ink</li></ol></li></ol>"),
        "{html}"
    );

    // replace_text reaches the blocks, and a row added above moves them.
    app.ok(
        &id,
        json!({"type": "replace_text", "find": "paper", "replace": "card"}),
    )
    .await;
    let moved = app
        .ok(
            &id,
            json!({"type": "add_table_row", "block_index": 0, "row": 1}),
        )
        .await;
    let content = app
        .get_json(&format!(
            "/v1/documents/{id}/content?min_version={}",
            moved["version"]
        ))
        .await;
    assert_eq!(
        content["blocks"][0]["rows"][2][1], "Everything delivered:\ncard\nink\nItem\tQty\ncard\t3",
        "{content}"
    );
    assert_eq!(content["blocks"][0]["cell_runs"][0]["row"], 2, "{content}");
}

in_both_deployments!(cells_of_several_blocks_reach_word);
