//! The audit trail, readable: labels, blame and revert, in both deployments.
//!
//! Over 800 lines: end-to-end tests of one area, each test self-contained (arrange, act,
//! assert) so a failure reads on its own.

use serde_json::{Value, json};

/// Posts commands as `client` with a reason; asserts 200 and returns the result.
async fn edit(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    id: &str,
    reason: &str,
    commands: Value,
) -> Value {
    let response = client
        .post(app.write_url(&format!("/v1/documents/{id}/commands")))
        .header("x-folio-reason", reason)
        .json(&json!({ "commands": commands }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{commands} -> {body}");
    body
}

/// The change a blame answer lists for `version`.
fn change(blame: &Value, version: u64) -> Value {
    blame["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["version"] == version)
        .unwrap_or_else(|| panic!("no change {version} in {blame}"))
        .clone()
}

/// A block's blame ranges as (text, version, actor, reason).
fn ranges(blame: &Value, block: &str) -> Vec<(String, u64, String, String)> {
    let entry = blame["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == block)
        .unwrap_or_else(|| panic!("{block} in {blame}"));
    entry["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let version = r["version"].as_u64().unwrap();
            let by = change(blame, version);
            (
                r["text"].as_str().unwrap().to_string(),
                version,
                by["actor"].as_str().unwrap().to_string(),
                by["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

async fn labels_blame_and_revert(app: crate::helpers::TestApp) {
    let alice = app.client.clone();
    let bob_key = app.create_key("default", "read,write");
    let bob = crate::helpers::keyed_client(&bob_key);
    let cy_key = app.create_key("default", "read,write");
    let cy = crate::helpers::keyed_client(&cy_key);
    let id = app.create_document("Supply contract").await;
    let first = edit(
        &app,
        &alice,
        &id,
        "first draft",
        json!([
            {"type": "add_paragraph", "text": "The supplier shall deliver the goods."},
            {"type": "add_paragraph", "text": "Payment within thirty days."},
            {"type": "add_table", "data": [["Item", "Price"], ["Paper", "3"]]}
        ]),
    )
    .await;
    let drafted = first["version"].as_u64().unwrap();
    let clause = first["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let payment = first["created"]["block_ids"][1]
        .as_str()
        .unwrap()
        .to_string();
    edit(
        &app,
        &alice,
        &id,
        "milestone",
        json!([{"type": "label_version", "name": "draft"}]),
    )
    .await;

    let second = edit(
        &app,
        &bob,
        &id,
        "legal review",
        json!([
            {"type": "replace_text", "find": "supplier", "replace": "vendor"},
            {"type": "insert_text", "block_id": payment, "offset": 26, "text": " of invoice"}
        ]),
    )
    .await;
    let reworded = second["events"][0]["sequence"].as_u64().unwrap();
    let third = edit(
        &app,
        &cy,
        &id,
        "layout",
        json!([
            {"type": "format_text", "block_id": clause, "start": 0, "end": 3, "bold": true},
            {"type": "set_alignment", "block_id": payment, "alignment": "center"},
            {"type": "add_paragraph", "text": "Annex."},
            {"type": "delete_block", "block_index": 2}
        ]),
    )
    .await;
    let bolded = third["events"][0]["sequence"].as_u64().unwrap();
    edit(
        &app,
        &bob,
        &id,
        "sent",
        json!([{"type": "label_version", "name": "sent-to-client"}]),
    )
    .await;
    let head = app.version(&id).await;
    let (alice_actor, bob_actor) = (app.key_actor(), crate::helpers::actor_of(&bob_key));

    // Blame: the words each wrote, the last change to each block.
    let blame = app
        .get_json(&format!("/v1/documents/{id}/blame?min_version={head}"))
        .await;
    assert_eq!(blame["version"], head);
    let first_event = drafted - 2;
    assert_eq!(
        ranges(&blame, &clause),
        vec![
            (
                "The ".into(),
                first_event,
                alice_actor.clone(),
                "first draft".into()
            ),
            (
                "vendor".into(),
                reworded,
                bob_actor.clone(),
                "legal review".into()
            ),
            (
                " shall deliver the goods.".into(),
                first_event,
                alice_actor.clone(),
                "first draft".into()
            ),
        ]
    );
    let clause_blame = blame["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == clause.as_str())
        .unwrap();
    assert_eq!(clause_blame["last"], bolded);
    assert_eq!(change(&blame, bolded)["type"], "TextFormatted");
    assert_eq!(
        ranges(&blame, &payment)
            .iter()
            .map(|r| (r.0.as_str(), r.2.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("Payment within thirty days", alice_actor.as_str()),
            (" of invoice", bob_actor.as_str()),
            (".", alice_actor.as_str())
        ]
    );
    // The read model's blame is what replaying the events gives.
    let replayed = app
        .get_json(&format!("/v1/documents/{id}/blame?version={head}"))
        .await;
    assert_eq!(replayed, blame);

    // Labels work wherever a version number does, and the history lists them.
    let draft = app
        .get(&format!("/v1/documents/{id}/text?version=draft"))
        .await
        .text()
        .await
        .unwrap();
    assert!(draft.contains("The supplier shall deliver"), "{draft}");
    let diff = app
        .get_json(&format!(
            "/v1/documents/{id}/diff?from=draft&to=sent-to-client"
        ))
        .await;
    assert_eq!(diff["from"], drafted);
    let history = app
        .get_json(&format!("/v1/documents/{id}/history?limit=200"))
        .await;
    let labelled: Vec<(u64, Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("labels").is_some())
        .map(|e| (e["sequence"].as_u64().unwrap(), e["labels"].clone()))
        .collect();
    assert_eq!(
        labelled,
        vec![
            (drafted, json!(["draft"])),
            (head - 1, json!(["sent-to-client"]))
        ]
    );
    for (path, status) in [
        ("text?version=no-such-label", 404),
        ("text?version=not%20a%20label", 400),
        ("diff?from=draft&to=gone", 404),
    ] {
        let response = app.get(&format!("/v1/documents/{id}/{path}")).await;
        assert_eq!(response.status(), status, "{path}");
    }
    // The redline: a Word file of "sent-to-client" with every change since "draft"
    // tracked, checked by independent readers.
    let redline = app
        .get(&format!(
            "/v1/documents/{id}/diff?from=draft&to=sent-to-client&format=docx"
        ))
        .await;
    assert_eq!(redline.status(), 200);
    assert_eq!(
        redline.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let redline = redline.bytes().await.unwrap().to_vec();
    let docx_of = |label: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            app.get(&format!("/v1/documents/{id}/docx?version={label}"))
                .await
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let (draft_docx, sent_docx) = (docx_of("draft").await, docx_of("sent-to-client").await);
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || "|-+".contains(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    if let (Some(accepted), Some(rejected), Some(sent), Some(draft)) = (
        crate::helpers::pandoc_text(&redline, "accept"),
        crate::helpers::pandoc_text(&redline, "reject"),
        crate::helpers::pandoc_text(&sent_docx, "accept"),
        crate::helpers::pandoc_text(&draft_docx, "accept"),
    ) {
        assert_eq!(words(&accepted), words(&sent), "accepted:\n{accepted}");
        assert_eq!(words(&rejected), words(&draft), "rejected:\n{rejected}");
        assert_ne!(words(&sent), words(&draft));
    }
    crate::helpers::assert_valid_ooxml(&redline);
    let read = crate::helpers::python_docx(&redline);
    assert!(read["paragraphs"].as_array().is_some_and(|p| !p.is_empty()));
    if let Some(flat) = crate::helpers::libreoffice_convert(&redline, "fodt", "fodt") {
        assert!(flat.contains("<text:tracked-changes"), "no tracked changes");
        for actor in [&bob_actor, &crate::helpers::actor_of(&cy_key)] {
            assert!(
                flat.contains(&format!("<dc:creator>{actor}</dc:creator>")),
                "LibreOffice does not show {actor}'s changes"
            );
        }
    }
    let html = app
        .get(&format!(
            "/v1/documents/{id}/diff?from=draft&to=sent-to-client&format=html"
        ))
        .await;
    assert!(
        html.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = html.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"<ins title="{bob_actor} at "#)) && html.contains(">vendor</ins>"),
        "{html}"
    );
    assert_eq!(
        app.get(&format!("/v1/documents/{id}/diff?from=1&to=2&format=pdf"))
            .await
            .status(),
        422
    );

    let taken = app
        .command(
            &id,
            json!({"type": "label_version", "version": 1, "name": "draft"}),
        )
        .await;
    assert_eq!(taken.status(), 422);

    // Revert: a dry run shows the events, then the real one gives back the draft.
    let before_revert = app.version(&id).await;
    let preview: Value = app
        .client
        .post(app.write_url(&format!("/v1/documents/{id}/commands?dry_run=true")))
        .json(&json!({"type": "revert_to_version", "version": "draft"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["dry_run"], true);
    let kinds: Vec<&str> = preview["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["BlocksReverted", "DocumentReverted"]);
    assert_eq!(app.version(&id).await, before_revert);
    let reverted = edit(
        &app,
        &cy,
        &id,
        "back to the draft",
        json!([{"type": "revert_to_version", "version": "draft"}]),
    )
    .await;
    let revert_version = reverted["version"].as_u64().unwrap();
    let now = app
        .get_json(&format!(
            "/v1/documents/{id}/content?min_version={revert_version}"
        ))
        .await;
    let then = app
        .get_json(&format!("/v1/documents/{id}/content?version={drafted}"))
        .await;
    assert_eq!(now["blocks"], then["blocks"]);
    let undone = app
        .get_json(&format!(
            "/v1/documents/{id}/diff?from={drafted}&to={revert_version}"
        ))
        .await;
    assert_eq!(undone["blocks"], json!([]), "{undone}");
    let last = app
        .get_json(&format!(
            "/v1/documents/{id}/history?cursor={}",
            revert_version - 1
        ))
        .await;
    assert_eq!(last["items"][0]["type"], "DocumentReverted");
    assert_eq!(last["items"][0]["payload"]["version"], drafted);
    assert_eq!(last["items"][0]["reason"], "back to the draft");
    // The words the revert brought back are the reverter's; the rest keep their author.
    let blame = app
        .get_json(&format!(
            "/v1/documents/{id}/blame?min_version={revert_version}"
        ))
        .await;
    let words: Vec<(String, String)> = ranges(&blame, &clause)
        .into_iter()
        .map(|r| (r.0, r.2))
        .collect();
    assert_eq!(
        words,
        vec![
            ("The ".to_string(), alice_actor.clone()),
            ("supplier".to_string(), crate::helpers::actor_of(&cy_key)),
            (" shall deliver the goods.".to_string(), alice_actor.clone())
        ]
    );
    let replayed = app
        .get_json(&format!(
            "/v1/documents/{id}/blame?version={revert_version}"
        ))
        .await;
    assert_eq!(replayed, blame);
    // Unknown versions are 404; reading needs no write scope, reverting does.
    let missing = app
        .command(&id, json!({"type": "revert_to_version", "version": 999}))
        .await;
    assert_eq!(missing.status(), 404);
    let reader = crate::helpers::keyed_client(&app.create_key("default", "read"));
    let refused = reader
        .post(app.write_url(&format!("/v1/documents/{id}/commands")))
        .json(&json!({"type": "revert_to_version", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // A rebuild from the events agrees with the live read models, blame included.
    let verify = app.cli(&["rebuild", "--verify", "--quiet"], &[]);
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

// See: issue 13: `folio rebuild` on the embedded data directory, while the server runs.
#[tokio::test]
async fn an_embedded_rebuild_finds_and_repairs_a_damaged_read_model() {
    let app = crate::helpers::spawn_app().await;
    let id = app.create_document("Minutes").await;
    app.ok(
        &id,
        json!({"commands": [
            {"type": "add_paragraph", "text": "Present: all."},
            {"type": "replace_text", "find": "all", "replace": "everyone"}
        ]}),
    )
    .await;
    let head = app.version(&id).await;
    let clean = app.cli(&["rebuild", "--verify", "--quiet"], &[]);
    assert!(clean.status.success(), "{clean:?}");
    assert!(String::from_utf8_lossy(&clean.stdout).contains("verified: 1 documents"));
    // Damage the read model behind folio's back: a wrong title, a lost blame.
    let views = app.data_dir().unwrap().join("views.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", views.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE documents SET title = 'Tampered'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE document_blocks SET blame = '{\"last\":1,\"changes\":{}}'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let found = app.cli(&["rebuild", "--verify", "--quiet"], &[]);
    assert!(!found.status.success());
    let report = String::from_utf8_lossy(&found.stdout);
    assert!(
        report.contains(&id) && report.contains("Tampered"),
        "{report}"
    );
    // Rebuild for real (the server keeps running), then it verifies and reads right.
    let rebuilt = app.cli(&["rebuild", "--quiet"], &[]);
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    let again = app.cli(&["rebuild", "--verify", "--quiet"], &[]);
    assert!(again.status.success(), "{again:?}");
    let summary = app.get_json(&format!("/v1/documents/{id}")).await;
    assert_eq!(summary["title"], "Minutes");
    let blame = app.get_json(&format!("/v1/documents/{id}/blame")).await;
    assert_eq!(blame["version"], head);
    assert_eq!(blame["blocks"][0]["ranges"][1]["text"], "everyone");
    // No rebuild files are left behind.
    let leftovers: Vec<String> = std::fs::read_dir(app.data_dir().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("rebuild"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

in_both_deployments!(labels_blame_and_revert);

/// Word spans in a canonical order: between two equal spans, what was deleted comes
/// before what was inserted (a replacement reads the same either way round).
fn canonical(spans: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut pending: Vec<Value> = Vec::new();
    let flush = |pending: &mut Vec<Value>, out: &mut Vec<Value>| {
        pending.sort_by_key(|s| s["op"] != "delete");
        out.append(pending);
    };
    for span in spans {
        if span["op"] == "equal" {
            flush(&mut pending, &mut out);
            out.push(span);
        } else {
            pending.push(span);
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Flips a diff: what `from → to` says, seen from `to → from`.
fn flipped(diff: &Value) -> Value {
    let flip = |op: &str| {
        match op {
            "insert" => "delete",
            "delete" => "insert",
            other => other,
        }
        .to_string()
    };
    let mut blocks: Vec<Value> = diff["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let change = match b["change"].as_str().unwrap() {
                "added" => "removed",
                "removed" => "added",
                other => other,
            };
            let text: Vec<Value> = b
                .get("text")
                .and_then(Value::as_array)
                .map(|spans| {
                    spans
                        .iter()
                        .map(|s| json!({"op": flip(s["op"].as_str().unwrap()), "text": s["text"]}))
                        .collect()
                })
                .unwrap_or_default();
            let cells: Vec<Value> = b
                .get("cells")
                .and_then(Value::as_array)
                .map(|cells| {
                    cells
                        .iter()
                        .map(|c| json!({"row": c["row"], "col": c["col"], "from": c["to"], "to": c["from"]}))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "block_id": b["block_id"], "change": change, "kind": b["kind"],
                "from_index": b.get("to_index"), "to_index": b.get("from_index"),
                "text": canonical(text), "cells": cells,
                "formatting_changed": b.get("formatting_changed").cloned().unwrap_or(json!(false)),
            })
        })
        .collect();
    blocks.sort_by(|a, b| a["block_id"].as_str().cmp(&b["block_id"].as_str()));
    json!({"title": diff.get("title").map(|t| json!({"from": t["to"], "to": t["from"]})), "blocks": blocks})
}

/// A diff's facts, comparable with [`flipped`] (attribution left out: it names the same
/// events either way).
fn comparable(diff: &Value) -> Value {
    let mut blocks: Vec<Value> = diff["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            json!({
                "block_id": b["block_id"], "change": b["change"], "kind": b["kind"],
                "from_index": b.get("from_index"), "to_index": b.get("to_index"),
                "text": canonical(b.get("text").and_then(Value::as_array).cloned().unwrap_or_default()),
                "cells": b.get("cells").cloned().unwrap_or(json!([])),
                "formatting_changed": b.get("formatting_changed").cloned().unwrap_or(json!(false)),
            })
        })
        .collect();
    blocks.sort_by(|a, b| a["block_id"].as_str().cmp(&b["block_id"].as_str()));
    json!({"title": diff.get("title"), "blocks": blocks})
}

// See: issue 13: a scripted history of three actors, 50 edits of every kind and a revert.
async fn a_long_history_reads_consistently(app: crate::helpers::TestApp) {
    let actors = [
        app.client.clone(),
        crate::helpers::keyed_client(&app.create_key("default", "read,write")),
        crate::helpers::keyed_client(&app.create_key("default", "read,write")),
    ];
    let id = app.create_document("Long history").await;
    let edits: Vec<Value> = vec![
        json!({"type": "add_paragraph", "text": "Alpha clause of the agreement."}),
        json!({"type": "add_heading", "text": "Scope", "level": 1}),
        json!({"type": "add_paragraph", "text": "Beta clause."}),
        json!({"type": "insert_text", "block_index": 0, "offset": 6, "text": "and final "}),
        json!({"type": "add_table", "data": [["Item", "Qty"], ["Paper", "3"]]}),
        json!({"type": "set_table_cell", "block_index": 3, "row": 1, "col": 1, "text": "30"}),
        json!({"type": "add_list", "kind": "bullet", "items": ["one", "two"]}),
        json!({"type": "add_list_item", "block_index": 4, "text": "three"}),
        json!({"type": "format_text", "block_index": 0, "start": 0, "end": 5, "bold": true}),
        json!({"type": "replace_text", "find": "clause", "replace": "section"}),
        json!({"type": "set_alignment", "block_index": 2, "alignment": "center"}),
        json!({"type": "delete_text", "block_index": 2, "offset": 0, "length": 5}),
        json!({"type": "add_table_row", "block_index": 3, "data": ["Ink", "9"]}),
        json!({"type": "set_title", "title": "Long history, revised"}),
        json!({"type": "move_block", "block_index": 2, "position": {"at": "start"}}),
        json!({"type": "add_page_break"}),
        json!({"type": "add_hyperlink", "block_index": 1, "start": 0, "end": 5, "url": "https://example.com"}),
        json!({"type": "set_metadata", "author": "Team"}),
        json!({"type": "update_paragraph", "block_index": 0, "text": "Gamma section, rewritten."}),
        json!({"type": "add_paragraph", "text": "Delta."}),
        json!({"type": "delete_block", "block_index": 5}),
        json!({"type": "add_bookmark", "block_index": 1, "name": "alpha"}),
        json!({"type": "set_list_item_level", "block_index": 4, "item": 1, "level": 1}),
        json!({"type": "delete_table_row", "block_index": 3, "row": 2}),
        json!({"type": "insert_text", "block_index": 0, "offset": 0, "text": "Last "}),
    ];
    let mut versions = vec![1u64];
    let mut step = 0usize;
    let mut run = |app: &crate::helpers::TestApp, command: Value| {
        let client = actors[step % 3].clone();
        step += 1;
        let reason = format!("edit {step}");
        let app_url = app.write_url(&format!("/v1/documents/{id}/commands"));
        async move {
            let response = client
                .post(app_url)
                .header("x-folio-reason", reason)
                .json(&command)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{command} -> {body}");
            body
        }
    };
    let created = |body: &Value| {
        body["created"]["block_ids"][0]
            .as_str()
            .unwrap()
            .to_string()
    };
    // 25 edits, a label, 12 more, a revert to the label, 13 more.
    for edit in &edits {
        versions.push(run(&app, edit.clone()).await["version"].as_u64().unwrap());
    }
    let half = *versions.last().unwrap();
    run(&app, json!({"type": "label_version", "name": "half"})).await;
    let p = created(
        &run(
            &app,
            json!({"type": "add_paragraph", "text": "Epsilon part.", "position": {"at": "start"}}),
        )
        .await,
    );
    let t = created(
        &run(
            &app,
            json!({"type": "add_table", "data": [["a", "b"], ["c", "d"]]}),
        )
        .await,
    );
    let l = created(
        &run(
            &app,
            json!({"type": "add_list", "kind": "numbered", "items": ["x", "y"]}),
        )
        .await,
    );
    for command in [
        json!({"type": "insert_text", "block_id": p, "offset": 8, "text": "final "}),
        json!({"type": "format_text", "block_id": p, "start": 0, "end": 7, "italic": true}),
        json!({"type": "replace_text", "find": "Gamma", "replace": "Omega"}),
        json!({"type": "set_table_cell", "block_id": t, "row": 0, "col": 1, "text": "B"}),
        json!({"type": "add_table_row", "block_id": t, "data": ["e", "f"]}),
        json!({"type": "add_list_item", "block_id": l, "text": "z"}),
        json!({"type": "set_alignment", "block_id": p, "alignment": "right"}),
        json!({"type": "move_block", "block_id": p, "position": {"at": "end"}}),
        json!({"type": "delete_text", "block_id": p, "offset": 0, "length": 8}),
    ] {
        versions.push(run(&app, command).await["version"].as_u64().unwrap());
    }
    let before_revert = *versions.last().unwrap();
    let reverted = run(
        &app,
        json!({"type": "revert_to_version", "version": "half"}),
    )
    .await;
    let reverted = reverted["version"].as_u64().unwrap();
    versions.push(reverted);
    let q = created(
        &run(
            &app,
            json!({"type": "add_paragraph", "text": "Zeta after the revert."}),
        )
        .await,
    );
    let h = created(
        &run(
            &app,
            json!({"type": "add_heading", "text": "Annex", "level": 2}),
        )
        .await,
    );
    let u = created(
        &run(
            &app,
            json!({"type": "add_table", "data": [["k", "v"], ["1", "2"]]}),
        )
        .await,
    );
    let m = created(
        &run(
            &app,
            json!({"type": "add_list", "kind": "bullet", "items": ["i", "j"]}),
        )
        .await,
    );
    for command in [
        json!({"type": "insert_text", "block_id": q, "offset": 5, "text": " and Eta"}),
        json!({"type": "format_text", "block_id": q, "start": 0, "end": 4, "underline": true}),
        json!({"type": "set_title", "title": "Long history, final"}),
        json!({"type": "set_metadata", "subject": "History"}),
        json!({"type": "set_table_cell", "block_id": u, "row": 1, "col": 0, "text": "one"}),
        json!({"type": "delete_table_row", "block_id": u, "row": 0}),
        json!({"type": "set_list_item_level", "block_id": m, "item": 1, "level": 1}),
        json!({"type": "delete_block", "block_id": h}),
        json!({"type": "update_paragraph", "block_id": q, "text": "Zeta and Eta, final."}),
    ] {
        versions.push(run(&app, command).await["version"].as_u64().unwrap());
    }
    let head = *versions.last().unwrap();
    assert!(head >= 50, "{head} versions");
    assert!(step >= 50, "{step} edits");

    // The revert gave back the labelled content exactly.
    let at = |v: u64| {
        let app = &app;
        let id = id.clone();
        async move {
            app.get_json(&format!("/v1/documents/{id}/content?version={v}"))
                .await["blocks"]
                .clone()
        }
    };
    assert_eq!(at(reverted).await, at(half).await);
    assert_ne!(at(before_revert).await, at(half).await);

    // Blame: the read model's equals a replay of the events, and its ranges are the text.
    let live = app
        .get_json(&format!("/v1/documents/{id}/blame?min_version={head}"))
        .await;
    let replayed = app
        .get_json(&format!("/v1/documents/{id}/blame?version={head}"))
        .await;
    assert_eq!(live, replayed);
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?version={head}"))
        .await;
    let actor_ids: Vec<String> = {
        let history = app
            .get_json(&format!("/v1/documents/{id}/history?limit=200"))
            .await;
        let mut ids: Vec<String> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["actor"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    assert_eq!(actor_ids.len(), 3);
    for (block, blame) in content["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(live["blocks"].as_array().unwrap())
    {
        assert_eq!(block["id"], blame["block_id"]);
        let text: String = blame["ranges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert_eq!(text, block["text"].as_str().unwrap());
        for r in blame["ranges"].as_array().unwrap() {
            let by = change(&live, r["version"].as_u64().unwrap());
            assert!(by["version"].as_u64().unwrap() <= head);
            assert!(actor_ids.contains(&by["actor"].as_str().unwrap().to_string()));
            assert!(by["reason"].as_str().unwrap().starts_with("edit "));
        }
    }

    // Diffs of every fifth version against every seventh are inverses of each other.
    for a in versions.iter().step_by(5) {
        for b in versions.iter().skip(3).step_by(7) {
            let forward = app
                .get_json(&format!("/v1/documents/{id}/diff?from={a}&to={b}"))
                .await;
            let back = app
                .get_json(&format!("/v1/documents/{id}/diff?from={b}&to={a}"))
                .await;
            assert_eq!(flipped(&forward), comparable(&back), "{a} -> {b}");
        }
    }
}

in_both_deployments!(a_long_history_reads_consistently);

/// See: issue 21: a redline is the normal render of B with revision marks, so a changed
/// paragraph keeps its link, field, picture, list numbering, spacing and indents, and a
/// changed table its cells of blocks.
async fn a_redline_keeps_what_the_render_writes(app: crate::helpers::TestApp) {
    // Arrange: version A holds each of them, and the word "terms" in each.
    let png = crate::commands::picture(crate::commands::Format::Png, 40, 20);
    let id = app.create_document("Agreement").await;
    let commands = json!([
        {"type": "add_paragraph", "runs": [
            {"text": "The terms are at "},
            {"text": "our site", "link": "https://example.com/terms"},
            {"text": ", page "},
            {"text": "1", "field": "page"},
            {"text": " and shown here: "}]},
        {"type": "add_image", "data_base64": crate::commands::b64(&png), "block_index": 0,
         "offset": 34, "alt_text": "Seal"},
        {"type": "add_list", "kind": "numbered", "items": [
            "First item", {"text": "Deep item", "level": 1},
            {"text": "The deepest terms", "level": 2}]},
        {"type": "add_paragraph", "text": "Spaced terms apply."},
        {"type": "set_paragraph_format", "block_index": 2, "spacing_before": 12,
         "spacing_after": 6, "indent_left": 36, "first_line": 18},
        {"type": "add_table", "data": [["Clause", "Text"], ["1", "placeholder"]]},
        {"type": "set_table_cell", "block_index": 3, "row": 1, "col": 1, "blocks": [
            {"type": "paragraph", "text": "Cell terms"},
            {"type": "list", "kind": "bullet", "items": ["kept", "also kept"]}]}
    ]);
    let a = app.ok(&id, json!({ "commands": commands })).await["version"]
        .as_u64()
        .unwrap();
    let b = app
        .ok(
            &id,
            json!({"type": "replace_text", "find": "terms", "replace": "conditions"}),
        )
        .await["version"]
        .as_u64()
        .unwrap();

    // Act
    let redline = app
        .get_bytes(&format!(
            "/v1/documents/{id}/diff?from={a}&to={b}&format=docx"
        ))
        .await;

    // Assert: accepting every change gives B, rejecting every change A, as pandoc reads
    // them (the same reading of B's and A's own renders).
    let docx_of = |version: u64| {
        let app = &app;
        let id = id.clone();
        async move {
            app.get_bytes(&format!("/v1/documents/{id}/docx?version={version}"))
                .await
        }
    };
    let (a_docx, b_docx) = (docx_of(a).await, docx_of(b).await);
    if let (Some(accepted), Some(rejected), Some(b_text), Some(a_text)) = (
        crate::helpers::pandoc_text(&redline, "accept"),
        crate::helpers::pandoc_text(&redline, "reject"),
        crate::helpers::pandoc_text(&b_docx, "accept"),
        crate::helpers::pandoc_text(&a_docx, "accept"),
    ) {
        assert_eq!(accepted, b_text, "accepted");
        assert_eq!(rejected, a_text, "rejected");
        assert!(a_text.contains("terms") && !b_text.contains("terms"));
    } else {
        eprintln!("pandoc is not installed: the redline's pandoc check is skipped");
    }
    crate::helpers::assert_valid_ooxml(&redline);
    // python-docx: the changed paragraph still holds its link and its picture, the list
    // its numbering at its levels, the spaced paragraph its spacing and indents, the table
    // its cell of blocks.
    let read = crate::helpers::python_docx(&redline);
    let paragraphs = read["paragraphs"].as_array().unwrap();
    let first = &paragraphs[0];
    assert_eq!(first["links"][0]["text"], "our site", "{first}");
    assert_eq!(first["links"][0]["address"], "https://example.com/terms");
    assert_eq!(read["inline_shapes"].as_array().unwrap().len(), 1, "{read}");
    assert_eq!(read["inline_shapes"][0]["descr"], "Seal");
    let document = crate::helpers::zip_entry(&redline, "word/document.xml");
    assert!(
        document.contains(">PAGE</w:instrText>"),
        "the field is kept"
    );
    let levels: Vec<i64> = paragraphs
        .iter()
        .filter_map(|p| p["list"]["level"].as_i64())
        .collect();
    assert!(levels.contains(&2), "a level-2 item: {levels:?}");
    let spaced = paragraphs
        .iter()
        .find(|p| p["format"]["left_indent"] == json!(36.0))
        .unwrap_or_else(|| panic!("no indented paragraph: {paragraphs:?}"));
    assert_eq!(spaced["format"]["space_before"], json!(12.0), "{spaced}");
    assert_eq!(
        spaced["format"]["first_line_indent"],
        json!(18.0),
        "{spaced}"
    );
    let cell = &read["cells"][0][1][1];
    assert!(
        cell["numbered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| !n.is_null()),
        "the cell's list: {cell}"
    );
    // LibreOffice shows the changes, each with its author.
    if let Some(flat) = crate::helpers::libreoffice_convert(&redline, "fodt", "fodt") {
        assert!(flat.contains("<text:tracked-changes"), "no tracked changes");
        assert!(flat.contains("<dc:creator>"), "no author");
    }
}

in_both_deployments!(a_redline_keeps_what_the_render_writes);

/// See: issue 23: two clients edit disjoint blocks from stale versions (REST and MCP,
/// interleaved): every edit lands, rebased onto the current version, and the history says
/// so; an edit that overlaps a change since its version is a 409 naming that change.
async fn stale_edits_of_other_blocks_are_rebased(app: crate::helpers::TestApp) {
    // Arrange: two paragraphs, one for each client.
    let id = app.create_document("Shared").await;
    let created = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_paragraph", "text": "left"},
                {"type": "add_paragraph", "text": "right"}
            ]}),
        )
        .await;
    let base = created["version"].as_u64().unwrap();
    // Client L writes over REST by index, client R over MCP by id; each sends the version
    // its own last write answered, never the other's.
    let right_id = created["created"]["block_ids"][1]
        .as_str()
        .unwrap()
        .to_string();
    let (mut left_seen, mut right_seen) = (base, base);
    let mut rebased = 0;
    let mut last = (String::new(), String::new());

    // Act: 100 edits in a fixed pseudo-random interleaving.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..100 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if state.is_multiple_of(2) {
            let text = format!("left {i}");
            let response = app
                .post_raw(
                    &id,
                    &json!({"type": "update_paragraph", "block_index": 0, "text": text})
                        .to_string(),
                    &[("If-Match", &format!("\"{left_seen}\""))],
                )
                .await;
            assert_eq!(response.status(), 200, "edit {i}");
            let body: serde_json::Value = response.json().await.unwrap();
            rebased += usize::from(body["rebased_from"] == json!(left_seen));
            left_seen = body["version"].as_u64().unwrap();
            last.0 = text;
        } else {
            let text = format!("right {i}");
            let answer = crate::mcp::call_tool(
                &app,
                "update_paragraph",
                json!({"document_id": id, "block_id": right_id, "text": text, "if_match": right_seen}),
            )
            .await;
            assert_ne!(answer["isError"], true, "edit {i}: {answer}");
            let body = &answer["structuredContent"];
            rebased += usize::from(body["rebased_from"] == json!(right_seen));
            right_seen = body["version"].as_u64().unwrap();
            last.1 = text;
        }
    }
    // An overlapping edit: the left paragraph at the version before the last left edit.
    let overlapping = app
        .post_raw(
            &id,
            &json!({"type": "insert_text", "block_index": 0, "offset": 0, "text": "late "})
                .to_string(),
            &[("If-Match", &format!("\"{}\"", left_seen - 1))],
        )
        .await;

    // Assert
    let content = app
        .get_json(&format!(
            "/v1/documents/{id}/content?min_version={}",
            left_seen.max(right_seen)
        ))
        .await;
    let texts: Vec<&str> = content["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, [last.0.as_str(), last.1.as_str()]);
    assert_eq!(content["version"], base + 100, "every edit landed");
    assert!(rebased > 10, "{rebased} edits were rebased");
    let history = app
        .get_json(&format!("/v1/documents/{id}/history?limit=200"))
        .await;
    let marked = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e.get("rebased_from")
                .is_some_and(|v| v.as_u64() < e["sequence"].as_u64())
        })
        .count();
    assert_eq!(marked, rebased, "the history shows each rebase");
    let conflict = crate::helpers::problem(overlapping, 409).await;
    assert_eq!(conflict["code"], "stale_version");
    assert_eq!(conflict["current_version"], base + 100);
    let conflicts = conflict["conflicts"].as_array().unwrap();
    assert!(!conflicts.is_empty(), "{conflict}");
    for c in conflicts {
        assert_eq!(c["type"], "ParagraphUpdated", "{c}");
        assert!(c["version"].as_u64().unwrap() >= left_seen - 1);
        assert!(c["actor"].as_str().is_some_and(|a| !a.is_empty()));
        assert_eq!(c["block_ids"][0], content["blocks"][0]["id"], "{c}");
    }
    assert_eq!(
        app.version(&id).await,
        base + 100,
        "the refusal appended nothing"
    );
}

in_both_deployments!(stale_edits_of_other_blocks_are_rebased);
