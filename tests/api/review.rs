//! Review in Word's terms: comment threads and footnotes/endnotes, through the API, in the
//! .docx as python-docx, pandoc, LibreOffice and openxml-audit read it, at every version.

use serde_json::{Value, json};

use crate::helpers::{TestApp, keyed_client, problem};

async fn refused(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    command: Value,
    status: u16,
) -> Value {
    problem(app.command_as(client, id, command).await, status).await
}

/// `GET …/comments` with `query`, once the read model has the latest version.
async fn comments(app: &TestApp, id: &str, query: &str) -> Value {
    let sep = if query.is_empty() { "?" } else { "&" };
    let latest = app.version(id).await;
    let query = if query.contains("version=") {
        query.to_string()
    } else {
        format!("{query}{sep}min_version={latest}")
    };
    app.get_json(&format!("/v1/documents/{id}/comments{query}"))
        .await
}

/// `GET …/notes` once the read model has the latest version.
async fn notes(app: &TestApp, id: &str) -> Value {
    let latest = app.version(id).await;
    app.get_json(&format!("/v1/documents/{id}/notes?min_version={latest}"))
        .await
}

/// The .docx of the latest version.
async fn docx(app: &TestApp, id: &str) -> Vec<u8> {
    let latest = app.version(id).await;
    app.get_bytes(&format!("/v1/documents/{id}/docx?min_version={latest}"))
        .await
}

