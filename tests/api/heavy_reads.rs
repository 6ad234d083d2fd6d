//! Heavy reads never stall folio (issue 29): they run off the HTTP workers, a diff is
//! bounded in the text it compares (413 beyond) and in time (the rest wholesale).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, problem, spawn_app_with};

/// A paragraph of about `bytes` bytes of words that differ with `seed`.
fn words(seed: u32, bytes: usize) -> String {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        text.push_str(&format!("w{:x} ", state >> 12));
    }
    text
}

/// Adds `blocks` paragraphs of `bytes` each (words of seeds `seed..`); returns their ids.
async fn paragraphs(app: &TestApp, id: &str, blocks: u32, bytes: usize, seed: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..blocks {
        let added = app
            .ok(
                id,
                json!({"type": "add_paragraph", "text": words(seed + i, bytes)}),
            )
            .await;
        ids.push(
            added["created"]["block_ids"][0]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ids
}

/// A document of `blocks` paragraphs of `bytes` each, every one rewritten once; returns
/// its id and the versions before and after the rewrites.
async fn rewritten(app: &TestApp, blocks: u32, bytes: usize) -> (String, u64, u64) {
    let id = app.create_document("Rewritten").await;
    let ids = paragraphs(app, &id, blocks, bytes, 0).await;
    let before = u64::from(blocks) + 1;
    for (i, block) in ids.iter().enumerate() {
        app.ok(
            &id,
            json!({"type": "update_paragraph", "block_id": block, "text": words(i as u32 + 10_000, bytes)}),
        )
        .await;
    }
    (id, before, before + u64::from(blocks))
}

/// Two worst-case diffs at once (as much changed text as the limit lets through, every
/// word different): `/healthz` keeps answering at once and another tenant's read
/// succeeds meanwhile; the diffs answer, with the blocks the time budget did not reach
/// shown wholesale.
async fn two_worst_case_diffs_leave_the_server_responsive(app: TestApp) {
    // Arrange: 48 paragraphs of 40 KB rewritten: 3.9 MB of changed text, under 4 MiB.
    let (id, before, after) = rewritten(&app, 48, 40_000).await;
    app.get_json(&format!("/v1/documents/{id}?min_version={after}"))
        .await;
    let other = crate::helpers::keyed_client(&app.create_key("other", "read,write"));
    let bystander = app.create_document_as(&other, "Bystander").await;

    // Act
    let diff = |app: &TestApp| {
        let request = app
            .client
            .get(app.url(&format!("/v1/documents/{id}/diff?from={before}&to={after}")));
        async move { request.send().await.unwrap() }
    };
    let (first, second, probes) = tokio::join!(diff(&app), diff(&app), async {
        // Probe while the diffs run (they start with this future).
        let client = crate::helpers::client();
        let mut latencies = Vec::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            let t = Instant::now();
            let r = client.get(app.url("/healthz")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            latencies.push(t.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let read = other
            .get(app.url(&format!("/v1/documents/{bystander}/content?min_version=1")))
            .send()
            .await
            .unwrap()
            .status();
        (latencies, read)
    });

    // Assert
    let (mut latencies, read) = probes;
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    eprintln!(
        "healthz during two worst-case diffs: {} probes, p50 {:?}, p99 {:?}",
        latencies.len(),
        latencies[latencies.len() / 2],
        p99
    );
    // Before: 15.7 s. The figure to keep under 100 ms is measured by the benchmark; a
    // test on a shared machine only holds it to well under a second.
    assert!(p99 < Duration::from_secs(1), "healthz p99 {p99:?}");
    assert_eq!(read, 200, "another tenant's read succeeds meanwhile");
    for response in [first, second] {
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 48);
        assert!(blocks.iter().all(|b| b["change"] == "changed"));
        let coarse = body["coarse_blocks"].as_u64().unwrap_or(0);
        eprintln!("blocks shown wholesale: {coarse}");
    }
}

in_both_deployments!(two_worst_case_diffs_leave_the_server_responsive);

/// A diff or redline comparing more changed text than `--max-diff-bytes` is a 413 naming
/// the limit, in every format; a smaller one answers.
#[tokio::test]
async fn a_diff_past_the_limit_is_refused() {
    // Arrange
    let app = spawn_app_with(&["--max-diff-bytes", "50000"]).await;
    let (id, before, after) = rewritten(&app, 4, 10_000).await;

    // Act
    let mut answers = Vec::new();
    for format in ["json", "html", "docx"] {
        answers.push(
            app.get(&format!(
                "/v1/documents/{id}/diff?from={before}&to={after}&format={format}"
            ))
            .await,
        );
    }
    let small = app
        .get(&format!(
            "/v1/documents/{id}/diff?from={before}&to={}",
            before + 1
        ))
        .await;

    // Assert
    for answer in answers {
        let p = problem(answer, 413).await;
        assert_eq!(p["code"], "payload_too_large");
        assert!(p["detail"].as_str().unwrap().contains("50000"), "{p}");
    }
    assert_eq!(small.status(), 200);
}

/// With no time budget left, changed blocks come back wholesale: their old text deleted,
/// their new text inserted, and counted.
#[tokio::test]
async fn past_the_time_budget_changed_blocks_are_wholesale() {
    // Arrange
    let app = spawn_app_with(&["--diff-budget-ms", "0"]).await;
    let (id, before, after) = rewritten(&app, 3, 200).await;

    // Act
    let diff = app
        .get_json(&format!("/v1/documents/{id}/diff?from={before}&to={after}"))
        .await;

    // Assert
    assert_eq!(diff["coarse_blocks"], 3, "{diff}");
    for block in diff["blocks"].as_array().unwrap() {
        let ops: Vec<&str> = block["text"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["op"].as_str().unwrap())
            .collect();
        assert_eq!(ops, ["delete", "insert"], "{block}");
    }
}

/// One tenant's large rewrites do not hold another tenant's writes back on the query
/// side: blame's word diffs are bounded per block and per event, so the projector gets
/// through the rewrites quickly (before: 2 s of rewrites held another tenant back 20 s).
async fn heavy_rewrites_do_not_delay_another_tenants_reads(app: TestApp) {
    // Arrange: 40 paragraphs of 40 KB for tenant A.
    let id = app.create_document("Heavy").await;
    let ids = paragraphs(&app, &id, 40, 40_000, 0).await;
    app.get_json(&format!("/v1/documents/{id}?min_version=41"))
        .await;
    let other = crate::helpers::keyed_client(&app.create_key("other", "read,write"));
    let bystander = app.create_document_as(&other, "Bystander").await;

    // Act: A rewrites every paragraph while B writes once and waits to see it.
    let rewrites = async {
        for (i, block) in ids.iter().enumerate() {
            app.ok(
                &id,
                json!({"type": "update_paragraph", "block_id": block, "text": words(i as u32 + 500, 40_000)}),
            )
            .await;
        }
    };
    let visible = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let written = other
            .post(app.write_url(&format!("/v1/documents/{bystander}/commands")))
            .json(&json!({"type": "add_paragraph", "text": "B's line"}))
            .send()
            .await
            .unwrap();
        assert_eq!(written.status(), 200);
        let accepted = Instant::now();
        loop {
            let read = other
                .get(app.url(&format!("/v1/documents/{bystander}?min_version=2")))
                .send()
                .await
                .unwrap();
            if read.status() == 200 {
                return accepted.elapsed();
            }
            assert!(
                accepted.elapsed() < Duration::from_secs(60),
                "never visible"
            );
        }
    };
    let ((), lag) = tokio::join!(rewrites, visible);

    // Assert
    eprintln!("another tenant's write became visible after {lag:?} during 40 rewrites of 40 KB");
    // Before: 20 s (3.8 s in this test's debug build without the bound, 0.1-0.2 s with
    // it). "About a second", with room for a shared machine.
    assert!(lag < Duration::from_secs(2), "visible after {lag:?}");
    let blame = app
        .get_json(&format!("/v1/documents/{id}/blame?min_version=81"))
        .await;
    assert_eq!(blame["blocks"].as_array().unwrap().len(), 40);
}

in_both_deployments!(heavy_rewrites_do_not_delay_another_tenants_reads);

/// The worst redline the limit lets through (every paragraph rewritten, as much changed
/// text as `--max-diff-bytes` allows: 2 MB here, to keep the suite quick; BENCHMARKS.md
/// has the default 4 MiB), two at once: the server's peak memory is printed and held to a
/// bound, and given back afterwards.
#[tokio::test]
async fn the_worst_redline_stays_within_its_memory_bound() {
    // Arrange: 100 paragraphs of 10 KB rewritten: 2.0 MB of changed text.
    let app = crate::helpers::spawn_app_with(&["--max-diff-bytes", "2100000"]).await;
    let (id, before, after) = rewritten(&app, 100, 10_000).await;
    let start = app.peak_memory_kib();

    // Act
    let redline = |app: &TestApp| {
        let request = app.client.get(app.url(&format!(
            "/v1/documents/{id}/diff?from={before}&to={after}&format=docx"
        )));
        async move { request.send().await.unwrap() }
    };
    let (a, b) = tokio::join!(redline(&app), redline(&app));

    // Assert
    for response in [a, b] {
        assert_eq!(response.status(), 200);
        crate::helpers::python_docx(&response.bytes().await.unwrap());
    }
    let peak = app.peak_memory_kib();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let now = app.memory_now_kib();
    println!(
        "two redlines of 100 rewritten 10 KB paragraphs: peak {start:?} KiB before, {peak:?} KiB after, {now:?} KiB resident 2 s later"
    );
    if let (Some(start), Some(peak), Some(now)) = (start, peak, now) {
        assert!(peak < 768 * 1024, "the server peaked at {peak} KiB");
        assert!(
            now < start + 128 * 1024,
            "the memory is given back: {now} KiB resident after, {start} KiB before"
        );
    }
}
