//! `folio-bench --history`: reading the audit trail over HTTP, beside reading content.
//!
//! 1. Diff: a document of `--history-blocks` paragraphs (version A), 2% of them reworded
//!    (version B); `GET …/diff?from=A&to=B` against `GET …/content` (the read model) and
//!    `GET …/content?version=B` (the same version rebuilt from events).
//! 2. Blame: a document of `--history-blocks` paragraphs and `--history-events` events in
//!    all (small edits spread over its blocks); `GET …/blame` (the blame read model)
//!    against `GET …/content`, and `GET …/blame?version=head` (replayed from every event).
//!
//! 3. Pages (on the diff document): a page of `GET …/content?budget=8000` (the MCP
//!    default) from the middle of the document against one block, at the latest version
//!    and at version A (a past version: the page rebuilt from events, against time travel
//!    to one block of it).
//!
//! Each read is repeated `--history-reads` times (fewer for the replay); p50 and p99 of
//! the round trip as the client sees it, all in the same run.

use std::time::Instant;

use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use serde_json::{Value, json};

/// Latency of one kind of read.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Reads {
    pub(crate) what: String,
    pub(crate) reads: u64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) bytes: usize,
}

/// What `--history` measured.
#[derive(Debug, serde::Serialize)]
pub(crate) struct HistoryReport {
    pub(crate) blocks: u64,
    pub(crate) changed_blocks: u64,
    pub(crate) events: u64,
    pub(crate) build_seconds: f64,
    pub(crate) diff: Vec<Reads>,
    pub(crate) blame: Vec<Reads>,
    pub(crate) pages: Vec<Reads>,
}

/// The cursor of the page of `path` (a content read with a budget) that starts near the
/// middle: the chain followed to half its length.
async fn middle_cursor(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    first: &str,
) -> anyhow::Result<String> {
    let mut cursors = Vec::new();
    let mut path = first.to_string();
    loop {
        let page: Value = client
            .get(format!("{base}{path}"))
            .send()
            .await?
            .json()
            .await?;
        match page["next_cursor"].as_str() {
            Some(c) => {
                cursors.push(c.to_string());
                path = format!("/v1/documents/{id}/content?budget=8000&cursor={c}");
            }
            None => break,
        }
    }
    cursors
        .get(cursors.len() / 2)
        .cloned()
        .context("the document has one page")
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> anyhow::Result<Value> {
    let response = client.post(url).json(body).send().await?;
    if !response.status().is_success() {
        bail!("{url}: {}", response.text().await?);
    }
    Ok(response.json().await?)
}

/// A document of `blocks` paragraphs; returns its id, block ids and version.
async fn document(
    client: &reqwest::Client,
    base: &str,
    blocks: u64,
) -> anyhow::Result<(String, Vec<String>, u64)> {
    let created = post(
        client,
        &format!("{base}/v1/documents"),
        &json!({"title": "history bench"}),
    )
    .await?;
    let id = created["id"].as_str().context("no id")?.to_string();
    let mut ids = Vec::new();
    let mut version = 1;
    let mut next = 0;
    while next < blocks {
        let n = (blocks - next).min(1000);
        let commands: Vec<Value> = (next..next + n)
            .map(|i| json!({"type": "add_paragraph", "text": format!("Paragraph {i}: the supplier shall deliver the goods on time and in full.")}))
            .collect();
        let done = post(
            client,
            &format!("{base}/v1/documents/{id}/commands"),
            &json!({"commands": commands}),
        )
        .await?;
        version = done["version"].as_u64().context("no version")?;
        ids.extend(
            done["created"]["block_ids"]
                .as_array()
                .context("no ids")?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string)),
        );
        next += n;
    }
    Ok((id, ids, version))
}

/// Runs `commands` in batches of 1,000; returns the last version.
async fn run_commands(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    commands: Vec<Value>,
) -> anyhow::Result<u64> {
    let mut version = 0;
    for batch in commands.chunks(1000) {
        let done = post(
            client,
            &format!("{base}/v1/documents/{id}/commands"),
            &json!({"commands": batch}),
        )
        .await?;
        version = done["version"].as_u64().context("no version")?;
    }
    Ok(version)
}

/// `reads` GETs of `path` (after one unmeasured); the answer must be a success.
async fn time(
    client: &reqwest::Client,
    base: &str,
    what: &str,
    path: &str,
    reads: u64,
) -> anyhow::Result<Reads> {
    let mut histogram = Histogram::<u64>::new(3)?;
    let mut bytes = 0;
    for i in 0..=reads {
        let started = Instant::now();
        let response = client.get(format!("{base}{path}")).send().await?;
        if !response.status().is_success() {
            bail!("{path}: {}", response.text().await?);
        }
        bytes = response.bytes().await?.len();
        if i > 0 {
            histogram.record(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX))?;
        }
    }
    Ok(Reads {
        what: what.to_string(),
        reads,
        p50_ms: histogram.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
        bytes,
    })
}

