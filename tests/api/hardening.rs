//! Hostile requests: nothing a client sends takes folio down (see issue 9).

use serde_json::json;

use crate::helpers::{
    TestApp, assert_valid_ooxml, problem, python_docx, spawn_app, spawn_distributed,
};

/// The request that once persisted an event whose application panicked every projector:
/// refused with a 422, nothing appended, and every document still readable afterwards.
async fn a_length_that_wraps_is_refused_and_reads_keep_working(app: &TestApp) {
    // Arrange
    let id = app.create_document("Poison").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "hello world"}))
        .await;
    let other = app.create_document("Bystander").await;

    // Act
    let answers = [
        app.post_raw(
            &id,
            r#"{"type":"delete_text","block_id":"b2","offset":1,"length":18446744073709551615}"#,
            &[],
        )
        .await,
        app.post_raw(
            &id,
            r#"{"type":"delete_text","block_id":"b2","offset":2,"length":18446744073709551614}"#,
            &[],
        )
        .await,
        app.post_raw(
            &id,
            r#"{"type":"format_text","block_id":"b2","start":18446744073709551615,"bold":true}"#,
            &[],
        )
        .await,
    ];
    let later = app
        .command(&id, json!({"type": "add_paragraph", "text": "after"}))
        .await;
    let created_after = app.create_document("Created after").await;

    // Assert
    for answer in answers {
        let p = problem(answer, 422).await;
        assert_eq!(p["code"], "range_out_of_bounds", "{p}");
    }
    assert_eq!(later.status(), 200);
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version=3"))
        .await;
    assert_eq!(content["version"], 3, "nothing but the later paragraph");
    assert_eq!(content["blocks"][0]["text"], "hello world");
    app.get_json(&format!("/v1/documents/{other}/content?min_version=1"))
        .await;
    app.get_json(&format!("/v1/documents/{created_after}?min_version=1"))
        .await;
    python_docx(
        &app.get_bytes(&format!("/v1/documents/{id}/docx?min_version=3"))
            .await,
    );
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn a_wrapping_delete_is_refused_in_the_embedded_deployment() {
    a_length_that_wraps_is_refused_and_reads_keep_working(&spawn_app().await).await;
}

#[tokio::test]
async fn a_wrapping_delete_is_refused_in_the_distributed_deployment() {
    a_length_that_wraps_is_refused_and_reads_keep_working(&spawn_distributed().await).await;
}

/// Strings that once broke the .docx: a custom property holding markup (and one forging a
/// second property), and font names with characters XML cannot hold.
async fn xml_breaking_strings_are_escaped_or_refused(app: &TestApp) {
    // Arrange
    let id = app.create_document("XML").await;

    // Act
    let metadata = app
        .command(
            &id,
            json!({"type": "set_metadata", "custom": {
                "k": "<w:p>",
                "forge": "x</vt:lpwstr></property><property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"9\" name=\"evil\"><vt:lpwstr>y"
            }}),
        )
        .await;
    let mut fonts = Vec::new();
    for font in ["A\u{0}", "A\u{1}", "A\u{b}", "A\u{fffe}"] {
        fonts.push(
            app.command(
                &id,
                json!({"type": "add_paragraph", "runs": [{"text": "x", "font": font}]}),
            )
            .await,
        );
    }
    app.ok(
        &id,
        json!({"type": "add_paragraph", "runs": [{"text": "<b>&amp;</b>", "font": "Times & \"New\" <Roman>"}]}),
    )
    .await;

    // Assert
    assert_eq!(metadata.status(), 200);
    for answer in fonts {
        let p = problem(answer, 422).await;
        assert_eq!(p["errors"][0]["field"], "runs.0.font", "{p}");
    }
    let docx = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version=3"))
        .await;
    let read = python_docx(&docx);
    assert_eq!(read["paragraphs"][0]["text"], "<b>&amp;</b>");
    assert_valid_ooxml(&docx);
    if let Some(text) = crate::helpers::libreoffice_convert(&docx, "txt:Text", "txt") {
        assert!(text.contains("<b>&amp;</b>"), "{text}");
    }
    let custom = crate::helpers::zip_entry(&docx, "docProps/custom.xml");
    assert_eq!(custom.matches("<property ").count(), 2, "{custom}");
    assert!(!custom.contains("name=\"evil\""));
}

