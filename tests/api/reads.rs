//! The query side: lists, outline, exports, history pages, read-your-writes, operations.
//!
//! Over 800 lines: end-to-end tests of one area, each test self-contained (arrange, act,
//! assert) so a failure reads on its own.

use serde_json::json;

use crate::helpers::{eventually, spawn_app};

#[tokio::test]
async fn documents_are_listed_newest_first_with_search_and_cursor() {
    // Arrange
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for title in ["Alpha plan", "Beta plan", "Gamma notes"] {
        ids.push(app.create_document(title).await);
    }
    eventually("all three are projected", || async {
        app.get_json("/v1/documents").await["items"]
            .as_array()
            .unwrap()
            .len()
            == 3
    })
    .await;

    // Act
    let first = app.get_json("/v1/documents?limit=2").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json(&format!("/v1/documents?limit=2&cursor={cursor}"))
        .await;
    let plans = app.get_json("/v1/documents?q=plan").await;

    // Assert
    let titles = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(titles(&first), vec!["Gamma notes", "Beta plan"]);
    assert_eq!(titles(&second), vec!["Alpha plan"]);
    assert!(second["next_cursor"].is_null());
    assert_eq!(titles(&plans), vec!["Beta plan", "Alpha plan"]);
}

#[tokio::test]
async fn outline_text_exports_and_blocks() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Exports").await;
    let v = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_heading", "text": "One", "level": 1},
                {"type": "add_paragraph", "text": "Body <b>not bold</b>"},
                {"type": "add_heading", "text": "Two", "level": 2}
            ]}),
        )
        .await["version"]
        .as_u64()
        .unwrap();
    let q = format!("min_version={v}");

    // Act
    let outline = app
        .get_json(&format!("/v1/documents/{id}/outline?{q}"))
        .await;
    let text = app.get_text(&format!("/v1/documents/{id}/text?{q}")).await;
    let html = app
        .get_text(&format!("/v1/documents/{id}/export?format=html&{q}"))
        .await;
    let markdown = app
        .get_text(&format!("/v1/documents/{id}/export?format=markdown&{q}"))
        .await;
    let plain = app
        .get_text(&format!("/v1/documents/{id}/export?format=text&{q}"))
        .await;
    let block = app
        .get_json(&format!("/v1/documents/{id}/blocks/b3?{q}"))
        .await;
    let old_block = app
        .get(&format!("/v1/documents/{id}/blocks/b3?version=1"))
        .await;

    // Assert
    assert_eq!(
        outline["items"],
        json!([
            {"block_id": "b2", "level": 1, "text": "One", "blocks": 2, "words": 4},
            {"block_id": "b4", "level": 2, "text": "Two", "blocks": 0, "words": 0}
        ])
    );
    assert_eq!(text, "One\nBody <b>not bold</b>\nTwo\n");
    assert_eq!(plain, text);
    assert!(html.contains("<h1>One</h1>"));
    assert!(html.contains("<p>Body &lt;b&gt;not bold&lt;/b&gt;</p>"));
    assert!(markdown.starts_with("# One\n\nBody \\<b\\>not bold\\</b\\>\n\n## Two"));
    assert_eq!(block["type"], "paragraph");
    assert_eq!(block["text"], "Body <b>not bold</b>");
    assert_eq!(old_block.status(), 404);
}

