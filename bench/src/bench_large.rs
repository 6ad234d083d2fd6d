//! `folio-bench --large`: one long document, written fast, then read every way, with the
//! memory the process holds at each step (issue 9's bounds).
//!
//! 1. Write: `--batches` batches of `--batch-size` paragraphs, each waiting for its answer.
//!    Reports the write rate and how long after the last write the read model reached
//!    the last version (projection lag), sampling the lag after every batch.
//! 2. Read every format of the latest version: content, text, outline, search, HTML,
//!    Markdown, text export, .docx.
//! 3. Eight historical .docx renders at once (`?version=` spread over the history), then
//!    the resident memory a few seconds later.
//!
//! Memory is this process's RSS from `/proc/self/status` (server and client share it: the
//! client's part is small); the peak of each phase is read after resetting the kernel's
//! high-water mark (`/proc/self/clear_refs`).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Resident memory now and the peak since the last reset, in MiB (None off Linux).
fn rss_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<f64>()
            .ok()
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the peak-RSS mark, so the next [`rss_mib`] peak is of what follows.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// What one run measured.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct LargeReport {
    blocks: u64,
    events: u64,
    write_seconds: f64,
    paragraphs_per_second: f64,
    /// Largest lag of the read model behind the writes, sampled after each batch (s).
    max_projection_lag_seconds: f64,
    /// From the last write's answer to the read model at its version (s).
    final_projection_lag_seconds: f64,
    rss_before_mib: f64,
    rss_after_write_mib: f64,
    peak_write_mib: f64,
    reads: Vec<(String, f64)>,
    peak_reads_mib: f64,
    rss_before_history_mib: f64,
    peak_history_mib: f64,
    history_seconds: f64,
    rss_after_history_mib: f64,
}

async fn checked(response: reqwest::Response, what: &str) -> anyhow::Result<reqwest::Response> {
    if !response.status().is_success() {
        let status = response.status();
        bail!("{what} failed ({status}): {}", response.text().await?);
    }
    Ok(response)
}

/// The version the read model shows now.
async fn projected_version(client: &reqwest::Client, url: &str) -> anyhow::Result<u64> {
    let response = client.get(url).send().await?;
    if response.status().as_u16() == 404 {
        return Ok(0);
    }
    let summary: Value = checked(response, "reading the summary")
        .await?
        .json()
        .await?;
    Ok(summary["version"].as_u64().unwrap_or(0))
}

pub(crate) async fn measure(
    base: &str,
    client: &reqwest::Client,
    batches: u64,
    batch_size: u64,
) -> anyhow::Result<LargeReport> {
    let mut report = LargeReport::default();
    let (rss, _) = rss_mib().unwrap_or_default();
    report.rss_before_mib = rss;
    reset_peak();
    let created: Value = checked(
        client
            .post(format!("{base}/v1/documents"))
            .json(&json!({"title": "large"}))
            .send()
            .await?,
        "creating the document",
    )
    .await?
    .json()
    .await?;
    let id = created["id"].as_str().context("no id")?.to_string();
    let commands_url = format!("{base}/v1/documents/{id}/commands");
    let summary_url = format!("{base}/v1/documents/{id}");

    // 1. Write, sampling how far behind the read model is after each batch.
    let started = Instant::now();
    let mut version = 1;
    for b in 0..batches {
        let commands: Vec<Value> = (0..batch_size)
            .map(|i| json!({"type": "add_paragraph", "text": format!("Paragraph {b}.{i}: the quick brown fox jumps over the lazy dog.")}))
            .collect();
        let answer: Value = checked(
            client
                .post(&commands_url)
                .json(&json!({ "commands": commands }))
                .send()
                .await?,
            "a batch",
        )
        .await?
        .json()
        .await?;
        version = answer["version"].as_u64().unwrap_or(version);
        let projected = projected_version(client, &summary_url).await?;
        // Events behind, as seconds at the rate written so far.
        let rate = (version as f64) / started.elapsed().as_secs_f64();
        let lag = version.saturating_sub(projected) as f64 / rate.max(1.0);
        report.max_projection_lag_seconds = report.max_projection_lag_seconds.max(lag);
    }
    report.write_seconds = started.elapsed().as_secs_f64();
    let written = Instant::now();
    loop {
        if projected_version(client, &summary_url).await? >= version {
            break;
        }
        if written.elapsed() > Duration::from_secs(600) {
            bail!("the read model did not reach version {version} in 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    report.final_projection_lag_seconds = written.elapsed().as_secs_f64();
    report.max_projection_lag_seconds = report
        .max_projection_lag_seconds
        .max(report.final_projection_lag_seconds);
    report.blocks = batches * batch_size;
    report.events = version;
    report.paragraphs_per_second = report.blocks as f64 / report.write_seconds;
    let (rss, peak) = rss_mib().unwrap_or_default();
    (report.rss_after_write_mib, report.peak_write_mib) = (rss, peak);

    // 2. Every format of the latest version.
    reset_peak();
    for path in [
        "content",
        "text",
        "outline",
        "search?q=fox&limit=200",
        "export?format=html",
        "export?format=markdown",
        "export?format=text",
        "docx",
    ] {
        let t = Instant::now();
        let body = checked(
            client.get(format!("{summary_url}/{path}")).send().await?,
            path,
        )
        .await?
        .bytes()
        .await?;
        drop(body);
        report
            .reads
            .push((path.to_string(), t.elapsed().as_secs_f64()));
    }
    report.peak_reads_mib = rss_mib().unwrap_or_default().1;

    // 3. Eight past versions rendered at once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    report.rss_before_history_mib = rss_mib().unwrap_or_default().0;
    reset_peak();
    let t = Instant::now();
    let renders = (1..=8u64).map(|k| {
        let url = format!("{summary_url}/docx?version={}", version * k / 9 + 1);
        async move {
            checked(client.get(url).send().await?, "a past version")
                .await?
                .bytes()
                .await
                .map(|b| b.len())
                .map_err(anyhow::Error::from)
        }
    });
    for rendered in futures::future::join_all(renders).await {
        rendered?;
    }
    report.history_seconds = t.elapsed().as_secs_f64();
    report.peak_history_mib = rss_mib().unwrap_or_default().1;
    tokio::time::sleep(Duration::from_secs(5)).await;
    report.rss_after_history_mib = rss_mib().unwrap_or_default().0;
    Ok(report)
}

pub(crate) fn print(r: &LargeReport) {
    println!(
        "large document: {} paragraphs in {} events, written in {:.1} s ({:.0} paragraphs/s)",
        r.blocks, r.events, r.write_seconds, r.paragraphs_per_second
    );
    println!(
        "projection lag: at most {:.2} s behind the writes; {:.2} s after the last write",
        r.max_projection_lag_seconds, r.final_projection_lag_seconds
    );
    println!(
        "RSS: {:.0} MiB before, {:.0} MiB after writing (peak {:.0} MiB)",
        r.rss_before_mib, r.rss_after_write_mib, r.peak_write_mib
    );
    for (path, seconds) in &r.reads {
        println!("  GET …/{path:<24} {:>8.3} s", seconds);
    }
    println!(
        "RSS peak while reading every format: {:.0} MiB",
        r.peak_reads_mib
    );
    println!(
        "8 past versions rendered at once in {:.1} s: RSS {:.0} MiB before, peak {:.0} MiB (+{:.0}), {:.0} MiB 5 s later",
        r.history_seconds,
        r.rss_before_history_mib,
        r.peak_history_mib,
        r.peak_history_mib - r.rss_before_history_mib,
        r.rss_after_history_mib
    );
}
