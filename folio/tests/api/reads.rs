//! The query side: lists, outline, exports, history pages, read-your-writes, operations.

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
        json!([{"block_id": "b2", "level": 1, "text": "One"}, {"block_id": "b4", "level": 2, "text": "Two"}])
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
    // A tiny run: this checks that `folio bench` works, not how fast anything is.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args([
            "bench",
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
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
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
