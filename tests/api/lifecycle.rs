//! Durability, idempotency, archiving and the audit metadata.

use serde_json::{Value, json};

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn restarting_the_server_keeps_everything() {
    // Arrange
    let mut app = spawn_app().await;
    let id = app.create_document("Durable").await;
    app.ok(
        &id,
        json!({"type": "add_heading", "text": "Kept", "level": 2}),
    )
    .await;
    let before = app
        .get_json(&format!("/v1/documents/{id}/content?min_version=2"))
        .await;

    // Act
    app.restart();

    // Assert
    let after = app.get_json(&format!("/v1/documents/{id}/content")).await;
    assert_eq!(before, after);
    let next = app
        .ok(&id, json!({"type": "add_paragraph", "text": "more"}))
        .await;
    assert_eq!(next["version"], 3);
    assert_eq!(next["created"]["block_ids"][0], "b3");
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_appends_nothing() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Idempotent").await;
    let body = r#"{"type":"add_paragraph","text":"once"}"#;

    // Act
    let first: Value = app
        .post_raw(&id, body, &[("Idempotency-Key", "key-1")])
        .await
        .json()
        .await
        .unwrap();
    let retry: Value = app
        .post_raw(&id, body, &[("Idempotency-Key", "key-1")])
        .await
        .json()
        .await
        .unwrap();
    let other = app
        .post_raw(
            &id,
            r#"{"type":"add_paragraph","text":"other"}"#,
            &[("Idempotency-Key", "key-1")],
        )
        .await;

    // Assert
    assert_eq!(first, retry);
    assert_eq!(first["version"], 2);
    problem(other, 422).await;
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version=2"))
        .await;
    assert_eq!(content["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(app.version(&id).await, 2);
}

#[tokio::test]
async fn creating_with_an_idempotency_key_creates_one_document() {
    let app = spawn_app().await;
    let create = || {
        app.client
            .post(app.write_url("/v1/documents"))
            .header("Idempotency-Key", "create-1")
            .json(&json!({"title": "Once"}))
            .send()
    };
    let first: Value = create().await.unwrap().json().await.unwrap();
    let second: Value = create().await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
}

#[tokio::test]
async fn archived_documents_refuse_commands_but_keep_their_history() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Old").await;
    app.ok(&id, json!({"type": "add_paragraph", "text": "x"}))
        .await;

    // Act
    let archived = app.archive(&id).await;
    let later = app.command(&id, json!({"type": "add_page_break"})).await;
    let again = app.archive(&id).await;

    // Assert
    assert_eq!(archived.status(), 200);
    problem(later, 409).await;
    problem(again, 409).await;
    let summary = app
        .get_json(&format!("/v1/documents/{id}?min_version=3"))
        .await;
    assert_eq!(summary["archived"], true);
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(history["items"][2]["type"], "DocumentArchived");
    let list = app.get_json("/v1/documents").await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn every_event_records_who_when_and_why() {
    // Arrange
    let app = spawn_app().await;
    let id = app.create_document("Audit").await;

    // Act
    let response = app
        .post_raw(
            &id,
            r#"{"commands":[{"type":"add_heading","text":"A","level":1},{"type":"add_paragraph","text":"B"}]}"#,
            &[("X-Request-Id", "req-42"), ("X-Folio-Reason", "quarterly update"), ("User-Agent", "agent/1.0")],
        )
        .await;

    // Assert
    assert_eq!(response.headers()["x-request-id"], "req-42");
    let history = app
        .get_json(&format!("/v1/documents/{id}/history?cursor=1"))
        .await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for (item, command) in items.iter().zip(["add_heading", "add_paragraph"]) {
        assert_eq!(item["request_id"], "req-42");
        assert_eq!(item["reason"], "quarterly update");
        assert_eq!(item["user_agent"], "agent/1.0");
        assert_eq!(item["actor"], app.key_actor());
        assert_eq!(item["tenant"], "default");
        assert_eq!(item["ip"], "127.0.0.1");
        assert_eq!(item["command"], command);
        assert!(item["at"].as_str().unwrap().ends_with('Z'));
    }
}