#[tokio::test]
async fn history_pages_and_filters() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Pages").await;
    for i in 0..5 {
        app.ok(
            &id,
            json!({"type": "add_paragraph", "text": format!("p{i}")}),
        )
        .await;
    }
    app.ok(&id, json!({"type": "set_title", "title": "Paged"}))
        .await;

    // Act
    let mut sequences = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/documents/{id}/history?limit=4&cursor={c}"),
            None => format!("/v1/documents/{id}/history?limit=4"),
        };
        let page = app.get_json(&path).await;
        for item in page["items"].as_array().unwrap() {
            sequences.push(item["sequence"].as_u64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let titles = app
        .get_json(&format!("/v1/documents/{id}/history?type=TitleSet"))
        .await;
    let nobody = app
        .get_json(&format!("/v1/documents/{id}/history?actor=someone-else"))
        .await;
    let future = app
        .get_json(&format!(
            "/v1/documents/{id}/history?since=2999-01-01T00:00:00Z"
        ))
        .await;

    // Assert
    assert_eq!(sequences, (1..=7).collect::<Vec<_>>());
    assert_eq!(titles["items"].as_array().unwrap().len(), 1);
    assert_eq!(titles["items"][0]["payload"]["title"], "Paged");
    assert!(nobody["items"].as_array().unwrap().is_empty());
    assert!(future["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn min_version_reads_your_writes_and_refuses_versions_that_do_not_exist() {
    let app = spawn_app().await;
    let id = app.create_document("RYW").await;
    for i in 0..20 {
        let v = app
            .ok(
                &id,
                json!({"type": "add_paragraph", "text": format!("p{i}")}),
            )
            .await["version"]
            .as_u64()
            .unwrap();
        let content = app
            .get_json(&format!("/v1/documents/{id}/content?min_version={v}"))
            .await;
        assert!(content["version"].as_u64().unwrap() >= v);
        assert_eq!(content["blocks"].as_array().unwrap().len(), i + 1);
    }
    let response = app
        .get(&format!("/v1/documents/{id}/content?min_version=999"))
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    assert_eq!(app.get_json("/readyz").await["status"], "ok");
    let spec = app.get_json("/openapi.json").await;
    for path in [
        "/v1/documents",
        "/v1/documents/{id}/commands",
        "/v1/documents/{id}/content",
        "/v1/documents/{id}/docx",
        "/v1/documents/{id}/history",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is in the spec");
    }
    let docs = app.get_text("/docs/").await;
    assert!(docs.contains("swagger"), "Swagger UI is served");
}

#[test]
fn the_benchmark_runs_and_reports_each_size() {
    // A tiny run: this checks that `folio-bench` works, not how fast anything is.
    let output = crate::helpers::succeeded(
        std::process::Command::new(env!("CARGO_BIN_EXE_folio-bench-e2e"))
            .args([
                "--requests",
                "20",
                "--warmup",
                "2",
                "--per-document",
                "10",
                "--sizes",
                "3,30",
                "--json",
            ])
            .output()
            .unwrap(),
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let sizes: Vec<u64> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["blocks"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, vec![3, 30]);
    for m in results.as_array().unwrap() {
        assert_eq!(m["requests"], 20);
        assert!(m["commands_per_second"].as_f64().unwrap() > 0.0);
        assert!(m["p99_ms"].as_f64().unwrap() >= m["p50_ms"].as_f64().unwrap());
    }
}

// See: issue 11: the pictures benchmark runs folio and python-docx on the same document.
#[test]
fn the_images_benchmark_compares_with_python_docx() {
    // A tiny run: this checks that `folio-bench --images` works, not how fast anything is.
    let output = crate::helpers::succeeded(
        std::process::Command::new(env!("CARGO_BIN_EXE_folio-bench-e2e"))
            .args(["--images", "--images-blocks", "40", "--images-count", "4"])
            .args(["--runs", "1", "--json", "--python"])
            .arg(crate::helpers::venv_bin("python"))
            .output()
            .unwrap(),
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["blocks"], 40, "{report}");
    assert_eq!(report["images"], 4, "{report}");
    assert!(
        report["python_docx_seconds"].as_f64().unwrap() > 0.0,
        "{report}"
    );
    assert!(
        report["folio_render_seconds"].as_f64().unwrap() > 0.0,
        "{report}"
    );
    // Four distinct 320×240 pictures are in both files.
    assert!(
        report["folio_bytes"].as_u64().unwrap() > 4 * 1_000,
        "{report}"
    );
    assert!(
        report["python_docx_bytes"].as_u64().unwrap() > 4 * 1_000,
        "{report}"
    );
}

#[tokio::test]
async fn search_finds_text_in_one_document_and_across_documents() {
    // Arrange
    let app = spawn_app().await;
    let a = app.create_document("Contract A").await;
    let b = app.create_document("Contract B").await;
    let va = app
        .ok(
            &a,
            json!({"commands": [
                {"type": "add_paragraph", "text": "The Supplier shall deliver."},
                {"type": "add_table", "data": [["supplier", "Acme"]]}
            ]}),
        )
        .await["version"]
        .as_u64()
        .unwrap();
    let vb = app
        .ok(
            &b,
            json!({"type": "add_paragraph", "text": "No match here, only a buyer."}),
        )
        .await["version"]
        .as_u64()
        .unwrap();
    app.get_json(&format!("/v1/documents/{a}?min_version={va}"))
        .await;
    app.get_json(&format!("/v1/documents/{b}?min_version={vb}"))
        .await;

    // Act
    let inside = app
        .get_json(&format!("/v1/documents/{a}/search?q=supplier"))
        .await;
    let exact = app
        .get_json(&format!(
            "/v1/documents/{a}/search?q=Supplier&match_case=true"
        ))
        .await;
    let across = app.get_json("/v1/search?q=SUPPLIER").await;
    let paged = app.get_json("/v1/search?q=supplier&limit=1").await;
    let rest = app
        .get_json(&format!(
            "/v1/search?q=supplier&limit=1&cursor={}",
            paged["next_cursor"].as_str().unwrap()
        ))
        .await;
    let empty = app.get(&format!("/v1/documents/{a}/search?q=")).await;

    // Assert
    assert_eq!(
        inside["items"],
        json!([
            {"block_id": "b2", "offset": 4, "length": 8, "snippet": "The Supplier shall deliver."},
            {"block_id": "b3", "offset": 0, "length": 8, "snippet": "supplier Acme"}
        ])
    );
    assert_eq!(exact["items"].as_array().unwrap().len(), 1);
    let hits = across["items"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h["document_id"] == a.as_str()));
    assert_eq!(hits[0]["offset"], 4);
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
    assert_eq!(empty.status(), 422);
}

#[tokio::test]
async fn the_audit_log_lists_the_tenants_events_in_commit_order() {
    // Arrange
    let app = spawn_app().await;
    let a = app.create_document("One").await;
    let b = app.create_document("Two").await;
    app.ok(&a, json!({"type": "add_paragraph", "text": "x"}))
        .await;
    app.ok(&b, json!({"type": "set_title", "title": "Second"}))
        .await;

    // Act
    let all = app.get_json("/v1/audit").await;
    let first_page = app.get_json("/v1/audit?limit=3").await;
    let second_page = app
        .get_json(&format!(
            "/v1/audit?limit=3&cursor={}",
            first_page["next_cursor"].as_str().unwrap()
        ))
        .await;
    let titles = app.get_json("/v1/audit?type=TitleSet").await;
    let by_someone = app.get_json("/v1/audit?actor=someone").await;
    let bad = app.get("/v1/audit?cursor=x").await;

    // Assert
    let order: Vec<(String, u64)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["document_id"].as_str().unwrap().to_string(),
                e["sequence"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            (a.clone(), 1),
            (b.clone(), 1),
            (a.clone(), 2),
            (b.clone(), 2)
        ]
    );
    assert_eq!(first_page["items"].as_array().unwrap().len(), 3);
    assert_eq!(second_page["items"].as_array().unwrap().len(), 1);
    assert!(second_page["next_cursor"].is_null());
    assert_eq!(titles["items"].as_array().unwrap().len(), 1);
    assert_eq!(titles["items"][0]["payload"]["title"], "Second");
    assert_eq!(titles["items"][0]["actor"], app.key_actor().as_str());
    assert!(by_someone["items"].as_array().unwrap().is_empty());
    assert_eq!(bad.status(), 422);
}

#[test]
fn the_large_document_benchmark_reports_lag_and_memory() {
    // A tiny run: this checks that `folio-bench --large` works, not how fast anything is.
    let output = crate::helpers::succeeded(
        std::process::Command::new(env!("CARGO_BIN_EXE_folio-bench-e2e"))
            .args(["--large", "--batches", "3", "--batch-size", "20", "--json"])
            .output()
            .unwrap(),
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["blocks"], 60);
    assert_eq!(report["events"], 61);
    assert_eq!(report["reads"].as_array().unwrap().len(), 8);
    assert!(report["rss_after_write_mib"].as_f64().unwrap() > 0.0);
    assert!(report["peak_history_mib"].as_f64().unwrap() > 0.0);
}

/// The diff between two versions: blocks aligned by id, words inserted and deleted, table
/// cells, the title — each change with the event that made it (who, when, why); the
/// reverse diff is its inverse.
async fn a_diff_says_what_changed_who_changed_it_and_why(app: crate::helpers::TestApp) {
    let id = app.create_document("Contract").await;
    let first = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_paragraph", "text": "The supplier shall deliver."},
                {"type": "add_paragraph", "text": "Payment in thirty days."},
                {"type": "add_table", "data": [["Item", "Price"], ["Paper", "3"]]},
                {"type": "add_paragraph", "text": "Signed."}
            ]}),
        )
        .await;
    let base = first["version"].as_u64().unwrap();
    let paragraph = first["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let payment = first["created"]["block_ids"][1]
        .as_str()
        .unwrap()
        .to_string();
    let signed = first["created"]["block_ids"][3]
        .as_str()
        .unwrap()
        .to_string();
    // A second actor edits, with a reason.
    let editor = crate::helpers::keyed_client(&app.create_key("default", "read,write"));
    let edited = editor
        .post(app.write_url(&format!("/v1/documents/{id}/commands")))
        .header("x-folio-reason", "client asked for a vendor")
        .json(&json!({"commands": [
            {"type": "replace_text", "find": "supplier", "replace": "vendor"},
            {"type": "delete_block", "block_id": payment},
            {"type": "set_table_cell", "block_index": 1, "row": 1, "col": 1, "text": "4"},
            {"type": "move_block", "block_id": signed, "position": {"at": "start"}},
            {"type": "set_title", "title": "Contract v2"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let head = app.version(&id).await;

    let diff = app
        .get_json(&format!("/v1/documents/{id}/diff?from={base}&to={head}"))
        .await;
    assert_eq!(
        diff["title"],
        json!({"from": "Contract", "to": "Contract v2"})
    );
    let change = |block: &str| {
        diff["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == block)
            .unwrap_or_else(|| panic!("{block} in {diff}"))
            .clone()
    };
    let reworded = change(&paragraph);
    assert_eq!(reworded["change"], "changed");
    assert_eq!(
        reworded["text"],
        json!([
            {"op": "equal", "text": "The "},
            {"op": "delete", "text": "supplier"},
            {"op": "insert", "text": "vendor"},
            {"op": "equal", "text": " shall deliver."}
        ])
    );
    assert_eq!(
        reworded["by"]["reason"], "client asked for a vendor",
        "{reworded}"
    );
    assert_eq!(reworded["by"]["type"], "TextReplaced");
    assert_ne!(reworded["by"]["actor"], app.key_actor());
    assert_eq!(change(&payment)["change"], "removed");
    assert_eq!(change(&signed)["change"], "moved");
    let table = diff["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "table")
        .unwrap();
    assert_eq!(
        table["cells"],
        json!([{"row": 1, "col": 1, "from": "3", "to": "4"}])
    );

    // The other way round: what was removed comes back, words swap sides.
    let back = app
        .get_json(&format!("/v1/documents/{id}/diff?from={head}&to={base}"))
        .await;
    let restored = back["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == payment.as_str())
        .unwrap();
    assert_eq!(restored["change"], "added");
    // Unknown versions are 404.
    let missing = app
        .get(&format!("/v1/documents/{id}/diff?from=1&to={}", head + 1))
        .await;
    assert_eq!(missing.status(), 404);
}

in_both_deployments!(a_diff_says_what_changed_who_changed_it_and_why);

/// Targeted reads for agents on long documents (issue 23): the outline says how much is
/// under each heading; a section's text and any blocks are read without the rest.
async fn outline_first_then_only_the_parts_needed(app: crate::helpers::TestApp) {
    // Arrange: Intro (2 paragraphs), Scope > Details (1 paragraph, a table), Annex.
    let id = app.create_document("Long").await;
    let answer = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_heading", "text": "Intro", "level": 1},
                {"type": "add_paragraph", "text": "one two three"},
                {"type": "add_paragraph", "text": "four five"},
                {"type": "add_heading", "text": "Scope", "level": 1},
                {"type": "add_heading", "text": "Details", "level": 2},
                {"type": "add_paragraph", "text": "six"},
                {"type": "add_table", "data": [["seven", "eight"]]},
                {"type": "add_heading", "text": "Annex", "level": 1},
            ]}),
        )
        .await;
    let ids = crate::helpers::created_ids(&answer);
    let version = answer["version"].as_u64().unwrap();

    // Act
    let outline = app
        .get_json(&format!("/v1/documents/{id}/outline?min_version={version}"))
        .await;
    let section = app
        .get_json(&format!("/v1/documents/{id}/headings/{}/text", ids[3]))
        .await;
    let by_ids = app
        .get_json(&format!(
            "/v1/documents/{id}/blocks?block_ids={},{}",
            ids[6], ids[1]
        ))
        .await;
    let by_blocks = app
        .get_json(&format!(
            "/v1/documents/{id}/blocks?from_block={}&to_block={}",
            ids[4], ids[6]
        ))
        .await;
    let by_index = app
        .get_json(&format!("/v1/documents/{id}/blocks?from_index=7"))
        .await;
    let refused = [
        format!("/v1/documents/{id}/blocks"),
        format!("/v1/documents/{id}/blocks?block_ids=b999"),
        format!(
            "/v1/documents/{id}/blocks?from_index=1&block_ids={}",
            ids[0]
        ),
        format!("/v1/documents/{id}/blocks?from_index=5&to_index=2"),
        format!("/v1/documents/{id}/blocks?to_index=8"),
        format!("/v1/documents/{id}/headings/{}/text", ids[1]),
    ];
    let mut statuses = Vec::new();
    for path in &refused {
        statuses.push(app.get(path).await.status().as_u16());
    }
    let unknown = app
        .get(&format!("/v1/documents/{id}/headings/b999/text"))
        .await;

    // Assert
    let items: Vec<(String, u64, u64)> = outline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["text"].as_str().unwrap().to_string(),
                i["blocks"].as_u64().unwrap(),
                i["words"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("Intro".to_string(), 2, 5),
            ("Scope".to_string(), 3, 4),
            ("Details".to_string(), 2, 3),
            ("Annex".to_string(), 0, 0),
        ]
    );
    assert_eq!(section["level"], 1);
    assert_eq!(section["block_ids"], json!(ids[3..7]));
    let text = section["text"].as_str().unwrap();
    for word in ["Scope", "Details", "six", "seven", "eight"] {
        assert!(text.contains(word), "{word} in {text:?}");
    }
    assert!(
        !text.contains("Intro") && !text.contains("Annex"),
        "{text:?}"
    );
    let block_ids = |answer: &serde_json::Value| -> Vec<String> {
        answer["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        block_ids(&by_ids),
        [ids[1].clone(), ids[6].clone()],
        "document order"
    );
    assert_eq!(block_ids(&by_blocks), ids[4..7]);
    assert_eq!(block_ids(&by_index), ids[7..8]);
    assert_eq!(statuses, [422, 422, 422, 422, 422, 422], "{refused:?}");
    crate::helpers::problem(unknown, 404).await;
}

in_both_deployments!(outline_first_then_only_the_parts_needed);

/// Paged reads pinned to one version (issue 23): pages within a token budget concatenate
/// to exactly the version the first one read, although the document changes between
/// pages; a cursor of another document, tampered with, or with a version is refused. Over
/// MCP, get_content pages by default so a result stays under 20,000 tokens.
async fn content_pages_within_a_budget_stay_on_one_version(app: crate::helpers::TestApp) {
    // Arrange: 60 paragraphs of about 200 characters.
    let id = app.create_document("Paged").await;
    let commands: Vec<serde_json::Value> = (0..60)
        .map(|i| json!({"type": "add_paragraph", "text": format!("paragraph {i} ").repeat(16)}))
        .collect();
    let answer = app.ok(&id, json!({ "commands": commands })).await;
    let version = answer["version"].as_u64().unwrap();
    let full = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    let other = app.create_document("Other").await;

    // Act: page through with a budget of 300 tokens, writing between pages.
    let mut pages = Vec::new();
    let mut next = format!("/v1/documents/{id}/content?budget=300");
    loop {
        let page = app.get_json(&next).await;
        app.ok(
            &id,
            json!({"type": "add_paragraph", "text": "written meanwhile"}),
        )
        .await;
        let cursor = page["next_cursor"].as_str().map(str::to_string);
        pages.push(page);
        match cursor {
            Some(c) => next = format!("/v1/documents/{id}/content?budget=300&cursor={c}"),
            None => break,
        }
        assert!(pages.len() < 100, "the pages end");
    }
    let first_cursor = pages[0]["next_cursor"].as_str().unwrap().to_string();
    // The same cursor pointing one block further (its check no longer fits).
    let mut parts: Vec<String> = first_cursor.split('.').map(str::to_string).collect();
    parts[2] = (parts[2].parse::<u64>().unwrap() + 1).to_string();
    let tampered = parts.join(".");
    let refused = [
        format!("/v1/documents/{id}/content?cursor={tampered}"),
        format!("/v1/documents/{other}/content?cursor={first_cursor}"),
        format!("/v1/documents/{id}/content?cursor={first_cursor}&version=1"),
        format!("/v1/documents/{id}/content?cursor=nonsense"),
        format!("/v1/documents/{id}/content?budget=5"),
    ];
    let mut statuses = Vec::new();
    for path in &refused {
        statuses.push(app.get(path).await.status().as_u16());
    }

    // Assert
    assert!(pages.len() > 5, "{} pages", pages.len());
    for page in &pages {
        assert_eq!(
            page["version"], version,
            "every page of the first one's version"
        );
        let tokens = page.to_string().chars().count() / 4;
        assert!(tokens <= 300 + 100, "a page of {tokens} tokens");
    }
    let joined: Vec<serde_json::Value> = pages
        .iter()
        .flat_map(|p| p["blocks"].as_array().unwrap().clone())
        .collect();
    assert_eq!(&joined, full["blocks"].as_array().unwrap());
    assert_eq!(statuses, [422, 422, 422, 422, 422], "{refused:?}");

    // The text pages the same way (REST names the next page in a header).
    let full_text = app
        .get_text(&format!("/v1/documents/{id}/text?version={version}"))
        .await;
    let mut joined_text = String::new();
    let mut next = format!("/v1/documents/{id}/text?budget=300&version={version}");
    let mut text_pages = 0;
    loop {
        let response = app.get(&next).await;
        assert_eq!(response.status(), 200);
        let cursor = response
            .headers()
            .get("folio-next-cursor")
            .map(|v| v.to_str().unwrap().to_string());
        let page = response.text().await.unwrap();
        assert!(
            page.chars().count() / 4 <= 300 + 100,
            "a text page of {} chars",
            page.len()
        );
        joined_text.push_str(&page);
        text_pages += 1;
        match cursor {
            Some(c) => next = format!("/v1/documents/{id}/text?budget=300&cursor={c}"),
            None => break,
        }
        assert!(text_pages < 100, "the text pages end");
    }
    assert!(text_pages > 5, "{text_pages} text pages");
    assert_eq!(joined_text, full_text);

    // The outline pages the same way: 40 headings, pinned to one version while another
    // heading is added between pages.
    let commands: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"type": "add_heading", "text": format!("Heading number {i} of the long outline"), "level": 1 + i % 3}))
        .collect();
    let headed = app.ok(&id, json!({ "commands": commands })).await["version"]
        .as_u64()
        .unwrap();
    let full_outline = app
        .get_json(&format!("/v1/documents/{id}/outline?min_version={headed}"))
        .await;
    assert!(
        full_outline.get("next_cursor").is_none(),
        "no budget, no pages"
    );
    let mut outline_pages = Vec::new();
    let mut next = format!("/v1/documents/{id}/outline?budget=200&version={headed}");
    loop {
        let page = app.get_json(&next).await;
        app.ok(
            &id,
            json!({"type": "add_heading", "text": "meanwhile", "level": 1}),
        )
        .await;
        let cursor = page["next_cursor"].as_str().map(str::to_string);
        outline_pages.push(page);
        match cursor {
            Some(c) => next = format!("/v1/documents/{id}/outline?budget=200&cursor={c}"),
            None => break,
        }
        assert!(outline_pages.len() < 100, "the outline pages end");
    }
    assert!(
        outline_pages.len() > 3,
        "{} outline pages",
        outline_pages.len()
    );
    for page in &outline_pages {
        assert_eq!(page["version"], headed);
        let tokens = page.to_string().chars().count() / 4;
        assert!(tokens <= 200 + 100, "an outline page of {tokens} tokens");
    }
    let joined_outline: Vec<serde_json::Value> = outline_pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .collect();
    assert_eq!(&joined_outline, full_outline["items"].as_array().unwrap());

    // The document search and the history page within a budget too, pinned to the version
    // the first page saw ("paragraph" is in the 60 paragraphs; more are written meanwhile).
    let searched = app.version(&id).await;
    // Every match of that version, 200 a page, before anything else is written.
    let mut all_matches: Vec<serde_json::Value> = Vec::new();
    let mut path = format!("/v1/documents/{id}/search?q=paragraph&limit=200&version={searched}");
    loop {
        let page = app.get_json(&path).await;
        all_matches.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/documents/{id}/search?q=paragraph&limit=200&cursor={c}"),
            None => break,
        }
    }
    let pages_of = |first: String, next: &'static dyn Fn(&str) -> String| {
        let app = &app;
        let id = id.clone();
        async move {
            let mut pages = Vec::new();
            let mut path = first;
            loop {
                let page = app.get_json(&path).await;
                app.ok(
                    &id,
                    json!({"type": "add_paragraph", "text": "paragraph meanwhile"}),
                )
                .await;
                let cursor = page["next_cursor"].as_str().map(str::to_string);
                pages.push(page);
                match cursor {
                    Some(c) => path = format!("/v1/documents/{id}/{}", next(&c)),
                    None => break,
                }
                assert!(pages.len() < 200, "the pages end");
            }
            pages
        }
    };
    let search_pages = pages_of(
        format!("/v1/documents/{id}/search?q=paragraph&limit=200&budget=2000&version={searched}"),
        &|c| format!("search?q=paragraph&limit=200&budget=2000&cursor={c}"),
    )
    .await;
    assert!(
        search_pages.len() > 3,
        "{} search pages",
        search_pages.len()
    );
    for page in &search_pages {
        assert_eq!(page["version"], searched);
        let tokens = page.to_string().chars().count() / 4;
        assert!(tokens <= 2000 + 100, "a search page of {tokens} tokens");
    }
    let joined_matches: Vec<serde_json::Value> = search_pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .collect();
    assert_eq!(joined_matches, all_matches);
    let head = app.version(&id).await;
    let history_pages = pages_of(
        format!("/v1/documents/{id}/history?limit=200&budget=400"),
        &|c| format!("history?limit=200&budget=400&cursor={c}"),
    )
    .await;
    assert!(
        history_pages.len() > 3,
        "{} history pages",
        history_pages.len()
    );
    let sequences: Vec<u64> = history_pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(
        sequences,
        (1..=head).collect::<Vec<_>>(),
        "up to the first page's head"
    );
    for page in &history_pages {
        assert_eq!(
            page["version"], head,
            "every page names the version it stops at"
        );
        let tokens = page.to_string().chars().count() / 4;
        let items = page["items"].as_array().unwrap().len();
        assert!(
            tokens <= 400 + 100 || items == 1,
            "a history page of {tokens} tokens"
        );
    }
    for path in [
        format!("/v1/documents/{id}/history?budget=5"),
        format!("/v1/documents/{id}/history?cursor=1.999999"),
        format!("/v1/documents/{id}/search?q=paragraph&cursor=0:0.{searched}&version=1"),
    ] {
        assert_eq!(app.get(&path).await.status(), 422, "{path}");
    }
}

in_both_deployments!(content_pages_within_a_budget_stay_on_one_version);
