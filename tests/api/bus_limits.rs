//! Events that fit the bus (issue 29): no request may append an event larger than the
//! event bus carries, and one row the relay cannot publish never holds back the others.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Process, TestApp, eventually, problem, spawn_distributed, succeeded};
use crate::import::{CONTENT_TYPES, ROOT_RELS, W, docx_with_body, import, zip_of};

/// `chars` characters of a fixed pseudo-random sequence (so a .docx holding them does not
/// deflate like a zip bomb).
fn varied(chars: usize) -> String {
    let alphabet: Vec<char> = "éabcdefghijklmnopqrstuvwxyzéàüöÉ0123456789 "
        .chars()
        .collect();
    let mut state = 0x2545_f491_u32;
    (0..chars)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            alphabet[(state >> 24) as usize % alphabet.len()]
        })
        .collect()
}

/// Text of about 1.3 MB as UTF-8 in 800,000 characters (within the text limit of
/// 1,000,000): every other character "é", the rest varied.
fn big_text() -> String {
    varied(400_000).chars().flat_map(|c| [c, 'é']).collect()
}

/// A .docx whose default header holds `text` (the header travels in `DocumentImported`).
fn docx_with_header(text: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body><w:p><w:r><w:t>body</w:t></w:r></w:p><w:sectPr><w:headerReference w:type="default" r:id="rIdH"/></w:sectPr></w:body></w:document>"#
    );
    let header = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="{W}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:hdr>"#
    );
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>"#;
    let types = CONTENT_TYPES.replace(
        "</Types>",
        r#"<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>"#,
    );
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
        ("word/header1.xml", header.as_bytes()),
    ])
}

/// Every path that could append an oversized event is refused with 413 `event_too_large`
/// naming the limit, appends nothing, and stores nothing; other documents and tenants go
/// on normally (in the distributed deployment: their writes become visible on the query
/// side).
async fn oversized_events_are_refused_and_nothing_is_appended(app: TestApp) {
    // Arrange
    let id = app.create_document("Target").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "small"}))
        .await;
    app.ok(
        &id,
        json!({"type": "add_table", "data": [["a", "b"], ["c", "d"]]}),
    )
    .await;
    let big = big_text();
    let half = "é".repeat(300_000);
    let other_tenant = crate::helpers::keyed_client(&app.create_key("other", "read,write"));
    let bystander = app.create_document_as(&other_tenant, "Bystander").await;

    // Act
    let refused: Vec<(&str, Value, Option<u64>)> = vec![
        (
            "add_paragraph",
            json!({"type": "add_paragraph", "text": big}),
            None,
        ),
        (
            "add_heading",
            json!({"type": "add_heading", "text": big, "level": 1}),
            None,
        ),
        (
            "update_paragraph",
            json!({"type": "update_paragraph", "block_id": "b2", "text": big}),
            None,
        ),
        (
            "insert_text",
            json!({"type": "insert_text", "block_id": "b2", "offset": 0, "text": big}),
            None,
        ),
        (
            "set_table_cell",
            json!({"type": "set_table_cell", "block_id": "b3", "row": 0, "col": 0, "text": big}),
            None,
        ),
        (
            "add_list (two items, one event)",
            json!({"type": "add_list", "kind": "bullet", "items": [half, half]}),
            None,
        ),
        (
            "set_header",
            json!({"type": "set_header", "text": big}),
            None,
        ),
        (
            "a batch whose second command is too large",
            json!({"commands": [
                {"type": "add_paragraph", "text": "fine"},
                {"type": "add_paragraph", "text": big},
            ]}),
            Some(1),
        ),
    ];
    let mut answers = Vec::new();
    for (what, body, index) in &refused {
        let response = app.command(&id, body.clone()).await;
        answers.push((what, problem(response, 413).await, index));
    }
    let dry_run = app
        .client
        .post(app.write_url(&format!("/v1/documents/{id}/commands?dry_run=true")))
        .json(&json!({"type": "add_paragraph", "text": big}))
        .send()
        .await
        .unwrap();
    // The import's own limit on one block (it chunks blocks into events) answers for a
    // giant paragraph; the event limit for what travels in DocumentImported.
    let imports = [
        (
            "a header in DocumentImported",
            docx_with_header(&big),
            "event_too_large",
        ),
        (
            "one paragraph in BlocksImported",
            docx_with_body(&format!("<w:p><w:r><w:t>{big}</w:t></w:r></w:p>")),
            "document_too_large",
        ),
    ];
    let mut import_answers = Vec::new();
    for (what, file, code) in &imports {
        import_answers.push((what, problem(import(&app, file, "").await, 413).await, code));
    }
    let later = app
        .command(&id, json!({"type": "add_paragraph", "text": "after"}))
        .await;
    let bystander_write = other_tenant
        .post(app.write_url(&format!("/v1/documents/{bystander}/commands")))
        .json(&json!({"type": "add_paragraph", "text": "still here"}))
        .send()
        .await
        .unwrap();

    // Assert
    for (what, p, index) in answers {
        assert_eq!(p["code"], "event_too_large", "{what}: {p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("1048320"),
            "{what} names the limit: {detail}"
        );
        assert_eq!(p["command_index"].as_u64(), *index, "{what}: {p}");
    }
    assert_eq!(problem(dry_run, 413).await["code"], "event_too_large");
    for (what, p, code) in import_answers {
        assert_eq!(p["code"], *code, "{what}: {p}");
    }
    assert_eq!(later.status(), 200);
    assert_eq!(bystander_write.status(), 200);
    let history = app
        .get_json(&format!(
            "/v1/documents/{id}/history?limit=100&min_version=4"
        ))
        .await;
    let types: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "DocumentCreated",
            "ParagraphAdded",
            "TableAdded",
            "ParagraphAdded"
        ],
        "only the accepted writes were appended"
    );
    let listed = app.get_json("/v1/documents?limit=100").await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "no import created a document: {listed}"
    );
    let seen = other_tenant
        .get(app.url(&format!("/v1/documents/{bystander}/text?min_version=2")))
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), 200, "the other tenant's write is visible");
    assert!(seen.text().await.unwrap().contains("still here"));
}