/// [`time`] for each (label, path), in order.
async fn time_all(
    client: &reqwest::Client,
    base: &str,
    reads: u64,
    paths: &[(&str, String)],
) -> anyhow::Result<Vec<Reads>> {
    let mut out = Vec::with_capacity(paths.len());
    for (what, path) in paths {
        out.push(time(client, base, what, path, reads).await?);
    }
    Ok(out)
}

/// Waits until the read model has `version` (reads with `min_version` wait on it).
async fn settled(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    version: u64,
) -> anyhow::Result<()> {
    for _ in 0..600 {
        let response = client
            .get(format!("{base}/v1/documents/{id}?min_version={version}"))
            .send()
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
    }
    bail!("the read model did not reach version {version}")
}

pub(crate) async fn measure(
    base: &str,
    client: &reqwest::Client,
    blocks: u64,
    events: u64,
    reads: u64,
) -> anyhow::Result<HistoryReport> {
    let started = Instant::now();
    // 1. Diff: 2% of the blocks reworded between A and B.
    let (id, ids, a) = document(client, base, blocks).await?;
    let rewordings: Vec<Value> = ids
        .iter()
        .step_by(50)
        .map(|b| json!({"type": "insert_text", "block_id": b, "offset": 0, "text": "Revised: "}))
        .collect();
    let changed = rewordings.len() as u64;
    let b = run_commands(client, base, &id, rewordings).await?;
    settled(client, base, &id, b).await?;
    let diff = time_all(
        client,
        base,
        reads,
        &[
            (
                "content (read model)",
                format!("/v1/documents/{id}/content"),
            ),
            (
                "content ?version=B (replayed)",
                format!("/v1/documents/{id}/content?version={b}"),
            ),
            (
                "diff A→B",
                format!("/v1/documents/{id}/diff?from={a}&to={b}"),
            ),
        ],
    )
    .await?;

    // 3. Pages of the same document, latest and past.
    let middle = &ids[ids.len() / 2];
    let latest = middle_cursor(
        client,
        base,
        &id,
        &format!("/v1/documents/{id}/content?budget=8000"),
    )
    .await?;
    let past = middle_cursor(
        client,
        base,
        &id,
        &format!("/v1/documents/{id}/content?budget=8000&version={a}"),
    )
    .await?;
    let pages = time_all(
        client,
        base,
        reads,
        &[
            (
                "one block (latest)",
                format!("/v1/documents/{id}/blocks/{middle}"),
            ),
            (
                "a page, 8,000 tokens (latest)",
                format!("/v1/documents/{id}/content?budget=8000&cursor={latest}"),
            ),
            (
                "one block ?version=A (time travel)",
                format!("/v1/documents/{id}/blocks/{middle}?version={a}"),
            ),
            (
                "a page, 8,000 tokens, of version A",
                format!("/v1/documents/{id}/content?budget=8000&cursor={past}"),
            ),
        ],
    )
    .await?;

    // 2. Blame: small edits spread over the blocks until the document has `events` events.
    let (id, ids, first) = document(client, base, blocks).await?;
    let edits: Vec<Value> = (0..events.saturating_sub(first))
        .map(|i| {
            let block = &ids[(i as usize * 7919) % ids.len()];
            if i % 3 == 2 {
                json!({"type": "delete_text", "block_id": block, "offset": 0, "length": 2})
            } else {
                json!({"type": "insert_text", "block_id": block, "offset": 0, "text": format!("{} ", i % 100)})
            }
        })
        .collect();
    let head = run_commands(client, base, &id, edits).await?;
    settled(client, base, &id, head).await?;
    let mut blame = time_all(
        client,
        base,
        reads,
        &[
            (
                "content (read model)",
                format!("/v1/documents/{id}/content"),
            ),
            ("blame (read model)", format!("/v1/documents/{id}/blame")),
        ],
    )
    .await?;
    // The replay reads every event: a few times are enough.
    blame.extend(
        time_all(
            client,
            base,
            reads.clamp(1, 5),
            &[(
                "blame ?version=head (replayed)",
                format!("/v1/documents/{id}/blame?version={head}"),
            )],
        )
        .await?,
    );
    Ok(HistoryReport {
        blocks,
        changed_blocks: changed,
        events: head,
        build_seconds: started.elapsed().as_secs_f64(),
        diff,
        blame,
        pages,
    })
}

pub(crate) fn print(r: &HistoryReport) {
    println!(
        "{} blocks; diff: {} blocks changed between A and B; blame: {} events (built in {:.0} s)",
        r.blocks, r.changed_blocks, r.events, r.build_seconds
    );
    println!(
        "{:<34} {:>6} {:>9} {:>9} {:>11}",
        "read", "reads", "p50 ms", "p99 ms", "bytes"
    );
    for (title, rows) in [
        ("diff document", &r.diff),
        ("blame document", &r.blame),
        ("pages of the diff document", &r.pages),
    ] {
        println!("-- {title}");
        for row in rows {
            println!(
                "{:<34} {:>6} {:>9.1} {:>9.1} {:>11}",
                row.what, row.reads, row.p50_ms, row.p99_ms, row.bytes
            );
        }
    }
}
