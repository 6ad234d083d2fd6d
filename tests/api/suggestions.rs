//! Suggestions: changes proposed (by `suggest: true` or a suggest-only key), decided by an
//! editor, written as tracked changes that pandoc, LibreOffice, python-docx and
//! openxml-audit read — in both deployments.

use serde_json::{Value, json};

use crate::helpers::{TestApp, keyed_client, problem};

/// The words of a text, whitespace collapsed.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn latest(app: &TestApp, id: &str, path: &str) -> reqwest::Response {
    let version = app.version(id).await;
    let sep = if path.contains('?') { '&' } else { '?' };
    app.get(&format!(
        "/v1/documents/{id}/{path}{sep}min_version={version}"
    ))
    .await
}

async fn suggestions_are_proposed_decided_and_written_as_tracked_changes(app: TestApp) {
    // Arrange: an agent with a suggest-only key, and a contract.
    let agent = keyed_client(&app.create_named_key("default", "Agent Smith", "read,suggest"));
    let editor = &app.client;
    let id = app.create_document("Supply contract").await;
    let made = app
        .ok_as(
            editor,
            &id,
            json!({"commands": [
                {"type": "add_paragraph", "text": "The supplier delivers within thirty days."},
                {"type": "add_paragraph", "text": "Prices are fixed for one year."},
                {"type": "add_paragraph", "text": "This clause is obsolete."}
            ]}),
        )
        .await;
    let blocks: Vec<String> = made["created"]["block_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_string())
        .collect();
    let accepted_text = words(&latest(&app, &id, "text").await.text().await.unwrap());

    // Act: the agent proposes; its commands never change the accepted content.
    for command in [
        json!({"type": "insert_text", "block_id": blocks[0], "offset": 40, "text": " of the order"}),
        json!({"type": "format_text", "block_id": blocks[1], "start": 0, "end": 6, "bold": true}),
        json!({"type": "add_paragraph", "text": "Late delivery costs 1% a week.", "position": {"after": blocks[0]}}),
        json!({"type": "delete_block", "block_id": blocks[2]}),
        json!({"type": "replace_text", "find": "one year", "replace": "two years"}),
    ] {
        let answer = app.ok_as(&agent, &id, command.clone()).await;
        assert_eq!(
            answer["events"][0]["type"], "SuggestionMade",
            "{command}: {answer}"
        );
    }
    // An editor's own suggestion, with suggest: true.
    let answer = app.ok_as(editor,
        &id,
        json!({"type": "delete_text", "block_id": blocks[0], "offset": 22, "length": 7, "suggest": true}),
    )
    .await;
    assert_eq!(answer["events"][0]["type"], "SuggestionMade");
    // What cannot be a suggestion is refused for the agent, and changes nothing.
    let before = app.version(&id).await;
    for command in [
        json!({"type": "set_title", "title": "Mine now"}),
        json!({"type": "accept_suggestion", "suggestion_id": "s1"}),
        json!({"type": "add_page_break"}),
    ] {
        let p = problem(app.command_as(&agent, &id, command.clone()).await, 403).await;
        assert_eq!(p["code"], "forbidden", "{command}: {p}");
    }
    let p = problem(
        app.command_as(
            editor,
            &id,
            json!({"type": "set_title", "title": "x", "suggest": true}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(crate::helpers::fields(&p), ["suggest"]);
    assert_eq!(app.version(&id).await, before, "refusals append nothing");
    assert_eq!(
        words(&latest(&app, &id, "text").await.text().await.unwrap()),
        accepted_text,
        "suggestions change nothing"
    );

    // Assert: listed with their authors.
    let listed: Value = latest(&app, &id, "suggestions?status=open")
        .await
        .json()
        .await
        .unwrap();
    let listed = listed["suggestions"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 6, "{listed:?}");
    assert_eq!(listed[0]["author"], "Agent Smith");
    assert_eq!(listed[0]["kind"], "insert_text");
    assert_eq!(listed[0]["text"], " of the order");
    assert_eq!(listed[3]["current_text"], "This clause is obsolete.");
    assert_ne!(listed[5]["author"], "Agent Smith", "the editor's own");

    // The .docx: every open suggestion a tracked change by its author.
    let docx = latest(&app, &id, "docx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    crate::helpers::assert_valid_ooxml(&docx);
    crate::helpers::python_docx(&docx);
    let document_xml = crate::helpers::zip_entry(&docx, "word/document.xml");
    assert!(
        document_xml.contains(r#"w:author="Agent Smith""#),
        "{document_xml}"
    );
    assert!(
        document_xml.contains("<w:rPrChange"),
        "the bold is a formatting change"
    );
    if let Some(rejected) = crate::helpers::pandoc_text(&docx, "reject") {
        assert_eq!(
            words(&rejected),
            accepted_text,
            "rejecting all gives the accepted content"
        );
    }
    let accept_all_in_file = crate::helpers::pandoc_text(&docx, "accept").map(|t| words(&t));
    if let Some(odt) = crate::helpers::libreoffice_convert(&docx, "fodt", "fodt") {
        assert!(
            odt.contains("<text:changed-region"),
            "LibreOffice reads tracked changes"
        );
        assert!(
            odt.contains("<dc:creator>Agent Smith</dc:creator>"),
            "with their author"
        );
    }

    // Decisions: one accepted, one rejected, the rest accepted together.
    let accepted = app
        .ok_as(
            editor,
            &id,
            json!({"type": "accept_suggestion", "suggestion_id": "s1"}),
        )
        .await;
    assert_eq!(
        accepted["events"].as_array().unwrap().last().unwrap()["type"],
        "SuggestionAccepted"
    );
    app.ok_as(
        editor,
        &id,
        json!({"type": "reject_suggestion", "suggestion_id": "s2"}),
    )
    .await;
    let p = problem(
        app.command_as(
            editor,
            &id,
            json!({"type": "accept_suggestion", "suggestion_id": "s2"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(crate::helpers::fields(&p), ["suggestion_id"]);
    app.ok_as(editor, &id, json!({"type": "accept_all_suggestions"}))
        .await;
    let text = words(&latest(&app, &id, "text").await.text().await.unwrap());
    assert!(text.contains("thirty days of the order"), "{text}");
    assert!(text.contains("Late delivery costs 1% a week."), "{text}");
    assert!(!text.contains("obsolete"), "{text}");
    assert!(text.contains("two years"), "{text}");
    assert!(!text.contains("within"), "{text}");
    let all: Value = latest(&app, &id, "suggestions").await.json().await.unwrap();
    let states: Vec<&str> = all["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "accepted", "rejected", "accepted", "accepted", "accepted", "accepted"
        ]
    );
    // The file's accept-all (pandoc) is what accepting all but the rejected one gave,
    // with the rejected bold the only difference (formatting, not words).
    if let Some(in_file) = accept_all_in_file {
        assert_eq!(
            in_file, text,
            "pandoc's accept-all of the file is the API's"
        );
    }

    // The history says who proposed and who decided.
    let history = app
        .get_json(&format!("/v1/documents/{id}/history?limit=200"))
        .await;
    let actor_of = |kind: &str| -> Vec<String> {
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == kind)
            .map(|e| e["actor"].as_str().unwrap().to_string())
            .collect()
    };
    let agent_actor = actor_of("SuggestionMade")[0].clone();
    assert!(agent_actor.starts_with("key:"), "{agent_actor}");
    assert_ne!(agent_actor, app.key_actor());
    assert!(
        actor_of("SuggestionAccepted")
            .iter()
            .all(|a| *a == app.key_actor())
    );
    assert_eq!(actor_of("SuggestionRejected"), [app.key_actor()]);
    // The accepted text is its proposer's: the history, the blame and the diff say so.
    let inserted = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "TextInserted")
        .unwrap()
        .clone();
    assert_eq!(inserted["actor"], app.key_actor());
    assert_eq!(inserted["proposed_by"], agent_actor.as_str());
    let blame: Value = latest(&app, &id, "blame").await.json().await.unwrap();
    let range = blame["blocks"][0]["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains("order"))
        .unwrap()
        .clone();
    let change = blame["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["version"] == range["version"])
        .unwrap()
        .clone();
    assert_eq!(change["proposed_by"], agent_actor.as_str(), "{change}");
    assert_eq!(change["actor"], app.key_actor());
    let diff = app
        .get_json(&format!(
            "/v1/documents/{id}/diff?from={before}&to={}",
            inserted["sequence"]
        ))
        .await;
    assert_eq!(
        diff["blocks"][0]["by"]["proposed_by"],
        agent_actor.as_str(),
        "{diff}"
    );

    // A suggestion whose text is gone is stale: accepting it is a 409 saying why.
    app.ok_as(
        &agent,
        &id,
        json!({"type": "delete_text", "block_id": blocks[1], "offset": 0, "length": 6}),
    )
    .await;
    app.ok_as(
        editor,
        &id,
        json!({"type": "delete_block", "block_id": blocks[1]}),
    )
    .await;
    let stale: Value = latest(&app, &id, "suggestions?status=stale")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stale["suggestions"][0]["id"], "s7", "{stale}");
    let p = problem(
        app.command_as(
            editor,
            &id,
            json!({"type": "accept_suggestion", "suggestion_id": "s7"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "suggestion_stale", "{p}");
}

in_both_deployments!(suggestions_are_proposed_decided_and_written_as_tracked_changes);

async fn text_of(app: &TestApp, id: &str) -> String {
    words(&latest(app, id, "text").await.text().await.unwrap())
}

async fn a_files_tracked_changes_are_suggestions(app: TestApp) {
    // Arrange: Word's and pandoc's files with insertions, deletions and moves, and one
    // folio made with suggestions of two authors.
    let mut files: Vec<(String, Vec<u8>, Vec<&str>)> = [
        ("pandoc--track_changes_insertion.docx", vec!["eng-dept"]),
        ("pandoc--track_changes_move.docx", vec!["Jesse Rosenthal"]),
        // Its revisions are in list items and formatting changes: kept as they are.
        ("poi--delins.docx", vec![]),
    ]
    .into_iter()
    .filter_map(|(name, authors)| {
        Some((name.to_string(), crate::import::corpus_file(name)?, authors))
    })
    .collect();
    let ann = keyed_client(&app.create_named_key("default", "Ann", "read,suggest"));
    let ben = keyed_client(&app.create_named_key("default", "Ben", "read,suggest"));
    let made = app.create_document("Two reviewers").await;
    let p = app
        .ok(
            &made,
            json!({"type": "add_paragraph", "text": "Goods ship in ten days from the depot."}),
        )
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    app.ok_as(
        &ann,
        &made,
        json!({"type": "insert_text", "block_id": p, "offset": 17, "text": " working"}),
    )
    .await;
    app.ok_as(
        &ben,
        &made,
        json!({"type": "delete_text", "block_id": p, "offset": 22, "length": 15}),
    )
    .await;
    let folio_file = latest(&app, &made, "docx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    files.push(("folio".into(), folio_file, vec!["Ann", "Ben"]));

    for (name, bytes, authors) in files {
        // Act: import twice; accept all in one, reject all in the other.
        let accepted = crate::import::imported_id(&app, &bytes).await;
        let rejected = crate::import::imported_id(&app, &bytes).await;
        let listed: Value = latest(&app, &accepted, "suggestions?status=open")
            .await
            .json()
            .await
            .unwrap();
        let listed = listed["suggestions"].as_array().unwrap().clone();

        // Assert: listed with their authors; accept all and reject all give pandoc's.
        assert_eq!(listed.is_empty(), authors.is_empty(), "{name}: {listed:?}");
        for author in &authors {
            assert!(
                listed.iter().any(|s| s["author"] == *author),
                "{name}: no suggestion of {author}: {listed:?}"
            );
        }
        app.ok_as(
            &app.client,
            &accepted,
            json!({"type": "accept_all_suggestions"}),
        )
        .await;
        app.ok_as(
            &app.client,
            &rejected,
            json!({"type": "reject_all_suggestions"}),
        )
        .await;
        if let (Some(accept), Some(reject), false) = (
            crate::helpers::pandoc_text(&bytes, "accept"),
            crate::helpers::pandoc_text(&bytes, "reject"),
            authors.is_empty(),
        ) {
            assert_eq!(
                text_of(&app, &accepted).await,
                words(&accept),
                "{name}: accept all"
            );
            assert_eq!(
                text_of(&app, &rejected).await,
                words(&reject),
                "{name}: reject all"
            );
        }
        // Written back as tracked changes: the export of the import keeps them.
        let again = latest(
            &app,
            &crate::import::imported_id(&app, &bytes).await,
            "docx",
        )
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
        crate::helpers::assert_valid_ooxml_as(&bytes, &again, &name);
        for mode in ["accept", "reject"] {
            if let (Some(before), Some(after)) = (
                crate::helpers::pandoc_text(&bytes, mode),
                crate::helpers::pandoc_text(&again, mode),
            ) {
                assert_eq!(
                    words(&after),
                    words(&before),
                    "{name}: the export's {mode}-all"
                );
            }
        }
    }
}

in_both_deployments!(a_files_tracked_changes_are_suggestions);
