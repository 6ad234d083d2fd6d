//! The `folio` program: clap subcommands that wire the library crates together ([`run`]).
//! A library so that the production binary (`folio`), the benchmarks (`folio-bench`) and
//! the end-to-end tests' build of the binary (`tests/`) are one program.

pub mod credentials;
pub mod distributed;
pub mod embedded;
mod http;
pub mod outbox;
pub mod settings;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's malloc: a burst of large renders (hundreds of MiB for a
/// long document) is given back to the system afterwards, where glibc's per-thread arenas
/// kept it (measured in BENCHMARKS.md, "A long document").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::settings::{
    CommandApiSettings, MigrateSettings, ProjectorSettings, QueryApiSettings, RebuildSettings,
    ServeSettings,
};

/// folio — event-sourced Word documents over REST.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "FOLIO_LOG_JSON", global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::enum_variant_names)] // `command-api` is the subcommand's name
enum Command {
    /// Run everything in one process on a local data directory (no services needed).
    Serve(ServeSettings),
    /// Distributed: the write API (PostgreSQL event store) and the outbox relay to JetStream.
    CommandApi(CommandApiSettings),
    /// Distributed: the read API (PostgreSQL read models).
    QueryApi(QueryApiSettings),
    /// Distributed: the read-model and .docx projectors (JetStream consumers).
    Projector(ProjectorSettings),
    /// Distributed: apply pending PostgreSQL migrations.
    Migrate(MigrateSettings),
    /// Replay every event into fresh read models (blame included) and .docx blobs, then
    /// swap them in (or compare them with the live ones, with --verify): the distributed
    /// deployment's database with --database-url, else the embedded data directory.
    Rebuild(RebuildSettings),
    /// Distributed: the outbox rows the relay parked (events the bus refused).
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Manage users (embedded data dir or --database-url).
    #[command(subcommand)]
    User(credentials::UserCommand),
    /// Manage API keys (embedded data dir or --database-url).
    #[command(subcommand)]
    ApiKey(credentials::ApiKeyCommand),
    /// MCP over stdio for desktop clients: relays to a running folio's /mcp as the
    /// principal of an API key.
    Mcp(McpArgs),
}

/// `folio mcp`.
#[derive(Debug, clap::Args)]
struct McpArgs {
    /// The running folio's base URL (`folio serve`, or `folio command-api` in the
    /// distributed deployment).
    #[arg(long, env = "FOLIO_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The API key to act with (its tenant, scopes and rate limit).
    #[arg(long, env = "FOLIO_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Which tools the client lists: `all`, or `core` (about 20: reading in parts,
    /// search, history, the common edits; every tool can still be called).
    #[arg(long, env = "FOLIO_MCP_TOOLS", default_value = "all", value_parser = ["all", "core"])]
    tools: String,
}

/// Runs the `folio` command line.
///
/// # Errors
/// Whatever the subcommand fails with.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = match &cli.command {
        Command::Mcp(_) => "warn",
        Command::Migrate(_)
        | Command::Rebuild(_)
        | Command::User(_)
        | Command::ApiKey(_)
        | Command::Outbox(_) => "warn",
        _ => "info,sqlx=warn,async_nats=warn",
    };
    infrastructure::telemetry::init(cli.log_json, filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(settings) => embedded::serve(settings).await,
            Command::Mcp(args) => mcp::stdio::run(mcp::stdio::Bridge {
                url: format!(
                    "{}/mcp{}",
                    args.url.trim_end_matches('/'),
                    if args.tools == "core" {
                        "?tools=core"
                    } else {
                        ""
                    }
                ),
                api_key: args.api_key,
            })
            .await
            .map_err(anyhow::Error::from),
            Command::CommandApi(s) => distributed::command_api(s).await,
            Command::QueryApi(s) => distributed::query_api(s).await,
            Command::Projector(s) => distributed::projector(s).await,
            Command::Migrate(s) => distributed::migrate(s).await,
            Command::Rebuild(s) => distributed::rebuild_command(s).await,
            Command::User(c) => credentials::user(c).await,
            Command::ApiKey(c) => credentials::api_key(c).await,
            Command::Outbox(c) => outbox::run(c).await,
        }
    })
}
