//! The distributed deployment under faults: projectors killed mid-stream, NATS down,
//! racing writers on several command-api processes, and `folio rebuild`.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cluster::{Cluster, OwnNats};
use crate::helpers::{TestApp, eventually, problem, spawn_distributed};

/// Sends `add_paragraph` commands with texts `"<tag> <n>"` to a document; returns how many
/// were accepted (every one must be).
async fn write_paragraphs(client: &reqwest::Client, base: &str, id: &str, tag: &str, n: usize) {
    for i in 0..n {
        let response = client
            .post(format!("{base}/v1/documents/{id}/commands"))
            .json(&json!({"type": "add_paragraph", "text": format!("{tag} {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{tag} {i}");
    }
}

async fn create(client: &reqwest::Client, base: &str, title: String) -> String {
    let response = client
        .post(format!("{base}/v1/documents"))
        .json(&json!({ "title": title }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The texts of a document's blocks in the read model, once it reached `version`.
async fn texts_at(app: &TestApp, id: &str, version: u64) -> Vec<String> {
    let content = app
        .get_json(&format!("/v1/documents/{id}/content?min_version={version}"))
        .await;
    assert_eq!(content["version"], version, "{content}");
    content["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_string())
        .collect()
}

/// Every document's read model equals its events: the version is the last sequence and
/// the blocks are exactly the paragraphs the events added, once each, in order.
async fn assert_read_models_match_events(app: &TestApp, ids: &[String]) {
    for id in ids {
        let history = app
            .get_json(&format!("/v1/documents/{id}/history?limit=200"))
            .await;
        let items = history["items"].as_array().unwrap();
        let head = items.last().unwrap()["sequence"].as_u64().unwrap();
        let sequences: Vec<u64> = items
            .iter()
            .map(|e| e["sequence"].as_u64().unwrap())
            .collect();
        assert_eq!(
            sequences,
            (1..=head).collect::<Vec<_>>(),
            "{id}: history has no gaps"
        );
        let mut expected: Vec<String> = Vec::new();
        for e in items.iter().filter(|e| e["type"] == "ParagraphAdded") {
            let index = e["payload"]["index"].as_u64().unwrap() as usize;
            let text = e["payload"]["runs"][0]["text"]
                .as_str()
                .unwrap()
                .to_string();
            expected.insert(index, text);
        }
        let got = texts_at(app, id, head).await;
        assert_eq!(got, expected, "{id}: read model equals its events");
    }
}

#[tokio::test]
async fn a_killed_projector_converges_with_nothing_lost_or_doubled() {
    // Arrange: two projectors share the work
    let mut app = spawn_distributed().await;
    app.cluster().start_projector();
    let ids: Vec<String> =
        join_all((0..4).map(|i| create(&app.client, &app.write_base, format!("doc {i}")))).await;

    // Act: write; kill -9 one projector mid-stream; keep writing; start it again
    let (client, base) = (app.client.clone(), app.write_base.clone());
    let writers = |tag: &'static str| {
        let ids = ids.clone();
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            join_all(
                ids.iter()
                    .map(|id| write_paragraphs(&client, &base, id, tag, 40)),
            )
            .await;
        })
    };
    let first = writers("a");
    tokio::time::sleep(Duration::from_millis(150)).await;
    app.cluster().kill_projector(0);
    first.await.unwrap();
    writers("b").await.unwrap();
    app.cluster().kill_projector(1);
    writers("c").await.unwrap();
    app.cluster().start_projector();

    // Assert
    assert_read_models_match_events(&app, &ids).await;
    for id in &ids {
        assert_eq!(texts_at(&app, id, 121).await.len(), 120);
    }
}

#[tokio::test]
async fn writes_are_accepted_while_nats_is_down_and_everything_converges_after() {
    // Arrange: a NATS server of this test's own, so it can be stopped
    let mut nats = OwnNats::start();
    let app = TestApp::distributed(Cluster::start_on(nats.url(), 1, 1).await);
    let id = create(&app.client, &app.write_base, "Outage".into()).await;
    write_paragraphs(&app.client, &app.write_base, &id, "before", 5).await;
    assert_eq!(texts_at(&app, &id, 6).await.len(), 5);

    // Act: NATS goes away; every write is still accepted, promptly
    nats.stop();
    let started = std::time::Instant::now();
    write_paragraphs(&app.client, &app.write_base, &id, "during", 30).await;
    let during_outage = started.elapsed();
    let pool = app.cluster_ref().database.pool().await;
    let outbox = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let pending = outbox(pool.clone()).await;
    nats.resume();

    // Assert: the backlog was held in the outbox, and drains into the read model
    assert!(pending > 0, "events wait in the outbox while NATS is down");
    assert!(
        during_outage < Duration::from_secs(30),
        "writes do not wait for NATS"
    );
    let texts = texts_at(&app, &id, 36).await;
    assert_eq!(texts.len(), 35);
    assert_read_models_match_events(&app, std::slice::from_ref(&id)).await;
    eventually("the outbox drains", || {
        let pool = pool.clone();
        async move { outbox(pool).await == 0 }
    })
    .await;
}

#[tokio::test]
async fn of_32_strict_writers_with_the_same_if_match_on_two_command_apis_exactly_one_wins() {
    // Arrange
    let cluster = Cluster::start(2, 1).await;
    let bases = [cluster.command_base(0), cluster.command_base(1)];
    let client = cluster.client();
    let id = create(&client, &bases[0], "Contended".into()).await;
    write_paragraphs(&client, &bases[1], &id, "seed", 1).await;

    // Act
    let attempts = (0..32).map(|i| {
        let (client, base, id) = (client.clone(), bases[i % 2].clone(), id.clone());
        async move {
            client
                .post(format!("{base}/v1/documents/{id}/commands?strict=true"))
                .header("If-Match", "\"2\"")
                .json(&json!({"type": "add_paragraph", "text": format!("writer {i}")}))
                .send()
                .await
                .unwrap()
        }
    });
    let responses = join_all(attempts).await;

    // Assert
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for r in &responses {
        *by_status.entry(r.status().as_u16()).or_default() += 1;
    }
    assert_eq!(by_status, BTreeMap::from([(200, 1), (409, 31)]));
    for r in responses
        .into_iter()
        .filter(|r| r.status() == StatusCode::CONFLICT)
    {
        let body = problem(r, 409).await;
        assert_eq!(body["current_version"], 3);
    }
}

#[tokio::test]
async fn under_concurrent_writers_on_many_documents_the_relay_skips_nothing_and_rebuild_agrees() {
    // Arrange: two command-apis (two relays), two projectors
    let app = TestApp::distributed(Cluster::start(2, 2).await);
    let bases = [
        app.cluster_ref().command_base(0),
        app.cluster_ref().command_base(1),
    ];
    let client = app.client.clone();
    let ids: Vec<String> =
        join_all((0..12).map(|i| create(&client, &bases[i % 2], format!("many {i}")))).await;

    // Act: 24 concurrent writers, two per document, through both command-apis
    let writers = ids.iter().enumerate().flat_map(|(i, id)| {
        let client = client.clone();
        let bases = bases.clone();
        [0usize, 1].map(move |w| {
            let (client, base, id) = (client.clone(), bases[(i + w) % 2].clone(), id.clone());
            async move {
                for n in 0..15 {
                    // Two writers race on one document through two processes; without
                    // If-Match every write succeeds (conflicts are retried on a reload).
                    let response = client
                        .post(format!("{base}/v1/documents/{id}/commands"))
                        .json(&json!({"type": "add_paragraph", "text": format!("w{w} {n}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                }
            }
        })
    });
    join_all(writers).await;

    // Assert: every document's read model is exactly its events
    assert_read_models_match_events(&app, &ids).await;
    for id in &ids {
        assert_eq!(texts_at(&app, id, 31).await.len(), 30);
    }
    // ... and equals a rebuild from scratch, blobs included
    let docx_caught_up = ids.iter().map(|id| {
        let app = &app;
        async move {
            app.get_bytes(&format!("/v1/documents/{id}/docx?min_version=31"))
                .await;
        }
    });
    join_all(docx_caught_up).await;
    let cluster = app.cluster_ref();
    let verify = cluster.folio(&["rebuild", "--verify", "--quiet"]);
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // Act: rebuild for real while writes continue; the APIs keep answering
    let during = {
        let (client, base, id) = (client.clone(), bases[1].clone(), ids[0].clone());
        tokio::spawn(async move { write_paragraphs(&client, &base, &id, "during", 20).await })
    };
    let rebuild = cluster.folio(&["rebuild", "--quiet"]);
    during.await.unwrap();
    assert!(
        rebuild.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuild.stderr)
    );
    let written = cluster.folio(&["rebuild", "--verify", "--quiet"]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stdout)
    );
    assert_eq!(texts_at(&app, &ids[0], 51).await.len(), 50);
}

#[tokio::test]
async fn the_distributed_benchmark_runs_and_cleans_up_after_itself() {
    // A tiny run: this checks that `folio-bench --distributed` works, not how fast it is.
    let admin = std::env::var("FOLIO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let output = crate::helpers::succeeded(
        std::process::Command::new(env!("CARGO_BIN_EXE_folio-bench-e2e"))
            .args(["--distributed", "--database-url", &admin])
            .args(["--folio", env!("CARGO_BIN_EXE_folio-e2e")])
            .args(["--nats-url", &crate::cluster::shared_nats_url()])
            .args([
                "--seconds",
                "1",
                "--concurrency",
                "2",
                "--lag-rate",
                "50",
                "--json",
            ])
            .output()
            .unwrap(),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for field in [
        "raw_insert_commits_per_second",
        "commands_per_second",
        "lag_achieved_rate",
    ] {
        assert!(report[field].as_f64().unwrap() > 0.0, "{field}: {report}");
    }
    assert!(report["command_p99_ms"].as_f64() >= report["command_p50_ms"].as_f64());
    assert!(report["projection_lag_p99_ms"].as_f64() >= report["projection_lag_p50_ms"].as_f64());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'folio_bench_%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0, "the benchmark's database is dropped");
}

// See: issue 11: a rebuild renders the same images (their bytes are source data beside
// the events, not part of the read models it recomputes); issue 12: and imported documents
// (their source file is, too).
#[tokio::test]
async fn a_rebuild_gives_the_same_images_and_imported_documents() {
    // Arrange: a document with a picture, its .docx materialised.
    let app = spawn_distributed().await;
    let id = app.create_document("Pictures").await;
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";
    let added = app
        .ok(
            &id,
            json!({"type": "add_image", "data_base64": png, "alt_text": "A dot"}),
        )
        .await;
    let version = added["version"].as_u64().unwrap();
    let before = app
        .get_bytes(&format!("/v1/documents/{id}/docx?min_version={version}"))
        .await;
    // An imported form (opaque blocks, footnotes, numbering and styles from its file).
    let imported = match crate::import::corpus().and_then(|files| {
        files
            .into_iter()
            .find(|(name, _)| name == "poi--form_footnotes.docx")
    }) {
        Some((_, file)) => {
            let answer: serde_json::Value = crate::import::import(&app, &file, "")
                .await
                .json()
                .await
                .unwrap();
            let form = answer["id"].as_str().unwrap().to_string();
            let form_version = answer["version"].as_u64().unwrap();
            let docx = app
                .get_bytes(&format!(
                    "/v1/documents/{form}/docx?min_version={form_version}"
                ))
                .await;
            Some((form, form_version, docx))
        }
        None => None,
    };

    // Act: verify, then rebuild for real.
    let cluster = app.cluster_ref();
    let verify = cluster.folio(&["rebuild", "--verify", "--quiet"]);
    let rebuild = cluster.folio(&["rebuild", "--quiet"]);

    // Assert: the rebuild agreed with the live .docx and renders the picture again.
    for run in [&verify, &rebuild] {
        assert!(
            run.status.success(),
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let after = app
        .get_bytes(&format!("/v1/documents/{id}/docx?version={version}"))
        .await;
    assert!(before == after, "the rebuilt .docx differs");
    let read = crate::helpers::python_docx(&after);
    assert_eq!(read["inline_shapes"][0]["descr"], "A dot", "{read}");
    if let Some((form, form_version, docx)) = imported {
        let rebuilt = app
            .get_bytes(&format!("/v1/documents/{form}/docx?version={form_version}"))
            .await;
        assert!(docx == rebuilt, "the rebuilt imported .docx differs");
    }
}