async fn a_scripted_review(app: TestApp) {
    // Arrange: two people with keys of their own, and a contract.
    let ada = keyed_client(&app.create_named_key("default", "Ada Lovelace", "read,write"));
    let bob = keyed_client(&app.create_named_key("default", "Bob Smith", "read,write"));
    let id = app.create_document("Contract").await;
    let first = app
        .ok_as(
            &ada,
            &id,
            json!({"type": "add_paragraph", "text": "Payment is due within thirty days."}),
        )
        .await;
    let p1 = first["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let second = app
        .ok_as(
            &ada,
            &id,
            json!({"type": "add_paragraph", "text": "Late payments accrue interest."}),
        )
        .await;
    let p2 = second["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();

    // Act: Ada comments on "thirty days", Bob answers, notes are added.
    app.ok_as(&ada,
        &id,
        json!({"type": "add_comment", "block_id": p1, "start": 22, "end": 33, "text": "Is thirty days enough?"}),
    )
    .await;
    let commented = app.version(&id).await;
    app.ok_as(
        &bob,
        &id,
        json!({"type": "reply_to_comment", "comment_id": "c1", "text": "Our standard is 30."}),
    )
    .await;
    app.ok_as(
        &ada,
        &id,
        json!({"type": "add_footnote", "block_id": p1, "offset": 33, "text": "Calendar days."}),
    )
    .await;
    app.ok_as(
        &ada,
        &id,
        json!({"type": "add_endnote", "block_id": p2, "text": "See the schedule of rates."}),
    )
    .await;

    // Assert: refusals name their field and append nothing.
    let before = app.version(&id).await;
    let not_author = refused(
        &app,
        &bob,
        &id,
        json!({"type": "edit_comment", "comment_id": "c1", "text": "Rewritten by Bob"}),
        403,
    )
    .await;
    assert_eq!(not_author["code"], "not_comment_author");
    for (command, field) in [
        (
            json!({"type": "reply_to_comment", "comment_id": "c99", "text": "x"}),
            "comment_id",
        ),
        (
            json!({"type": "add_comment", "block_id": p1, "start": 5, "end": 500, "text": "x"}),
            "end",
        ),
        (
            json!({"type": "add_comment", "block_id": p1, "text": "   "}),
            "text",
        ),
        (
            json!({"type": "edit_note", "note_id": "f9", "text": "x"}),
            "note_id",
        ),
        (
            json!({"type": "add_footnote", "block_id": p2, "offset": 999, "text": "x"}),
            "offset",
        ),
    ] {
        let p = refused(&app, &ada, &id, command.clone(), 422).await;
        assert_eq!(
            crate::helpers::fields(&p),
            [field.to_string()],
            "{command}: {p}"
        );
    }
    assert_eq!(app.version(&id).await, before, "refusals append nothing");

    // A thread's state: Bob resolves, Ada reopens, Ada edits her own comment.
    app.ok_as(
        &bob,
        &id,
        json!({"type": "resolve_comment", "comment_id": "c2"}),
    )
    .await;
    let resolved = comments(&app, &id, "?status=resolved").await;
    assert_eq!(resolved["comments"].as_array().unwrap().len(), 1);
    app.ok_as(
        &ada,
        &id,
        json!({"type": "reopen_comment", "comment_id": "c1"}),
    )
    .await;
    app.ok_as(&ada,
        &id,
        json!({"type": "edit_comment", "comment_id": "c1", "text": "Is thirty days enough for them?"}),
    )
    .await;
    let open = comments(&app, &id, "?status=open").await;
    let thread = &open["comments"][0];
    assert_eq!(thread["id"], "c1");
    assert_eq!(thread["block_id"], p1.as_str());
    assert_eq!(thread["anchor_text"], "thirty days");
    assert_eq!(thread["author"], "Ada Lovelace");
    assert_eq!(thread["initials"], "AL");
    assert_eq!(thread["text"], "Is thirty days enough for them?");
    assert_eq!(thread["resolved"], false);
    assert_eq!(thread["replies"][0]["author"], "Bob Smith");
    assert_eq!(thread["replies"][0]["text"], "Our standard is 30.");
    let created_at = thread["created_at"].as_str().unwrap();
    assert!(
        created_at.len() == 20 && created_at.ends_with('Z'),
        "{created_at}"
    );
    // The comment's time is its event's.
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    let event = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "CommentAdded")
        .expect("the CommentAdded event");
    assert!(event["at"].as_str().unwrap().starts_with(&created_at[..19]));

    let listed = notes(&app, &id).await;
    let listed = listed["notes"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (&listed[0]["id"], &listed[0]["kind"], &listed[0]["number"]),
        (&json!("f1"), &json!("footnote"), &json!(1))
    );
    assert_eq!(listed[0]["offset"], 33);
    assert_eq!(listed[1]["kind"], "endnote");
    assert_eq!(listed[1]["text"], "See the schedule of rates.");

    // The .docx, as others read it.
    let file = docx(&app, &id).await;
    check_docx(&file);
    check_reads(&app, &id, commented).await;

    // Deleting the anchored text keeps the comment at the point where it was.
    app.ok_as(
        &ada,
        &id,
        json!({"type": "delete_text", "block_id": p1, "offset": 22, "length": 11}),
    )
    .await;
    let after = comments(&app, &id, "").await;
    let thread = &after["comments"][0];
    assert_eq!((&thread["start"], &thread["end"]), (&json!(22), &json!(22)));
    assert_eq!(thread["anchor_deleted"], true);
    assert_eq!(thread["anchor_text"], "");
    // Time travel: the version that had the text shows it anchored there.
    let then = comments(&app, &id, &format!("?version={commented}")).await;
    assert_eq!(then["comments"][0]["anchor_text"], "thirty days");
    assert_eq!(then["comments"][0]["replies"], json!([]));
    // Still written as a comment (its range empty).
    let file = docx(&app, &id).await;
    crate::helpers::assert_valid_ooxml(&file);
    let read = crate::helpers::python_docx(&file);
    assert_eq!(read["comments"].as_array().unwrap().len(), 2);

    // delete_note takes a note with its mark; delete_comment a reply, then a thread.
    app.ok_as(&ada, &id, json!({"type": "delete_note", "note_id": "e2"}))
        .await;
    app.ok_as(
        &bob,
        &id,
        json!({"type": "delete_comment", "comment_id": "c2"}),
    )
    .await;
    let left = comments(&app, &id, "").await;
    assert_eq!(left["comments"][0]["replies"], json!([]));
    app.ok_as(
        &ada,
        &id,
        json!({"type": "delete_comment", "comment_id": "c1"}),
    )
    .await;
    assert_eq!(comments(&app, &id, "").await["comments"], json!([]));
    let left = notes(&app, &id).await;
    assert_eq!(left["notes"].as_array().unwrap().len(), 1);
    let file = docx(&app, &id).await;
    crate::helpers::assert_valid_ooxml(&file);
    assert_eq!(
        crate::helpers::python_docx(&file)["comments"],
        json!([]),
        "no comment left in the file"
    );

    // At every version, the answers and the .docx agree.
    let latest = app.version(&id).await;
    for version in commented..=latest {
        let threads = comments(&app, &id, &format!("?version={version}")).await;
        let mut texts: Vec<String> = Vec::new();
        for t in threads["comments"].as_array().unwrap() {
            texts.push(t["text"].as_str().unwrap().to_string());
            for r in t["replies"].as_array().unwrap() {
                texts.push(r["text"].as_str().unwrap().to_string());
            }
        }
        let file = app
            .get_bytes(&format!("/v1/documents/{id}/docx?version={version}"))
            .await;
        let read = crate::helpers::python_docx(&file);
        let mut in_file: Vec<String> = read["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect();
        texts.sort();
        in_file.sort();
        assert_eq!(texts, in_file, "version {version}");
        let listed = app
            .get_json(&format!("/v1/documents/{id}/notes?version={version}"))
            .await;
        let footnotes = crate::helpers::zip_entry_opt(&file, "word/footnotes.xml");
        for n in listed["notes"].as_array().unwrap() {
            let text = n["text"].as_str().unwrap();
            let part = if n["kind"] == "footnote" {
                footnotes.clone()
            } else {
                crate::helpers::zip_entry_opt(&file, "word/endnotes.xml")
            };
            assert!(
                part.is_some_and(|p| p.contains(text)),
                "version {version}: {text} is not in the file"
            );
        }
    }
}

in_both_deployments!(a_scripted_review);

/// The exports, the search, the diff and the blame see the comments and notes.
async fn check_reads(app: &TestApp, id: &str, commented: u64) {
    let latest = app.version(id).await;
    let export = |format: &str, extra: &str| {
        format!("/v1/documents/{id}/export?format={format}&min_version={latest}{extra}")
    };
    let text = app.get_text(&export("text", "&comments=true")).await;
    assert!(text.contains("thirty days[1]."), "{text}");
    assert!(text.contains("[1] Calendar days.\n"), "{text}");
    assert!(text.contains("[i] See the schedule of rates.\n"), "{text}");
    assert!(text.contains("Ada Lovelace"), "{text}");
    assert!(text.contains("    Bob Smith ("), "{text}");
    let plain = app.get_text(&export("text", "")).await;
    assert!(
        !plain.contains("Bob Smith"),
        "comments only when asked: {plain}"
    );
    let html = app.get_text(&export("html", "")).await;
    assert!(
        html.contains(r##"<sup><a href="#note-f1" id="note-ref-f1">1</a></sup>"##),
        "{html}"
    );
    assert!(html.contains(r##"<li id="note-f1""##), "{html}");
    assert!(html.contains(r##"href="#note-ref-f1""##), "{html}");
    assert!(
        html.contains(r#"<mark class="comment" aria-describedby="comment-c1">thirty days</mark>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<article class="comment" id="comment-c1">"#),
        "{html}"
    );
    let markdown = app.get_text(&export("markdown", "")).await;
    assert!(markdown.contains("thirty days[^1]."), "{markdown}");
    assert!(markdown.contains("[^1]: Calendar days."), "{markdown}");
    assert!(
        markdown.contains("[^i]: See the schedule of rates."),
        "{markdown}"
    );

    let search = |q: &str| format!("/v1/documents/{id}/search?q={q}&min_version={latest}");
    let found = app.get_json(&search("standard")).await;
    assert_eq!(found["items"][0]["part"], "comment", "{found}");
    assert_eq!(found["items"][0]["id"], "c2");
    let found = app.get_json(&search("Calendar")).await;
    assert_eq!(
        (&found["items"][0]["part"], &found["items"][0]["id"]),
        (&json!("footnote"), &json!("f1"))
    );

    let diff = app
        .get_json(&format!(
            "/v1/documents/{id}/diff?from={commented}&to={latest}"
        ))
        .await;
    let review: Vec<(String, String, String)> = diff["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |id: &str, kind: &str, change: &str| {
        review.contains(&(id.to_string(), kind.to_string(), change.to_string()))
    };
    assert!(has("c1", "comment", "edited"), "{review:?}");
    assert!(has("c2", "reply", "added"), "{review:?}");
    assert!(has("f1", "footnote", "added"), "{review:?}");
    assert!(has("e2", "endnote", "added"), "{review:?}");

    let blame = app.get_json(&format!("/v1/documents/{id}/blame")).await;
    let note = &blame["notes"][0];
    assert_eq!(note["note_id"], "f1", "{blame}");
    assert_eq!(note["ranges"][0]["text"], "Calendar days.");
    let by = note["ranges"][0]["version"].as_u64().unwrap();
    let change = blame["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["version"] == by)
        .unwrap();
    assert_eq!(change["type"], "NoteAdded");
}

/// python-docx reads every comment's author, initials and text; openxml-audit finds
/// nothing; pandoc reads the notes and the comment's span; LibreOffice's ODT has the
/// annotations with their authors and the notes.
fn check_docx(docx: &[u8]) {
    crate::helpers::assert_valid_ooxml(docx);
    let read = crate::helpers::python_docx(docx);
    let comments: Vec<(String, String, String)> = read["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap().to_string(),
                c["initials"].as_str().unwrap().to_string(),
                c["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        comments,
        [
            (
                "Ada Lovelace".to_string(),
                "AL".to_string(),
                "Is thirty days enough for them?".to_string()
            ),
            (
                "Bob Smith".to_string(),
                "BS".to_string(),
                "Our standard is 30.".to_string()
            ),
        ]
    );
    // The reply threads under the root; the root is open.
    let extended = crate::helpers::zip_entry(docx, "word/commentsExtended.xml");
    assert!(extended.contains("w15:paraIdParent"), "{extended}");
    assert!(!extended.contains(r#"w15:done="1""#), "{extended}");
    let paragraphs = read["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs[0]["text"], "Payment is due within thirty days.");
    if let Some(text) = crate::helpers::pandoc_text(docx, "all") {
        assert!(text.contains("Calendar days."), "{text}");
        assert!(text.contains("See the schedule of rates."), "{text}");
    }
    if let Some(ast) = crate::helpers::pandoc_json(docx) {
        let ast = ast.to_string();
        assert!(ast.contains(r#""t":"Note""#), "pandoc reads the notes");
    }
    // pandoc with --track-changes=all: the comment spans, with their authors.
    if let Some(ast) = pandoc_all_changes(docx) {
        assert!(ast.contains("comment-start"), "{ast}");
        assert!(ast.contains("comment-end"), "{ast}");
        assert!(ast.contains("Ada Lovelace"), "{ast}");
    }
    if let Some(odt) = crate::helpers::libreoffice_convert(docx, "fodt", "fodt") {
        assert!(odt.matches("<office:annotation").count() >= 2, "{odt}");
        assert!(odt.contains("<dc:creator>Ada Lovelace</dc:creator>"));
        assert!(odt.contains("<dc:creator>Bob Smith</dc:creator>"));
        assert!(odt.contains("text:note-class=\"footnote\""));
        assert!(odt.contains("text:note-class=\"endnote\""));
        assert!(odt.contains("Calendar days."));
    }
}

/// pandoc's JSON of a .docx read with `--track-changes=all` (comments as spans); None
/// where pandoc is not installed.
fn pandoc_all_changes(bytes: &[u8]) -> Option<String> {
    crate::helpers::pandoc_json(bytes)?;
    let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = std::process::Command::new("pandoc")
        .args(["--track-changes=all", "-f", "docx", "-t", "json"])
        .arg(file.path())
        .output()
        .expect("pandoc runs");
    assert!(output.status.success());
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// What a document's comments and notes are, without the ids of its blocks (which an
/// import makes anew).
async fn review_of(app: &TestApp, id: &str) -> (Value, Value) {
    let mut threads = comments(app, id, "").await["comments"].clone();
    for t in threads.as_array_mut().unwrap() {
        t.as_object_mut().unwrap().remove("block_id");
    }
    let mut listed = notes(app, id).await["notes"].clone();
    for n in listed.as_array_mut().unwrap() {
        n.as_object_mut().unwrap().remove("block_id");
    }
    (threads, listed)
}

async fn imported_review_is_folios_and_survives_a_round_trip(app: TestApp) {
    // Arrange: corpus files with comments and notes (made by Word, LibreOffice, pandoc's
    // tests), and a file folio made with a resolved thread and a reply.
    let mut files: Vec<(String, Vec<u8>)> = [
        "pandoc--comments.docx",
        "python-docx--comments-rich-para.docx",
        "mammoth--footnotes.docx",
        "mammoth--endnotes.docx",
        "pandoc--notes.docx",
    ]
    .iter()
    .filter_map(|name| Some((name.to_string(), crate::import::corpus_file(name)?)))
    .collect();
    let made = app.create_document("Made").await;
    let p = app
        .ok(
            &made,
            json!({"type": "add_paragraph", "text": "Clause 1: delivery in May."}),
        )
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    for command in [
        json!({"type": "add_comment", "block_id": p, "start": 10, "end": 18, "text": "Which year?"}),
        json!({"type": "reply_to_comment", "comment_id": "c1", "text": "2027."}),
        json!({"type": "resolve_comment", "comment_id": "c1"}),
        json!({"type": "add_comment", "block_id": p, "start": 22, "end": 25, "text": "Early May?"}),
        json!({"type": "add_footnote", "block_id": p, "offset": 9, "text": "As amended."}),
        json!({"type": "add_endnote", "block_id": p, "text": "Schedule A."}),
    ] {
        app.ok(&made, command).await;
    }
    files.push(("folio".into(), docx(&app, &made).await));

    for (name, bytes) in files {
        // Act: import, render, import again.
        let first = crate::import::imported_id(&app, &bytes).await;
        let (threads, listed) = review_of(&app, &first).await;
        let rendered = docx(&app, &first).await;
        crate::helpers::assert_valid_ooxml_as(&bytes, &rendered, &name);
        let second = crate::import::imported_id(&app, &rendered).await;

        // Assert: modelled, editable, and the same after the round trip.
        assert!(
            !threads.as_array().unwrap().is_empty() || !listed.as_array().unwrap().is_empty(),
            "{name}: nothing modelled"
        );
        assert_eq!(
            review_of(&app, &second).await,
            (threads.clone(), listed),
            "{name}"
        );
        if let Some(first_thread) = threads.as_array().unwrap().first() {
            let id = first_thread["id"].as_str().unwrap();
            app.ok(
                &first,
                json!({"type": "reply_to_comment", "comment_id": id, "text": "Answered in folio."}),
            )
            .await;
            app.ok(&first, json!({"type": "resolve_comment", "comment_id": id}))
                .await;
            let after = comments(&app, &first, "").await;
            let thread = &after["comments"][0];
            assert_eq!(thread["resolved"], true, "{name}");
            assert_eq!(
                thread["replies"].as_array().unwrap().last().unwrap()["text"],
                "Answered in folio.",
                "{name}"
            );
        }
        if name == "folio" {
            let t = &threads[0];
            assert_eq!(
                (&t["anchor_text"], &t["resolved"], &t["replies"][0]["text"]),
                (&json!("delivery"), &json!(true), &json!("2027."))
            );
            assert_eq!(threads[1]["resolved"], false);
        }
    }
}

in_both_deployments!(imported_review_is_folios_and_survives_a_round_trip);

/// Stored comment and note events that do not fit the document (a block, thread or note
/// it does not have, a taken id, an offset past the text) change nothing but the version:
/// reads, the .docx and later writes go on.
async fn review_events_that_do_not_fit_change_nothing(app: TestApp) {
    // Arrange
    let id = app.create_document("Misfits").await;
    let p = app
        .ok(
            &id,
            json!({"type": "add_paragraph", "text": "Anchored text."}),
        )
        .await["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        &id,
        json!({"type": "add_comment", "block_id": p, "text": "Fine."}),
    )
    .await;
    let before = comments(&app, &id, "").await["comments"].clone();

    // Act
    let author = r#""author": {"name": "Mallory"}, "date": "2026-01-01T00:00:00Z""#;
    for (kind, payload) in [
        (
            "CommentAdded",
            format!(
                r#"{{"comment_id": "c9", "block_id": "nope", "start": 0, "end": 1, {author}, "paragraphs": []}}"#
            ),
        ),
        (
            "CommentAdded",
            format!(
                r#"{{"comment_id": "c1", "block_id": "{p}", "start": 0, "end": 99, {author}, "paragraphs": []}}"#
            ),
        ),
        (
            "CommentReplied",
            format!(r#"{{"comment_id": "c7", "parent_id": "c99", {author}, "paragraphs": []}}"#),
        ),
        (
            "CommentResolved",
            r#"{"comment_id": "c2000", "resolved": true}"#.to_string(),
        ),
        ("NoteDeleted", r#"{"note_id": "f4"}"#.to_string()),
        (
            "NoteAdded",
            format!(
                r#"{{"note_id": "f01", "kind": "footnote", "block_id": "{p}", "offset": 999, "paragraphs": []}}"#
            ),
        ),
        (
            "ReviewImported",
            r#"{"comments": [], "notes": []}"#.to_string(),
        ),
    ] {
        // A readable event: its payload names its type, as folio stores it.
        let mut event: Value = serde_json::from_str(&payload).unwrap();
        event["type"] = json!(kind);
        app.inject_event(&id, kind, &event.to_string()).await;
    }

    // Assert: the write path and the projection step over them (a write makes the
    // projector read the injected events from the store).
    app.ok(
        &id,
        json!({"type": "reply_to_comment", "comment_id": "c1", "text": "Still answerable."}),
    )
    .await;
    let after = comments(&app, &id, "").await;
    let threads = after["comments"].as_array().unwrap();
    assert_eq!(threads.len(), 1, "{after}");
    assert_eq!(threads[0]["text"], before[0]["text"]);
    assert_eq!(
        (&threads[0]["start"], &threads[0]["end"]),
        (&before[0]["start"], &before[0]["end"])
    );
    assert_eq!(threads[0]["replies"][0]["id"], "c2", "{after}");
    assert_eq!(notes(&app, &id).await["notes"], json!([]));
    let file = docx(&app, &id).await;
    crate::helpers::assert_valid_ooxml(&file);
}

in_both_deployments!(review_events_that_do_not_fit_change_nothing);
