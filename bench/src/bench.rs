//! `folio-bench`: command throughput and latency over HTTP.
//!
//! One client sends `add_paragraph` commands one at a time (each waits for the previous
//! answer) to documents of a given size, and reports commands/s and p50/p99 latency for
//! each size. Adding paragraphs grows a document, so every `--per-document` commands the
//! client moves to a fresh document of the size being measured (its creation is not
//! measured). Without `--url` it starts an embedded server on a temporary data directory.
//! With `--distributed` it measures the distributed deployment instead
//! ([`crate::bench_distributed`]).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use folio::embedded;
use folio::settings::ServeSettings;
use hdrhistogram::Histogram;
use serde_json::{Value, json};

/// Arguments of `folio-bench`.
#[derive(Debug, Clone, Args)]
pub(crate) struct BenchArgs {
    /// A running folio to measure (default: start an embedded one on a temporary directory).
    #[arg(long, env = "FOLIO_BENCH_URL")]
    pub(crate) url: Option<String>,
    /// With --url: an API key with the write scope (mind that server's rate limits).
    #[arg(long, env = "FOLIO_API_KEY", hide_env_values = true)]
    pub(crate) api_key: Option<String>,
    /// Measured commands per document size.
    #[arg(long, default_value_t = 2000)]
    pub(crate) requests: u64,
    /// Unmeasured commands sent first, per document size.
    #[arg(long, default_value_t = 1000)]
    pub(crate) warmup: u64,
    /// Measured commands sent to one document before moving to a fresh one.
    #[arg(long, default_value_t = 100)]
    pub(crate) per_document: u64,
    /// Document sizes (blocks before the measurement), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "10,10000")]
    pub(crate) sizes: Vec<u64>,
    /// Print the results as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Measure the distributed deployment instead (starts its processes on a database of
    /// its own; see `folio-bench --help`).
    #[arg(long)]
    pub(crate) distributed: bool,
    /// Distributed: a PostgreSQL database URL; the run creates (and drops) a database of its
    /// own on that server.
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Distributed: the `folio` binary whose processes are measured (default: the `folio`
    /// beside this binary, as `cargo build -p folio -p folio-bench` leaves them).
    #[arg(long, env = "FOLIO_BIN")]
    pub(crate) folio: Option<std::path::PathBuf>,
    /// Distributed: NATS URL.
    #[arg(long, env = "FOLIO_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub(crate) nats_url: String,
    /// Distributed: concurrent clients (and raw-INSERT connections).
    #[arg(long, default_value_t = 8)]
    pub(crate) concurrency: usize,
    /// Distributed: length of each measured phase, in seconds.
    #[arg(long, default_value_t = 5)]
    pub(crate) seconds: u64,
    /// Distributed: the steady command rate at which projection lag is measured.
    #[arg(long, default_value_t = 500)]
    pub(crate) lag_rate: u64,
    /// Measure one long document instead: written in batches, read in every format, eight
    /// past versions rendered at once, with this process's memory at each step.
    #[arg(long)]
    pub(crate) large: bool,
    /// --large: batches written.
    #[arg(long, default_value_t = 100)]
    pub(crate) batches: u64,
    /// --large: paragraphs per batch.
    #[arg(long, default_value_t = 1000)]
    pub(crate) batch_size: u64,
    /// Render a long document with pictures as .docx beside python-docx building the same
    /// one (`--images-blocks`, `--images-count`, `--runs`, `--python`).
    #[arg(long)]
    pub(crate) images: bool,
    /// --images: blocks of the document.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) images_blocks: u64,
    /// --images: pictures among them.
    #[arg(long, default_value_t = 100)]
    pub(crate) images_count: u64,
    /// --images: runs of each side (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub(crate) runs: usize,
    /// --images: the Python with python-docx (default: the project's `.venv`, else
    /// `python3`).
    #[arg(long)]
    pub(crate) python: Option<std::path::PathBuf>,
    /// Import a long .docx beside python-docx opening it and reading every paragraph
    /// (`--import-paragraphs`, `--runs`, `--python`).
    #[arg(long)]
    pub(crate) import: bool,
    /// --import: paragraphs of the file.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) import_paragraphs: u64,
    /// Read the audit trail of long documents — a diff (2% changed), blame from the read
    /// model and replayed — beside reading their content (`--history-blocks`,
    /// `--history-events`, `--history-reads`).
    #[arg(long)]
    pub(crate) history: bool,
    /// --history: blocks of each document.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) history_blocks: u64,
    /// --history: events of the blame document.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) history_events: u64,
    /// --history: measured reads of each kind.
    #[arg(long, default_value_t = 20)]
    pub(crate) history_reads: u64,
}

/// What a run measured: the command round trip per document size, or one long document.
enum Outcome {
    Sizes(Vec<Measurement>),
    Large(crate::bench_large::LargeReport),
    History(crate::bench_history::HistoryReport),
}

/// Results for one document size: the REST command round trip, and the same command as
/// an MCP tool call (`tools/call` on `/mcp`) in the same run.
#[derive(Debug, serde::Serialize)]
struct Measurement {
    blocks: u64,
    requests: u64,
    commands_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mcp: Round,
    /// The richer model's commands (issue 11) in turn, over REST, on documents of the
    /// same size: format_text with superscript, add_hyperlink, add_bookmark, apply_style,
    /// set_list_numbering, merge/split_table_cells, set_table_cell_format, set_footer,
    /// set_page_setup, add_image, resize_image, set_image_alt_text, set_table_cell with
    /// blocks.
    richer: Round,
}

/// One transport's round trips.
#[derive(Debug, serde::Serialize)]
struct Round {
    calls_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

/// How a command is sent.
#[derive(Debug, Clone, Copy)]
enum Transport {
    Rest,
    Mcp,
}

pub(crate) async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.distributed {
        return run_distributed(args).await;
    }
    let python = args.python.clone().unwrap_or_else(|| {
        let venv = std::path::PathBuf::from(".venv/bin/python");
        if venv.exists() {
            venv
        } else {
            "python3".into()
        }
    });
    if args.import {
        let report = tokio::task::spawn_blocking(move || {
            crate::bench_import::measure(&python, args.import_paragraphs, args.runs)
                .map(|r| (r, args.json))
        })
        .await??;
        match report {
            (r, true) => println!("{}", serde_json::to_string_pretty(&r)?),
            (r, false) => crate::bench_import::print(&r),
        }
        return Ok(());
    }
    if args.images {
        let report = tokio::task::spawn_blocking(move || {
            crate::bench_images::measure(&python, args.images_blocks, args.images_count, args.runs)
                .map(|r| (r, args.json))
        })
        .await??;
        match report {
            (r, true) => println!("{}", serde_json::to_string_pretty(&r)?),
            (r, false) => crate::bench_images::print(&r),
        }
        return Ok(());
    }
    let (base, key, server, _dir) = match &args.url {
        Some(url) => (
            url.trim_end_matches('/').to_string(),
            args.api_key.clone().context("--url needs --api-key")?,
            None,
            None,
        ),
        None => {
            let dir = tempfile::tempdir()?;
            // One client at full speed is the point of the run.
            let settings = ServeSettings::for_dir(dir.path().to_path_buf(), "127.0.0.1:0".parse()?)
                .without_rate_limit();
            let running = embedded::start(settings).await?;
            let key = running
                .bootstrap_key
                .as_ref()
                .context("a fresh data directory has a bootstrap key")?
                .key
                .clone();
            (
                format!("http://{}", running.addr),
                key,
                Some(running),
                Some(dir),
            )
        }
    };
    let outcome = {
        let (base, args) = (base.clone(), args.clone());
        on_client_thread(move || async move {
            if args.history {
                let client = keyed_client(&key, reqwest::Client::builder())?;
                crate::bench_history::measure(
                    &base,
                    &client,
                    args.history_blocks,
                    args.history_events,
                    args.history_reads,
                )
                .await
                .map(Outcome::History)
            } else if args.large {
                let client = keyed_client(&key, reqwest::Client::builder())?;
                crate::bench_large::measure(&base, &client, args.batches, args.batch_size)
                    .await
                    .map(Outcome::Large)
            } else {
                measure_all(&base, &key, &args).await.map(Outcome::Sizes)
            }
        })
        .await?
    };
    if let Some(server) = server {
        server.handle.stop(true).await;
        let _ = server.done.await;
    }
    match outcome {
        Outcome::Large(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Outcome::Large(report) => crate::bench_large::print(&report),
        Outcome::History(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Outcome::History(report) => crate::bench_history::print(&report),
        Outcome::Sizes(results) if args.json => {
            println!("{}", serde_json::to_string_pretty(&results)?);
        }
        Outcome::Sizes(results) => {
            println!(
                "add_paragraph, one client, one request at a time: REST (POST …/commands) and MCP (tools/call on /mcp); \"rest mix\": the richer model's commands in turn"
            );
            println!(
                "{:>8} {:>9} {:>10} {:>12} {:>9} {:>9} {:>9}",
                "blocks", "requests", "transport", "commands/s", "p50 ms", "p99 ms", "max ms"
            );
            for m in &results {
                println!(
                    "{:>8} {:>9} {:>10} {:>12.0} {:>9.3} {:>9.3} {:>9.3}",
                    m.blocks,
                    m.requests,
                    "rest",
                    m.commands_per_second,
                    m.p50_ms,
                    m.p99_ms,
                    m.max_ms
                );
                println!(
                    "{:>8} {:>9} {:>10} {:>12.0} {:>9.3} {:>9.3} {:>9.3}",
                    m.blocks,
                    m.requests,
                    "mcp",
                    m.mcp.calls_per_second,
                    m.mcp.p50_ms,
                    m.mcp.p99_ms,
                    m.mcp.max_ms
                );
                println!(
                    "{:>8} {:>9} {:>10} {:>12.0} {:>9.3} {:>9.3} {:>9.3}",
                    m.blocks,
                    m.requests,
                    "rest mix",
                    m.richer.calls_per_second,
                    m.richer.p50_ms,
                    m.richer.p99_ms,
                    m.richer.max_ms
                );
            }
        }
    }
    Ok(())
}

/// An HTTP client that sends `X-API-Key: key` with every request.
pub(crate) fn keyed_client(
    key: &str,
    builder: reqwest::ClientBuilder,
) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut value = reqwest::header::HeaderValue::from_str(key).context("a malformed API key")?;
    value.set_sensitive(true);
    headers.insert(auth::API_KEY_HEADER, value);
    Ok(builder.default_headers(headers).build()?)
}

async fn measure_all(base: &str, key: &str, args: &BenchArgs) -> anyhow::Result<Vec<Measurement>> {
    let client = keyed_client(key, reqwest::Client::builder().pool_max_idle_per_host(1))?;
    let mut results = Vec::new();
    for &blocks in &args.sizes {
        let warmup = create_document(&client, base, blocks).await?;
        for i in 0..args.warmup {
            let transport = if i % 2 == 0 {
                Transport::Rest
            } else {
                Transport::Mcp
            };
            add_paragraph(&client, base, &warmup, i, transport).await?;
        }
        let run = |workload| measure(&client, base, blocks, args, workload);
        let rest = run(Workload::AddParagraph(Transport::Rest)).await?;
        let mcp = run(Workload::AddParagraph(Transport::Mcp)).await?;
        let richer = run(Workload::Richer).await?;
        results.push(Measurement {
            blocks,
            requests: args.requests,
            commands_per_second: rest.calls_per_second,
            p50_ms: rest.p50_ms,
            p99_ms: rest.p99_ms,
            max_ms: rest.max_ms,
            mcp,
            richer,
        });
    }
    Ok(results)
}

/// What a measured round sends.
#[derive(Debug, Clone, Copy)]
enum Workload {
    /// `add_paragraph` over a transport.
    AddParagraph(Transport),
    /// The richer model's commands in turn, over REST.
    Richer,
}

/// `args.requests` commands of `workload` to documents of `blocks` blocks, moving to a
/// fresh document every `args.per_document` (preparing it is not measured).
async fn measure(
    client: &reqwest::Client,
    base: &str,
    blocks: u64,
    args: &BenchArgs,
    workload: Workload,
) -> anyhow::Result<Round> {
    let mut histogram = Histogram::<u64>::new(3)?;
    let mut busy = Duration::ZERO;
    let mut sent = 0;
    while sent < args.requests {
        let id = create_document(client, base, blocks).await?;
        let targets = match workload {
            Workload::Richer => Some(richer_targets(client, base, &id).await?),
            Workload::AddParagraph(_) => None,
        };
        let n = args.per_document.max(1).min(args.requests - sent);
        let started = Instant::now();
        for i in 0..n {
            let t = Instant::now();
            match (workload, &targets) {
                (Workload::AddParagraph(transport), _) => {
                    add_paragraph(client, base, &id, i, transport).await?;
                }
                (Workload::Richer, Some([paragraph, table, list, picture])) => {
                    let command = richer_command(i, [paragraph, table, list, picture]);
                    let response = client
                        .post(format!("{base}/v1/documents/{id}/commands"))
                        .json(&command)
                        .send()
                        .await?;
                    if !response.status().is_success() {
                        bail!("{command} failed: {}", response.text().await?);
                    }
                }
                (Workload::Richer, None) => unreachable!("prepared above"),
            }
            histogram.record(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX))?;
        }
        busy += started.elapsed();
        sent += n;
    }
    Ok(Round {
        calls_per_second: args.requests as f64 / busy.as_secs_f64(),
        p50_ms: histogram.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
        max_ms: histogram.max() as f64 / 1000.0,
    })
}

/// A 3×2 PNG, for the image commands of the mix.
const PNG_3X2: &str = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";

/// Adds what the richer-model commands work on — a paragraph, a table, a numbered list, a
/// picture — and returns their block ids.
async fn richer_targets(
    client: &reqwest::Client,
    base: &str,
    id: &str,
) -> anyhow::Result<[String; 4]> {
    let setup = client
        .post(format!("{base}/v1/documents/{id}/commands"))
        .json(&json!({"commands": [
            {"type": "add_paragraph", "text": "The paragraph the commands work on."},
            {"type": "add_table", "data": [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]},
            {"type": "add_list", "kind": "numbered", "items": ["one", "two"]},
            {"type": "add_image", "data_base64": PNG_3X2, "alt_text": "A picture"},
        ]}))
        .send()
        .await?;
    if !setup.status().is_success() {
        bail!("preparing the document failed: {}", setup.text().await?);
    }
    let created: Value = setup.json().await?;
    let ids: Vec<String> = created["created"]["block_ids"]
        .as_array()
        .context("no created blocks")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    <[String; 4]>::try_from(ids)
        .map_err(|ids| anyhow::anyhow!("expected four new blocks, got {ids:?}"))
}

/// The `i`th command of the richer-model mix (each changes the document, so none is a
/// no-op the server could answer without appending).
fn richer_command(i: u64, [paragraph, table, list, picture]: [&String; 4]) -> Value {
    let on = i % 28 < 14;
    match i % 14 {
        0 => json!({"type": "format_text", "block_id": paragraph, "start": 4, "end": 13,
                    "superscript": on, "small_caps": !on}),
        1 => {
            json!({"type": "add_hyperlink", "block_id": paragraph, "url": format!("https://example.com/{i}"),
                    "text": format!(" link {i}")})
        }
        2 => json!({"type": "add_bookmark", "block_id": paragraph, "name": format!("b{i}")}),
        3 => {
            json!({"type": "apply_style", "block_id": paragraph, "style_id": if on { "Quote" } else { "Normal" }})
        }
        4 => json!({"type": "set_list_numbering", "block_id": list, "start": i % 500 + 1}),
        5 => {
            json!({"type": "merge_table_cells", "block_id": table, "from_row": 0, "from_col": 0, "to_row": 1, "to_col": 1})
        }
        6 => json!({"type": "split_table_cells", "block_id": table, "row": 0, "col": 0}),
        7 => json!({"type": "set_table_cell_format", "block_id": table, "row": 2, "col": 2,
                    "shading": format!("{:06X}", i % 0xFFFFFF)}),
        8 => json!({"type": "set_footer", "text": format!("Page {{PAGE}} of {{NUMPAGES}} ({i})")}),
        9 => json!({"type": "set_page_setup", "margin_left_mm": 10 + i % 20}),
        10 => json!({"type": "add_image", "data_base64": PNG_3X2, "block_id": paragraph,
                     "offset": 0, "width_px": 10 + i % 50}),
        11 => json!({"type": "resize_image", "block_id": picture, "width_mm": 20 + i % 50}),
        12 => json!({"type": "set_image_alt_text", "block_id": picture,
                     "alt_text": format!("A picture ({i})")}),
        _ => json!({"type": "set_table_cell", "block_id": table, "row": 2, "col": 0, "blocks": [
            {"type": "paragraph", "text": format!("Cell {i}")},
            {"type": "list", "kind": "bullet", "items": ["one", "two"]},
            {"type": "table", "data": [["k", "v"]]},
        ]}),
    }
}

async fn create_document(
    client: &reqwest::Client,
    base: &str,
    blocks: u64,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/v1/documents"))
        .json(&json!({"title": format!("bench {blocks} blocks")}))
        .send()
        .await
        .context("cannot reach folio")?;
    if !response.status().is_success() {
        bail!("creating the document failed: {}", response.text().await?);
    }
    let created: Value = response.json().await?;
    let id = created["id"].as_str().context("no id")?.to_string();
    let url = format!("{base}/v1/documents/{id}/commands");
    let mut remaining = blocks;
    let mut version = 1;
    while remaining > 0 {
        let n = remaining.min(500);
        let commands: Vec<Value> = (0..n)
            .map(|i| json!({"type": "add_paragraph", "text": format!("Filler paragraph {i} with some ordinary words in it.")}))
            .collect();
        let response = client
            .post(&url)
            .json(&json!({"commands": commands}))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("filling the document failed: {}", response.text().await?);
        }
        version = response.json::<Value>().await?["version"]
            .as_u64()
            .unwrap_or(version);
        remaining -= n;
    }
    // Start measuring once the projectors have caught up with the filling.
    let settled = client
        .get(format!("{base}/v1/documents/{id}?min_version={version}"))
        .send()
        .await?;
    if !settled.status().is_success() {
        bail!("the document did not settle: {}", settled.text().await?);
    }
    Ok(id)
}