#[tokio::test]
async fn xml_breaking_strings_are_handled_in_the_embedded_deployment() {
    xml_breaking_strings_are_escaped_or_refused(&spawn_app().await).await;
}

#[tokio::test]
async fn xml_breaking_strings_are_handled_in_the_distributed_deployment() {
    xml_breaking_strings_are_escaped_or_refused(&spawn_distributed().await).await;
}

/// A client of another tenant, with an API key made by the CLI.
fn other_tenant(app: &TestApp) -> reqwest::Client {
    crate::helpers::keyed_client(&app.create_key("other", "read,write"))
}

/// One document's stored event cannot be read: that document's projection stops and its
/// reads say so, while every other document, of every tenant, keeps projecting.
async fn a_bad_event_stops_only_its_own_document(app: &TestApp) {
    // Arrange
    let broken = app.create_document("Broken").await;
    app.ok(&broken, json!({"type": "add_paragraph", "text": "before"}))
        .await;
    let healthy = app.create_document("Healthy").await;
    let other = other_tenant(app);
    let theirs = app.create_document_as(&other, "Other tenant").await;

    // Act
    app.inject_event(&broken, "TextDeleted", r#"{"block_id": 5, "offset": "x"}"#)
        .await;
    app.ok(
        &healthy,
        json!({"type": "add_paragraph", "text": "still projecting"}),
    )
    .await;
    let theirs_written = other
        .post(app.write_url(&format!("/v1/documents/{theirs}/commands")))
        .json(&json!({"type": "add_heading", "text": "also", "level": 1}))
        .send()
        .await
        .unwrap();
    let created_after = app.create_document("Created after").await;

    // Assert
    assert_eq!(theirs_written.status(), 200);
    let content = app
        .get_json(&format!("/v1/documents/{healthy}/content?min_version=2"))
        .await;
    assert_eq!(content["blocks"][0]["text"], "still projecting");
    let their_content: serde_json::Value = other
        .get(app.url(&format!("/v1/documents/{theirs}/content?min_version=2")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(their_content["blocks"][0]["text"], "also");
    app.get_json(&format!("/v1/documents/{created_after}?min_version=1"))
        .await;
    crate::helpers::eventually("the broken document to be marked failed", || async {
        app.get(&format!("/v1/documents/{broken}/content"))
            .await
            .status()
            == 500
    })
    .await;
    let p = problem(app.get(&format!("/v1/documents/{broken}")).await, 500).await;
    assert_eq!(p["code"], "projection_failed", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("event 3"), "{p}");
    // the past and the history stay readable
    let past = app
        .get_json(&format!("/v1/documents/{broken}/content?version=2"))
        .await;
    assert_eq!(past["blocks"][0]["text"], "before");
    let history = app
        .get_json(&format!("/v1/documents/{broken}/history"))
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 3);
    // writes to it are refused without touching anything else
    let write = app
        .command(&broken, json!({"type": "add_page_break"}))
        .await;
    assert_eq!(write.status(), 500);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "the other documents' reads are served");
}

#[tokio::test]
async fn a_failed_projection_is_counted_in_the_metrics() {
    let app = spawn_app().await;
    let id = app.create_document("Counted").await;
    app.inject_event(&id, "TitleSet", r#"{"title": 7}"#).await;
    let metrics = || async {
        // no credentials needed
        reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    crate::helpers::eventually("the failure to be counted", || async {
        metrics()
            .await
            .contains("folio_projection_failures_total 1")
    })
    .await;
    let text = metrics().await;
    assert!(
        !text.contains(&id),
        "no document ids or tenant data in metrics"
    );
}

#[tokio::test]
async fn a_bad_event_stops_only_its_own_document_in_the_embedded_deployment() {
    a_bad_event_stops_only_its_own_document(&spawn_app().await).await;
}

#[tokio::test]
async fn a_bad_event_stops_only_its_own_document_in_the_distributed_deployment() {
    a_bad_event_stops_only_its_own_document(&spawn_distributed().await).await;
}

// See: issue 9: searching a 1,000,000-character paragraph was quadratic (minutes on one
// worker, /healthz timing out). Matches now come in pages, found in linear time.
async fn search_pages_through_a_long_paragraph(app: &TestApp) {
    // Arrange
    let id = app.create_document("Long").await;
    let text = "www.".repeat(50_000); // 200,000 characters, 50,000 matches of "www"
    app.ok(&id, json!({"type": "add_paragraph", "text": text}))
        .await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "last www"}))
        .await;

    // Act
    let first = app
        .get_json(&format!(
            "/v1/documents/{id}/search?q=www&limit=200&min_version=3"
        ))
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second = app
        .get_json(&format!(
            "/v1/documents/{id}/search?q=www&limit=200&cursor={cursor}"
        ))
        .await;
    let across = app.get_json("/v1/search?q=www").await;
    let bad_cursor = app
        .get(&format!("/v1/documents/{id}/search?q=www&cursor=nonsense"))
        .await;
    let too_many = app
        .get(&format!("/v1/documents/{id}/search?q=www&limit=201"))
        .await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();

    // Assert
    let offsets = |page: &serde_json::Value| -> Vec<u64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["offset"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(offsets(&first), (0..200).map(|i| i * 4).collect::<Vec<_>>());
    assert_eq!(
        offsets(&second),
        (200..400).map(|i| i * 4).collect::<Vec<_>>()
    );
    // 4 characters before the match, the match, and 30 after
    assert_eq!(
        first["items"][1]["snippet"],
        "www.www.www.www.www.www.www.www.www.w…"
    );
    let hits = across["items"].as_array().unwrap();
    assert_eq!(hits.len(), 101, "100 in the long block, 1 in the last");
    problem(bad_cursor, 422).await;
    problem(too_many, 422).await;
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn searching_a_long_paragraph_pages_through_every_match_in_the_embedded_deployment() {
    search_pages_through_a_long_paragraph(&spawn_app().await).await;
}

#[tokio::test]
async fn searching_a_long_paragraph_pages_through_every_match_in_the_distributed_deployment() {
    search_pages_through_a_long_paragraph(&spawn_distributed().await).await;
}

async fn html_export_has_a_policy(app: &TestApp) {
    let id = app.create_document("Export").await;
    app.ok(
        &id,
        json!({"type": "add_paragraph", "text": "<script>alert(1)</script> & \r more"}),
    )
    .await;

    let html = app
        .get(&format!(
            "/v1/documents/{id}/export?format=html&min_version=2"
        ))
        .await;
    let markdown = app
        .get(&format!("/v1/documents/{id}/export?format=markdown"))
        .await;

    let headers = html.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let body = html.text().await.unwrap();
    assert!(!body.contains("<script>"), "{body}");
    assert!(!body.contains('\r'));
    assert_eq!(markdown.headers()["x-content-type-options"], "nosniff");
    let md = markdown.text().await.unwrap();
    assert!(md.contains("\\& "), "{md}");
    assert!(!md.contains('\r'));
}

#[tokio::test]
async fn the_html_export_is_served_with_a_content_security_policy_in_the_embedded_deployment() {
    html_export_has_a_policy(&spawn_app().await).await;
}

#[tokio::test]
async fn the_html_export_is_served_with_a_content_security_policy_in_the_distributed_deployment() {
    html_export_has_a_policy(&spawn_distributed().await).await;
}

/// Sends a raw request to the write side.
async fn send(app: &TestApp, request: reqwest::RequestBuilder) -> reqwest::Response {
    let _ = app;
    request.send().await.unwrap()
}

// See: issue 9 ("Strict HTTP").
async fn strict_requests(app: &TestApp) {
    // Arrange
    let id = app.create_document("Strict").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "hello"}))
        .await;
    let commands = app.write_url(&format!("/v1/documents/{id}/commands"));
    let body = r#"{"type":"add_page_break"}"#;

    // Act
    let form = send(
        app,
        app.client
            .post(&commands)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    let no_type = send(app, app.client.post(&commands).body(body)).await;
    let text_create = send(
        app,
        app.client
            .post(app.write_url("/v1/documents"))
            .header("content-type", "text/plain")
            .body(r#"{"title":"x"}"#),
    )
    .await;
    let duplicate_keys = app
        .post_raw(
            &id,
            r#"{"type":"delete_text","block_id":"b2","offset":0,"length":1,"length":5}"#,
            &[],
        )
        .await;
    let nested_duplicate = app
        .post_raw(
            &id,
            r#"{"commands":[{"type":"add_paragraph","text":"a","text":"b"}]}"#,
            &[],
        )
        .await;
    let mut answers = Vec::new();
    for (name, values) in [
        ("if-match", ["\"2\"", "\"2\""]),
        ("idempotency-key", ["a", "b"]),
        ("x-folio-reason", ["one", "two"]),
    ] {
        let request = app
            .client
            .post(&commands)
            .header("content-type", "application/json")
            .header(name, values[0])
            .header(name, values[1])
            .body(body);
        answers.push(send(app, request).await);
    }
    let weak = app.post_raw(&id, body, &[("If-Match", "W/\"2\"")]).await;
    let json_charset = send(
        app,
        app.client
            .post(&commands)
            .header("content-type", "application/json; charset=utf-8")
            .body(r#"{"type":"set_title","title":"Strict"}"#),
    )
    .await;

    // Assert
    for refused in [form, no_type, text_create] {
        let p = problem(refused, 415).await;
        assert_eq!(p["code"], "unsupported_media_type");
    }
    for refused in [duplicate_keys, nested_duplicate] {
        let p = problem(refused, 400).await;
        assert!(
            p["detail"].as_str().unwrap().contains("appears twice"),
            "{p}"
        );
    }
    for refused in answers {
        let p = problem(refused, 400).await;
        assert_eq!(p["code"], "repeated_header", "{p}");
    }
    let p = problem(weak, 400).await;
    assert_eq!(p["code"], "invalid_if_match");
    assert_eq!(json_charset.status(), 200);
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        3,
        "only set_title"
    );
}

#[tokio::test]
async fn requests_are_read_strictly_in_the_embedded_deployment() {
    strict_requests(&spawn_app().await).await;
}

#[tokio::test]
async fn requests_are_read_strictly_in_the_distributed_deployment() {
    strict_requests(&spawn_distributed().await).await;
}

async fn usernames_ignore_case(app: &TestApp) {
    let add = |name: &str| {
        app.cli(
            &[
                "user",
                "add",
                name,
                "--tenant",
                "default",
                "--role",
                "editor",
                "--password-env",
                "P",
            ],
            &[("P", "a long enough password")],
        )
    };
    assert!(add("alice").status.success());
    let again = add("ALICE");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));
    let token = app
        .client
        .post(app.write_url("/v1/auth/token"))
        .json(&json!({"username": "Alice", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
}

#[tokio::test]
async fn usernames_are_one_name_whatever_their_case_in_the_embedded_deployment() {
    usernames_ignore_case(&spawn_app().await).await;
}

#[tokio::test]
async fn usernames_are_one_name_whatever_their_case_in_the_distributed_deployment() {
    usernames_ignore_case(&spawn_distributed().await).await;
}
