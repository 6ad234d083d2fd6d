//! `folio-bench --distributed`: the distributed deployment measured end to end, side by
//! side with its ceiling.
//!
//! The run creates a database of its own (on the server `--database-url` points at) and a
//! fresh stream prefix, starts `folio command-api`, `query-api` and `projector` as child
//! processes on random ports, and measures, in this order:
//!
//! 1. **ceiling**: single-row INSERT commits into an events-shaped table, `--concurrency`
//!    connections, for `--seconds`;
//! 2. **throughput**: `--concurrency` clients, each sending `add_paragraph` to its own
//!    document one at a time, for `--seconds`: commands/s and command latency;
//! 3. **projection lag** at a steady `--lag-rate` commands/s (open loop) for `--seconds`,
//!    once the projectors have caught up with phase 2: from a command's answer to the
//!    query API showing that version (`?min_version=`).
//!
//! Everything it created is removed at the end.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::bench::BenchArgs;

/// A child `folio` process, killed on drop.
struct Service {
    child: Child,
    base: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Service {
    fn start(folio: &std::path::Path, args: &[String]) -> anyhow::Result<Self> {
        // FOLIO_BENCH_LOG=<filter> shows the services' logs (for diagnosing a run).
        let log = std::env::var("FOLIO_BENCH_LOG").ok();
        let mut child = Command::new(folio)
            .args(args)
            .env("RUST_LOG", log.as_deref().unwrap_or("warn"))
            .stdout(Stdio::piped())
            .stderr(if log.is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .with_context(|| format!("cannot start {}", folio.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let base = line
            .trim()
            .strip_prefix("folio listening on ")
            .with_context(|| format!("folio {} did not start: {line:?}", args[0]))?
            .to_string();
        Ok(Self {
            child,
            base,
            _stdout: stdout,
        })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the run measured.
#[derive(Debug, serde::Serialize)]
pub(crate) struct DistributedReport {
    pub(crate) concurrency: usize,
    pub(crate) seconds: u64,
    pub(crate) raw_insert_commits_per_second: f64,
    pub(crate) commands_per_second: f64,
    pub(crate) command_p50_ms: f64,
    pub(crate) command_p99_ms: f64,
    pub(crate) throughput_vs_ceiling: f64,
    pub(crate) lag_target_rate: u64,
    pub(crate) lag_achieved_rate: f64,
    pub(crate) lag_command_p50_ms: f64,
    pub(crate) lag_command_p99_ms: f64,
    pub(crate) projection_lag_p50_ms: f64,
    pub(crate) projection_lag_p99_ms: f64,
    pub(crate) projection_lag_max_ms: f64,
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

pub(crate) async fn run(args: &BenchArgs) -> anyhow::Result<DistributedReport> {
    let admin_url = args.database_url.clone().context(
        "--distributed needs --database-url (a PostgreSQL server to create a database on)",
    )?;
    let admin = PgPool::connect(&admin_url)
        .await
        .context("cannot connect to --database-url")?;
    let name = format!("folio_bench_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    let (prefix_url, _) = admin_url
        .rsplit_once('/')
        .context("--database-url must end in /<database>")?;
    let url = format!("{prefix_url}/{name}");
    let prefix = format!("BENCH{}", uuid::Uuid::now_v7().simple());
    let result = measure(args, &url, &prefix).await;
    // Clean up whatever happened.
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    if let Ok(client) = async_nats::connect(&args.nats_url).await {
        let _ = async_nats::jetstream::new(client)
            .delete_stream(format!("{prefix}_EVENTS"))
            .await;
    }
    result
}

async fn measure(args: &BenchArgs, url: &str, prefix: &str) -> anyhow::Result<DistributedReport> {
    let pool = folio::distributed::open_database(url, args.concurrency as u32 + 1, true).await?;
    let common = |command: &str| -> Vec<String> {
        [
            command,
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--no-migrate",
        ]
        .map(String::from)
        .to_vec()
    };
    let nats = |mut a: Vec<String>| {
        a.extend(["--nats-url", &args.nats_url, "--nats-prefix", prefix].map(String::from));
        a
    };
    // The APIs get a fresh signing secret and no per-principal limit (the run saturates
    // them from one key on purpose); the clients use a key made for the run.
    let secret = auth::keys::random_hex(32).map_err(anyhow::Error::msg)?;
    let api = |mut a: Vec<String>| {
        a.extend(["--jwt-secret", &secret, "--rate-limit-per-second", "0"].map(String::from));
        a
    };
    let key = auth::manage::create_key(
        &infrastructure::credentials::CredentialStore::Postgres(pool.clone()),
        &auth::manage::KeySpec {
            tenant: infrastructure::TenantId::default_tenant(),
            name: "bench".into(),
            scopes: auth::Role::Editor.scopes(),
            owner: None,
            created_by: "system:bench".into(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot create the benchmark's key: {e}"))?;
    let folio = match &args.folio {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("folio"),
    };
    let command = Service::start(&folio, &api(nats(common("command-api"))))?;
    let query = Service::start(&folio, &api(common("query-api")))?;
    let _projector = Service::start(&folio, &nats(common("projector")))?;
    let seconds = Duration::from_secs(args.seconds.max(1));

    let raw = raw_inserts(&pool, args.concurrency, seconds).await?;
    let client = crate::bench::keyed_client(
        &key.key,
        reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(2)),
    )?;
    let (rate, commands) = throughput(&client, &command.base, args.concurrency, seconds).await?;
    // Projection lag is measured at a steady rate: first let the projectors finish what the
    // saturating throughput phase left behind (read models and .docx renders).
    settle(&pool).await?;
    pool.close().await;
    let (achieved, lag_commands, lag) = projection_lag(
        &client,
        (&command.base, &query.base),
        args.lag_rate.max(1),
        seconds,
    )
    .await?;
    Ok(DistributedReport {
        concurrency: args.concurrency,
        seconds: seconds.as_secs(),
        raw_insert_commits_per_second: raw,
        commands_per_second: rate,
        command_p50_ms: ms(&commands, 0.5),
        command_p99_ms: ms(&commands, 0.99),
        throughput_vs_ceiling: rate / raw,
        lag_target_rate: args.lag_rate,
        lag_achieved_rate: achieved,
        lag_command_p50_ms: ms(&lag_commands, 0.5),
        lag_command_p99_ms: ms(&lag_commands, 0.99),
        projection_lag_p50_ms: ms(&lag, 0.5),
        projection_lag_p99_ms: ms(&lag, 0.99),
        projection_lag_max_ms: lag.max() as f64 / 1000.0,
    })
}

/// Waits (at most a minute) until every read model and .docx blob is at its document's
/// last event.
async fn settle(pool: &PgPool) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let behind: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM (SELECT aggregate_id, max(sequence) AS head FROM events
                      GROUP BY aggregate_id) e LEFT JOIN documents d ON d.id = e.aggregate_id
                      WHERE d.version IS NULL OR d.version < e.head)
                  + (SELECT count(*) FROM documents d LEFT JOIN docx_blobs b ON b.document_id = d.id
                      WHERE b.version IS NULL OR b.version < d.version)",
        )
        .fetch_one(pool)
        .await?;
        if behind == 0 || Instant::now() > deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Single-row INSERT commits into an events-shaped table, one connection per task.
async fn raw_inserts(pool: &PgPool, concurrency: usize, seconds: Duration) -> anyhow::Result<f64> {
    sqlx::raw_sql(
        "CREATE TABLE bench_raw_events (
            aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, sequence BIGINT NOT NULL,
            event_type TEXT NOT NULL, event_version TEXT NOT NULL, payload JSONB NOT NULL,
            metadata JSONB NOT NULL, PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    )
    .execute(pool)
    .await?;
    let payload = json!({"type": "ParagraphAdded", "block_id": "b2", "index": 0, "runs": [{"text": "Benchmark paragraph number 1."}]});
    let metadata = json!({"tenant": "default", "actor": "anonymous", "request_id": uuid::Uuid::now_v7().to_string(),
        "command": "add_paragraph", "ip": "127.0.0.1", "user_agent": "folio-bench", "at": "2026-01-01T00:00:00.000Z"});
    let deadline = Instant::now() + seconds;
    let tasks = (0..concurrency).map(|task| {
        let (pool, payload, metadata) = (pool.clone(), payload.clone(), metadata.clone());
        tokio::spawn(async move {
            let mut connection = pool.acquire().await?;
            let id = uuid::Uuid::now_v7().to_string();
            let mut n: i64 = 0;
            while Instant::now() < deadline {
                n += 1;
                sqlx::query(
                    "INSERT INTO bench_raw_events VALUES ('Document', $1, $2, 'ParagraphAdded', '1.0', $3, $4)",
                )
                .bind(&id)
                .bind(n)
                .bind(&payload)
                .bind(&metadata)
                .execute(&mut *connection)
                .await?;
            }
            let _ = task;
            anyhow::Ok(n)
        })
    });
    let started = Instant::now();
    let mut total = 0;
    for t in futures::future::join_all(tasks).await {
        total += t??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

async fn create(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/v1/documents"))
        .json(&json!({"title": "bench"}))
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("creating a document failed: {}", response.text().await?);
    }
    Ok(response.json::<Value>().await?["id"]
        .as_str()
        .context("no id")?
        .to_string())
}

/// Sends one `add_paragraph`; returns the new version.
async fn add(client: &reqwest::Client, base: &str, id: &str, i: u64) -> anyhow::Result<u64> {
    let response = client
        .post(format!("{base}/v1/documents/{id}/commands"))
        .json(&json!({"type": "add_paragraph", "text": format!("Benchmark paragraph number {i}.")}))
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("add_paragraph failed: {}", response.text().await?);
    }
    response.json::<Value>().await?["version"]
        .as_u64()
        .context("no version")
}

/// `concurrency` closed-loop clients, each on its own document.
async fn throughput(
    client: &reqwest::Client,
    base: &str,
    concurrency: usize,
    seconds: Duration,
) -> anyhow::Result<(f64, Histogram<u64>)> {
    let mut ids = Vec::new();
    for _ in 0..concurrency {
        let id = create(client, base).await?;
        // Warm up: the document is cached and connections are open.
        for i in 0..20 {
            add(client, base, &id, i).await?;
        }
        ids.push(id);
    }
    let histogram = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let deadline = Instant::now() + seconds;
    let started = Instant::now();
    let tasks = ids.into_iter().map(|id| {
        let (client, base, histogram) = (client.clone(), base.to_string(), histogram.clone());
        async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                add(&client, &base, &id, n).await?;
                histogram.lock().await.record(micros(t.elapsed()))?;
                n += 1;
            }
            anyhow::Ok(n)
        }
    });
    let mut total = 0;
    for n in futures::future::join_all(tasks).await {
        total += n?;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    let histogram = histogram.lock().await.clone();
    Ok((rate, histogram))
}

/// An open-loop stream of commands at `rate`/s over 16 documents; each accepted command is
/// then read back from the query API with `?min_version=` to time its projection.
async fn projection_lag(
    client: &reqwest::Client,
    (command, query): (&str, &str),
    rate: u64,
    seconds: Duration,
) -> anyhow::Result<(f64, Histogram<u64>, Histogram<u64>)> {
    let mut ids = Vec::new();
    for _ in 0..16 {
        ids.push(create(client, command).await?);
    }
    let commands = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let lag = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let mut ticker = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut sent = 0u64;
    let mut tasks = Vec::new();
    while started.elapsed() < seconds {
        ticker.tick().await;
        let id = ids[(sent % ids.len() as u64) as usize].clone();
        let (client, command, query) = (client.clone(), command.to_string(), query.to_string());
        let (commands, lag) = (commands.clone(), lag.clone());
        sent += 1;
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let version = add(&client, &command, &id, sent).await?;
            let accepted = Instant::now();
            let response = client
                .get(format!("{query}/v1/documents/{id}?min_version={version}"))
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("the projection did not arrive: {}", response.status());
            }
            let visible = Instant::now();
            commands.lock().await.record(micros(accepted - t0))?;
            lag.lock().await.record(micros(visible - accepted))?;
            anyhow::Ok(())
        }));
    }
    let achieved = sent as f64 / started.elapsed().as_secs_f64();
    for t in tasks {
        t.await??;
    }
    let commands = commands.lock().await.clone();
    let lag = lag.lock().await.clone();
    Ok((achieved, commands, lag))
}