async fn add_paragraph(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    i: u64,
    transport: Transport,
) -> anyhow::Result<()> {
    let text = format!("Benchmark paragraph number {i}.");
    let response = match transport {
        Transport::Rest => {
            client
                .post(format!("{base}/v1/documents/{id}/commands"))
                .json(&json!({"type": "add_paragraph", "text": text}))
                .send()
                .await?
        }
        Transport::Mcp => {
            client
                .post(format!("{base}/mcp"))
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2025-06-18")
                .json(
                    &json!({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {
                        "name": "add_paragraph",
                        "arguments": {"document_id": id, "text": text},
                    }}),
                )
                .send()
                .await?
        }
    };
    if !response.status().is_success() {
        bail!("add_paragraph failed: {}", response.text().await?);
    }
    if let Transport::Mcp = transport {
        let answer: Value = response.json().await?;
        if answer.pointer("/result/isError") != Some(&Value::Bool(false)) {
            bail!("add_paragraph over MCP failed: {answer}");
        }
    }
    Ok(())
}

/// Runs the benchmark client on a thread and runtime of its own, so it does not queue
/// behind the server's background tasks (relay, projectors) when the server runs in this
/// process. Awaited, not joined: the server's tasks keep this runtime's threads meanwhile.
async fn on_client_thread<T, F, Fut>(client: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let (done, finished) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let result = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(client()));
        let _ = done.send(result);
    });
    finished
        .await
        .map_err(|_| anyhow::anyhow!("the benchmark client stopped without a result"))?
}

async fn run_distributed(args: BenchArgs) -> anyhow::Result<()> {
    let r = {
        let args = args.clone();
        on_client_thread(move || async move { crate::bench_distributed::run(&args).await }).await?
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "distributed: command-api + query-api + projector, PostgreSQL + NATS JetStream, {} s per phase",
        r.seconds
    );
    println!(
        "ceiling: single-row INSERT commits, {} connections: {:.0}/s",
        r.concurrency, r.raw_insert_commits_per_second
    );
    println!(
        "commands: {} clients, add_paragraph: {:.0}/s ({:.0}% of the ceiling), p50 {:.2} ms, p99 {:.2} ms",
        r.concurrency,
        r.commands_per_second,
        r.throughput_vs_ceiling * 100.0,
        r.command_p50_ms,
        r.command_p99_ms
    );
    println!(
        "projection lag at {} commands/s (achieved {:.0}/s): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; command p50 {:.2} ms, p99 {:.2} ms",
        r.lag_target_rate,
        r.lag_achieved_rate,
        r.projection_lag_p50_ms,
        r.projection_lag_p99_ms,
        r.projection_lag_max_ms,
        r.lag_command_p50_ms,
        r.lag_command_p99_ms
    );
    Ok(())
}
