//! Bad input gets a clear problem+json 4xx and changes nothing.

use serde_json::json;

use crate::helpers::{fields, problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn bad_commands_are_refused_with_the_field_named_and_change_nothing() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Errors").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "hello"}))
        .await;
    let cases: Vec<(&str, u16, Option<&str>)> = vec![
        ("{not json", 400, None),
        ("", 400, None),
        ("[1,2]", 422, Some("body")),
        (r#"{"type":"explode"}"#, 422, Some("type")),
        (r#"{"text":"no type"}"#, 422, Some("type")),
        (r#"{"type":"add_paragraph","txt":"typo"}"#, 422, Some("txt")),
        (
            r#"{"type":"insert_text","block_id":"b2","offset":1}"#,
            422,
            Some("text"),
        ),
        (
            r#"{"type":"add_heading","text":"x","level":"two"}"#,
            422,
            Some("level"),
        ),
        (
            r#"{"type":"add_heading","text":"x","level":10}"#,
            422,
            Some("level"),
        ),
        (
            r#"{"type":"delete_block","block_id":"nope"}"#,
            422,
            Some("block_id"),
        ),
        (
            r#"{"type":"delete_block","block_index":7}"#,
            422,
            Some("block_index"),
        ),
        (r#"{"type":"delete_block"}"#, 422, Some("block_id")),
        (
            r#"{"type":"insert_text","block_id":"b2","offset":99,"text":"x"}"#,
            422,
            Some("offset"),
        ),
        (
            r#"{"type":"format_text","block_id":"b2","start":0,"end":3,"color":"red"}"#,
            422,
            Some("color"),
        ),
        (
            r#"{"type":"add_paragraph","text":"x","style":"Fancy"}"#,
            422,
            Some("style"),
        ),
        (
            r#"{"type":"set_table_cell","block_id":"b2","row":0,"col":0,"text":"x"}"#,
            422,
            Some("block_id"),
        ),
        (
            r#"{"type":"add_paragraph","text":"x","position":{"after":"zz"}}"#,
            422,
            Some("position.after"),
        ),
        (
            r#"{"type":"create_document","document_id":"x","title":"t"}"#,
            422,
            Some("type"),
        ),
        (r#"{"commands":[]}"#, 422, Some("commands")),
        (
            r#"{"commands":[{"type":"add_page_break"},{"type":"add_heading","text":"x","level":"one"}]}"#,
            422,
            Some("commands.1.level"),
        ),
        (
            r#"{"type":"add_paragraph","text":"bad\u0001char"}"#,
            422,
            Some("text"),
        ),
    ];

    for (body, status, field) in cases {
        // Act
        let response = app.post_raw(&id, body, &[]).await;

        // Assert
        let p = problem(response, status).await;
        if let Some(field) = field {
            assert_eq!(fields(&p), vec![field.to_string()], "{body} -> {p}");
        }
    }
    let content = app.get_json(&format!("/v1/documents/{id}/content")).await;
    assert_eq!(content["version"], 2, "nothing was appended");
}

#[tokio::test]
async fn unknown_documents_are_404() {
    let app = spawn_app().await;
    let missing = "01900000-0000-7000-8000-000000000000";
    for path in [
        format!("/v1/documents/{missing}"),
        format!("/v1/documents/{missing}/content"),
        format!("/v1/documents/{missing}/docx"),
        format!("/v1/documents/{missing}/history"),
        "/v1/documents/not-a-uuid/text".to_string(),
    ] {
        problem(app.get(&path).await, 404).await;
    }
    let p = problem(
        app.command(missing, json!({"type": "add_page_break"}))
            .await,
        404,
    )
    .await;
    assert_eq!(p["code"], "document_not_found");
}

#[tokio::test]
async fn a_stale_strict_if_match_returns_409_with_the_current_version() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Concurrency").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "one"}))
        .await;

    // Act
    let stale = app
        .post_raw_to(
            &format!("/v1/documents/{id}/commands?strict=true"),
            r#"{"type":"add_paragraph","text":"two"}"#,
            &[("If-Match", "\"1\"")],
        )
        .await;
    let fresh = app
        .post_raw(
            &id,
            r#"{"type":"add_paragraph","text":"two"}"#,
            &[("If-Match", "\"2\"")],
        )
        .await;
    let garbage = app
        .post_raw(
            &id,
            r#"{"type":"add_paragraph","text":"two"}"#,
            &[("If-Match", "yesterday")],
        )
        .await;

    // Assert
    let p = problem(stale, 409).await;
    assert_eq!(p["current_version"], 2);
    assert_eq!(fresh.status(), 200);
    problem(garbage, 400).await;
}

#[tokio::test]
async fn concurrent_strict_writers_with_the_same_if_match_have_exactly_one_winner() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Race").await;

    // Act
    let attempts = (0..16).map(|i| {
        let body = json!({"type": "add_paragraph", "text": format!("writer {i}")}).to_string();
        let app = &app;
        let id = id.clone();
        async move {
            app.post_raw_to(
                &format!("/v1/documents/{id}/commands?strict=true"),
                &body,
                &[("If-Match", "\"1\"")],
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;

    // Assert
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn body_and_document_limits_answer_413() {
    // Arrange
    let app = spawn_app_with(&["--max-body-bytes", "2048", "--max-blocks", "3"]).await;
    let id = app.create_document("Limits").await;

    // Act
    let big = json!({"type": "add_paragraph", "text": "x".repeat(4096)}).to_string();
    let too_big_body = app.post_raw(&id, &big, &[]).await;
    for i in 0..3 {
        app.ok(
            &id,
            json!({"type": "add_paragraph", "text": format!("p{i}")}),
        )
        .await;
    }
    let fourth = app.command(&id, json!({"type": "add_page_break"})).await;

    // Assert
    let p = problem(too_big_body, 413).await;
    assert_eq!(p["code"], "payload_too_large");
    let p = problem(fourth, 413).await;
    assert_eq!(p["code"], "document_too_large");
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version=4"))
        .await;
    assert_eq!(content["blocks"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bad_query_parameters_are_problems() {
    let app = spawn_app().await;
    let id = app.create_document("Queries").await;
    // A version is a number or a label: "abc" could be a label it lacks, "a b" cannot be.
    problem(
        app.get(&format!("/v1/documents/{id}/content?version=abc"))
            .await,
        404,
    )
    .await;
    for bad in ["a%20b", "-1", "1.5", "99999999999999999999999"] {
        problem(
            app.get(&format!("/v1/documents/{id}/content?version={bad}"))
                .await,
            400,
        )
        .await;
    }
    problem(
        app.get(&format!("/v1/documents/{id}/content?version=9"))
            .await,
        404,
    )
    .await;
    problem(
        app.get(&format!("/v1/documents/{id}/export?format=pdfx"))
            .await,
        422,
    )
    .await;
    problem(
        app.get(&format!("/v1/documents/{id}/history?since=yesterday"))
            .await,
        422,
    )
    .await;
    problem(app.get("/v1/documents?limit=0").await, 422).await;
    problem(app.get("/v1/nowhere").await, 404).await;
}

#[tokio::test]
async fn the_openapi_bounds_follow_the_configured_limits() {
    // Arrange
    let narrow = spawn_app_with(&["--max-title-chars", "5", "--max-batch", "2"]).await;
    let default = spawn_app().await;

    // Act
    let narrow = narrow.get_json("/openapi.json").await;
    let default = default.get_json("/openapi.json").await;

    // Assert
    for (spec, title, batch) in [(&narrow, 5, 2), (&default, 1000, 1000)] {
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["CreateDocumentRequest"]["properties"]["title"]["maxLength"],
            title
        );
        assert_eq!(
            schemas["SetTitle"]["properties"]["title"]["maxLength"],
            title
        );
        assert_eq!(
            schemas["CommandBatch"]["properties"]["commands"]["maxItems"],
            batch
        );
    }
}

#[tokio::test]
async fn every_configured_limit_answers_a_problem_and_changes_nothing() {
    // Arrange
    let app = spawn_app_with(&[
        "--max-text-chars",
        "10",
        "--max-title-chars",
        "5",
        "--max-batch",
        "2",
        "--max-list-items",
        "2",
        "--max-table-cells",
        "4",
    ])
    .await;
    let id = app.create_document("Short").await;
    let client = &app.client;

    // Act
    let long_title = client
        .post(app.write_url("/v1/documents"))
        .json(&json!({"title": "Too long"}))
        .send()
        .await
        .unwrap();
    let attempts = [
        json!({"type": "add_paragraph", "text": "eleven char"}),
        json!({"type": "set_title", "title": "Longer"}),
        json!({"commands": [
            {"type": "add_page_break"}, {"type": "add_page_break"}, {"type": "add_page_break"}
        ]}),
        json!({"type": "add_list", "kind": "bullet", "items": ["a", "b", "c"]}),
        json!({"type": "add_table", "rows": 3, "cols": 2}),
    ];
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(app.command(&id, attempt).await);
    }
    let huge_login = client
        .post(app.write_url("/v1/auth/token"))
        .json(&json!({"username": "x", "password": "p".repeat(20_000)}))
        .send()
        .await
        .unwrap();
    let long_username = client
        .post(app.write_url("/v1/auth/token"))
        .json(&json!({"username": "u".repeat(65), "password": "p"}))
        .send()
        .await
        .unwrap();

    // Assert
    let p = problem(long_title, 422).await;
    assert_eq!(fields(&p), ["title"]);
    for answer in answers {
        let status = answer.status().as_u16();
        assert!(status == 413 || status == 422, "{status}");
        problem(answer, status).await;
    }
    problem(huge_login, 413).await;
    let p = problem(long_username, 422).await;
    assert_eq!(fields(&p), ["username"]);
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        1,
        "nothing applied"
    );
}