in_both_deployments!(oversized_events_are_refused_and_nothing_is_appended);

/// A row the relay cannot publish (an oversized event appended by an earlier build, here
/// injected behind folio's back) is parked and the relay goes on: every later write of
/// every tenant becomes visible; the command-api's /readyz names the parked row until an
/// operator skips it; the query-api's /readyz reports the lag of the document it leaves
/// behind until a later event of that document fills the gap from the store.
#[tokio::test]
async fn a_row_the_bus_refuses_is_parked_and_the_relay_goes_on() {
    // Arrange
    let app = spawn_distributed().await;
    let cluster = app.cluster_ref();
    let strict_reads = Process::start(&[
        "query-api".into(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--database-url".into(),
        cluster.database.url.clone(),
        "--jwt-secret".into(),
        crate::cluster::JWT_SECRET.into(),
        "--max-projection-lag-secs".into(),
        "1".into(),
    ]);
    let id = app.create_document("Poisoned").await;
    app.get_json(&format!("/v1/documents/{id}?min_version=1"))
        .await;
    let title = json!({"type": "TitleSet", "title": big_text()}).to_string();

    // Act
    app.inject_event(&id, "TitleSet", &title).await;
    let other_tenant = crate::helpers::keyed_client(&app.create_key("other", "read,write"));
    let bystander = app.create_document_as(&other_tenant, "Bystander").await;
    let mut visible = Vec::new();
    for i in 0..5 {
        let response = other_tenant
            .post(app.write_url(&format!("/v1/documents/{bystander}/commands")))
            .json(&json!({"type": "add_paragraph", "text": format!("write {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let read = other_tenant
            .get(app.url(&format!("/v1/documents/{bystander}?min_version={}", i + 2)))
            .send()
            .await
            .unwrap();
        visible.push(read.status().as_u16());
    }

    // Assert: the relay went on past the row, and says so.
    assert_eq!(visible, [200; 5], "later writes become visible");
    let ready = |base: String| {
        let client = crate::helpers::client();
        async move {
            let r = client.get(format!("{base}/readyz")).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let command_base = app.write_url("");
    eventually("the command-api to report the parked row", || {
        let check = ready(command_base.clone());
        async move {
            let (status, body) = check.await;
            status == 503 && body["status"].as_str().unwrap().contains("parked")
        }
    })
    .await;
    let listed = succeeded(cluster.folio(&["outbox", "list"]));
    let rows: Vec<Value> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["document_id"], id.as_str());
    assert_eq!(rows[0]["sequence"], 2);
    assert_eq!(rows[0]["event_type"], "TitleSet");
    assert!(rows[0]["bytes"].as_i64().unwrap() > 1 << 20);
    assert!(
        rows[0]["reason"].as_str().unwrap().contains("max payload"),
        "{rows:?}"
    );
    let metrics = crate::helpers::metrics_text(&command_base).await;
    assert!(
        metrics.contains("folio_outbox_parked_total 1"),
        "counted on /metrics"
    );

    // The document it belongs to lags on the query side, which /readyz reports.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = ready(strict_reads.base.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["status"].as_str().unwrap().contains("projection lag"),
        "{body}"
    );

    // A retry cannot publish it (it is still too large): it stays parked.
    let position = rows[0]["position"].as_i64().unwrap().to_string();
    let retry = cluster.folio_nats(&["outbox", "retry", &position]);
    assert!(!retry.status.success(), "the retry fails");
    let retried: Value = serde_json::from_slice(
        String::from_utf8_lossy(&retry.stdout)
            .lines()
            .next()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(retried["done"], false);

    // A later event of the document fills the gap from the store: the title shows.
    app.ok(&id, json!({"type": "add_paragraph", "text": "after"}))
        .await;
    let summary = app
        .get_json(&format!("/v1/documents/{id}?min_version=3"))
        .await;
    assert_eq!(summary["title"].as_str().unwrap().chars().count(), 800_000);
    eventually("the lag to clear", || {
        let check = ready(strict_reads.base.clone());
        async move { check.await.0 == 200 }
    })
    .await;

    // Skipped by the operator: the command-api is ready again.
    succeeded(cluster.folio(&["outbox", "skip", &position]));
    let listed = succeeded(cluster.folio(&["outbox", "list"]));
    assert!(listed.stdout.is_empty());
    let (status, body) = ready(command_base).await;
    assert_eq!(status, 200, "{body}");
}
