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

/// The README's configuration table says what the CLI does: for every flag it lists that
/// `folio serve`, `command-api`, `query-api` or `projector` has, the same environment
/// variable and, where the table gives a literal default, the same default (the limits'
/// defaults are defined once, in `domain::Limits::DEFAULT`, and the CLI reads them).
#[test]
fn the_readme_configuration_table_matches_the_cli() {
    let readme = std::fs::read_to_string(crate::helpers::workspace_root().join("README.md"))
        .expect("README.md");
    // flag → its rows: (env, literal default or None); a flag of several commands (`--bind`)
    // has a row per table.
    let mut documented: std::collections::BTreeMap<String, Vec<(String, Option<String>)>> =
        std::collections::BTreeMap::new();
    for row in readme.lines().filter(|l| l.starts_with("| `--")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let flag = cells[1].trim_matches('`').to_string();
        let env = cells[2].trim_matches('`').to_string();
        let default = cells[3]
            .strip_prefix('`')
            .and_then(|d| d.strip_suffix('`'))
            .filter(|d| !d.contains('`'))
            .map(str::to_string);
        documented.entry(flag).or_default().push((env, default));
    }
    assert!(
        documented.len() > 40,
        "the table is found: {}",
        documented.len()
    );
    let mut checked = 0;
    for command in ["serve", "command-api", "query-api", "projector"] {
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
            .args([command, "--help"])
            .output()
            .expect("folio --help runs");
        let help = String::from_utf8_lossy(&help.stdout).replace('\n', " ");
        // The options, past the usage line (which names required flags too).
        let help = help
            .split_once("Options:")
            .map_or(help.as_str(), |(_, o)| o);
        for (flag, rows) in &documented {
            let Some(at) = help.find(&format!("{flag} ")) else {
                continue;
            };
            // The flag's description runs to the next flag.
            let rest = &help[at..];
            let end = rest[flag.len()..]
                .find("  --")
                .map_or(rest.len(), |i| i + flag.len());
            let described = &rest[..end];
            assert!(
                rows.iter()
                    .any(|(env, _)| described.contains(&format!("[env: {env}="))
                        || described.contains(&format!("[env: {env}]"))),
                "{command} {flag}: the README says {rows:?}; --help says {described}"
            );
            if rows.iter().all(|(_, default)| default.is_some()) {
                assert!(
                    rows.iter().any(|(_, default)| default
                        .as_ref()
                        .is_some_and(|d| { described.contains(&format!("[default: {d}]")) })),
                    "{command} {flag}: the README says {rows:?}; --help says {described}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} flags checked");
}
